"""The Meilisearch adapter: the `SearchBackend` protocol over the official `meilisearch` client.

Every request goes through the client's own calls with plain dict bodies: index look-up and
creation, settings, document writes, the swap, stats, health, the multi-search and task waits.
The one route the client only offers through a deprecated call, deleting documents by id
(`POST /indexes/{uid}/documents/delete-batch`), goes through its public `http` requester.
Writes wait for their task, so a returned call means the change is searchable (and a failed task
surfaces as `SearchError`, which keeps the outbox rows for a retry).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice

import requests
from meilisearch import Client
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)

from search.backend import (
    Hit,
    IndexCorrupt,
    IndexSchema,
    SearchError,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
    order_facets,
    validate_query,
)
from search.text import MARK_CLOSE, MARK_OPEN, field_text, render_marked, strip_sentinels, tokens

BATCH = 1000
MAX_QUERY_CHARS = 1000
RANKING_RULES = ["sort", "words", "typo", "proximity", "attribute", "exactness"]
_RESERVED = {"_formatted", "_matchesPosition", "_rankingScore", "_rankingScoreDetails"}


def settings_payload(schema: IndexSchema, synonyms: list[list[str]]) -> dict:
    """Return the index settings that make Meilisearch behave like the embedded engine."""
    mapping: dict[str, list[str]] = {}
    for group in synonyms:
        terms = list(dict.fromkeys(str(t).strip().lower() for t in group if str(t).strip()))
        for term in terms:
            others = [t for t in terms if t != term]
            mapping[term] = list(dict.fromkeys([*mapping.get(term, []), *others]))
    return {
        "searchableAttributes": list(schema.searchable),
        "displayedAttributes": ["*"],
        "filterableAttributes": list(schema.facetable),
        "sortableAttributes": [*schema.sortable, "id"],
        # `sort` first: an explicit sort is strict and relevance only breaks its ties, as in the
        # embedded engine; without a sort parameter the rule does nothing.
        "rankingRules": RANKING_RULES,
        "synonyms": {term: others for term, others in mapping.items() if others},
        "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9}},
        "faceting": {"maxValuesPerFacet": 1000},
        "pagination": {"maxTotalHits": 1_000_000},
    }


def quote(value: str) -> str:
    """Quote a string for a Meilisearch filter expression."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value: float) -> str:
    return format(Decimal(repr(float(value))).normalize(), "f")


def filter_expressions(query: SearchQuery, *, except_field: str | None = None) -> list[str]:
    """Return the query's filters as Meilisearch expressions (ANDed as an array)."""
    out: list[str] = []
    for name, values in query.filters.items():
        if name != except_field and values:
            out.append(f"{name} IN [{', '.join(quote(str(v)) for v in values)}]")
    for name, (low, high) in query.ranges.items():
        if name == except_field:
            continue
        if low is not None:
            out.append(f"{name} >= {_number(low)}")
        if high is not None:
            out.append(f"{name} <= {_number(high)}")
    for name, value in query.booleans.items():
        if name != except_field:
            out.append(f"{name} = {'true' if value else 'false'}")
    return out


def active_fields(query: SearchQuery) -> set[str]:
    ranges = {n for n, (lo, hi) in query.ranges.items() if lo is not None or hi is not None}
    return {n for n, v in query.filters.items() if v} | ranges | set(query.booleans)


class _Refused(SearchError):
    """Meilisearch refused a request; `code` is its error code (`index_not_found`, ...)."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class MeiliBackend:
    """Meilisearch behind the `SearchBackend` protocol; `index` is the index uid."""

    def __init__(
        self,
        url: str,
        key: str | None = None,
        *,
        index: str = "cases",
        timeout: float = 10.0,
        task_timeout: float = 120.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.index = index
        self.task_timeout = task_timeout
        # The client hands `timeout` to requests as is: a (connect, read) pair keeps connects short.
        limits = (min(timeout, 3.0), timeout)
        self._client = Client(self.url, key, timeout=limits)  # type: ignore[arg-type]
        self._schema: IndexSchema | None = None
        self._synonyms: list[list[str]] = []

    # -- client plumbing -------------------------------------------------------------------------

    @contextmanager
    def _call(self, what: str) -> Iterator[None]:
        """Turn the client's errors for the request `what` into `SearchError` (or `Unavailable`)."""
        try:
            yield
        except MeilisearchApiError as exc:
            if exc.status_code >= 500 or exc.status_code == 429:
                raise SearchUnavailable(
                    f"Meilisearch answered {exc.status_code} to {what}"
                ) from exc
            code = exc.code or ""
            raise _Refused(
                f"Meilisearch refused {what}: {code or exc.status_code}: {exc.message}", code
            ) from exc
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
            # A refused connection, a failed name look-up or a request that timed out.
            raise SearchUnavailable(
                f"Meilisearch at {self.url} is unreachable: {exc.message}"
            ) from exc
        except MeilisearchError as exc:
            raise SearchError(f"Meilisearch failed {what}: {exc.message}") from exc
        except (
            requests.RequestException,
            ValueError,
            LookupError,
            TypeError,
            StopIteration,
        ) as exc:
            # A body that is not JSON, or JSON without the documented fields (a proxy's page);
            # pydantic's ValidationError is a ValueError.
            raise SearchError(f"Meilisearch sent an unexpected answer to {what}") from exc

    def _wait(self, uid: int, *, ignore: tuple[str, ...] = ()) -> None:
        """Wait for a task to finish; raise `SearchError` when it failed or was canceled."""
        try:
            with self._call(f"GET /tasks/{uid}"):
                task = self._client.wait_for_task(
                    uid, timeout_in_ms=int(self.task_timeout * 1000), interval_in_ms=20
                )
        except SearchUnavailable as exc:
            cause = exc.__cause__
            if isinstance(cause, MeilisearchTimeoutError) and cause.__cause__ is None:
                # The client's own deadline, not an HTTP timeout.
                raise SearchUnavailable(f"Meilisearch task {uid} did not finish in time") from exc
            raise
        if task.status == "succeeded":
            return
        error = task.error or {}
        if error.get("code") in ignore:
            return
        raise SearchError(
            f"Meilisearch task {uid} ({task.type}) {task.status}: "
            f"{error.get('code', 'unknown')}: {error.get('message', '')}"
        )

    def _create(self, uid: str) -> int:
        """Ask for a new index; the caller waits for the task and decides which failure is fine."""
        with self._call("POST /indexes"):
            return self._client.create_index(uid, {"primaryKey": "id"}).task_uid

    def _ensure_index(self, uid: str) -> None:
        try:
            with self._call(f"GET /indexes/{uid}"):
                self._client.get_raw_index(uid)
        except _Refused as exc:
            if exc.code != "index_not_found":
                raise
            self._wait(self._create(uid), ignore=("index_already_exists",))

    # -- protocol --------------------------------------------------------------------------------

    def configure(self, schema: IndexSchema, synonyms: list[list[str]]) -> None:
        """Create the index if needed and apply the settings derived from the schema."""
        self._schema, self._synonyms = schema, [list(g) for g in synonyms]
        self._ensure_index(self.index)
        self._apply_settings(self.index)

    def _apply_settings(self, uid: str) -> None:
        assert self._schema is not None
        payload = settings_payload(self._schema, self._synonyms)
        with self._call(f"PATCH /indexes/{uid}/settings"):
            task = self._client.index(uid).update_settings(payload)
        self._wait(task.task_uid)

    def upsert(self, documents: list[dict]) -> None:
        """Add or replace documents, waiting until they are indexed."""
        self._add(self.index, documents)

    def _add(self, uid: str, documents: Iterable[dict]) -> int:
        tasks, count = [], 0
        iterator = iter(documents)
        index = self._client.index(uid)
        while batch := list(islice(iterator, BATCH)):
            for doc in batch:
                if not isinstance(doc, dict) or doc.get("id") in (None, ""):
                    raise SearchError("every document needs a non-empty 'id'")
            batch = [_clean(doc) for doc in batch]
            with self._call(f"POST /indexes/{uid}/documents"):
                tasks.append(index.add_documents(batch, primary_key="id").task_uid)
            count += len(batch)
        for task in tasks:
            self._wait(task)
        return count

    def delete(self, ids: list[str]) -> None:
        """Remove documents by id, waiting until they are gone; unknown ids are ignored."""
        if ids:
            path = f"indexes/{self.index}/documents/delete-batch"
            with self._call(f"POST /{path}"):
                # The documented route; the client's `delete_documents(ids=...)` is deprecated.
                task = self._client.http.post(path, [str(i) for i in ids])["taskUid"]
            self._wait(task, ignore=("index_not_found",))

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Fill a fresh index, swap it with the live one, drop the old one; return its size."""
        if self._schema is None:
            raise SearchError("the index is not configured: call configure() first")
        fresh = f"{self.index}_{time.time_ns() // 1_000_000}"
        self._wait(self._create(fresh))
        try:
            self._apply_settings(fresh)
            self._add(fresh, documents)
            self._ensure_index(self.index)
            with self._call("POST /swap-indexes"):
                swap = self._client.swap_indexes([{"indexes": [self.index, fresh]}])
            self._wait(swap.task_uid)
        except BaseException:
            self._drop(fresh)
            raise
        self._drop(fresh)  # after the swap it holds the old documents
        return self.count()

    def _drop(self, uid: str) -> None:
        try:
            with self._call(f"DELETE /indexes/{uid}"):
                task = self._client.delete_index(uid)
            self._wait(task.task_uid, ignore=("index_not_found",))
        except SearchError:
            pass  # a left-over index wastes space but breaks nothing

    def count(self) -> int:
        """Return the number of documents in the live index."""
        try:
            with self._call(f"GET /indexes/{self.index}/stats"):
                return self._client.index(self.index).get_stats().number_of_documents
        except _Refused as exc:
            if exc.code == "index_not_found":
                return 0
            raise

    def health(self) -> bool:
        """Return whether Meilisearch answers and says it is available."""
        try:
            with self._call("GET /health"):
                return self._client.health().get("status") == "available"
        except SearchError:
            return False

    def reset(self) -> None:
        """Drop the live index: searches refuse (`IndexCorrupt`) until `rebuild()` swaps one in."""
        self._drop(self.index)

    def close(self) -> None:
        """Nothing to release: the client opens a connection per request."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Run the query and its disjunctive facet queries in one multi-search request."""
        if self._schema is None:
            raise SearchError("the index is not configured: call configure() first")
        schema = self._schema
        validate_query(schema, query)
        queries = search_requests(self.index, schema, query)
        try:
            with self._call("POST /multi-search"):
                results = self._client.multi_search(queries)["results"]
        except _Refused as exc:
            if exc.code == "index_not_found":
                raise IndexCorrupt(f"the Meilisearch index {self.index!r} is missing") from exc
            raise
        main = results[0]
        hits = [_hit(raw, schema) for raw in main.get("hits", [])]
        facets: dict[str, dict[str, int]] = {}
        extra = iter(results[1:])
        active = active_fields(query)
        for name in dict.fromkeys(query.facets):
            source = next(extra) if name in active else main
            counts = (source.get("facetDistribution") or {}).get(name, {})
            facets[name] = order_facets(dict(counts))
        return SearchResult(int(main.get("totalHits", 0)), hits, facets, None)


def search_requests(uid: str, schema: IndexSchema, query: SearchQuery) -> list[dict]:
    """Return the multi-search queries: the page itself, then one per filtered facet."""
    text = query.text[:MAX_QUERY_CHARS] if tokens(query.text[:MAX_QUERY_CHARS]) else ""
    base = {"indexUid": uid, "q": text, "matchingStrategy": "last"}
    sort = [f"{name}:{direction}" for name, direction in query.sort]
    if not text:
        sort.append("id:asc")  # the embedded engine lists a query without words by id too
    main = {
        **base,
        "filter": filter_expressions(query),
        "sort": sort,
        "page": query.page,
        "hitsPerPage": query.per_page,
        "facets": list(dict.fromkeys(query.facets)),
        "attributesToHighlight": list(schema.highlight),
        "highlightPreTag": MARK_OPEN,
        "highlightPostTag": MARK_CLOSE,
    }
    queries = [main]
    active = active_fields(query)
    for name in dict.fromkeys(query.facets):
        if name in active:
            filters = filter_expressions(query, except_field=name)
            queries.append(
                {**base, "filter": filters, "facets": [name], "page": 1, "hitsPerPage": 0}
            )
    return queries


def _clean(value: object) -> object:
    """Drop the highlight sentinels from document text, so a document cannot forge a mark."""
    if isinstance(value, str):
        return strip_sentinels(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


def _hit(raw: dict, schema: IndexSchema) -> Hit:
    doc = {k: v for k, v in raw.items() if k not in _RESERVED}
    formatted = raw.get("_formatted") or {}
    highlight = {
        name: render_marked(field_text(formatted.get(name, doc.get(name))))
        for name in schema.highlight
    }
    return Hit(str(doc.get("id")), doc, highlight)
