"""A stale search index never shows a case the database does not publish (SQLite and PostgreSQL).

The index is made stale the way a failed outbox drain leaves it: a published, indexed case is
unpublished in the database while its index document stays."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from kb import importing, searching
from kb.models import Case
from kb.schemas import CaseQuery, CaseRecord
from kb.taxonomy import Taxonomy
from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from search.service import GuardedBackend
from tests.builders import record
from tests.conftest import make_settings

SECRET = "unpublished-one"
WORD = "zeolitico"  # only the stale case holds it


@pytest.fixture
def stale(db_url, tmp_path):
    upgrade(db_url)
    runtime = build_runtime(make_settings(tmp_path, database_url=db_url))
    records = [
        record(id="public-one", title="Rubber crumb pavement", country="IT"),
        record(
            id=SECRET,
            title=f"Rubber crumb {WORD} Valletta",
            summary=f"A {WORD} binder.",
            country="MT",
            application="playground",
            lat=35.9,
            lon=14.5,
        ),
    ]
    importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=[CaseRecord.model_validate(r) for r in records],
    )
    assert runtime.get(GuardedBackend).count() == 2
    with runtime.db.session() as session:  # no outbox row: the index keeps the document
        session.execute(update(Case).where(Case.id == SECRET).values(status="submitted"))
    app = create_app(runtime.settings, runtime)
    with TestClient(app) as client:
        yield runtime, client
    runtime.close()


def test_search_api_and_page_leave_out_a_case_the_database_unpublished(stale):
    runtime, client = stale
    assert runtime.get(GuardedBackend).count() == 2  # the index still holds it
    api = client.get("/api/v1/cases", params={"q": "rubber crumb"}).json()
    assert [h["id"] for h in api["hits"]] == ["public-one"]
    assert api["total"] == 1
    assert "MT" not in api["facets"]["country"]
    assert "playground" not in api["facets"]["application"]
    for params in ({"q": WORD}, {"country": "MT"}, {"application": "playground"}):
        drill = client.get("/api/v1/cases", params=params).json()
        assert (drill["hits"], drill["total"]) == ([], 0)
        for headers in ({}, {"HX-Request": "true"}):
            page = client.get("/cases", params=params, headers=headers)
            assert page.status_code == 200
            assert SECRET not in page.text and "valletta" not in page.text.lower()
    page = client.get("/cases", params={"q": "rubber crumb"})
    assert SECRET not in page.text  # neither listed nor a map point
    assert "35.9" not in page.text


def test_exports_leave_out_a_case_the_database_unpublished(stale):
    _, client = stale
    for params in ({}, {"q": WORD}, {"country": "MT"}):
        csv = client.get("/cases/export.csv", params=params)
        assert csv.status_code == 200 and SECRET not in csv.text
        jsonl = client.get("/cases/export.jsonl", params=params)
        ids = [json.loads(line)["id"] for line in jsonl.text.splitlines()]
        assert SECRET not in ids
    assert "public-one" in client.get("/cases/export.csv").text


def test_no_suggestion_comes_from_an_unpublished_case(stale):
    runtime, client = stale
    typo = WORD[:-2] + "oc"  # one typo away from the stale case's word only
    assert runtime.get(GuardedBackend).search(searching.search_query(CaseQuery(q=typo))).suggestion
    api = client.get("/api/v1/cases", params={"q": typo}).json()
    assert api["hits"] == [] and api.get("suggestion") is None
    assert WORD not in client.get("/cases", params={"q": typo}).text.lower()


def test_the_case_page_and_api_answer_404(stale):
    _, client = stale
    assert client.get(f"/cases/{SECRET}").status_code == 404
    assert client.get(f"/api/v1/cases/{SECRET}").status_code == 404
