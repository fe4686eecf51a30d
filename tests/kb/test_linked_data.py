"""Case pages tell machines what they are: schema.org JSON-LD, Open Graph tags, the licence."""

import html
import json
import re

import pytest
from rdflib import Graph, Literal, Namespace, URIRef

from kb import importing
from kb.schemas import CaseRecord
from kb.taxonomy import Taxonomy
from search.service import GuardedBackend
from tests.builders import record

SCHEMA = Namespace("https://schema.org/")
BLOCK = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
HOSTILE = 'Rubber </script><script>alert("x")</script> & <b>trial</b>'


def json_ld(page: str) -> dict:
    blocks = BLOCK.findall(page)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def og(page: str, prop: str) -> str:
    found = re.search(rf'<meta property="{prop}" content="([^"]*)">', page)
    assert found, prop
    return html.unescape(found.group(1))


@pytest.fixture
def case_page(runtime, client):
    data = record(id="ld-case", title=HOSTILE, city="Torino", year=2021)
    importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=[CaseRecord.model_validate(data)],
    )
    answer = client.get("/cases/ld-case")
    assert answer.status_code == 200
    return answer.text, client.get("/api/v1/cases/ld-case").json()


def test_case_page_carries_schema_org_json_ld(case_page):
    page, case = case_page
    data = json_ld(page)
    url = "http://127.0.0.1:8000/cases/ld-case"
    assert data["@context"] == "https://schema.org" and data["@type"] == "Article"
    assert data["name"] == HOSTILE and data["url"] == url
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["dateModified"] == case["updated_at"]
    assert data["spatialCoverage"]["address"]["addressCountry"] == "IT"
    assert data["spatialCoverage"]["geo"]["latitude"] == 45.07
    assert data["temporalCoverage"] == "2021"
    assert data["citation"] == ["https://example.org/trial"]
    # As linked data: schema.org's terms (its remote context is not fetched in a test).
    graph = Graph().parse(
        data=json.dumps({**data, "@context": {"@vocab": str(SCHEMA)}}), format="json-ld"
    )
    assert (URIRef(url), SCHEMA.name, Literal(HOSTILE)) in graph


def test_no_text_of_a_record_can_close_the_json_ld_block(case_page):
    page, _ = case_page
    assert '<script>alert("x")' not in page
    assert BLOCK.search(page).group(1).count("<") == 0


def test_case_page_carries_open_graph_tags_and_its_licence(case_page):
    page, _ = case_page
    assert og(page, "og:title") == HOSTILE
    assert og(page, "og:type") == "article"
    assert og(page, "og:url") == "http://127.0.0.1:8000/cases/ld-case"
    assert og(page, "og:description").startswith("A municipal street")
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert "Licence of this record:" in page and ">CC BY 4.0</a>" in page
