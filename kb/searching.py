"""Searching the published cases: the contract's query in the search engine's terms, and its
answers checked against the database (which alone decides what is public)."""

import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.indexing import CASE_INDEX
from kb.models import Case
from kb.schemas import CaseHit, CaseMap, CaseQuery, CaseRecord, CaseSearchResult, MapPoint
from kb.service import load_cases, record_of
from kb.status import PUBLIC
from replan import metrics
from search.backend import SearchBackend, SearchQuery, facet_key
from search.text import field_text, tokens

log = logging.getLogger(__name__)

FACETS = ("application", "rtm_types", "country", "year")

SORTS = {
    "relevance": (),
    "year_desc": (("year", "desc"),),
    "year_asc": (("year", "asc"),),
    "tonnes_desc": (("rtm_tonnes", "desc"),),
}


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
    session: Session, *, backend: SearchBackend, query: CaseQuery, limit: int
) -> list[CaseRecord]:
    """Return the records of the published cases a search matches, in its order (up to limit)."""
    ids = matching_ids(backend=backend, query=query, limit=limit)
    cases = {c.id: c for c in load_cases(session, ids[:limit]) if c.status == PUBLIC}
    return [record_of(cases[i]) for i in ids[:limit] if i in cases]


def case_map(session: Session, *, backend: SearchBackend, query: CaseQuery, limit: int) -> CaseMap:
    """Return the location of every case a search matches, on all its pages.

    The search names the cases; the database decides which are public and where they are."""
    ids = matching_ids(backend=backend, query=query, limit=limit)
    rows = []
    located = (Case.status == PUBLIC, Case.lat.is_not(None), Case.lon.is_not(None))
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


def search_cases(session: Session, *, backend: SearchBackend, query: CaseQuery) -> CaseSearchResult:
    """Search published cases with the contract's parameters; hits the index still holds but the
    database no longer publishes are left out, and not counted in the total and facets."""
    with metrics.timed_search(backend):
        result = backend.search(search_query(query))
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
