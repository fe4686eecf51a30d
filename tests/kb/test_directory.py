"""The organisations directory and the comparison of cases: only what is public, filtered."""

from contextlib import ExitStack
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from kb.directory import service
from kb.directory.schemas import OrganisationQuery
from kb.importing import organisation_named
from kb.models import Organisation, OrganisationCertificate
from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from tests.builders import record
from tests.conftest import _pg_database, make_settings
from tests.kb.test_stats import load


def orgs(*names):
    return [{"name": name, "role": "supplier"} for name in names]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def runtime(request, tmp_path_factory):
    """The catalogue, on SQLite and (when it answers) PostgreSQL: JSON as text and correlated
    subqueries are where the two differ."""
    with ExitStack() as stack:
        path = tmp_path_factory.mktemp("directory")
        url = None
        if request.param == "postgresql":
            url = stack.enter_context(_pg_database())
        settings = make_settings(path, **({"database_url": url} if url else {}))
        upgrade(settings.db_url)
        rt = build_runtime(settings)
        stack.callback(rt.close)
        yield from _fill(rt)


def _fill(rt):
    load(
        rt,
        [
            record(id="it-one", country="IT", organisations=orgs("Alpha Recycling", "Comune A")),
            record(id="it-two", country="IT", organisations=orgs("Alpha Recycling")),
            record(
                id="es-steel",
                country="ES",
                application="concrete",
                rtm_types=["steel-fibre"],
                organisations=orgs("Beta Steel"),
            ),
        ],
    )
    load(
        rt,
        [record(id="fr-secret", title="Secret Gamma works", organisations=orgs("Gamma Secret"))],
        status="submitted",
    )
    with rt.db.session() as session:
        beta = session.scalar(select(Organisation).where(Organisation.name == "Beta Steel"))
        beta.country = "PL"
        for name in ("ISO 14001:2015 (TÜV)", "EMAS"):
            session.add(OrganisationCertificate(organisation_id=beta.id, name=name))
        delta = organisation_named(session, "Delta Approved")
        delta.approved_at = datetime.now(UTC)
        delta.rtm_offered, delta.regions_served = ["rubber-chips"], ["ITC4", "Słowenia", "SI"]
        delta.description, delta.products = "Chips for playgrounds", ["Gumowe płytki 50 mm"]
        session.flush()
        for name, state in (("Old EPD", "removed"), ("Waiting label", "added")):
            session.add(OrganisationCertificate(organisation_id=delta.id, name=name, state=state))
    yield rt


@pytest.fixture(scope="module")
def client(runtime):
    with TestClient(create_app(runtime.settings, runtime)) as c:
        yield c


def listed(runtime, **params) -> dict[str, int]:
    with runtime.db.session() as session:
        found = service.organisation_directory(session=session, query=OrganisationQuery(**params))
    assert found.total == len(found.entries)
    return {e.name: e.cases for e in found.entries}


def test_only_public_organisations_each_with_its_published_cases(runtime):
    assert listed(runtime) == {
        "Alpha Recycling": 2,
        "Beta Steel": 1,
        "Comune A": 1,
        "Delta Approved": 0,  # approved profile, no case yet
    }


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"rtm": ["steel-fibre"]}, {"Beta Steel"}),
        ({"rtm": ["steel-fibre", "rubber-powder"]}, {"Alpha Recycling", "Beta Steel", "Comune A"}),
        ({"country": ["PL"]}, {"Beta Steel"}),  # based there
        ({"country": ["ES"]}, {"Beta Steel"}),  # its published case is there
        ({"country": ["FR"]}, set()),  # only an unpublished case is there
        ({"certificate": "iso 14001"}, {"Beta Steel"}),
        ({"certificate": "tüv"}, {"Beta Steel"}),
        ({"certificate": "(TÜV)"}, {"Beta Steel"}),
        ({"certificate": "TÖV"}, set()),
        ({"certificate": "emas", "country": ["IT"]}, set()),
        ({"certificate": "%"}, set()),  # a wildcard is a character like any other
        ({"certificate": "old epd"}, {"Delta Approved"}),  # public until its removal is approved
        ({"certificate": "waiting"}, set()),  # not public before a moderator approves it
        ({"rtm": ["rubber-chips"]}, {"Delta Approved"}),  # offered, in no case yet
        ({"country": ["SI"]}, {"Delta Approved"}),  # a country it serves
        ({"region": "itc4"}, {"Delta Approved"}),
        ({"region": "SŁOWENIA"}, {"Delta Approved"}),
        ({"region": "Lombardia"}, set()),
        ({"q": "PLAYGROUNDS chips"}, {"Delta Approved"}),  # every word, any case
        ({"q": "płytki"}, {"Delta Approved"}),  # in the products
        ({"q": "PŁYTKI 50"}, {"Delta Approved"}),
        ({"q": "chips steel"}, set()),
        ({"q": "beta"}, {"Beta Steel"}),  # in the name
        ({"q": "5_mm"}, set()),  # a wildcard is a character like any other
    ],
)
def test_filters(runtime, params, names):
    assert set(listed(runtime, **params)) == names


def test_directory_page_fragment_and_json(client):
    page = client.get("/organisations", params={"rtm": "steel-fibre"})
    assert page.status_code == 200 and 'id="kb-directory"' in page.text
    assert 'href="/organisations/beta-steel"' in page.text and "Alpha" not in page.text
    assert "ISO 14001:2015" in page.text
    fragment = client.get("/organisations", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<section id="kb-directory"')
    data = client.get("/organisations", headers={"Accept": "application/json"}).json()
    assert data["total"] == 4 and "Gamma Secret" not in fragment.text
    assert client.get("/organisations", params={"country": "XX"}).status_code == 422


def test_compare_shows_published_cases_in_order_and_nothing_else(client):
    page = client.get("/compare", params={"ids": "it-two, fr-secret,nowhere,../x,it-one"})
    assert page.status_code == 200
    assert page.text.index('href="/cases/it-two"') < page.text.index('href="/cases/it-one"')
    assert 'href="/cases/fr-secret"' not in page.text and "Secret Gamma" not in page.text
    assert 'value="it-two, it-one"' in page.text  # the form keeps only what was found
    data = client.get(
        "/compare", params={"ids": "fr-secret,it-one"}, headers={"Accept": "application/json"}
    ).json()
    assert [c["id"] for c in data["cases"]] == ["it-one"]


def test_compare_takes_at_most_four(client):
    ids = ["it-one", "it-two", "nowhere", "es-steel", "it-one", "later-one"]
    data = client.get(
        "/compare", params=[("ids", i) for i in ids], headers={"Accept": "application/json"}
    ).json()
    assert [c["id"] for c in data["cases"]] == ["it-one", "it-two", "es-steel"]
    assert data["truncated"] is True
    assert client.get("/compare").status_code == 200


def test_an_organisation_page_lists_its_published_cases_on_both_databases(client):
    page = client.get("/organisations/alpha-recycling")
    assert page.status_code == 200
    assert 'href="/cases/it-one"' in page.text and 'href="/cases/it-two"' in page.text
