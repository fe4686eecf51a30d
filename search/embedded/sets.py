"""Rowid sets of query alternatives, fetched from FTS5 once per search and combined in Python.

A unit's documents (any field) are fetched with one FTS5 OR of its alternatives per typo level:
a synonym group expands a word to dozens of terms, most of them in thousands of documents, and
one OR query returns their union 2-4 times faster than a query per term plus Python's unions
(and without holding dozens of large sets per search). Within one field (`c<i> : ...`) the
opposite holds, so field sets are built from per-term sets.

Fetched sets are also kept, packed as arrays, for later searches of the same index version:
paging, toggling a facet or sorting repeats the words of the previous request, and a synonym
phrase over common words costs FTS5 over 100 ms at 100,000 documents, unpacking 3 ms.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from array import array
from collections import OrderedDict

from search.embedded.query import Alt, Unit

CACHE_BYTES = 16 << 20


class SetCache:
    """Recently fetched match sets of one index version, packed, least recently used dropped."""

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self.budget = budget
        self._version: tuple[int, int] | None = None
        self._sets: OrderedDict[str, array] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, version: tuple[int, int], expr: str) -> set[int] | None:
        with self._lock:
            packed = self._sets.get(expr) if version == self._version else None
            if packed is None:
                return None
            self._sets.move_to_end(expr)
        return set(packed)

    def put(self, version: tuple[int, int], expr: str, rows: set[int]) -> None:
        packed = array("i" if max(rows, default=0) < 2**31 else "q", rows)
        size = packed.itemsize * len(packed) + len(expr)
        if size > self.budget // 8:
            return
        with self._lock:
            if self._version is None or version > self._version:
                self._version, self._bytes = version, 0
                self._sets.clear()
            elif version != self._version or expr in self._sets:
                return  # an older snapshot's search: its sets are out of date
            self._sets[expr] = packed
            self._bytes += size
            while self._bytes > self.budget:
                old_expr, old = self._sets.popitem(last=False)
                self._bytes -= old.itemsize * len(old) + len(old_expr)


class MatchSets:
    """Caches the documents matching each term, alternative and unit of one search."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        gen: int,
        version: int = 0,
        cache: SetCache | None = None,
    ) -> None:
        self.conn, self.gen, self.cache = conn, gen, cache
        self.version = (gen, version)
        self._fetched: dict[str, set[int]] = {}
        self._units: dict[tuple[int, int, int | None], set[int]] = {}

    def fetch(self, expr: str) -> set[int]:
        """Return the rowids matching an FTS5 expression (built from quoted tokens only)."""
        found = self._fetched.get(expr)
        if found is None and self.cache is not None:
            found = self.cache.get(self.version, expr)
        if found is None:
            sql = f"SELECT json_group_array(rowid) FROM fts_{self.gen} WHERE fts_{self.gen} MATCH ?"
            found = set(json.loads(self.conn.execute(sql, (expr,)).fetchone()[0]))
            if self.cache is not None:
                self.cache.put(self.version, expr, found)
        self._fetched[expr] = found
        return found

    def alt(self, alt: Alt, column: int | None = None) -> set[int]:
        scope = "" if column is None else f"c{column} : "
        if alt.terms is not None:
            parts = [self.fetch(scope + Alt((term,)).fts()) for term in alt.terms]
            return set().union(*parts)
        return self.fetch(scope + alt.fts())

    def unit(self, unit: Unit, typos: int = 2, column: int | None = None) -> set[int]:
        """Return the documents where some alternative of the unit (within `typos`) occurs."""
        key = (id(unit), typos, column)
        found = self._units.get(key)
        if found is None:
            if column is None:
                parts = [self.fetch(e) for t in range(typos + 1) if (e := _any(unit, t))]
            else:
                parts = [self.alt(a, column) for a in unit.alts if a.typos <= typos]
            found = set().union(*parts)
            self._units[key] = found
        return found


def _any(unit: Unit, typos: int) -> str:
    """Return one FTS5 expression for the unit's alternatives costing exactly `typos`."""
    parts = []
    for alt in unit.alts:
        if alt.typos == typos:
            terms = alt.terms
            parts.extend([Alt((t,)).fts() for t in terms] if terms is not None else [alt.fts()])
    return " OR ".join(parts)
