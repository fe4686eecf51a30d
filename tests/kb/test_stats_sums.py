"""`GET /api/v1/stats` against sums computed here, in Python, over the published records that
match the same filters: on the shipped seeds, and on records written before `scope` existed
(imported from a JSON Lines file without the field). `cases` is always the search's `total`."""

import json
from collections import Counter
from itertools import count

import pytest
from fastapi.testclient import TestClient

from kb import io as kb_io
from kb.seed import read_seed_records
from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from replan.settings import PROJECT_ROOT
from tests.builders import record
from tests.conftest import make_settings
from tests.kb.test_stats import load

QUANTITIES = ("rtm_tonnes", "tyres_equivalent", "length_km", "area_m2")
GROUPS = {"by_application": "application", "by_country": "country", "by_year": "year"}
_n = count(1)


def old_record(**fields) -> dict:
    """A record of the first contract: no `scope`, every quantity optional."""
    data = record(id=f"old-{next(_n)}", **fields)
    assert "scope" not in data
    return data


OLD = [
    old_record(country="IT", year=2018, rtm_types=["rubber-powder"], gpp=True),
    old_record(
        country="IT",
        application="playground",
        year=2021,
        rtm_types=["rubber-granulate", "rubber-powder"],
        rtm_tonnes=3.25,
        tyres_equivalent=None,
        length_km=None,
        gpp=None,
    ),
    old_record(
        country="ES",
        title="Rubber crumb noise barrier on the ring road",
        application="noise-barrier",
        year=None,
        rtm_types=["rubber-chips"],
        rtm_tonnes=None,
        area_m2=None,
        gpp=False,
    ),
    old_record(
        country="FR",
        application="sports-surface",
        year=2015,
        rtm_types=["rubber-granulate"],
        tyres_equivalent=40_000,
        length_km=None,
        gpp=None,
    ),
    old_record(
        country="PL",
        year=2020,
        rtm_tonnes=0.1,
        tyres_equivalent=None,
        area_m2=None,
        length_km=0.35,
        gpp=False,
    ),
    old_record(
        country="GR",
        application="playground",
        year=2012,
        rtm_types=["rubber-granulate"],
        rtm_tonnes=None,
        tyres_equivalent=None,
        area_m2=None,
        length_km=None,
        gpp=None,
    ),
]


@pytest.fixture(scope="module")
def old_catalogue(tmp_path_factory):
    """The records read from a JSON Lines file as `replan import` reads it, then imported."""
    settings = make_settings(tmp_path_factory.mktemp("old-records"))
    upgrade(settings.db_url)
    runtime = build_runtime(settings)
    text = "".join(json.dumps(r) + "\n" for r in OLD).encode()
    parsed = kb_io.parse_records(kb_io.read_raw(text, "jsonl"))
    assert parsed.problems == [] and {r.scope for r in parsed.records} == {"project"}
    load(runtime, [r.model_dump() for r in parsed.records])
    with TestClient(create_app(settings, runtime)) as client:
        yield client, parsed.records
    runtime.close()


def keeps(record, params: dict) -> bool:
    """Whether the search's filters (not the words) keep a record."""
    listed = {k: v if isinstance(v, list) else [v] for k, v in params.items()}
    if "application" in listed and record.application not in listed["application"]:
        return False
    if "country" in listed and record.country not in listed["country"]:
        return False
    if "rtm" in listed and not set(record.rtm_types) & set(listed["rtm"]):
        return False
    if "year_min" in params and (record.year is None or record.year < params["year_min"]):
        return False
    if "year_max" in params and (record.year is None or record.year > params["year_max"]):
        return False
    if "gpp" in params and record.gpp is not (params["gpp"] == "true"):
        return False
    return True


def searched_ids(client, params: dict) -> tuple[int, set[str]]:
    """The search's total and every id it finds, page by page."""
    found: set[str] = set()
    page, total = 1, None
    while total is None or len(found) < total:
        data = client.get("/api/v1/cases", params={**params, "per_page": 100, "page": page}).json()
        total = data["total"]
        found |= {hit["id"] for hit in data["hits"]}
        if not data["hits"]:
            break
        page += 1
    return total, found


def sums(records) -> dict:
    """Every figure of the stats API, computed from the records themselves."""
    figures: dict = {
        "cases": len(records),
        "countries": len({r.country for r in records}),
        "declared": {},
    }
    for q in QUANTITIES:
        values = [getattr(r, q) for r in records if getattr(r, q) is not None]
        figures[q] = sum(values)
        figures["declared"][q] = len(values)
    for name, field in GROUPS.items():
        keys = [
            (str(getattr(r, field)) if getattr(r, field) is not None else None) for r in records
        ]
        figures[name] = _grouped(records, keys)
    figures["by_rtm"] = _grouped(
        [r for r in records for _ in r.rtm_types], [t for r in records for t in r.rtm_types]
    )
    return figures


def _grouped(records, keys) -> dict:
    groups: dict = {}
    for r, key in zip(records, keys, strict=True):
        if key is None:
            continue
        g = groups.setdefault(key, {"cases": 0, "rtm_tonnes": 0, "tyres_equivalent": 0})
        g["cases"] += 1
        g["rtm_tonnes"] += r.rtm_tonnes or 0
        g["tyres_equivalent"] += r.tyres_equivalent or 0
    return groups


def expected(records) -> dict:
    by_scope = {
        scope: sums([r for r in records if r.scope == scope]) for scope in ("project", "programme")
    }
    return {**sums(records), "by_scope": by_scope}


def flat(data, prefix="") -> dict:
    if isinstance(data, dict):
        return {
            k: v for key, value in data.items() for k, v in flat(value, f"{prefix}/{key}").items()
        }
    return {prefix: data}


def compare(client, records, params: dict) -> dict:
    total, found = searched_ids(client, params)
    if not params.get("q"):  # the filters alone: the records decide, and the search agrees
        assert found == {r.id for r in records if keeps(r, params)}, params
    matched = [r for r in records if r.id in found]
    answer = client.get("/api/v1/stats", params=params)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["cases"] == total == len(matched), params
    want, got = flat(expected(matched)), flat(data)
    assert got.keys() == want.keys(), params
    assert got == {k: pytest.approx(v, abs=1e-6) for k, v in want.items()}, params
    return data


SEED_FILTERS = [
    {},
    {"application": "road-pavement"},
    {"application": ["playground", "artificial-turf"]},
    {"country": "ES"},
    {"country": ["IT", "PL", "GR"]},
    {"rtm": "rubber-granulate"},
    {"rtm": ["rubber-powder", "steel-fibre"]},
    {"year_min": 2010, "year_max": 2020},
    {"year_min": 2021},
    {"gpp": "true"},
    {"gpp": "false"},
    {"q": "asfalto"},
    {"q": "rubber", "country": "IT"},
    {"application": "road-pavement", "country": "ES", "year_max": 2023},
]


@pytest.mark.parametrize("params", SEED_FILTERS, ids=str)
def test_stats_are_the_sums_of_the_matching_seed_records(seeded_client, params):
    records = read_seed_records(PROJECT_ROOT / "seeds").records
    data = compare(seeded_client, records, params)
    if not params:
        assert data["cases"] == len(records)
        assert data["by_scope"]["programme"]["cases"] > 0
    if params.get("q"):
        assert data["cases"] > 0, "the words should find at least one record"


def test_the_seeds_declare_programme_totals_that_the_api_splits_out(seeded_client):
    records = read_seed_records(PROJECT_ROOT / "seeds").records
    scopes = Counter(r.scope for r in records)
    assert scopes["programme"] >= 13 and scopes["project"] > scopes["programme"]
    data = seeded_client.get("/api/v1/stats", params={"country": "ES"}).json()
    spain = data["by_scope"]
    assert spain["programme"]["rtm_tonnes"] >= 1708  # SIGNUS 2023's roads
    assert data["rtm_tonnes"] == pytest.approx(
        spain["project"]["rtm_tonnes"] + spain["programme"]["rtm_tonnes"]
    )
    signus = "/cases/es-signus-2023-carreteras-polvo-neumatico"
    assert seeded_client.get(f"/api/v1{signus}").json()["scope"] == "programme"
    assert "over many works, some of which may also be listed" in seeded_client.get(signus).text


OLD_FILTERS = [
    {},
    {"application": "playground"},
    {"country": ["IT", "FR"]},
    {"rtm": "rubber-granulate"},
    {"year_min": 2015, "year_max": 2020},
    {"gpp": "false"},
    {"gpp": "true"},
    {"q": "noise barrier"},
    {"q": "rubberised", "year_min": 2019},
]


@pytest.mark.parametrize("params", OLD_FILTERS, ids=str)
def test_stats_are_the_sums_of_records_without_a_scope(old_catalogue, params):
    client, records = old_catalogue
    data = compare(client, records, params)
    assert data["by_scope"]["programme"]["cases"] == 0
    if params.get("q"):
        assert data["cases"] > 0, "the words should find at least one record"
