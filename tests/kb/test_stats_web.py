"""The figures' page, charts, CSV files, embeddable figure and JSON API over HTTP."""

import csv
import io

import pytest
from fastapi.testclient import TestClient

from replan import i18n
from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from tests.builders import record
from tests.conftest import make_settings
from tests.kb.test_stats import PUBLISHED, load


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("stats"))
    upgrade(settings.db_url)
    runtime = build_runtime(settings)
    load(runtime, PUBLISHED)
    load(runtime, [record(id="draft-one", country="FR", rtm_tonnes=999)], status="submitted")
    with TestClient(create_app(settings, runtime)) as c:
        yield c
    runtime.close()


def test_api_answers_the_contract_shape(client):
    data = client.get("/api/v1/stats").json()
    assert list(data) == [
        "cases",
        "countries",
        "rtm_tonnes",
        "tyres_equivalent",
        "length_km",
        "area_m2",
        "declared",
        "by_application",
        "by_country",
        "by_year",
        "by_rtm",
    ]
    assert (data["cases"], data["rtm_tonnes"]) == (4, 12.5)
    assert set(data["by_application"]["playground"]) == {"cases", "rtm_tonnes", "tyres_equivalent"}
    italy = client.get("/api/v1/stats", params={"country": "IT", "rtm": "rubber-granulate"})
    assert italy.json()["cases"] == 1


def test_api_names_a_bad_parameter(client):
    answer = client.get("/api/v1/stats", params={"country": "XX", "year_min": "soon"})
    assert answer.status_code == 422
    assert {e["field"] for e in answer.json()["detail"]} == {"country.0", "year_min"}


def test_page_full_fragment_and_json(client):
    full = client.get("/stats", params={"country": "IT"})
    assert full.status_code == 200
    assert "<html" in full.text and 'id="kb-stats"' in full.text
    # Every figure: its chart, its table and its CSV, with the search's filter carried along.
    for dimension in ("application", "rtm", "country", "year"):
        assert f'src="/stats/{dimension}.svg?country=IT"' in full.text
        assert f'href="/stats/{dimension}.csv?country=IT"' in full.text
    assert "2 of 2 case studies declare the tonnes used" in full.text
    assert 'href="/cases?application=playground&amp;country=IT"' in full.text

    fragment = client.get("/stats", params={"country": "IT"}, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="kb-stats"')
    assert "<html" not in fragment.text
    # The words box stays outside the swapped block; the other filters come with each swap.
    assert '<input type="hidden" form="kb-stats-search" name="country" value="IT">' in fragment.text

    data = client.get("/stats", headers={"Accept": "application/json"}).json()
    assert data["figures"]["cases"] == 4 and data["measure"] == "cases"


def test_page_counts_who_declares_and_keeps_national_totals_apart(client):
    page = client.get("/stats", params={"measure": "rtm_tonnes"}).text
    assert "2 of 4 case studies declare the tonnes used" in page
    assert "1 of 4 case studies declares" not in page
    assert 'src="/stats/application.svg?measure=rtm_tonnes"' in page
    assert "National and regional totals" in page
    assert 'href="/cases/es-signus-2023-carreteras-polvo-neumatico"' in page
    assert "draft-one" not in page and "999" not in page


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_page_in_every_language(client, lang):
    answer = client.get("/stats", params={"lang": lang, "measure": "area_m2"})
    assert answer.status_code == 200
    assert f'<html lang="{lang}">' in answer.text
    chart = client.get("/stats/country.svg", params={"lang": lang, "measure": "area_m2"})
    assert chart.status_code == 200


def test_chart_is_an_accessible_svg_with_nothing_to_run(client):
    # English whatever language an earlier test of this client chose (its cookie stays)
    answer = client.get("/stats/application.svg", params={"measure": "rtm_tonnes", "lang": "en"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    svg = answer.text
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="chart-title">' in svg and "2 of 4 case studies declare" in svg
    assert "<script" not in svg
    policy = answer.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy


def test_csv_of_a_figure(client):
    answer = client.get("/stats/country.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    tonnes = [(r["country"], r["cases"], r["rtm_tonnes"], r["rtm_tonnes_declared"]) for r in rows]
    assert tonnes == [
        ("ES", "2", "0.0", "0"),
        ("IT", "2", "12.5", "2"),
    ]
    assert client.get("/stats/nowhere.csv").status_code == 422


def test_embed_may_be_framed_by_any_site_but_no_other_page(client):
    embed = client.get("/embed/stats", params={"application": "road-pavement", "by": "year"})
    assert embed.status_code == 200
    assert "x-frame-options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "creativecommons.org/licenses/by/4.0" in embed.text
    assert "/stats?application=road-pavement" in embed.text  # the link back
    assert 'src="/stats/year.svg?application=road-pavement"' in embed.text
    for path in ("/stats", "/cases", "/api/v1/stats"):
        answer = client.get(path)
        assert answer.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], path


def test_the_search_page_links_to_the_figures_of_its_results(client):
    page = client.get("/cases", params={"country": "IT", "sort": "year_desc", "page": 2}).text
    assert 'href="/stats?country=IT"' in page


def test_api_sums_match_the_seed_records(seeded_client):
    """Against the shipped catalogue: every project's declared quantity, each national total
    left out."""
    from kb.seed import read_seed_records
    from kb.stats.rollups import ROLLUP_IDS
    from replan.settings import PROJECT_ROOT

    records = read_seed_records(PROJECT_ROOT / "seeds").records
    projects = [r for r in records if r.id not in ROLLUP_IDS]
    data = seeded_client.get("/api/v1/stats").json()
    assert data["cases"] == len(projects)
    assert data["countries"] == len({r.country for r in projects})
    for field in ("rtm_tonnes", "tyres_equivalent", "length_km", "area_m2"):
        declared = [getattr(r, field) for r in projects if getattr(r, field) is not None]
        assert data["declared"][field] == len(declared), field
        assert data[field] == pytest.approx(sum(declared)), field
    road = [r for r in projects if r.application == "road-pavement"]
    assert data["by_application"]["road-pavement"]["tyres_equivalent"] == sum(
        r.tyres_equivalent or 0 for r in road
    )
    granulate = [r for r in projects if "rubber-granulate" in r.rtm_types]
    assert data["by_rtm"]["rubber-granulate"]["cases"] == len(granulate)
