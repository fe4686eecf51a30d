"""The open-data catalogue: valid DCAT-AP 3 (SHACL), settings honoured, only published data."""

from pathlib import Path

import pyshacl
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SH

from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from tests.builders import HIDDEN_WORD, open_data_world
from tests.conftest import make_settings

SHAPES = Path(__file__).parent / "dcat_ap"
DANGLING_IN_RELEASE = 5  # property shapes the 3.0.1 files name but never define


def shapes(*names: str) -> Graph:
    """The release's shapes, without the references to property shapes it never defines."""
    graph = Graph()
    for name in names:
        graph.parse(SHAPES / name)
    dangling = [
        (shape, prop)
        for shape, prop in graph.subject_objects(SH.property)
        if graph.value(prop, SH.path) is None
    ]
    assert len({prop for _, prop in dangling}) <= DANGLING_IN_RELEASE
    for shape, prop in dangling:
        graph.remove((shape, SH.property, prop))
    return graph


def violations(data: Graph, shacl: Graph) -> str | None:
    """Return the report when the data breaks a shape (warnings allowed), else None."""
    conforms, _, text = pyshacl.validate(
        data, shacl_graph=shacl, inference="none", allow_warnings=True
    )
    return None if conforms else text


@pytest.fixture(scope="module")
def seeded_catalogue(seeded_app) -> dict[str, str]:
    with TestClient(seeded_app) as client:
        answers = {path: client.get(path) for path in ("/catalog.ttl", "/catalog.jsonld")}
    for answer in answers.values():
        assert answer.status_code == 200
    assert answers["/catalog.ttl"].headers["content-type"].startswith("text/turtle")
    assert answers["/catalog.jsonld"].headers["content-type"] == "application/ld+json"
    return {path: answer.text for path, answer in answers.items()}


@pytest.mark.parametrize(
    ("path", "fmt"), [("/catalog.ttl", "turtle"), ("/catalog.jsonld", "json-ld")]
)
def test_catalogue_is_valid_dcat_ap_3(seeded_catalogue, path, fmt):
    data = Graph().parse(data=seeded_catalogue[path], format=fmt)
    assert violations(data, shapes("dcat-ap-SHACL.ttl", "ranges.ttl")) is None
    assert violations(data, shapes("shapes_recommended.ttl")) is None


def test_the_shapes_catch_a_broken_catalogue(seeded_catalogue):
    """A catalogue without its publisher, a distribution without its access URL: refused."""
    data = Graph().parse(data=seeded_catalogue["/catalog.ttl"], format="turtle")
    catalog = next(data.subjects(RDF.type, DCAT.Catalog))
    data.remove((catalog, DCTERMS.publisher, None))
    data.remove((None, DCAT.accessURL, None))
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes("dcat-ap-SHACL.ttl", "ranges.ttl"), inference="none"
    )
    assert not conforms
    assert set(report.objects(None, SH.resultPath)) == {DCTERMS.publisher, DCAT.accessURL}


def test_turtle_and_json_ld_say_the_same(seeded_catalogue):
    turtle = Graph().parse(data=seeded_catalogue["/catalog.ttl"], format="turtle")
    json_ld = Graph().parse(data=seeded_catalogue["/catalog.jsonld"], format="json-ld")
    assert len(turtle) > 100 and isomorphic(turtle, json_ld)


def test_catalogue_has_both_datasets_their_distributions_and_the_api(seeded_catalogue):
    data = Graph().parse(data=seeded_catalogue["/catalog.ttl"], format="turtle")
    base = "http://127.0.0.1:8000"
    catalog = URIRef(f"{base}/catalog")
    cases, criteria = URIRef(f"{base}/catalog#cases"), URIRef(f"{base}/catalog#criteria")
    assert set(data.objects(catalog, DCAT.dataset)) == {cases, criteria}
    urls = {
        str(url)
        for dist in data.objects(cases, DCAT.distribution)
        for url in data.objects(dist, DCAT.accessURL)
    }
    assert urls == {
        f"{base}/cases/export.csv",
        f"{base}/cases/export.jsonl",
        f"{base}/api/v1/cases",
        f"{base}/openapi.json",
    }
    assert f"{base}/api/v1/criteria" in {
        str(url)
        for dist in data.objects(criteria, DCAT.distribution)
        for url in data.objects(dist, DCAT.accessURL)
    }
    licence = URIRef("https://creativecommons.org/licenses/by/4.0/")
    for node in (catalog, cases, criteria):
        assert (node, DCTERMS.license, licence) in data
        assert data.value(node, DCTERMS.modified) is not None
    theme = URIRef("http://publications.europa.eu/resource/authority/data-theme/ENVI")
    assert (cases, DCAT.theme, theme) in data
    english = URIRef("http://publications.europa.eu/resource/authority/language/ENG")
    assert (criteria, DCTERMS.language, english) in data


def test_every_distribution_url_answers(seeded_catalogue, seeded_client):
    data = Graph().parse(data=seeded_catalogue["/catalog.ttl"], format="turtle")
    for url in set(data.objects(None, DCAT.accessURL)):
        path = str(url).removeprefix("http://127.0.0.1:8000")
        assert seeded_client.get(path).status_code == 200, path


@pytest.fixture
def world_app(tmp_path, db_url):
    settings = make_settings(
        tmp_path,
        database_url=db_url,
        catalog_title="Catalogo aperto di prova",
        catalog_publisher="Comune di Prova",
        data_licence_url="https://creativecommons.org/publicdomain/zero/1.0/",
        data_licence_name="CC0 1.0",
        base_url="https://data.example.org",
    )
    runtime = build_runtime(settings)
    upgrade(settings.db_url)
    world = open_data_world(runtime)
    yield create_app(settings, runtime), world
    runtime.close()


def test_settings_name_the_catalogue_its_publisher_and_licence(world_app):
    app, _ = world_app
    with TestClient(app, base_url="http://testserver") as client:
        data = Graph().parse(data=client.get("/catalog.ttl").text, format="turtle")
    catalog = URIRef("https://data.example.org/catalog")
    assert data.value(catalog, DCTERMS.title) == Literal("Catalogo aperto di prova", lang="en")
    publisher = data.value(catalog, DCTERMS.publisher)
    assert data.value(publisher, FOAF.name) == Literal("Comune di Prova")
    licence = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    assert (catalog, DCTERMS.license, licence) in data
    assert violations(data, shapes("dcat-ap-SHACL.ttl", "ranges.ttl")) is None


def test_an_unpublished_case_never_reaches_the_catalogue(world_app):
    """Counted, dated, its language and its country: only published cases shape the catalogue."""
    app, world = world_app
    with TestClient(app) as client:
        text = client.get("/catalog.ttl").text
        published = client.get(f"/api/v1/cases/{world['public']}").json()
    data = Graph().parse(data=text, format="turtle")
    cases = URIRef("https://data.example.org/catalog#cases")
    assert "1 published case studies" in str(data.value(cases, DCTERMS.description))
    modified = data.value(cases, DCTERMS.modified).toPython()
    assert modified.isoformat(timespec="seconds") == published["updated_at"][:19] + "+00:00"
    malta = URIRef("http://publications.europa.eu/resource/authority/country/MLT")
    maltese = URIRef("http://publications.europa.eu/resource/authority/language/MLT")
    assert (cases, DCTERMS.spatial, malta) not in data
    assert (cases, DCTERMS.language, maltese) not in data
    for secret in (HIDDEN_WORD, world["stale"], world["submitted"], world["stale_org"]):
        assert secret not in text
