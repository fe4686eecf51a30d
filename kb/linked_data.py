"""What a case page tells machines: schema.org JSON-LD, Open Graph tags and the data licence.

The JSON-LD is a data block (`<script type="application/ld+json">`): browsers never run it, so
the Content-Security-Policy's `script-src 'self'` does not apply to it. The template prints it
with Jinja's `tojson`, which escapes `<`, `>` and `&`: no text of a record can close the block."""

from pydantic import BaseModel

from kb.codes import country_name
from kb.models import Case
from kb.schemas import CaseRecord
from kb.taxonomy import Taxonomy
from replan.clock import iso
from replan.settings import Settings


class Licence(BaseModel):
    name: str
    url: str


class CasePageMeta(BaseModel):
    """The machine-readable part of a case page."""

    json_ld: dict
    open_graph: list[tuple[str, str]]  # (property, content) of each <meta property=...>
    licence: Licence


def licence_of(settings: Settings) -> Licence:
    return Licence(name=settings.data_licence_name, url=settings.data_licence_url)


def case_page_meta(
    *, case: Case, record: CaseRecord, taxonomy: Taxonomy, settings: Settings, locale: str
) -> CasePageMeta:
    """Describe a case for search engines and link previews (schema.org Article, Open Graph)."""
    base = settings.base_url.rstrip("/")
    url = f"{base}/cases/{record.id}"
    place: dict = {
        "@type": "Place",
        "address": {
            "@type": "PostalAddress",
            "addressCountry": record.country,
            **({"addressLocality": record.city} if record.city else {}),
        },
    }
    if record.lat is not None and record.lon is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": record.lat, "longitude": record.lon}
    json_ld = {
        "@context": "https://schema.org",
        "@type": "Article",
        "@id": url,
        "url": url,
        "headline": record.title,
        "name": record.title,
        "description": record.summary,
        "inLanguage": record.language,
        "about": taxonomy.label("applications", record.application, "en"),
        "keywords": [taxonomy.label("rtm_types", code, "en") for code in record.rtm_types],
        "spatialCoverage": place,
        "license": settings.data_licence_url,
        "publisher": {"@type": "Organization", "name": settings.catalog_publisher, "url": base},
        "isPartOf": {"@type": "Dataset", "@id": f"{base}/catalog#cases", "url": f"{base}/cases"},
        "mentions": [
            {"@type": "Organization", "name": org.name, "roleName": org.role}
            for org in record.organisations
        ],
        "citation": list(record.sources),
    }
    if record.year is not None:
        json_ld["temporalCoverage"] = str(record.year)
    for key, moment in (("datePublished", case.published_at), ("dateModified", case.updated_at)):
        if moment is not None:
            json_ld[key] = iso(moment)
    open_graph = [
        ("og:type", "article"),
        ("og:title", record.title),
        ("og:description", record.summary),
        ("og:url", url),
        ("og:site_name", "RE-PLAN City Life"),
        ("article:section", taxonomy.label("applications", record.application, locale)),
        ("article:tag", country_name(record.country, locale)),
    ]
    if json_ld.get("dateModified"):
        open_graph.append(("article:modified_time", json_ld["dateModified"]))
    return CasePageMeta(json_ld=json_ld, open_graph=open_graph, licence=licence_of(settings))
