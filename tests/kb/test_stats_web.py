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
        "by_scope",
    ]
    assert (data["cases"], data["rtm_tonnes"]) == (5, 1720.5)
    assert list(data["by_scope"]) == ["project", "programme"]
    assert list(data["by_scope"]["programme"]) == list(data)[:-1]
    assert (data["by_scope"]["project"]["cases"], data["by_scope"]["project"]["rtm_tonnes"]) == (
        4,
        12.5,
    )
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
    assert data["figures"]["cases"] == 5 and data["measure"] == "cases"


def test_page_counts_who_declares_and_says_what_programme_totals_add(client):
    page = client.get("/stats", params={"measure": "rtm_tonnes"}).text
    assert "3 of 5 case studies declare the tonnes used" in page
    assert 'src="/stats/application.svg?measure=rtm_tonnes"' in page
    # The headline counts everything; the note and the table beside it say what is programme.
    assert "1 of these 5 case studies is a programme total" in page
    assert "Project case studies only" in page
    assert '<td data-label="Project case studies only" class="num">12.5</td>' in page
    assert '<td data-label="Programme totals" class="num">1,708</td>' in page
    assert "Programme totals in these figures" in page
    assert 'href="/cases/es-signus-2023-carreteras-polvo-neumatico"' in page
    assert "draft-one" not in page and "999" not in page
    italy = client.get("/stats", params={"country": "IT"}).text
    assert "no programme total is in the sums" in italy
    assert "Project case studies only" not in italy


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
    assert '<title id="chart-title">' in svg and "3 of 5 case studies declare" in svg
    assert "<script" not in svg
    policy = answer.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy


def test_csv_of_a_figure(client):
    answer = client.get("/stats/country.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    tonnes = [
        (r["country"], r["cases"], r["rtm_tonnes"], r["rtm_tonnes_declared"], r["length_km"])
        for r in rows
    ]
    assert tonnes == [
        ("ES", "3", "1708.0", "1", "162.0"),
        ("IT", "2", "12.5", "2", "1.0"),
    ]
    programme = [(r["programme_cases"], r["programme_rtm_tonnes"]) for r in rows]
    assert programme == [("1", "1708.0"), ("0", "0.0")]
    assert client.get("/stats/nowhere.csv").status_code == 422


def test_embed_may_be_framed_by_any_site_but_no_other_page(client):
    embed = client.get("/embed/stats", params={"application": "road-pavement", "by": "year"})
    assert embed.status_code == 200
    assert "x-frame-options" not in embed.headers
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "creativecommons.org/licenses/by/4.0" in embed.text
    assert "/stats?application=road-pavement" in embed.text  # the link back
    assert 'src="/stats/year.svg?application=road-pavement"' in embed.text
    # The headline is every case; the embed says how much a programme total makes of it.
    assert "1 of these 3 case studies is a programme total" in embed.text
    assert "Project case studies only:" in embed.text and "1,718" in embed.text
    for path in ("/stats", "/cases", "/api/v1/stats"):
        answer = client.get(path)
        assert answer.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], path


def test_the_search_page_links_to_the_figures_of_its_results(client):
    page = client.get("/cases", params={"country": "IT", "sort": "year_desc", "page": 2}).text
    assert 'href="/stats?country=IT"' in page
