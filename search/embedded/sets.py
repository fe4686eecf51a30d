"""Rowid sets of query alternatives, fetched from FTS5 once per search and combined in Python.

One exact term is the cheapest FTS5 query there is (about 1 ms for a term in 20,000 documents,
whatever its frequency), and Python's set algebra over the results is cheaper than FTS5's own
OR/AND over position lists, so every match set is built from per-term sets.
"""

from __future__ import annotations

import json
import sqlite3

from search.embedded.query import Alt, Unit


class MatchSets:
    """Caches the documents matching each term, alternative and unit of one search."""

    def __init__(self, conn: sqlite3.Connection, gen: int) -> None:
        self.conn, self.gen = conn, gen
        self._fetched: dict[str, set[int]] = {}
        self._units: dict[tuple[int, int, int | None], set[int]] = {}

    def fetch(self, expr: str) -> set[int]:
        """Return the rowids matching an FTS5 expression (built from quoted tokens only)."""
        found = self._fetched.get(expr)
        if found is None:
            sql = f"SELECT json_group_array(rowid) FROM fts_{self.gen} WHERE fts_{self.gen} MATCH ?"
            found = set(json.loads(self.conn.execute(sql, (expr,)).fetchone()[0]))
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
            parts = [self.alt(a, column) for a in unit.alts if a.typos <= typos]
            found = set().union(*parts)
            self._units[key] = found
        return found
