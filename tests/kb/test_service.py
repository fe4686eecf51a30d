"""The knowledge base's service on SQLite and PostgreSQL: upserts, summaries, atomicity, search."""

import pytest
from sqlalchemy import func, select

from kb import importing, service
from kb.models import Case, Organisation
from kb.schemas import CaseQuery, CaseRecord
from kb.taxonomy import Taxonomy
from replan.app import build_runtime
from replan.migrations import upgrade
from search.service import GuardedBackend
from tests.builders import record, search
from tests.conftest import make_settings


@pytest.fixture
def rt(db_url, tmp_path):
    upgrade(db_url)
    runtime = build_runtime(make_settings(tmp_path, database_url=db_url))
    yield runtime
    runtime.close()


def upsert(rt, records, **kw):
    return importing.upsert_records(
        db=rt.db,
        backend=rt.get(GuardedBackend),
        taxonomy=rt.get(Taxonomy),
        records=[CaseRecord.model_validate(r) for r in records],
        **kw,
    )


def test_upsert_counts_imported_updated_unchanged(rt):
    first = [record(id="a"), record(id="b")]
    assert upsert(rt, first).line() == "imported 2, updated 0, unchanged 0"
    assert upsert(rt, first).line() == "imported 0, updated 0, unchanged 2"
    changed = [record(id="a"), {**first[1], "title": "A new title for b"}, record(id="c")]
    assert upsert(rt, changed).line() == "imported 1, updated 2, unchanged 0"
    with rt.db.session() as session:
        assert session.get(Case, "b").title == "A new title for b"
        assert session.get(Case, "b").version == 2


def test_ids_are_made_from_titles_and_stay_stable(rt):
    no_id = record(id=None, title="Asfalto gommato a Torino")
    assert upsert(rt, [no_id]).imported == 1
    assert upsert(rt, [no_id]).unchanged == 1
    with rt.db.session() as session:
        assert session.get(Case, "asfalto-gommato-a-torino") is not None


def test_organisations_are_shared_between_cases(rt):
    org = [{"name": "Ecopneus", "role": "recycler"}]
    upsert(
        rt,
        [
            record(id="x", organisations=org),
            record(id="y", organisations=[{"name": "ECOPNEUS", "role": "supplier"}]),
        ],
    )
    with rt.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_a_failed_import_leaves_the_database_unchanged(rt, monkeypatch):
    upsert(rt, [record(id="keep", title="Kept as it was")])
    calls = {"n": 0}
    original = importing.enqueue_case

    def explode(session, case, taxonomy):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("crash in the middle of the import")
        original(session, case, taxonomy)

    monkeypatch.setattr(importing, "enqueue_case", explode)
    with pytest.raises(RuntimeError):
        upsert(rt, [record(id="new-1"), {**record(id="keep"), "title": "Overwritten"}])
    with rt.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1
        assert session.get(Case, "keep").title == "Kept as it was"


def test_imported_records_are_searchable_right_away(rt):
    upsert(rt, [record(id="gomma", title="Pista ciclabile in gomma riciclata", language="it")])
    result = search(rt, CaseQuery(q="gomma riciclata"))
    assert [h.id for h in result.hits] == ["gomma"]


def test_submitted_cases_are_not_searchable(rt):
    upsert(rt, [record(id="hidden", title="Hidden submitted case")], status="submitted")
    result = search(rt, CaseQuery(q="hidden submitted"))
    assert result.total == 0


def test_round_trip_through_the_database_is_lossless(rt):
    originals = [CaseRecord.model_validate(record(id=f"r{i}")) for i in range(3)]
    upsert(rt, [r.model_dump() for r in originals])
    with rt.db.session() as session:
        assert list(service.iter_published(session)) == originals


def test_a_new_case_starts_at_version_one(rt):
    upsert(rt, [record(id="v", organisations=[{"name": "Brand new org", "role": "supplier"}])])
    with rt.db.session() as session:
        assert session.get(Case, "v").version == 1
