"""The knowledge base's logic: cases in and out of the database and the search index."""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from slugify import slugify
from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kb.codes import UI_LANGUAGES, country_name
from kb.models import Case, CaseOrganisation, Organisation
from kb.schemas import CaseHit, CaseMap, CaseQuery, CaseRecord, CaseSearchResult, MapPoint
from kb.taxonomy import Taxonomy
from replan import metrics
from replan.auth import has_role
from replan.clock import iso
from replan.db import Database
from replan.markdown import markdown_to_text
from search import sync as search_sync
from search.backend import IndexSchema, SearchBackend, SearchQuery, facet_key
from search.text import field_text, tokens

log = logging.getLogger(__name__)

CASE_INDEX = IndexSchema(
    name="cases",
    searchable=("labels", "title", "summary", "body"),  # labels first: a case of the application
    highlight=("title", "summary"),
    keywords=("application", "rtm_types", "country", "language"),
    numbers=("year", "rtm_tonnes"),
    booleans=("gpp",),
)
FACETS = ("application", "rtm_types", "country", "year")
SORTS = {
    "relevance": (),
    "year_desc": (("year", "desc"),),
    "year_asc": (("year", "asc"),),
    "tonnes_desc": (("rtm_tonnes", "desc"),),
}
RECORD_FIELDS = tuple(CaseRecord.model_fields)
PUBLIC = "published"


class CaseNotFound(LookupError):
    """No case with that id is visible to the one asking."""


@dataclass
class UpsertSummary:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0

    def line(self) -> str:
        return f"imported {self.imported}, updated {self.updated}, unchanged {self.unchanged}"


def record_of(case: Case) -> CaseRecord:
    """Return the contract record of a case."""
    data = {name: getattr(case, name) for name in RECORD_FIELDS if name != "organisations"}
    data["organisations"] = [
        {"name": link.organisation.name, "role": link.role} for link in case.organisation_links
    ]
    return CaseRecord.model_validate(data)


def case_json(case: Case) -> dict:
    """Return the whole record of a case with its public metadata, as the API answers it."""
    data = record_of(case).export_dict()
    data.update(
        status=case.status,
        version=case.version,
        created_at=iso(case.created_at),
        updated_at=iso(case.updated_at),
        published_at=iso(case.published_at),
    )
    return data


def make_case_id(title: str, taken: Callable[[str], bool]) -> str:
    """Make a stable id from a title, suffixed when another case already holds it."""
    base = slugify(title, max_length=100, word_boundary=True) or "case"
    candidate, n = base, 2
    while taken(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def organisation_named(
    session: Session, name: str, cache: dict[str, Organisation] | None = None
) -> Organisation:
    """Return the organisation of that name (any case), creating it when new."""
    cache = {} if cache is None else cache
    key = name.casefold()
    if key in cache:
        return cache[key]
    org = session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    if org is None:
        org = Organisation(name=name, slug=_org_slug(session, name), certifications=[])
        session.add(org)
        session.flush()
    cache[key] = org
    return org


def _org_slug(session: Session, name: str) -> str:
    def taken(slug: str) -> bool:
        return session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None

    return make_case_id(name, taken)


def apply_record(session: Session, case: Case, record: CaseRecord, orgs: dict) -> None:
    """Copy a record's fields onto a case row, organisations included."""
    for name in RECORD_FIELDS:
        if name not in ("id", "organisations"):
            setattr(case, name, getattr(record, name))
    case.rtm_types = list(record.rtm_types)
    case.benefits = [b.model_dump() for b in record.benefits]
    case.sources = list(record.sources)
    case.organisation_links = [
        CaseOrganisation(
            position=i, organisation=organisation_named(session, ref.name, orgs), role=ref.role
        )
        for i, ref in enumerate(record.organisations)
    ]


class ImportInterrupted(RuntimeError):
    """A batched import failed part-way: the first `committed` records are in the database."""

    def __init__(self, committed: int, summary: UpsertSummary, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.committed, self.summary, self.cause = committed, summary, cause


def upsert_records(
    *,
    db: Database,
    backend: SearchBackend,
    taxonomy: Taxonomy,
    records: list[CaseRecord],
    status: str = PUBLIC,
    user_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int | None = None,
) -> UpsertSummary:
    """Insert or update validated records by id, then index them.

    All in one transaction, or with `batch`, one transaction per `batch` records, so that other
    writers get in between; a failure then raises ImportInterrupted saying how many are in."""
    summary = UpsertSummary()
    assign_ids(records)
    size = batch or max(len(records), 1)
    committed = 0
    try:
        for start in range(0, len(records), size):
            chunk = records[start : start + size]
            done = UpsertSummary()
            with db.session() as session:
                _upsert_batch(session, chunk, done, status, user_id, taxonomy, progress)
            committed += len(chunk)
            summary.imported += done.imported
            summary.updated += done.updated
            summary.unchanged += done.unchanged
    except Exception as exc:
        if batch is None or committed == 0:
            raise
        index_pending(db=db, backend=backend)
        raise ImportInterrupted(committed, summary, exc) from exc
    index_pending(db=db, backend=backend)
    return summary


def _upsert_batch(
    session: Session,
    records: list[CaseRecord],
    summary: UpsertSummary,
    status: str,
    user_id: int | None,
    taxonomy: Taxonomy,
    progress: Callable[[int], None] | None,
) -> None:
    existing = {c.id: c for c in load_cases(session, [r.id for r in records])}
    orgs: dict[str, Organisation] = {}
    now = datetime.now(UTC)
    for record in records:
        if progress:
            progress(1)
        case = existing.get(record.id)
        if case is not None and record_of(case) == record and case.status == status:
            summary.unchanged += 1
            continue
        new = case is None
        if new:
            case = Case(id=record.id, created_by=user_id, created_at=now, status=status)
            existing[record.id] = case
            summary.imported += 1
        else:
            summary.updated += 1
        # Organisations are flushed as they are made: add a new case only once it is
        # complete, so that it is written with one INSERT (version 1), not INSERT+UPDATE.
        apply_record(session, case, record, orgs)
        if new:
            session.add(case)
        case.status = status
        case.updated_at = now
        if status == PUBLIC and case.published_at is None:
            case.published_at = now
        enqueue_case(session, case, taxonomy)


def assign_ids(records: list[CaseRecord]) -> None:
    """Give each record without an id one made from its title (stable across imports)."""
    taken = {r.id for r in records if r.id}
    for record in records:
        if record.id is None:
            record.id = make_case_id(record.title, taken.__contains__)
            taken.add(record.id)


def load_cases(session: Session, ids: list[str]) -> Iterator[Case]:
    """Yield the cases with these ids (in batches, so that any number of ids works)."""
    for start in range(0, len(ids), 500):
        yield from session.scalars(select(Case).where(Case.id.in_(ids[start : start + 500])))


def enqueue_case(session: Session, case: Case, taxonomy: Taxonomy) -> None:
    """Queue the case's search document (or its removal) in the current transaction."""
    document = case_document(case, taxonomy) if case.status == PUBLIC else None
    search_sync.enqueue(session, index=CASE_INDEX.name, doc_id=case.id, document=document)


def index_pending(*, db: Database, backend: SearchBackend, wait: float = 30.0) -> int:
    """Apply queued index changes now (the command line), taking turns with a running server's
    worker; when the engine is down or the turn does not come, they wait for the worker."""
    return search_sync.drain(db, backend, index=CASE_INDEX.name, wait=wait)


def case_document(case: Case, taxonomy: Taxonomy) -> dict:
    """Return the plain document the search engine indexes for a published case."""
    orgs = [link.organisation.name for link in case.organisation_links]
    body = " ".join(
        filter(
            None,
            [
                markdown_to_text(case.description),
                case.city or "",
                " ".join(orgs),
                " ".join(b.get("metric", "") for b in case.benefits or []),
            ],
        )
    )
    labels = set(taxonomy.all_labels("applications", case.application))
    for code in case.rtm_types:
        labels.update(taxonomy.all_labels("rtm_types", code))
    labels.update(country_name(case.country, lang) for lang in UI_LANGUAGES)
    return {
        "id": case.id,
        "title": case.title,
        "summary": case.summary,
        "body": body,
        "labels": " · ".join(sorted(labels)),
        "application": case.application,
        "rtm_types": list(case.rtm_types),
        "country": case.country,
        "language": case.language,
        "year": case.year,
        "rtm_tonnes": case.rtm_tonnes,
        "gpp": case.gpp,
        "city": case.city,
        "lat": case.lat,
        "lon": case.lon,
    }


def published_documents(session: Session, taxonomy: Taxonomy) -> Iterator[dict]:
    """Yield the search document of every published case."""
    query = select(Case).where(Case.status == PUBLIC).order_by(Case.id)
    for case in session.scalars(query).yield_per(500):
        yield case_document(case, taxonomy)


def reindex(*, db: Database, backend: SearchBackend, taxonomy: Taxonomy) -> int:
    """Rebuild the search index from the database and swap it in (the caller holds the drain
    lock, so that no change is applied to the old index while the new one is filled)."""
    with db.session() as session:
        return backend.rebuild(published_documents(session, taxonomy))


def published_ids(session: Session, ids: Iterable[str]) -> set[str]:
    """Return which of these ids are published cases: the database, not a possibly stale search
    index, decides what is public."""
    ids = list(dict.fromkeys(ids))
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        # By primary key only: with `status` in the WHERE clause SQLite may scan the status index.
        rows = session.execute(
            select(Case.id, Case.status).where(Case.id.in_(ids[start : start + 500]))
        )
        found.update(case_id for case_id, status in rows if status == PUBLIC)
    return found


def search_query(query: CaseQuery, *, facets: Iterable[str] = FACETS) -> SearchQuery:
    """Translate the contract's parameters into the search backend's query."""
    filters = {
        field: values
        for field, values in (
            ("application", query.application),
            ("rtm_types", query.rtm),
            ("country", query.country),
        )
        if values
    }
    ranges = {}
    if query.year_min is not None or query.year_max is not None:
        ranges["year"] = (query.year_min, query.year_max)
    return SearchQuery(
        text=query.q,
        filters=filters,
        ranges=ranges,
        booleans={"gpp": query.gpp} if query.gpp is not None else {},
        facets=tuple(facets),
        sort=SORTS[query.sort],
        page=query.page,
        per_page=query.per_page,
    )


def matching_ids(*, backend: SearchBackend, query: CaseQuery, limit: int) -> list[str]:
    """Return the ids of every case a search matches, all pages, in its order (up to limit)."""
    ids: list[str] = []
    page = 1
    while len(ids) < limit:
        batch = query.model_copy(update={"page": page, "per_page": 100})
        with metrics.timed_search(backend):
            result = backend.search(search_query(batch, facets=()))
        ids.extend(hit.id for hit in result.hits)
        if page * 100 >= result.total or not result.hits:
            break
        page += 1
    return ids[:limit]


def matching_records(
    *, db: Database, backend: SearchBackend, query: CaseQuery, limit: int
) -> list[CaseRecord]:
    """Return the records of the published cases a search matches, in its order (up to limit)."""
    ids = matching_ids(backend=backend, query=query, limit=limit)
    with db.session() as session:
        cases = {c.id: c for c in load_cases(session, ids[:limit]) if c.status == PUBLIC}
        return [record_of(cases[i]) for i in ids[:limit] if i in cases]


def case_map(*, db: Database, backend: SearchBackend, query: CaseQuery, limit: int) -> CaseMap:
    """Return the location of every case a search matches, on all its pages.

    The search names the cases; the database decides which are public and where they are."""
    ids = matching_ids(backend=backend, query=query, limit=limit)
    rows = []
    located = (Case.status == PUBLIC, Case.lat.is_not(None), Case.lon.is_not(None))
    with db.session() as session:
        for start in range(0, len(ids), 500):
            chosen = Case.id.in_(ids[start : start + 500])
            rows += session.execute(
                select(Case.id, Case.title, Case.lat, Case.lon).where(chosen, *located)
            ).all()
    order = {case_id: i for i, case_id in enumerate(ids)}
    rows.sort(key=lambda row: order[row.id])
    points = [
        MapPoint(id=r.id, title=r.title, lat=r.lat, lon=r.lon, url=f"/cases/{r.id}") for r in rows
    ]
    return CaseMap(total=len(ids), points=points)


def search_cases(*, db: Database, backend: SearchBackend, query: CaseQuery) -> CaseSearchResult:
    """Search published cases with the contract's parameters; hits the index still holds but the
    database no longer publishes are left out, and not counted in the total and facets."""
    with metrics.timed_search(backend):
        result = backend.search(search_query(query))
    with db.session() as session:
        public = published_ids(session, (hit.id for hit in result.hits))
        stale = [hit for hit in result.hits if hit.id not in public]
        suggestion = result.suggestion
        shown = [hit.document for hit in result.hits if hit.id in public]
        if suggestion and not _holds_words(shown, suggestion, query.q):
            if not _finds_published(session, backend, query, suggestion):
                suggestion = None  # a word only an unpublished case holds is not offered
    facets = {name: dict(result.facets.get(name, {})) for name in FACETS}
    if stale:
        log.warning("search index lists unpublished cases %s", [hit.id for hit in stale])
        for hit in stale:
            _uncount(facets, hit.document)
    hits = [
        CaseHit.model_validate({**hit.document, "id": hit.id, "highlight": hit.highlight})
        for hit in result.hits
        if hit.id in public
    ]
    return CaseSearchResult(
        total=max(0, result.total - len(stale)),
        page=query.page,
        per_page=query.per_page,
        hits=hits,
        facets=facets,
        suggestion=suggestion,
    )


def _holds_words(documents: list[dict], suggestion: str, typed: str) -> bool:
    """Whether published documents at hand hold every word the suggestion corrects."""
    wanted = set(tokens(suggestion)) - set(tokens(typed))
    for document in documents:
        for name in CASE_INDEX.searchable:
            wanted.difference_update(tokens(field_text(document.get(name))))
            if not wanted:
                return True
    return not wanted


def _finds_published(session: Session, backend: SearchBackend, query: CaseQuery, text: str) -> bool:
    check = query.model_copy(update={"q": text, "page": 1, "per_page": 20})
    found = backend.search(search_query(check, facets=()))
    return bool(published_ids(session, (hit.id for hit in found.hits)))


def _uncount(facets: dict[str, dict[str, int]], document: dict) -> None:
    """Take one document out of the facet counts (a stale hit of this page)."""
    for name, counts in facets.items():
        values = document.get(name)
        for value in values if isinstance(values, list) else [values]:
            key = facet_key(value)
            if key in counts:
                counts[key] -= 1
                if counts[key] <= 0:
                    del counts[key]


def can_view(user, case: Case) -> bool:
    """Published cases are public; the others only for their author and moderators."""
    if case.status == PUBLIC:
        return True
    return user is not None and (has_role(user, "moderator") or case.created_by == user.id)


def visible_case(session: Session, case_id: str, *, user) -> Case:
    """Return the case if this user may see it, else raise CaseNotFound (never say it exists)."""
    case = session.get(Case, case_id)
    if case is None or not can_view(user, case):
        raise CaseNotFound(case_id)
    return case


def iter_published(session: Session) -> Iterator[CaseRecord]:
    """Yield every published case as a contract record, by id."""
    query = select(Case).where(Case.status == PUBLIC).order_by(Case.id)
    for case in session.scalars(query).yield_per(500):
        yield record_of(case)


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def home_stats(session: Session, *, latest: int = 6) -> dict:
    """Return counts of published cases by application and country, and the latest cases."""
    public = Case.status == PUBLIC
    by_app = dict(
        session.execute(
            select(Case.application, func.count()).where(public).group_by(Case.application)
        ).all()
    )
    countries = session.scalar(select(func.count(func.distinct(Case.country))).where(public)) or 0
    total = sum(by_app.values())
    newest = session.scalars(
        select(Case)
        .where(public)
        .order_by(Case.published_at.desc(), Case.year.desc().nulls_last(), Case.id)
        .limit(latest)
    ).all()
    return {"total": total, "countries": countries, "by_application": by_app, "latest": newest}


def get_organisation(session: Session, slug: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.slug == slug))


def public_organisation():
    """The SQL rule of a public organisation: a moderator approved its profile, or a published
    case names it or was submitted by it. A name in an unpublished submission makes nothing
    public (use it in every listing, page and facet of organisations)."""
    named = (
        select(CaseOrganisation.organisation_id)
        .join(Case, Case.id == CaseOrganisation.case_id)
        .where(CaseOrganisation.organisation_id == Organisation.id, Case.status == PUBLIC)
    )
    submitted = select(Case.id).where(
        Case.organisation_id == Organisation.id, Case.status == PUBLIC
    )
    return or_(Organisation.approved_at.is_not(None), named.exists(), submitted.exists())


def is_public_organisation(session: Session, organisation_id: int) -> bool:
    query = select(Organisation.id).where(Organisation.id == organisation_id, public_organisation())
    return session.scalar(query) is not None


def organisation_cases(session: Session, organisation_id: int) -> list[Case]:
    """Return the published cases an organisation took part in."""
    query = (
        select(Case)
        .join(CaseOrganisation)
        .where(CaseOrganisation.organisation_id == organisation_id, Case.status == PUBLIC)
        .order_by(Case.year.desc(), Case.id)
        .distinct()
    )
    return list(session.scalars(query))


class CaseSummary(NamedTuple):
    count: int
    countries: list[str]
    in_country: int
    cases: list[Case]


def published_summary(
    session: Session, *, application: str, limit: int, country: str | None = None
) -> CaseSummary:
    """Return how many cases of an application are published, their countries, how many are in
    `country`, and the `limit` best of them (that country's first, then newest, then most material
    used): market evidence for specs, bounded."""
    where = (Case.status == PUBLIC, Case.application == application)
    count = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    countries = sorted(session.scalars(select(Case.country).where(*where).distinct()))
    in_country = 0
    order = [Case.year.desc().nulls_last(), Case.rtm_tonnes.desc().nulls_last(), Case.id]
    if country:
        in_country = (
            session.scalar(
                select(func.count()).select_from(Case).where(*where, Case.country == country)
            )
            or 0
        )
        order.insert(0, sql_case((Case.country == country, 0), else_=1))
    best = select(Case).where(*where).order_by(*order).limit(limit)
    return CaseSummary(count, countries, in_country, list(session.scalars(best)))
