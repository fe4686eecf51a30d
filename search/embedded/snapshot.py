"""In-memory view of one index version: the filter, facet and sort values of every document.

Values are held as columns (lists indexed by rowid) and, for fields with few distinct values, as
one bitmap per value: a Python int with one byte per rowid. Filtering and counting a facet value
over 100,000 matches is then one AND and one `bit_count()` (microseconds) instead of a pass over
the rows (a `Counter` over 80,000 rows takes ~15 ms here). The snapshot is rebuilt from the file
only when another process changed the index; this process's own writes patch a copy
(copy-on-write, so concurrent searches keep a stable view): a few changes flip bits, a large
batch has its bitmaps rebuilt on first use.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import dataclass, field
from itertools import compress

from search.backend import IndexSchema, facet_key

LOAD_CHUNK = 10_000  # rows parsed at a time when a snapshot is loaded
MAX_BITMAP_VALUES = 256  # beyond this many distinct values a field is counted row by row


@dataclass
class Snapshot:
    """Filter, facet and sort values of every document, as lists indexed by rowid."""

    generation: int
    version: int
    schema: IndexSchema
    synonyms: list[list[str]]
    ids: list[str | None] = field(default_factory=list)
    keywords: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    numbers: dict[str, list[float | None]] = field(default_factory=dict)
    booleans: dict[str, list[bool | None]] = field(default_factory=dict)
    size: int = 0
    _bitmaps: dict[str, dict[str, int] | None] = field(default_factory=dict, repr=False)
    _live: tuple[list[int], int] | None = field(default=None, repr=False)
    _tuples: dict[tuple, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(
        cls,
        conn: sqlite3.Connection,
        gen: int,
        version: int,
        schema: IndexSchema,
        synonyms: list[list[str]],
    ) -> Snapshot:
        snap = cls(gen, version, schema, synonyms)
        top = conn.execute(f"SELECT max(rowid) FROM doc_{gen}").fetchone()[0] or 0
        snap._allocate(top + 1)
        # One JSON array parsed at once is several times faster than a json.loads per row; a
        # chunk of rows at a time keeps the peak memory (which the process keeps) low.
        sql = (
            f"SELECT json_group_array(json_array(rowid, id, json(attrs))) FROM doc_{gen} "
            "WHERE rowid BETWEEN ? AND ?"
        )
        for start in range(0, top + 1, LOAD_CHUNK):
            rows = conn.execute(sql, (start, start + LOAD_CHUNK - 1)).fetchone()[0]
            for rowid, doc_id, attrs in json.loads(rows or "[]"):
                snap._set(rowid, doc_id, attrs)
        return snap

    def _allocate(self, length: int) -> None:
        grow = length - len(self.ids)
        if grow <= 0:
            return
        self.ids.extend([None] * grow)
        for name in self.schema.keywords:
            self.keywords.setdefault(name, []).extend([()] * grow)
        for name in self.schema.numbers:
            self.numbers.setdefault(name, []).extend([None] * grow)
        for name in self.schema.booleans:
            self.booleans.setdefault(name, []).extend([None] * grow)

    def _set(self, rowid: int, doc_id: str | None, attrs: dict) -> None:
        if self.ids[rowid] is None and doc_id is not None:
            self.size += 1
        elif self.ids[rowid] is not None and doc_id is None:
            self.size -= 1
        self.ids[rowid] = doc_id
        for name in self.schema.keywords:
            self.keywords[name][rowid] = self._shared(attrs.get(name))
        for name in self.schema.numbers:
            self.numbers[name][rowid] = attrs.get(name)
        for name in self.schema.booleans:
            self.booleans[name][rowid] = attrs.get(name)

    def _shared(self, value: object) -> tuple[str, ...]:
        """Return the keyword values as a tuple shared by every document with the same values.

        A few hundred distinct tuples stand for 100,000 documents, instead of a tuple and its
        strings per document."""
        if not value:
            return ()
        key = tuple(value) if isinstance(value, list | tuple) else (value,)
        shared = self._tuples.get(key)
        if shared is None:
            shared = self._tuples[key] = tuple(sys.intern(str(v)) for v in key)
        return shared

    def patched(
        self, version: int, upserts: list[tuple[int, str, dict]], deletes: list[int]
    ) -> Snapshot:
        """Return a copy with documents changed and removed (the original stays as it was)."""
        new = Snapshot(
            self.generation,
            version,
            self.schema,
            self.synonyms,
            list(self.ids),
            {k: list(v) for k, v in self.keywords.items()},
            {k: list(v) for k, v in self.numbers.items()},
            {k: list(v) for k, v in self.booleans.items()},
            self.size,
        )
        new._tuples = self._tuples  # immutable tuples: safe to share between versions
        if upserts:
            new._allocate(max(rowid for rowid, _, _ in upserts) + 1)
        changes = [(rowid, doc_id, attrs) for rowid, doc_id, attrs in upserts]
        changes += [(rowid, None, {}) for rowid in deletes if rowid < len(new.ids)]
        # A few changes patch the bitmaps (each bit flip copies one int); many rebuild them later.
        patch = len(changes) <= 64
        bitmaps = {k: dict(v) for k, v in self._bitmaps.items() if v is not None} if patch else {}
        for rowid, doc_id, attrs in changes:
            before = {name: new._keys(name, rowid) for name in bitmaps}
            new._set(rowid, doc_id, attrs)
            for name, maps in bitmaps.items():
                after = new._keys(name, rowid)
                for key in before[name] - after:
                    maps[key] &= ~(1 << (8 * rowid))
                for key in after - before[name]:
                    maps[key] = maps.get(key, 0) | (1 << (8 * rowid))
        new._bitmaps = {k: v if len(v) <= MAX_BITMAP_VALUES else None for k, v in bitmaps.items()}
        return new

    def _keys(self, name: str, rowid: int) -> set[str]:
        value = self.column(name)[rowid]
        if value is None or self.ids[rowid] is None:
            return set()
        return {facet_key(v) for v in value} if name in self.keywords else {facet_key(value)}

    @property
    def width(self) -> int:
        """Return the number of bytes of a row bitmap (the rowid space)."""
        return len(self.ids)

    def live(self) -> tuple[list[int], int]:
        """Return every document's rowid, as a list and as a bitmap."""
        if self._live is None:
            rows = [rowid for rowid, doc_id in enumerate(self.ids) if doc_id is not None]
            self._live = (rows, to_bitmap(rows, self.width))
        return self._live

    def known(self, rowids: list[int]) -> list[int]:
        """Keep the rowids this snapshot knows (the file may be a write ahead of or behind it)."""
        ids, n = self.ids, len(self.ids)
        return [r for r in rowids if r < n and ids[r] is not None]

    def column(self, name: str) -> list:
        """Return a field's values by rowid: tuples for keywords, scalars otherwise."""
        if name in self.keywords:
            return self.keywords[name]
        return self.numbers.get(name) or self.booleans[name]

    def bitmaps(self, name: str) -> dict[str, int] | None:
        """Return each facet key's rows as a bitmap, or None when the field has too many values."""
        if name not in self._bitmaps:
            self._bitmaps[name] = self._build_bitmaps(name)
        return self._bitmaps[name]

    def _build_bitmaps(self, name: str) -> dict[str, int] | None:
        column, ids = self.column(name), self.ids
        rows: dict[object, list[int]] = {}
        if name in self.keywords:
            for rowid, values in enumerate(column):
                for item in values:
                    rows.setdefault(item, []).append(rowid)
        else:
            for rowid, value in enumerate(column):
                if value is not None:
                    rows.setdefault(value, []).append(rowid)
        keys: dict[str, list[int]] = {}
        for value, found in rows.items():
            keys.setdefault(facet_key(value), []).extend(r for r in found if ids[r] is not None)
        if len(keys) > MAX_BITMAP_VALUES:
            return None
        return {key: to_bitmap(found, self.width) for key, found in keys.items() if found}


def to_bitmap(rowids, width: int) -> int:
    """Return a bitmap (one byte per rowid) with the given rows set."""
    marks = bytearray(width)
    for rowid in rowids:
        marks[rowid] = 1
    return int.from_bytes(marks, "little")


def from_bitmap(bitmap: int, width: int) -> list[int]:
    """Return the rowids set in a bitmap."""
    return list(compress(range(width), bitmap.to_bytes(width, "little")))
