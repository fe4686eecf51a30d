"""The Meilisearch adapter: the `SearchBackend` protocol over meilisearch-python-sdk's sync Client.

The SDK sends the index look-ups, settings, document writes and deletes, task polls, the swap,
stats and health. Two requests go through the SDK's low-level HTTP helper instead, because its
high-level call would change them: creating an index (`Client.create_index` waits on its own and
returns normally when the creation task failed) and the multi-search (`SearchParams` sends
`limit`, `offset` and every other default beside `page`/`hitsPerPage`, not the documented body).
Writes wait for their task, so a returned call means the change is searchable (and a failed task
surfaces as `SearchError`, which keeps the outbox rows for a retry).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice

import httpx2  # the SDK's HTTP library (pydantic's continuation of httpx)
from meilisearch_python_sdk import Client
from meilisearch_python_sdk._http_requests import HttpRequests
from meilisearch_python_sdk.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
)
from meilisearch_python_sdk.json_handler import BuiltinHandler
from meilisearch_python_sdk.models.settings import MeilisearchSettings
from meilisearch_python_sdk.models.task import TaskInfo, TaskResult
from pydantic import ValidationError

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


def _sdk_client(
    url: str, key: str | None, timeout: httpx2.Timeout, transport: httpx2.BaseTransport | None
) -> Client:
    # The SDK forwards `timeout` to httpx2 as is, so a Timeout object keeps connects short; the
    # stdlib JSON handler keeps the encoding the same whether or not orjson is installed.
    client = Client(url, key, timeout=timeout, json_handler=BuiltinHandler())  # type: ignore[arg-type]
    if transport is not None:
        # The SDK builds its httpx2 client itself and takes no transport: swap in one that uses
        # the given transport (the tests' fake Meilisearch) with the same headers.
        headers = client.http_client.headers
        client.http_client.close()
        client.http_client = httpx2.Client(
            base_url=url, headers=headers, timeout=timeout, transport=transport
        )
        client._http_requests = HttpRequests(client.http_client, json_handler=client.json_handler)
    return client


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
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.index = index
        self.task_timeout = task_timeout
        limits = httpx2.Timeout(timeout, connect=min(timeout, 3.0))
        self._client = _sdk_client(self.url, key, limits, transport)
        # The SDK's low-level helper, for the two requests its high-level calls would change.
        self._raw = HttpRequests(self._client.http_client, json_handler=self._client.json_handler)
        self._schema: IndexSchema | None = None
        self._synonyms: list[list[str]] = []

    # -- SDK plumbing ----------------------------------------------------------------------------

    @contextmanager
    def _sdk(self, what: str) -> Iterator[None]:
        """Turn the SDK's errors for the request `what` into `SearchError`/`SearchUnavailable`."""
        try:
            yield
        except MeilisearchApiError as exc:
            if exc.status_code >= 500 or exc.status_code == 429:
                raise SearchUnavailable(
                    f"Meilisearch answered {exc.status_code} to {what}"
                ) from exc
            message = exc.message.removeprefix("Error message: ")
            raise _Refused(
                f"Meilisearch refused {what}: {exc.code or exc.status_code}: {message}", exc.code
            ) from exc
        except httpx2.HTTPStatusError as exc:  # an error answer without JSON (a proxy's page)
            status = exc.response.status_code
            if status >= 500 or status == 429:
                raise SearchUnavailable(f"Meilisearch answered {status} to {what}") from exc
            raise _Refused(
                f"Meilisearch refused {what}: {status}: {exc.response.text}", ""
            ) from exc
        except MeilisearchError as exc:
            # A refused connection arrives as MeilisearchCommunicationError, other transport
            # failures (a read timeout) as a plain MeilisearchError caused by httpx2's error.
            if isinstance(exc, MeilisearchCommunicationError) or isinstance(
                exc.__cause__, httpx2.TransportError
            ):
                raise SearchUnavailable(
                    f"Meilisearch at {self.url} is unreachable: {exc.message}"
                ) from exc
            raise SearchError(f"Meilisearch failed {what}: {exc.message}") from exc
        except ValidationError as exc:
            raise SearchError(f"Meilisearch sent an unexpected answer to {what}") from exc

    def _wait(self, task: TaskInfo, *, ignore: tuple[str, ...] = ()) -> TaskResult:
        """Wait for a task to finish; raise `SearchError` when it failed."""
        # Not `Client.wait_for_task`: it polls at a fixed interval, never treats a canceled task
        # as finished, and reports a failure without Meilisearch's error code and message.
        uid = task.task_uid
        deadline = time.monotonic() + self.task_timeout
        delay = 0.005
        while True:
            with self._sdk(f"GET /tasks/{uid}"):
                info = self._client.get_task(uid)
            if info.status == "succeeded":
                return info
            if info.status in ("failed", "canceled"):
                error = info.error or {}
                if error.get("code") in ignore:
                    return info
                raise SearchError(
                    f"Meilisearch task {uid} ({info.task_type}) {info.status}: "
                    f"{error.get('code', 'unknown')}: {error.get('message', '')}"
                )
            if time.monotonic() > deadline:
                raise SearchUnavailable(f"Meilisearch task {uid} did not finish in time")
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _create(self, uid: str) -> TaskInfo:
        """Ask for a new index; the caller waits for the task and decides which failure is fine."""
        with self._sdk("POST /indexes"):
            response = self._raw.post("indexes", {"uid": uid, "primaryKey": "id"})
            return TaskInfo(**self._raw.parse_json(response))

    def _ensure_index(self, uid: str) -> None:
        try:
            with self._sdk(f"GET /indexes/{uid}"):
                self._client.get_index(uid)
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
        with self._sdk(f"PATCH /indexes/{uid}/settings"):
            # Sent without its unset (None) fields, so the body is exactly `payload`.
            task = self._client.index(uid).update_settings(MeilisearchSettings(**payload))
        self._wait(task)

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
            with self._sdk(f"POST /indexes/{uid}/documents"):
                tasks.append(index.add_documents(batch, primary_key="id"))
            count += len(batch)
        for task in tasks:
            self._wait(task)
        return count

    def delete(self, ids: list[str]) -> None:
        """Remove documents by id, waiting until they are gone; unknown ids are ignored."""
        if ids:
            with self._sdk(f"POST /indexes/{self.index}/documents/delete-batch"):
                task = self._client.index(self.index).delete_documents([str(i) for i in ids])
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
            with self._sdk("POST /swap-indexes"):
                swap = self._client.swap_indexes([(self.index, fresh)])
            self._wait(swap)
        except BaseException:
            self._drop(fresh)
            raise
        self._drop(fresh)  # after the swap it holds the old documents
        return self.count()

    def _drop(self, uid: str) -> None:
        try:
            with self._sdk(f"DELETE /indexes/{uid}"):
                task = self._client.index(uid).delete()
            self._wait(task, ignore=("index_not_found",))
        except SearchError:
            pass  # a left-over index wastes space but breaks nothing

    def count(self) -> int:
        """Return the number of documents in the live index."""
        try:
            with self._sdk(f"GET /indexes/{self.index}/stats"):
                return self._client.index(self.index).get_stats().number_of_documents
        except _Refused as exc:
            if exc.code == "index_not_found":
                return 0
            raise

    def health(self) -> bool:
        """Return whether Meilisearch answers and says it is available."""
        try:
            with self._sdk("GET /health"):
                return self._client.health().status == "available"
        except SearchError:
            return False

    def reset(self) -> None:
        """Drop the live index: searches refuse (`IndexCorrupt`) until `rebuild()` swaps one in."""
        self._drop(self.index)

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
        try:
            with self._sdk("POST /multi-search"):
                response = self._raw.post("multi-search", {"queries": requests})
                results = self._raw.parse_json(response)["results"]
        except _Refused as exc:
            if exc.code == "index_not_found":
                raise IndexCorrupt(f"the Meilisearch index {self.index!r} is missing") from exc
            raise
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
