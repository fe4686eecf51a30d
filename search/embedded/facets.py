"""Filters, disjunctive facet counts and field sorts over a snapshot's bitmaps and columns."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterator

from search.backend import SearchQuery, facet_key, order_facets
from search.embedded.snapshot import Snapshot, from_bitmap, to_bitmap


def _masks(snap: Snapshot, query: SearchQuery) -> dict[str, int]:
    """Return one bitmap per filtered field: the rows its filter lets through."""
    out: dict[str, int] = {}
    width = snap.width
    for name, values in query.filters.items():
        if not values:
            continue  # an empty choice restricts nothing, as with Meilisearch
        wanted = {str(v).casefold() for v in values}  # Meilisearch compares strings this way
        maps = snap.bitmaps(name)
        if maps is not None:
            out[name] = _union(m for key, m in maps.items() if key.casefold() in wanted)
        else:
            column = snap.keywords[name]
            rows = (r for r, vs in enumerate(column) if any(v.casefold() in wanted for v in vs))
            out[name] = to_bitmap(rows, width)
    for name, (low, high) in query.ranges.items():
        if low is None and high is None:
            continue
        lo = float("-inf") if low is None else low
        hi = float("inf") if high is None else high
        maps = snap.bitmaps(name)
        if maps is not None:
            out[name] = _union(m for key, m in maps.items() if lo <= float(key) <= hi)
        else:
            column = snap.numbers[name]
            rows = (r for r, v in enumerate(column) if v is not None and lo <= v <= hi)
            out[name] = to_bitmap(rows, width)
    for name, wanted in query.booleans.items():
        out[name] = (snap.bitmaps(name) or {}).get(facet_key(bool(wanted)), 0)
    return out


def _union(bitmaps: Iterator[int]) -> int:
    out = 0
    for bitmap in bitmaps:
        out |= bitmap
    return out


def filter_and_count(
    snap: Snapshot, query: SearchQuery, universe: list[int] | None
) -> tuple[list[int], dict[str, dict[str, int]]]:
    """Return the matches passing every filter, and the disjunctive facet counts.

    `universe` is the text's matches (None: every document). Each facet is counted with every
    filter except its own, so choosing a value does not hide its alternatives.
    """
    if universe is None:
        rows, everything = snap.live()
    else:
        rows, everything = universe, to_bitmap(universe, snap.width)
    masks = _masks(snap, query)
    matched = everything
    for mask in masks.values():
        matched &= mask
    matched_rows = rows if not masks else from_bitmap(matched, snap.width)
    facets: dict[str, dict[str, int]] = {}
    for name in dict.fromkeys(query.facets):
        base = matched
        if name in masks:
            base = everything
            for other, mask in masks.items():
                if other != name:
                    base &= mask
        facets[name] = order_facets(_count(snap, name, base))
    return matched_rows, facets


def _count(snap: Snapshot, name: str, base: int) -> dict[str, int]:
    maps = snap.bitmaps(name)
    if maps is not None:
        counts = {key: (base & bitmap).bit_count() for key, bitmap in maps.items()}
        return {key: n for key, n in counts.items() if n}
    column = snap.column(name)
    rows = from_bitmap(base, snap.width)
    if name in snap.keywords:
        raw = Counter(item for r in rows for item in column[r])
    else:
        raw = Counter(facet_key(column[r]) for r in rows if column[r] is not None)
    return dict(raw)


def sort_groups(
    snap: Snapshot, sort: tuple[tuple[str, str], ...], rows: list[int], need: int
) -> Iterator[list[int]]:
    """Yield rows grouped by equal sort values, best group first (missing values last).

    Only the groups holding the first `need` rows are yielded, so sorting a large match set for
    page one costs a selection, not a full sort.
    """
    columns = []
    for name, direction in sort:
        sign = -1 if direction == "desc" else 1
        if name in snap.numbers:
            col = snap.numbers[name]
            columns.append([(1, 0.0) if col[r] is None else (0, sign * col[r]) for r in rows])
        else:
            col = snap.keywords[name]
            firsts = [col[r][0] if col[r] else None for r in rows]
            ranks = {v: i for i, v in enumerate(sorted({v for v in firsts if v is not None}))}
            columns.append([(1, 0) if v is None else (0, sign * ranks[v]) for v in firsts])
    keys = list(zip(*columns, strict=True))
    if 0 < need < len(rows) // 4:
        threshold = heapq.nsmallest(need, keys)[-1]
        pairs = [(k, r) for k, r in zip(keys, rows, strict=True) if k <= threshold]
    else:
        pairs = list(zip(keys, rows, strict=True))
    groups: dict[tuple, list[int]] = {}
    for key, row in pairs:
        groups.setdefault(key, []).append(row)
    for key in sorted(groups):
        yield groups[key]
