"""A corrupted search index does not take the site down: serve, init and reindex go on, the
damaged file is set aside, the index is rebuilt from the database, /healthz and the log say so."""

import json
import time

from fastapi.testclient import TestClient

from kb import importing as kb_importing
from kb.schemas import CaseQuery, CaseRecord
from kb.taxonomy import Taxonomy
from replan.app import build_runtime, create_app
from search.service import GuardedBackend
from tests.builders import record, search
from tests.replan.test_cli import cli  # noqa: F401 - the fixture
from tests.search.test_recovery import garble


def _damaged_runtime(runtime):
    """Index two published cases, then garble the index file and start again."""
    kb_importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=[
            CaseRecord.model_validate(record(id=f"r{i}", title=f"Vulcanised kerb {i}"))
            for i in range(2)
        ],
    )
    runtime.get(GuardedBackend).close()
    garble(runtime.settings.search_index_path)
    return build_runtime(runtime.settings)


def test_the_site_answers_while_the_index_is_rebuilt_and_reports_it(runtime, caplog):
    damaged = _damaged_runtime(runtime)
    app = create_app(damaged.settings, damaged)
    quiet = TestClient(app)  # no lifespan: no worker yet, so the rebuild has not begun
    page = quiet.get("/cases", params={"q": "kerb"})
    assert page.status_code == 503 and page.headers["retry-after"]
    assert "being rebuilt" in page.text
    api = quiet.get("/api/v1/cases", params={"q": "kerb"})
    assert api.status_code == 503 and "being rebuilt" in api.json()["detail"]
    health = quiet.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["search"] == "rebuilding" and "cannot be read" in health["search_reason"]

    with TestClient(app) as client:  # the worker starts, sets the file aside and rebuilds
        deadline = time.monotonic() + 10
        while client.get("/healthz").json()["search"] != "recovered":
            assert time.monotonic() < deadline, "not rebuilt in time"
            time.sleep(0.05)
        found = client.get("/api/v1/cases", params={"q": "kerb"}).json()
        assert sorted(h["id"] for h in found["hits"]) == ["r0", "r1"]
        assert "damaged copy kept as" in client.get("/healthz").json()["search_reason"]
    kept = list(runtime.settings.data_path.glob("search-index.corrupt-*"))
    assert len(kept) == 1 and (kept[0] / "state.json").read_bytes().startswith(b"\x00garbage")
    assert any("search index rebuilt from the database" in r.message for r in caplog.records)
    damaged.close()


def test_damage_found_while_running_is_repaired(runtime):
    app = create_app(runtime.settings, runtime)
    kb_importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=[CaseRecord.model_validate(record(id="live", title="Vulcanised bollard"))],
    )
    with TestClient(app) as client:
        assert client.get("/api/v1/cases", params={"q": "bollard"}).json()["total"] == 1
        runtime.get(GuardedBackend).engine.close()  # its next connections open the garbled file
        garble(runtime.settings.search_index_path)
        deadline = time.monotonic() + 10
        while True:
            answer = client.get("/api/v1/cases", params={"q": "bollard"})
            assert answer.status_code in (200, 503)  # never 500
            if answer.status_code == 200 and answer.json()["total"] == 1:
                break
            assert time.monotonic() < deadline, "not repaired in time"
            time.sleep(0.05)
        assert client.get("/healthz").json()["search"] == "recovered"


def _import_then_garble(cli, tmp_path):  # noqa: F811
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(record(id="g1", title="Antivibrante tappetino")) + "\n")
    assert cli("import", str(src)).exit_code == 0
    index = tmp_path / "data" / "search-index"
    garble(index)
    return index


def _search(text: str) -> list[str]:
    from replan.settings import Settings

    rt = build_runtime(Settings())
    try:
        result = search(rt, CaseQuery(q=text))
        return [hit.id for hit in result.hits]
    finally:
        rt.close()


def test_init_rebuilds_a_corrupted_index(cli, tmp_path):  # noqa: F811
    index = _import_then_garble(cli, tmp_path)
    result = cli("init", "--no-seed")
    assert result.exit_code == 0, result.output
    assert "search index is unreadable" in result.output
    assert "rebuilt from the database (1 cases)" in result.output
    assert list(index.parent.glob("search-index.corrupt-*"))
    assert _search("antivibrante") == ["g1"]


def test_reindex_rebuilds_a_corrupted_index(cli, tmp_path):  # noqa: F811
    _import_then_garble(cli, tmp_path)
    result = cli("reindex")
    assert result.exit_code == 0, result.output
    assert "the search index was unreadable" in result.output
    assert "indexed 1 published cases" in result.output
    assert _search("antivibrante") == ["g1"]
