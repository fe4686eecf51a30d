"""Feeds for machines: the Atom feed of a search's newest published cases, the sitemap and the
robots.txt that points crawlers to it.

The Atom document is written by feedgen, the sitemap by the standard library's ElementTree: both
escape every text. Include this router before `kb.web`'s, whose `/cases/{case_id}` would
otherwise take `/cases/feed.atom`."""

from datetime import UTC, datetime
from typing import Annotated
from xml.etree import ElementTree

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from feedgen.feed import FeedGenerator
from starlette.routing import Match

from kb import opendata
from kb.codes import country_name
from kb.pages import url_for
from kb.schemas import CaseQuery
from kb.taxonomy import Taxonomy
from replan import i18n, ratelimit
from replan.clock import utcnow
from replan.deps import DbDep, RuntimeDep
from replan.web import public_url
from search.service import GuardedBackend

router = APIRouter(include_in_schema=False)
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Pages listed in the sitemap besides every case and organisation, when the app serves them.
MAIN_PAGES = ("/", "/cases", "/gpp", "/stats", "/organisations", "/api/docs")


@router.get("/cases/feed.atom", dependencies=[Depends(ratelimit.limit_exports)])
def cases_feed(
    request: Request, runtime: RuntimeDep, session: DbDep, query: Annotated[CaseQuery, Query()]
) -> Response:
    """The newest published cases matching the search's parameters, as Atom."""
    locale = request.state.locale
    gettext = i18n.gettext_for(locale)
    taxonomy = runtime.get(Taxonomy)
    settings = runtime.settings
    entries = opendata.feed_entries(session, backend=runtime.get(GuardedBackend), query=query)
    search = query.model_copy(update={"sort": "relevance", "page": 1, "per_page": 20})
    feed = FeedGenerator()
    self_url = public_url(request, url_for("/cases/feed.atom", search))
    feed.id(self_url)
    feed.title(f"RE-PLAN City Life · {gettext('Case studies')}")
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.link(href=public_url(request, url_for("/cases", search)), rel="alternate")
    feed.author({"name": settings.catalog_publisher, "uri": settings.base_url})
    feed.rights(f"{settings.data_licence_name}: {settings.data_licence_url}")
    feed.language(locale)
    feed.updated(max((e.updated_at for e in entries), default=utcnow()))
    for entry in reversed(entries):  # feedgen puts each new entry first
        url = public_url(request, f"/cases/{entry.id}")
        item = feed.add_entry()
        item.id(url)
        item.title(entry.title)
        item.link(href=url, rel="alternate", type="text/html", hreflang=entry.language)
        item.summary(entry.summary)
        item.published(entry.published_at)
        item.updated(entry.updated_at)
        item.category(
            term=entry.application,
            scheme=public_url(request, "/api/v1/taxonomy"),
            label=taxonomy.label("applications", entry.application, locale),
        )
        for code in entry.rtm_types:
            item.category(term=code, label=taxonomy.label("rtm_types", code, locale))
        item.category(term=entry.country, label=country_name(entry.country, locale))
        for name in entry.organisations:
            item.contributor({"name": name})
    return Response(feed.atom_str(pretty=True), media_type="application/atom+xml; charset=utf-8")


def _served(request: Request, path: str) -> bool:
    """Whether the app answers GET `path` (pages of other domains come and go with them)."""
    scope = {"type": "http", "method": "GET", "path": path, "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)


@router.get("/sitemap.xml")
def sitemap(request: Request, session: DbDep) -> Response:
    """Every published case and public organisation with its last change, and the main pages."""
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NS)

    def add(path: str, lastmod: datetime | None = None) -> None:
        url = ElementTree.SubElement(urlset, "url")
        ElementTree.SubElement(url, "loc").text = public_url(request, path)
        if lastmod is not None:
            stamp = lastmod.astimezone(UTC).isoformat(timespec="seconds")
            ElementTree.SubElement(url, "lastmod").text = stamp.replace("+00:00", "Z")

    for path in MAIN_PAGES:
        if _served(request, path):
            add(path)
    for entry in opendata.sitemap_entries(session):
        add(entry.path, entry.lastmod)
    body = ElementTree.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/xml")


@router.get("/robots.txt")
def robots(request: Request) -> Response:
    """Let crawlers in (private pages answer them 404 or a sign-in) and name the sitemap."""
    body = f"User-agent: *\nAllow: /\nSitemap: {public_url(request, '/sitemap.xml')}\n"
    return Response(body, media_type="text/plain; charset=utf-8")
