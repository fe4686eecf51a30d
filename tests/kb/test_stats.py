"""The figures: SQL sums of the published cases' declared quantities, against a hand-built
catalogue (SQLite and PostgreSQL): what an unpublished case never adds, how a programme total is
counted in the whole and apart in its scope, and how the search's filters narrow them."""

import pytest
from sqlalchemy import update

from kb import importing, searching
from kb.models import Case
from kb.schemas import CaseQuery, CaseRecord
from kb.stats import service
from kb.stats.schemas import Stats
from kb.taxonomy import Taxonomy
from replan.app import build_runtime
from replan.migrations import upgrade
from search.service import GuardedBackend
from tests.builders import record
from tests.conftest import make_settings

PROGRAMME = "es-signus-2023-carreteras-polvo-neumatico"
NONE = dict(rtm_tonnes=None, tyres_equivalent=None, length_km=None, area_m2=None)
PUBLISHED = [
    record(
        id="it-road",
        country="IT",
        year=2020,
        rtm_types=["rubber-powder"],
        **{**NONE, "rtm_tonnes": 10, "tyres_equivalent": 1000, "length_km": 1, "area_m2": 5000},
    ),
    record(
        id="it-play",
        title="Playground of the zeolite school",
        application="playground",
        country="IT",
        year=2021,
        rtm_types=["rubber-granulate", "rubber-powder"],
        **{**NONE, "rtm_tonnes": 2.5, "area_m2": 300},
    ),
    record(
        id="es-road",
        country="ES",
        year=2020,
        gpp=False,
        **{**NONE, "tyres_equivalent": 500, "length_km": 2},
    ),
    record(id="es-wall", application="noise-barrier", country="ES", year=None, **NONE),
    # A national yearly total: in the sums, and apart in its scope.
    record(
        id=PROGRAMME,
        country="ES",
        year=2023,
        scope="programme",
        **{**NONE, "rtm_tonnes": 1708, "length_km": 160},
    ),
]
# Published, indexed, then withdrawn in the database only: the search index still lists it.
WITHDRAWN = record(
    id="fr-hidden", title="Ventimiglia quarry", country="FR", **{**NONE, "rtm_tonnes": 999}
)


def load(runtime, records, status="published"):
    importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=[CaseRecord.model_validate(r) for r in records],
        status=status,
    )


@pytest.fixture
def catalogue(db_url, tmp_path):
    upgrade(db_url)
    runtime = build_runtime(make_settings(tmp_path, database_url=db_url))
    load(runtime, [*PUBLISHED, WITHDRAWN])
    with runtime.db.session() as session:
        session.execute(update(Case).where(Case.id == "fr-hidden").values(status="submitted"))
    yield runtime
    runtime.close()


def figures(runtime, **params):
    query = CaseQuery(**params)
    ids = service.matched_ids(backend=runtime.get(GuardedBackend), query=query)
    with runtime.db.session() as session:
        return service.case_figures(session=session, query=query, ids=ids)


PROJECTS = {
    "cases": 4,
    "countries": 2,
    "rtm_tonnes": 12.5,
    "tyres_equivalent": 1500,
    "length_km": 3.0,
    "area_m2": 5300.0,
    "declared": {"rtm_tonnes": 2, "tyres_equivalent": 2, "length_km": 2, "area_m2": 2},
    "by_application": {
        "road-pavement": {"cases": 2, "rtm_tonnes": 10.0, "tyres_equivalent": 1500},
        "noise-barrier": {"cases": 1, "rtm_tonnes": 0.0, "tyres_equivalent": 0},
        "playground": {"cases": 1, "rtm_tonnes": 2.5, "tyres_equivalent": 0},
    },
    "by_country": {
        "ES": {"cases": 2, "rtm_tonnes": 0.0, "tyres_equivalent": 500},
        "IT": {"cases": 2, "rtm_tonnes": 12.5, "tyres_equivalent": 1000},
    },
    "by_year": {
        "2020": {"cases": 2, "rtm_tonnes": 10.0, "tyres_equivalent": 1500},
        "2021": {"cases": 1, "rtm_tonnes": 2.5, "tyres_equivalent": 0},
    },
    # A case of two materials counts under each.
    "by_rtm": {
        "rubber-powder": {"cases": 4, "rtm_tonnes": 12.5, "tyres_equivalent": 1500},
        "rubber-granulate": {"cases": 1, "rtm_tonnes": 2.5, "tyres_equivalent": 0},
    },
}
PROGRAMMES = {
    "cases": 1,
    "countries": 1,
    "rtm_tonnes": 1708.0,
    "tyres_equivalent": 0,
    "length_km": 160.0,
    "area_m2": 0.0,
    "declared": {"rtm_tonnes": 1, "tyres_equivalent": 0, "length_km": 1, "area_m2": 0},
    "by_application": {"road-pavement": {"cases": 1, "rtm_tonnes": 1708.0, "tyres_equivalent": 0}},
    "by_country": {"ES": {"cases": 1, "rtm_tonnes": 1708.0, "tyres_equivalent": 0}},
    "by_year": {"2023": {"cases": 1, "rtm_tonnes": 1708.0, "tyres_equivalent": 0}},
    "by_rtm": {"rubber-powder": {"cases": 1, "rtm_tonnes": 1708.0, "tyres_equivalent": 0}},
}


def test_sums_of_every_published_case_and_of_each_scope(catalogue):
    stats = Stats.of(figures(catalogue)).model_dump()
    assert stats == {
        "cases": 5,
        "countries": 2,
        "rtm_tonnes": 1720.5,
        "tyres_equivalent": 1500,
        "length_km": 163.0,
        "area_m2": 5300.0,
        "declared": {"rtm_tonnes": 3, "tyres_equivalent": 2, "length_km": 3, "area_m2": 2},
        "by_application": {
            "road-pavement": {"cases": 3, "rtm_tonnes": 1718.0, "tyres_equivalent": 1500},
            "noise-barrier": {"cases": 1, "rtm_tonnes": 0.0, "tyres_equivalent": 0},
            "playground": {"cases": 1, "rtm_tonnes": 2.5, "tyres_equivalent": 0},
        },
        "by_country": {
            "ES": {"cases": 3, "rtm_tonnes": 1708.0, "tyres_equivalent": 500},
            "IT": {"cases": 2, "rtm_tonnes": 12.5, "tyres_equivalent": 1000},
        },
        "by_year": {
            "2020": {"cases": 2, "rtm_tonnes": 10.0, "tyres_equivalent": 1500},
            "2021": {"cases": 1, "rtm_tonnes": 2.5, "tyres_equivalent": 0},
            "2023": {"cases": 1, "rtm_tonnes": 1708.0, "tyres_equivalent": 0},
        },
        "by_rtm": {
            "rubber-powder": {"cases": 5, "rtm_tonnes": 1720.5, "tyres_equivalent": 1500},
            "rubber-granulate": {"cases": 1, "rtm_tonnes": 2.5, "tyres_equivalent": 0},
        },
        "by_scope": {"project": PROJECTS, "programme": PROGRAMMES},
    }


def test_groups_say_how_many_cases_declare_each_quantity(catalogue):
    found = figures(catalogue)
    assert found.groups["country"]["IT"].declared == {
        "rtm_tonnes": 2,
        "tyres_equivalent": 1,
        "length_km": 1,
        "area_m2": 2,
    }
    assert found.groups["rtm"]["rubber-granulate"].area_m2 == 300
    assert found.groups["rtm"]["rubber-granulate"].declared["area_m2"] == 1
    assert found.undated == 1


def test_programme_totals_are_summed_and_listed(catalogue):
    found = figures(catalogue)
    assert [r.id for r in found.programmes] == [PROGRAMME]
    assert found.programmes[0].rtm_tonnes == 1708
    assert found.groups["year"]["2023"].rtm_tonnes == 1708
    assert found.scopes["project"].groups["year"].get("2023") is None
    assert (found.scopes["project"].undated, found.scopes["programme"].undated) == (1, 0)
    italy = figures(catalogue, country=["IT"])
    assert italy.programmes == [] and italy.scopes["programme"].cases == 0
    assert italy.scopes["programme"].groups == {d: {} for d in italy.groups}


def test_an_unpublished_case_never_counts(catalogue):
    everything = figures(catalogue)
    assert "FR" not in everything.groups["country"]
    assert everything.rtm_tonnes == 1720.5  # not 999 more
    named = figures(catalogue, country=["FR"])
    assert (named.cases, named.rtm_tonnes, named.programmes) == (0, 0, [])
    assert searching.matching_ids(
        backend=catalogue.get(GuardedBackend), query=CaseQuery(q="ventimiglia"), limit=10
    ) == ["fr-hidden"]  # the engine still finds it: the database decides
    assert figures(catalogue, q="ventimiglia").cases == 0


@pytest.mark.parametrize(
    ("params", "cases", "tonnes"),
    [
        ({"country": ["IT"]}, 2, 12.5),
        ({"country": ["IT", "ES"], "application": ["road-pavement"]}, 3, 1718),
        ({"rtm": ["rubber-granulate"]}, 1, 2.5),
        ({"year_min": 2021}, 2, 1710.5),
        ({"year_min": 2021, "year_max": 2022}, 1, 2.5),
        ({"year_max": 2020}, 2, 10),
        ({"gpp": False}, 1, 0),
        ({"q": "zeolite"}, 1, 2.5),
        ({"q": "zeolite", "country": ["ES"]}, 0, 0),
    ],
)
def test_the_search_filters_apply(catalogue, params, cases, tonnes):
    found = figures(catalogue, **params)
    assert (found.cases, found.rtm_tonnes) == (cases, tonnes)
