"""The Atom feed of a search and the sitemap: published cases and public organisations only."""

from datetime import datetime
from xml.etree import ElementTree

import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from kb.models import Case
from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from tests.builders import HIDDEN_WORD, open_data_world
from tests.conftest import make_settings

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def world(tmp_path, db_url):
    """The open-data world on SQLite, and on PostgreSQL when it answers."""
    settings = make_settings(tmp_path, base_url="https://data.example.org", database_url=db_url)
    runtime = build_runtime(settings)
    upgrade(settings.db_url)
    names = open_data_world(runtime)
    with TestClient(create_app(settings, runtime)) as client:
        yield client, names, runtime
    runtime.close()


def feed(client, query: str = "") -> feedparser.FeedParserDict:
    answer = client.get(f"/cases/feed.atom{query}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_feed_is_atom_with_the_newest_published_cases_first(seeded_client):
    parsed = feed(seeded_client)
    assert parsed.version == "atom10"
    assert 0 < len(parsed.entries) <= 50
    published = [entry.published_parsed for entry in parsed.entries]
    assert published == sorted(published, reverse=True)
    first = parsed.entries[0]
    assert first.link.startswith("http://127.0.0.1:8000/cases/")
    assert first.summary and first.title and first.updated
    assert parsed.feed.rights.startswith("CC BY 4.0")


def test_the_search_parameters_apply_to_the_feed(seeded_client):
    italian = feed(seeded_client, "?country=IT&application=road-pavement")
    assert italian.entries
    for entry in italian.entries:
        terms = {tag.term for tag in entry.tags}
        assert {"IT", "road-pavement"} <= terms
    api = seeded_client.get("/api/v1/cases?country=IT&application=road-pavement").json()
    assert len(italian.entries) == min(api["total"], 50)
    assert feed(seeded_client, "?q=xqzwvy").entries == []


def test_bad_feed_parameters_name_the_field(seeded_client):
    answer = seeded_client.get("/cases/feed.atom?year_min=abc")
    assert answer.status_code == 422 and "year_min" in answer.text


def test_search_page_links_its_feed(seeded_client):
    page = seeded_client.get("/cases?country=IT&sort=year_desc&page=2").text
    link = '<link rel="alternate" type="application/atom+xml"'
    assert link in page
    assert 'href="/cases/feed.atom?country=IT"' in page


@pytest.mark.parametrize("query", ["", f"?q={HIDDEN_WORD}", "?country=MT"])
def test_an_unpublished_case_never_reaches_the_feed(world, query):
    """Neither one the index still holds (stale) nor one never published."""
    client, names, _ = world
    ids = [entry.id.rsplit("/", 1)[-1] for entry in feed(client, query).entries]
    assert names["stale"] not in ids and names["submitted"] not in ids
    assert ids == ([names["public"]] if query == "" else [])


def test_a_newly_published_case_leads_the_feed(world):
    client, names, runtime = world
    with runtime.db.session() as session:
        session.execute(
            update(Case)
            .where(Case.id == names["stale"])
            .values(status="published", published_at=datetime(2030, 1, 1))
        )
    ids = [entry.id.rsplit("/", 1)[-1] for entry in feed(client).entries]
    assert ids == [names["stale"], names["public"]]


def sitemap(client) -> dict[str, str | None]:
    answer = client.get("/sitemap.xml")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(answer.content)
    assert root.tag == f"{SITEMAP}urlset"
    return {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.iter(f"{SITEMAP}url")
    }


def test_sitemap_lists_published_cases_public_organisations_and_main_pages(world):
    client, names, _ = world
    urls = sitemap(client)
    base = "https://data.example.org"
    for page in ("/", "/cases", "/gpp"):
        assert base + page in urls
    case = client.get(f"/api/v1/cases/{names['public']}").json()
    assert urls[f"{base}/cases/{names['public']}"] == case["updated_at"][:19] + "Z"
    org = "/organisations/open-public-recycling"
    assert urls[base + org] == case["updated_at"][:19] + "Z"  # its case changed last


def test_an_unpublished_case_and_its_organisation_never_reach_the_sitemap(world):
    client, names, _ = world
    text = client.get("/sitemap.xml").text
    for secret in (names["stale"], names["submitted"], "stale-hidden", "submitted-hidden"):
        assert secret not in text


def test_sitemap_of_the_seeds_lists_every_published_case(seeded_client):
    urls = sitemap(seeded_client)
    total = seeded_client.get("/api/v1/cases?per_page=1").json()["total"]
    cases = [url for url in urls if "/cases/" in url]
    assert len(cases) == total
    assert all(urls[url] for url in cases)
    assert any("/organisations/" in url for url in urls)


def test_robots_txt_names_the_sitemap(world):
    client, _, _ = world
    answer = client.get("/robots.txt")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    assert "Sitemap: https://data.example.org/sitemap.xml" in answer.text.splitlines()
