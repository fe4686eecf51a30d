"""Open data of the knowledge base: facts about the published catalogue (for the DCAT-AP
description), the entries of the Atom feed and of the sitemap.

Read services: each takes a session (or the database and the search engine) and returns pydantic
models. The database alone decides what is public: published cases, and organisations under
`service.public_organisation()`; a search only names candidates."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from kb import searching, service
from kb.models import Case, CaseOrganisation, Organisation
from kb.schemas import CaseQuery
from kb.status import PUBLIC
from replan.clock import aware
from search.backend import SearchBackend

FEED_ENTRIES = 50  # the newest matches a feed carries
FEED_SCAN = 10_000  # matches of a search looked at to find the newest (the export's bound)


class CatalogueFacts(BaseModel):
    """What the open-data catalogue says about the published case studies."""

    cases: int
    languages: list[str]  # ISO 639-1 codes of the records' texts
    countries: list[str]
    first_year: int | None
    last_year: int | None
    issued: datetime | None  # the first publication
    modified: datetime | None  # the latest change of a published case


class FeedEntry(BaseModel):
    id: str
    title: str
    summary: str
    language: str
    application: str
    rtm_types: list[str]
    country: str
    city: str | None
    year: int | None
    organisations: list[str]
    published_at: datetime
    updated_at: datetime


class SitemapEntry(BaseModel):
    path: str
    lastmod: datetime | None


def catalogue_facts(session: Session) -> CatalogueFacts:
    """Return the counts, languages, countries, years and dates of the published cases."""
    public = Case.status == PUBLIC
    row = session.execute(
        select(
            func.count(),
            func.min(Case.year),
            func.max(Case.year),
            func.min(Case.published_at),
            func.max(Case.updated_at),
        ).where(public)
    ).one()
    languages = session.scalars(select(Case.language).where(public).distinct())
    countries = session.scalars(select(Case.country).where(public).distinct())
    return CatalogueFacts(
        cases=row[0],
        first_year=row[1],
        last_year=row[2],
        issued=aware(row[3]),
        modified=aware(row[4]),
        languages=sorted(languages),
        countries=sorted(countries),
    )


def _narrowed(query: CaseQuery) -> bool:
    return bool(
        query.q.strip()
        or query.application
        or query.rtm
        or query.country
        or query.year_min is not None
        or query.year_max is not None
        or query.gpp is not None
    )


def feed_entries(
    session: Session,
    *,
    backend: SearchBackend,
    query: CaseQuery,
    limit: int = FEED_ENTRIES,
    since: datetime | None = None,
) -> list[FeedEntry]:
    """Return the newest published cases a search matches (its sort and page do not apply),
    only those published after `since` when given (a followed search's digest).

    Without a search term or filter the database lists them; otherwise the search names every
    match (up to FEED_SCAN) and the database keeps the published ones, newest first."""
    newest = (Case.published_at.desc(), Case.id)
    public = Case.status == PUBLIC
    if since is not None:
        public = public & (Case.published_at > since)
    if not _narrowed(query):
        cases = list(session.scalars(select(Case).where(public).order_by(*newest).limit(limit)))
    else:
        ids = searching.matching_ids(backend=backend, query=query, limit=FEED_SCAN)
        cases = []
        for start in range(0, len(ids), 500):
            chosen = Case.id.in_(ids[start : start + 500])
            cases += session.scalars(select(Case).where(chosen, public))
        cases.sort(key=lambda c: c.id)
        cases.sort(key=lambda c: aware(c.published_at or c.updated_at), reverse=True)
        cases = cases[:limit]
    return [
        FeedEntry(
            id=case.id,
            title=case.title,
            summary=case.summary,
            language=case.language,
            application=case.application,
            rtm_types=list(case.rtm_types),
            country=case.country,
            city=case.city,
            year=case.year,
            organisations=[link.organisation.name for link in case.organisation_links],
            published_at=aware(case.published_at or case.updated_at),
            updated_at=aware(case.updated_at),
        )
        for case in cases
    ]


def sitemap_entries(session: Session) -> list[SitemapEntry]:
    """Return every published case and public organisation with the time of its last change.

    An organisation changes when its profile is created or approved, and when one of its
    published cases changes."""
    public = Case.status == PUBLIC
    entries = [
        SitemapEntry(path=f"/cases/{case_id}", lastmod=aware(updated))
        for case_id, updated in session.execute(
            select(Case.id, Case.updated_at).where(public).order_by(Case.id)
        )
    ]
    named = select(CaseOrganisation.organisation_id.label("org"), Case.updated_at).join(
        Case, Case.id == CaseOrganisation.case_id
    )
    submitted = select(Case.organisation_id.label("org"), Case.updated_at).where(
        Case.organisation_id.is_not(None)
    )
    links = union_all(named.where(public), submitted.where(public)).subquery()
    latest = {
        org: updated
        for org, updated in session.execute(
            select(links.c.org, func.max(links.c.updated_at)).group_by(links.c.org)
        )
    }
    orgs = session.execute(
        select(
            Organisation.id, Organisation.slug, Organisation.created_at, Organisation.approved_at
        )
        .where(service.public_organisation())
        .order_by(Organisation.slug)
    )
    for org_id, slug, created, approved in orgs:
        times = [aware(t) for t in (created, approved, latest.get(org_id)) if t is not None]
        entries.append(
            SitemapEntry(path=f"/organisations/{slug}", lastmod=max(times) if times else None)
        )
    return entries
