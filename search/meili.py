"""The Meilisearch adapter: the `SearchBackend` protocol over Meilisearch's HTTP API (v1.x).

Plain httpx rather than an SDK, so every request is the documented one and tests can check it.
Writes wait for their task, so a returned call means the change is searchable (and a failed task
surfaces as `SearchError`, which keeps the outbox rows for a retry).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from decimal import Decimal
from itertools import islice

import httpx

from search.backend import (
    Hit,
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
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.url = url.rstrip("/")
        self.index = index
        self.task_timeout = task_timeout
        self._client = httpx.Client(
            base_url=self.url,
            headers=headers,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
        )
        self._schema: IndexSchema | None = None
        self._synonyms: list[list[str]] = []

    # -- HTTP ------------------------------------------------------------------------------------

    def _request(self, method: str, path: str, body: object = None, **params: object) -> dict:
        try:
            resp = self._client.request(method, path, json=body, params=params or None)
        except httpx.TransportError as exc:
            raise SearchUnavailable(f"Meilisearch at {self.url} is unreachable: {exc}") from exc
        if resp.status_code >= 500 or resp.status_code == 429:
            raise SearchUnavailable(f"Meilisearch answered {resp.status_code} to {method} {path}")
        data = resp.json() if resp.content else {}
        if resp.status_code >= 400:
            code = (
                data.get("code", resp.status_code) if isinstance(data, dict) else resp.status_code
            )
            message = data.get("message", resp.text) if isinstance(data, dict) else resp.text
            raise SearchError(f"Meilisearch refused {method} {path}: {code}: {message}")
        return data

    def _wait(self, task: dict, *, ignore: tuple[str, ...] = ()) -> dict:
        """Wait for a task to finish; raise `SearchError` when it failed."""
        uid = task["taskUid"]
        deadline = time.monotonic() + self.task_timeout
        delay = 0.005
        while True:
            info = self._request("GET", f"/tasks/{uid}")
            status = info.get("status")
            if status == "succeeded":
                return info
            if status in ("failed", "canceled"):
                error = info.get("error") or {}
                if error.get("code") in ignore:
                    return info
                raise SearchError(
                    f"Meilisearch task {uid} ({info.get('type')}) {status}: "
                    f"{error.get('code', 'unknown')}: {error.get('message', '')}"
                )
            if time.monotonic() > deadline:
                raise SearchUnavailable(f"Meilisearch task {uid} did not finish in time")
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _ensure_index(self, uid: str) -> None:
        try:
            self._request("GET", f"/indexes/{uid}")
        except SearchError as exc:
            if isinstance(exc, SearchUnavailable) or "index_not_found" not in str(exc):
                raise
            task = self._request("POST", "/indexes", {"uid": uid, "primaryKey": "id"})
            self._wait(task, ignore=("index_already_exists",))

    # -- protocol --------------------------------------------------------------------------------

    def configure(self, schema: IndexSchema, synonyms: list[list[str]]) -> None:
        """Create the index if needed and apply the settings derived from the schema."""
        self._schema, self._synonyms = schema, [list(g) for g in synonyms]
        self._ensure_index(self.index)
        self._apply_settings(self.index)

    def _apply_settings(self, uid: str) -> None:
        assert self._schema is not None
        payload = settings_payload(self._schema, self._synonyms)
        self._wait(self._request("PATCH", f"/indexes/{uid}/settings", payload))

    def upsert(self, documents: list[dict]) -> None:
        """Add or replace documents, waiting until they are indexed."""
        self._add(self.index, documents)

    def _add(self, uid: str, documents: Iterable[dict]) -> int:
        tasks, count = [], 0
        iterator = iter(documents)
        while batch := list(islice(iterator, BATCH)):
            for doc in batch:
                if not isinstance(doc, dict) or doc.get("id") in (None, ""):
                    raise SearchError("every document needs a non-empty 'id'")
            path = f"/indexes/{uid}/documents"
            batch = [_clean(doc) for doc in batch]
            tasks.append(self._request("POST", path, batch, primaryKey="id"))
            count += len(batch)
        for task in tasks:
            self._wait(task)
        return count

    def delete(self, ids: list[str]) -> None:
        """Remove documents by id, waiting until they are gone; unknown ids are ignored."""
        if ids:
            path = f"/indexes/{self.index}/documents/delete-batch"
            task = self._request("POST", path, [str(i) for i in ids])
            self._wait(task, ignore=("index_not_found",))

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Fill a fresh index, swap it with the live one, drop the old one; return its size."""
        if self._schema is None:
            raise SearchError("the index is not configured: call configure() first")
        fresh = f"{self.index}_{time.time_ns() // 1_000_000}"
        self._wait(self._request("POST", "/indexes", {"uid": fresh, "primaryKey": "id"}))
        try:
            self._apply_settings(fresh)
            self._add(fresh, documents)
            self._ensure_index(self.index)
            swap = [{"indexes": [self.index, fresh]}]
            self._wait(self._request("POST", "/swap-indexes", swap))
        except BaseException:
            self._drop(fresh)
            raise
        self._drop(fresh)  # after the swap it holds the old documents
        return self.count()

    def _drop(self, uid: str) -> None:
        try:
            self._wait(self._request("DELETE", f"/indexes/{uid}"), ignore=("index_not_found",))
        except SearchError:
            pass  # a left-over index wastes space but breaks nothing

    def count(self) -> int:
        """Return the number of documents in the live index."""
        try:
            return int(self._request("GET", f"/indexes/{self.index}/stats")["numberOfDocuments"])
        except SearchError as exc:
            if "index_not_found" in str(exc):
                return 0
            raise

    def health(self) -> bool:
        """Return whether Meilisearch answers and says it is available."""
        try:
            return self._request("GET", "/health").get("status") == "available"
        except SearchError:
            return False

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def search(self, query: SearchQuery) -> SearchResult:
        """Run the query and its disjunctive facet queries in one multi-search request."""
        if self._schema is None:
            raise SearchError("the index is not configured: call configure() first")
        schema = self._schema
        validate_query(schema, query)
        requests = search_requests(self.index, schema, query)
        results = self._request("POST", "/multi-search", {"queries": requests})["results"]
        main = results[0]
        facets: dict[str, dict[str, int]] = {}
        extra = iter(results[1:])
        active = active_fields(query)
        for name in dict.fromkeys(query.facets):
            source = next(extra) if name in active else main
            facets[name] = order_facets(dict((source.get("facetDistribution") or {}).get(name, {})))
        hits = [_hit(raw, schema) for raw in main.get("hits", [])]
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
