"""The search protocol: an index schema, a query, a result, and the interface every engine meets."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class SearchError(Exception):
    """The engine refused or failed an operation."""


class SearchUnavailable(SearchError):
    """The engine cannot be reached (network failure, server down or overloaded)."""


class IndexCorrupt(SearchError):
    """The engine's stored index cannot be opened or read (damaged, unreadable or missing).

    Raised by any method but never by an engine's constructor, so that the app starts and repairs
    it: `reset()` discards the stored index and `rebuild()` fills it again from the database.
    """


class InvalidQuery(SearchError, ValueError):
    """The query names a field the schema does not declare for that use, or a bad value."""


@dataclass(frozen=True)
class IndexSchema:
    """Which document fields are searched, highlighted, filtered, faceted and sorted."""

    name: str
    searchable: tuple[str, ...]
    highlight: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.searchable:
            raise ValueError("an index needs at least one searchable field")
        names = (*self.searchable, *self.highlight, *self.keywords, *self.numbers, *self.booleans)
        for name in (self.name, *names):
            # Field names end up in SQL column lists and Meilisearch filter expressions.
            if not _FIELD_NAME.match(name) or name == "id":
                raise ValueError(f"invalid field or index name: {name!r}")
        typed = (*self.keywords, *self.numbers, *self.booleans)
        if len(set(typed)) != len(typed):
            raise ValueError("a field can be a keyword, a number or a boolean, not several")

    @property
    def sortable(self) -> tuple[str, ...]:
        return (*self.numbers, *self.keywords)

    @property
    def facetable(self) -> tuple[str, ...]:
        return (*self.keywords, *self.numbers, *self.booleans)


@dataclass
class SearchQuery:
    """One search: text, filters (OR inside a field, AND across fields), facets, sort and page."""

    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    booleans: dict[str, bool] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    sort: tuple[tuple[str, str], ...] = ()
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class Hit:
    """One matching document with its HTML-safe highlights."""

    id: str
    document: dict
    highlight: dict[str, str]


@dataclass
class SearchResult:
    """One page of hits, the exact total, disjunctive facet counts and a typo correction."""

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None


@runtime_checkable
class SearchBackend(Protocol):
    """What every search engine offers the domains."""

    def configure(self, schema: IndexSchema, synonyms: list[list[str]]) -> None: ...

    def upsert(self, documents: list[dict]) -> None: ...

    def delete(self, ids: list[str]) -> None: ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def rebuild(self, documents: Iterable[dict]) -> int: ...

    def count(self) -> int: ...

    def health(self) -> bool: ...

    def reset(self) -> str | None:
        """Discard the stored index after `IndexCorrupt`; searches refuse (`IndexCorrupt`) until
        the next `rebuild()` completes. An engine with files keeps the damaged copy and returns
        where it went. Backends of other processes on the same index notice the reset."""
        ...

    def close(self) -> None: ...


MAX_PER_PAGE = 1000
MAX_PAGE = 10_000


def validate_query(schema: IndexSchema, query: SearchQuery) -> None:
    """Raise `InvalidQuery` when the query uses a field or value the schema does not allow."""
    if query.page < 1 or query.page > MAX_PAGE:
        raise InvalidQuery(f"page must be between 1 and {MAX_PAGE}")
    if query.per_page < 0 or query.per_page > MAX_PER_PAGE:
        raise InvalidQuery(f"per_page must be between 0 and {MAX_PER_PAGE}")
    for name in query.filters:
        if name not in schema.keywords:
            raise InvalidQuery(f"{name!r} is not a keyword field")
    for name, bounds in query.ranges.items():
        if name not in schema.numbers:
            raise InvalidQuery(f"{name!r} is not a number field")
        if len(bounds) != 2:
            raise InvalidQuery(f"range of {name!r} needs (low, high)")
        for bound in bounds:
            ok = bound is None or (isinstance(bound, int | float) and not isinstance(bound, bool))
            if not ok or (bound is not None and not math.isfinite(bound)):
                raise InvalidQuery(f"range of {name!r} needs finite numbers or None")
    for name in query.booleans:
        if name not in schema.booleans:
            raise InvalidQuery(f"{name!r} is not a boolean field")
    for name in query.facets:
        if name not in schema.facetable:
            raise InvalidQuery(f"{name!r} cannot be a facet")
    for name, direction in query.sort:
        if name not in schema.sortable:
            raise InvalidQuery(f"{name!r} is not sortable")
        if direction not in ("asc", "desc"):
            raise InvalidQuery(f"sort direction must be asc or desc, not {direction!r}")


def facet_key(value: object) -> str:
    """Return a value's facet key: `str(int)` for whole numbers, `true`/`false` for booleans."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def order_facets(counts: dict[str, int]) -> dict[str, int]:
    """Order facet counts the same way for every engine: most frequent first, then by value."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
