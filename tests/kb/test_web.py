"""Pages of the knowledge base: full page, htmx fragment and JSON answer."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from kb import importing, service
from kb.models import Case
from kb.schemas import CaseRecord
from kb.taxonomy import Taxonomy
from replan import PROJECT_ROOT
from replan.app import create_app
from search.service import GuardedBackend
from tests.builders import record
from tests.conftest import make_settings


def test_home_shows_counts_and_latest_cases(seeded_client):
    r = seeded_client.get("/")
    assert r.status_code == 200
    assert '<html lang="en">' in r.text
    assert 'href="#main"' in r.text
    assert "/cases?application=road-pavement" in r.text
    assert 'href="/gpp"' in r.text


def test_cases_page_full_fragment_and_json(seeded_client):
    full = seeded_client.get("/cases?q=asphalt")
    assert full.status_code == 200
    assert "<html" in full.text and 'id="kb-results"' in full.text
    assert full.headers["vary"].startswith("HX-Request")

    fragment = seeded_client.get("/cases?q=asphalt", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="kb-results"')

    restore = seeded_client.get(
        "/cases?q=asphalt", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text

    data = seeded_client.get("/cases?q=asphalt", headers={"Accept": "application/json"}).json()
    assert data["total"] > 0 and set(data["facets"]) == {
        "application",
        "rtm_types",
        "country",
        "year",
    }


def test_facet_links_toggle_and_chips_remove(seeded_client):
    page = seeded_client.get("/cases?application=playground").text
    assert 'aria-current="true"' in page
    assert re.search(r'class="chip"', page)
    # The selected facet's link removes the filter.
    assert 'href="/cases"' in page


def test_case_page_shows_every_field(seeded_client, seeded_runtime):
    with seeded_runtime.db.session() as session:
        case = next(
            c
            for c in session.scalars(select(Case))
            if c.sources and c.organisation_links and c.lat is not None
        )
        record = service.record_of(case)
    r = seeded_client.get(f"/cases/{record.id}")
    assert r.status_code == 200
    html = r.text
    for url in record.sources:
        assert f'href="{url.replace("&", "&amp;")}"' in html
    for org in record.organisations:
        assert org.name.replace("&", "&amp;").replace("'", "&#39;") in html
    assert str(record.lat) in html


def test_unknown_case_is_a_404_page_in_the_layout(seeded_client):
    r = seeded_client.get("/cases/does-not-exist")
    assert r.status_code == 404
    assert "<html" in r.text and "Page not found" in r.text


def test_export_of_current_results(seeded_client):
    csv_text = seeded_client.get("/cases/export.csv?application=road-pavement").text
    assert csv_text.splitlines()[0].startswith("id,title,summary")
    jsonl = seeded_client.get("/cases/export.jsonl?application=road-pavement").text
    assert all('"road-pavement"' in line for line in jsonl.splitlines())


def test_language_switch_sets_html_lang_and_cookie(seeded_client):
    r = seeded_client.get("/?lang=it")
    assert '<html lang="it">' in r.text
    assert r.cookies.get("replan_lang") == "it" or "replan_lang=it" in r.headers.get(
        "set-cookie", ""
    )
    seeded_client.cookies.clear()
    r = seeded_client.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert '<html lang="pl">' in r.text


def _catalogue(runtime, records: list[dict]) -> None:
    importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=[CaseRecord.model_validate(r) for r in records],
    )


def test_the_map_shows_every_result_of_the_search_and_only_public_cases(client, runtime):
    _catalogue(
        runtime,
        [record(id=f"map-{n}", lat=40 + n, lon=10 + n, country="IT") for n in range(5)]
        + [record(id="no-place", lat=None, lon=None), record(id="in-spain", country="ES")],
    )
    with runtime.db.session() as session:  # withdrawn in the database, still in the index
        session.get(Case, "map-4").status = "submitted"

    page = client.get("/cases?country=IT&per_page=2").text
    url = re.search(r'data-points-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert re.search(r'id="kb-map"[^>]*data-tiles="([^"]+)"', page).group(1) == (
        runtime.settings.map_tiles
    )
    assert url == "/cases/map.json?country=IT"  # every page of the results

    located = client.get(url).json()
    ids = {p["id"] for p in located["points"]}
    assert ids == {"map-0", "map-1", "map-2", "map-3"}  # all pages, located, public, in Italy
    assert {p["url"] for p in located["points"]} == {f"/cases/{i}" for i in ids}
    assert client.get("/cases/map.json?country=ES").json()["points"][0]["id"] == "in-spain"
    assert client.get("/cases/map.json?year_min=1").status_code == 422


def test_one_setting_names_the_tiles_for_the_csp_and_the_script(tmp_path):
    tiles = "https://{s}.tiles.example.org/osm/{z}/{x}/{y}.png"
    settings = make_settings(tmp_path, map_tiles=tiles)
    with TestClient(create_app(settings)) as client:
        answer = client.get("/cases")
        policy = answer.headers["content-security-policy"]
        img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
        assert "https://*.tiles.example.org" in img_src.split()
        assert "openstreetmap" not in policy
    script = (PROJECT_ROOT / "static" / "js" / "maps.js").read_text()
    assert 'getAttribute("data-tiles")' in script and "openstreetmap" not in script
    with TestClient(create_app(make_settings(tmp_path / "2", map_tiles=""))) as client:
        assert "img-src 'self' data:;" in client.get("/cases").headers["content-security-policy"]


def test_case_page_map_takes_its_tiles_from_the_setting(seeded_client, seeded_runtime):
    with seeded_runtime.db.session() as session:
        case_id = session.scalar(select(Case.id).where(Case.lat.is_not(None)))
    page = seeded_client.get(f"/cases/{case_id}")
    tiles = re.search(r'id="kb-map"[^>]*data-tiles="([^"]+)"', page.text).group(1)
    origin = seeded_runtime.settings.map_tiles_origin
    assert tiles == seeded_runtime.settings.map_tiles and tiles.startswith(origin)
    assert origin in page.headers["content-security-policy"]


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(seeded_client):
    text = seeded_client.get("/cases?page=999").text
    assert "No case study matches" not in text
    assert "past the end of the results" in text
    total = seeded_client.get("/api/v1/cases").json()["total"]
    last = -(-total // 20)
    assert f'href="/cases?page={last}">Go to the last page' in text
    assert "No case study matches" in seeded_client.get("/cases?q=zzzqqqxxjj").text


def test_most_material_shows_each_quantity_and_lists_the_undeclared_last(seeded_client):
    text = seeded_client.get("/cases?sort=tonnes_desc&per_page=100").text
    hits = text.split('<li class="hit">')[1:]
    quantities = [re.search(r'<p class="quantity">([^<]+)</p>', h)[1] for h in hits]
    declared = [q for q in quantities if q != "Quantity not declared"]
    assert declared and len(declared) < len(quantities)
    assert quantities[: len(declared)] == declared  # the undeclared come last
    tonnes = [float(q.split(" t ")[0].replace(",", "")) for q in declared]
    assert tonnes == sorted(tonnes, reverse=True)
    assert "do not declare a quantity come last" in text


def test_a_case_page_starts_a_tender_specification_with_its_subject(seeded_client):
    case = seeded_client.get("/api/v1/cases?application=road-pavement").json()["hits"][0]
    page = seeded_client.get(f"/cases/{case['id']}").text
    link = re.search(
        r'<a class="button secondary" href="([^"]+)">Use in a tender specification', page
    )
    assert link
    wizard = seeded_client.get(link[1].replace("&amp;", "&")).text
    assert '<option value="road-pavement" selected>' in wizard
    assert f'<option value="{case["country"]}" selected>' in wizard
