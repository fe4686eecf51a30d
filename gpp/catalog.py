"""The open-data catalogue in DCAT-AP 3: the case studies and the criteria library as datasets.

One `dcat:Catalog` with two datasets (the published case studies, read from the knowledge base
through `kb.opendata`; the GPP criteria library), their distributions (CSV and JSON Lines exports,
the JSON API, the OpenAPI document), the API as a `dcat:DataService`, licence, publisher,
languages, EU data themes and `dct:modified`. Built with rdflib and served as Turtle and JSON-LD;
`tests/gpp/test_catalog.py` validates it against the DCAT-AP 3.0.1 SHACL shapes.

Every node it points to carries its class (`dct:LicenseDocument`, `dct:LinguisticSystem`, ...):
the shapes check classes without inference. Codes are IRIs of the EU vocabularies that DCAT-AP
names (data themes, languages, file types, planned availability)."""

from datetime import UTC, date, datetime, time

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from gpp.library import Library
from kb.codes import UI_LANGUAGES
from kb.opendata import CatalogueFacts
from replan.settings import Settings

AUTHORITY = "http://publications.europa.eu/resource/authority/"
THEME = Namespace(AUTHORITY + "data-theme/")
FILE_TYPE = Namespace(AUTHORITY + "file-type/")
LANGUAGE = Namespace(AUTHORITY + "language/")
AVAILABILITY = Namespace(AUTHORITY + "planned-availability/")
DCATAP = Namespace("http://data.europa.eu/r5r/")
DCAT3 = Namespace(str(DCAT))  # rdflib knows DCAT 2 terms only; dcat:version is DCAT 3
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IANA = Namespace("https://www.iana.org/assignments/media-types/")
THEMES = {
    "ENVI": "Environment",
    "TRAN": "Transport",
    "GOVE": "Government and public sector",
}
# ISO 639-1 -> the EU language authority's code (the EU's official languages and neighbours);
# any other language is named by the Library of Congress's ISO 639-1 IRI.
EU_LANGUAGES = {
    "bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG", "es": "SPA",
    "et": "EST", "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV", "hu": "HUN", "it": "ITA",
    "lt": "LIT", "lv": "LAV", "mt": "MLT", "nl": "NLD", "pl": "POL", "pt": "POR", "ro": "RON",
    "sk": "SLK", "sl": "SLV", "sv": "SWE", "no": "NOR", "is": "ISL", "ca": "CAT", "eu": "EUS",
}  # fmt: skip
# ISO 3166-1 alpha-2 -> the EU country authority's code (its alpha-3) for the countries of Europe;
# a case elsewhere is left out of the dataset's spatial coverage.
EU_COUNTRIES = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CH": "CHE", "CY": "CYP", "CZ": "CZE", "DE": "DEU",
    "DK": "DNK", "EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GB": "GBR", "GR": "GRC",
    "HR": "HRV", "HU": "HUN", "IE": "IRL", "IS": "ISL", "IT": "ITA", "LI": "LIE", "LT": "LTU",
    "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD", "NO": "NOR", "PL": "POL", "PT": "PRT",
    "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK",
}  # fmt: skip
COUNTRY = Namespace(AUTHORITY + "country/")
CONTEXT = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "dcatap": str(DCATAP),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}
CASE_KEYWORDS = ("recycled tyre materials", "end-of-life tyres", "rubber", "case studies")
CRITERIA_KEYWORDS = ("green public procurement", "GPP criteria", "tender specifications")


def language_iri(code: str) -> URIRef:
    if code in EU_LANGUAGES:
        return LANGUAGE[EU_LANGUAGES[code]]
    return URIRef(f"http://id.loc.gov/vocabulary/iso639-1/{code}")


def criteria_modified(library: Library) -> date | None:
    """The latest day a criterion took effect or was checked against its sources."""
    days = [d for c in library.criteria.values() for d in (c.valid_from, c.reviewed_on)]
    return max(days, default=None)


class _Builder:
    def __init__(self, settings: Settings) -> None:
        self.base = settings.base_url.rstrip("/")
        self.graph = Graph()
        for prefix, iri in CONTEXT.items():
            self.graph.bind(prefix, iri)
        self.licence = URIRef(settings.data_licence_url)
        self.add(self.licence, RDF.type, DCTERMS.LicenseDocument)
        self.add(self.licence, RDFS.label, Literal(settings.data_licence_name))
        self.publisher = self.iri("/catalog#publisher")
        self.add(self.publisher, RDF.type, FOAF.Agent)
        self.add(self.publisher, RDF.type, FOAF.Organization)
        self.add(self.publisher, FOAF.name, Literal(settings.catalog_publisher))
        self.add(self.publisher, FOAF.homepage, self.document("/"))
        self.contact = self.iri("/catalog#contact")
        self.add(self.contact, RDF.type, VCARD.Organization)
        self.add(self.contact, RDF.type, VCARD.Kind)
        self.add(self.contact, VCARD.fn, Literal(settings.catalog_publisher))
        self.add(self.contact, VCARD.hasURL, URIRef(self.base + "/"))

    def add(self, *triple) -> None:
        self.graph.add(triple)

    def iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def document(self, path: str) -> URIRef:
        node = self.iri(path)
        self.add(node, RDF.type, FOAF.Document)
        return node

    def concept(self, node: URIRef, label: str) -> URIRef:
        self.add(node, RDF.type, SKOS.Concept)
        self.add(node, SKOS.prefLabel, Literal(label, lang="en"))
        return node

    def described(self, node: URIRef, kind: URIRef, title: str, description: str) -> URIRef:
        self.add(node, RDF.type, kind)
        self.add(node, DCTERMS.title, Literal(title, lang="en"))
        self.add(node, DCTERMS.description, Literal(description, lang="en"))
        return node

    def languages(self, node: URIRef, codes) -> None:
        for code in codes:
            language = language_iri(code)
            self.add(language, RDF.type, DCTERMS.LinguisticSystem)
            self.add(node, DCTERMS.language, language)

    def themes(self, node: URIRef, codes) -> None:
        for code in codes:
            theme = self.concept(THEME[code], THEMES[code])
            self.add(theme, SKOS.inScheme, URIRef(AUTHORITY + "data-theme"))
            self.add(node, DCAT.theme, theme)

    def common(self, node: URIRef, keywords=()) -> None:
        self.add(node, DCTERMS.publisher, self.publisher)
        self.add(node, DCAT.contactPoint, self.contact)
        for word in keywords:
            self.add(node, DCAT.keyword, Literal(word, lang="en"))

    def distribution(
        self,
        dataset: URIRef,
        name: str,
        *,
        title: str,
        description: str,
        path: str,
        file_type: str,
        media_type: str | None = None,
        download: bool = True,
        service: URIRef | None = None,
    ) -> URIRef:
        node = self.described(self.iri(f"/catalog#{name}"), DCAT.Distribution, title, description)
        self.add(dataset, DCAT.distribution, node)
        self.add(node, DCAT.accessURL, self.iri(path))
        if download:
            self.add(node, DCAT.downloadURL, self.iri(path))
        file_format = FILE_TYPE[file_type]
        self.add(file_format, RDF.type, DCTERMS.MediaTypeOrExtent)
        self.add(node, DCTERMS.format, file_format)
        if media_type:
            media = IANA[media_type]
            self.add(media, RDF.type, DCTERMS.MediaType)
            self.add(node, DCAT.mediaType, media)
        self.add(node, DCTERMS.license, self.licence)
        self.add(node, DCATAP.availability, self.concept(AVAILABILITY.STABLE, "stable"))
        if service is not None:
            self.add(node, DCAT.accessService, service)
        return node


def _stamp(moment: datetime | date) -> Literal:
    if isinstance(moment, datetime):
        return Literal(moment.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    return Literal(moment.isoformat(), datatype=XSD.date)


def build_catalogue(
    *, facts: CatalogueFacts, library: Library, settings: Settings, openapi_version: str
) -> Graph:
    """Describe the open data of this site as a DCAT-AP 3 catalogue."""
    b = _Builder(settings)
    catalog = b.described(
        b.iri("/catalog"),
        DCAT.Catalog,
        settings.catalog_title,
        "Case studies of recycled tyre materials in public works, and green public procurement "
        "criteria with tender language to buy them, from the RE-PLAN City Life knowledge base.",
    )
    b.add(catalog, DCTERMS.publisher, b.publisher)
    b.add(catalog, DCTERMS.license, b.licence)
    b.add(catalog, FOAF.homepage, b.document("/"))
    b.languages(catalog, UI_LANGUAGES)
    scheme = URIRef(AUTHORITY + "data-theme")
    b.add(scheme, RDF.type, SKOS.ConceptScheme)
    b.add(scheme, DCTERMS.title, Literal("Data theme", lang="en"))
    b.add(catalog, DCAT.themeTaxonomy, scheme)

    oas = URIRef(f"https://spec.openapis.org/oas/v{openapi_version}")
    b.add(oas, RDF.type, DCTERMS.Standard)
    api = _api(b, catalog, oas)
    cases = _cases(b, catalog, api, facts)
    criteria = _criteria(b, catalog, api, library)
    for dataset, name in ((cases, "cases"), (criteria, "criteria")):
        node = b.distribution(
            dataset,
            f"{name}-openapi",
            title="OpenAPI document",
            description="The API's description in OpenAPI: every route, parameter and answer.",
            path="/openapi.json",
            file_type="JSON",
            media_type="application/json",
        )
        b.add(node, DCTERMS.conformsTo, oas)

    changes = [(facts.modified, facts.modified)] if facts.modified else []
    criteria_day = criteria_modified(library)
    if criteria_day:
        changes.append((datetime.combine(criteria_day, time(), UTC), criteria_day))
    if changes:  # the latest change of either dataset
        b.add(catalog, DCTERMS.modified, _stamp(max(changes, key=lambda c: c[0])[1]))
    if facts.issued:
        b.add(catalog, DCTERMS.issued, _stamp(facts.issued))
    return b.graph


def _api(b: _Builder, catalog: URIRef, oas: URIRef) -> URIRef:
    api = b.described(
        b.iri("/catalog#api"),
        DCAT.DataService,
        "RE-PLAN City Life API",
        "JSON API: search the published case studies, read a case, list the criteria library.",
    )
    for prop, path in ((DCAT.endpointURL, "/api/v1"), (DCAT.endpointDescription, "/openapi.json")):
        b.add(api, prop, b.iri(path))
        b.add(b.iri(path), RDF.type, RDFS.Resource)
    b.add(api, DCTERMS.conformsTo, oas)
    b.add(api, DCTERMS.license, b.licence)
    b.add(api, FOAF.page, b.document("/api/docs"))
    b.common(api, ("API", *CASE_KEYWORDS[:1], *CRITERIA_KEYWORDS[:1]))
    b.themes(api, ("ENVI",))
    b.add(catalog, DCAT.service, api)
    return api


def _dataset(
    b: _Builder,
    catalog: URIRef,
    api: URIRef,
    name: str,
    *,
    title: str,
    description: str,
    keywords: tuple[str, ...],
    themes: tuple[str, ...],
    languages: list[str],
    landing: str,
) -> URIRef:
    dataset = b.described(b.iri(f"/catalog#{name}"), DCAT.Dataset, title, description)
    b.add(catalog, DCAT.dataset, dataset)
    b.add(api, DCAT.servesDataset, dataset)
    b.common(dataset, keywords)
    b.themes(dataset, themes)
    b.languages(dataset, languages)
    b.add(dataset, DCAT.landingPage, b.document(landing))
    b.add(dataset, DCTERMS.license, b.licence)
    return dataset


def _cases(b: _Builder, catalog: URIRef, api: URIRef, facts: CatalogueFacts) -> URIRef:
    cases = _dataset(
        b,
        catalog,
        api,
        "cases",
        title="Case studies of recycled tyre materials",
        description=f"{facts.cases} published case studies of recycled tyre materials (rubber "
        "powder, granulate, shreds, whole tyres...) in roads, rail, noise barriers, buildings, "
        "playgrounds and sports surfaces: application, materials, place, year, quantities, "
        "measured benefits, organisations and public sources. Each record keeps the language "
        "it was written in.",
        keywords=CASE_KEYWORDS,
        themes=("ENVI", "TRAN"),
        languages=facts.languages,
        landing="/cases",
    )
    for code in facts.countries:
        if code in EU_COUNTRIES:
            country = COUNTRY[EU_COUNTRIES[code]]
            b.add(country, RDF.type, DCTERMS.Location)
            b.add(cases, DCTERMS.spatial, country)
    if facts.issued:
        b.add(cases, DCTERMS.issued, _stamp(facts.issued))
    if facts.modified:
        b.add(cases, DCTERMS.modified, _stamp(facts.modified))
    if facts.first_year is not None and facts.last_year is not None:
        period = BNode()
        b.add(period, RDF.type, DCTERMS.PeriodOfTime)
        b.add(period, DCAT.startDate, Literal(str(facts.first_year), datatype=XSD.gYear))
        b.add(period, DCAT.endDate, Literal(str(facts.last_year), datatype=XSD.gYear))
        b.add(cases, DCTERMS.temporal, period)
    record = "one case study per row, lists joined with ';', the columns of `replan export`"
    b.distribution(
        cases,
        "cases-csv",
        title="Case studies (CSV)",
        description=f"Every published case study as CSV: {record}.",
        path="/cases/export.csv",
        file_type="CSV",
        media_type="text/csv",
    )
    b.distribution(
        cases,
        "cases-jsonl",
        title="Case studies (JSON Lines)",
        description="Every published case study as JSON Lines: one JSON record per line, "
        "lossless (`replan import` reads it back).",
        path="/cases/export.jsonl",
        file_type="JSON",
    )
    b.distribution(
        cases,
        "cases-api",
        title="Case studies (API)",
        description="Search with the parameters q, application, rtm, country, year_min, "
        "year_max, gpp, sort, page and per_page; /api/v1/cases/{id} answers the whole record.",
        path="/api/v1/cases",
        file_type="JSON",
        media_type="application/json",
        download=False,
        service=api,
    )
    return cases


def _criteria(b: _Builder, catalog: URIRef, api: URIRef, library: Library) -> URIRef:
    criteria = _dataset(
        b,
        catalog,
        api,
        "criteria",
        title="Green public procurement criteria for recycled tyre materials",
        description=f"The versioned criteria library ({len(library.criteria)} criteria, "
        f"version {library.version}): selection criteria, technical specifications, award "
        "criteria and contract clauses for works and products that use recycled tyre "
        "materials, with their parameters, verification and legal references.",
        keywords=CRITERIA_KEYWORDS,
        themes=("GOVE", "ENVI"),
        languages=[code for code in UI_LANGUAGES if code == "en" or code in library.overlays],
        landing="/gpp",
    )
    b.add(criteria, DCAT3.version, Literal(library.version))
    criteria_day = criteria_modified(library)
    if criteria_day:
        b.add(criteria, DCTERMS.modified, _stamp(criteria_day))
    b.distribution(
        criteria,
        "criteria-api",
        title="Criteria library (API)",
        description="Every criterion as JSON; filter with application and ambition.",
        path="/api/v1/criteria",
        file_type="JSON",
        media_type="application/json",
        service=api,
    )
    return criteria


def turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def json_ld(graph: Graph) -> str:
    return graph.serialize(format="json-ld", context=CONTEXT, auto_compact=True, indent=2)
