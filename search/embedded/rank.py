"""Meilisearch-like relevance: a lazy bucket sort over match sets, exact on a bounded pool.

The rules, in order: words matched (leading query words, the `last` matching strategy), typos,
proximity of consecutive query words, best field (`searchable` order), exactness, then BM25 with
field weights 2^(fields-1) ... 1, then document id.

Why two levels. Computing every rule for every match costs too much when a word such as "rubber"
is in most of 100,000 documents (FTS5's own bm25() over them takes ~90 ms here). So:

1. Set level, cheap at any size. Rules that only ask "does the document match X" split a bucket
   with whole match sets (`search.embedded.sets`): words (unit 1 ∩ … ∩ unit k, for k = n … 1)
   and typos (each word's typo-free and one-typo alternatives, by set algebra). Buckets are only
   split while they overlap the requested page; buckets before it are only counted.
2. Document level, exact. A bucket of at most `POOL` documents is ranked in Python on the folded
   tokens stored in FTS5: every rule is computed per document (positions give proximity, fields
   give the best field, whole-word matches give exactness) and BM25 is computed from the same
   tokens (document frequencies from the match sets, average length over the ranked documents).
   A larger bucket is first ordered by its best matching field (one `c<i> : term` set per field),
   newest first inside a field; its first `POOL` documents are ranked exactly, the rest keep that
   order.

So the order is exact whenever every words/typo bucket holds at most `POOL` documents (a
knowledge base of a few hundred cases); beyond that, proximity, exactness and BM25 decide among
the `POOL` documents matching in the best fields. Pages stay consistent: the order does not depend
on which page is asked for.
"""

from __future__ import annotations

import heapq
import json
import math
import sqlite3
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator

from search.embedded.query import Unit
from search.embedded.sets import MatchSets

POOL = 200
PROXIMITY_CAP = 8  # Meilisearch stops counting distance beyond 7 words
BM25_K1, BM25_B = 1.2, 0.75

Occurrence = tuple[int, int, int, int, bool]  # column, start, end, typos, exact


def take_window(
    groups: Iterable[tuple[int, object]],
    skip: int,
    take: int,
    order: Callable[[object, int, int], list[int]],
) -> list[int]:
    """Return items [skip, skip + take) of consecutive groups; only groups in it get ordered."""
    out: list[int] = []
    for size, group in groups:
        if take <= 0:
            break
        if size <= skip:
            skip -= size
            continue
        part = order(group, skip, take)
        out.extend(part)
        take -= len(part)
        skip = 0
    return out


class Matcher:
    """Finds where each query unit occurs in a document's folded tokens."""

    def __init__(self, units: list[Unit]) -> None:
        self.n = len(units)
        self.single: dict[str, list[tuple[int, int, bool]]] = {}
        self.prefixes: list[tuple[str, int, int]] = []
        self.phrases: dict[str, list[tuple[tuple[str, ...], int, int]]] = {}
        for u, unit in enumerate(units):
            word = unit.words[0] if len(unit.words) == 1 else None
            for alt in unit.alts:
                if len(alt.tokens) > 1:
                    self.phrases.setdefault(alt.tokens[0], []).append((alt.tokens, u, alt.typos))
                elif alt.terms is not None:
                    for term in alt.terms:
                        exact = alt.typos == 0 and term == word
                        self.single.setdefault(term, []).append((u, alt.typos, exact))
                elif alt.prefix:
                    self.prefixes.append((alt.tokens[0], u, alt.typos))
                else:
                    self.single.setdefault(alt.tokens[0], []).append((u, alt.typos, alt.typos == 0))
        self.firsts = set(self.single) | set(self.phrases)
        self.prefix_tuple = tuple(p for p, _, _ in self.prefixes)

    def marked(self, toks: list[str]) -> set[int]:
        """Return the positions of folded tokens to highlight: matched words and whole phrases."""
        out: set[int] = set()
        pt = self.prefix_tuple
        for i, t in enumerate(toks):
            if t in self.single or (pt and t.startswith(pt)):
                out.add(i)
            for phrase, _, _ in self.phrases.get(t, ()):
                if tuple(toks[i : i + len(phrase)]) == phrase:
                    out.update(range(i, i + len(phrase)))
        return out

    def occurrences(self, columns: Iterable[str]) -> tuple[dict[int, list[Occurrence]], int]:
        """Return each unit's occurrences and the document's length in tokens."""
        occ: dict[int, list[Occurrence]] = {}
        firsts, pt, length = self.firsts, self.prefix_tuple, 0
        for c, text in enumerate(columns):
            toks = (text or "").split()
            length += len(toks)
            if pt:
                hits = [i for i, t in enumerate(toks) if t in firsts or t.startswith(pt)]
            else:
                hits = [i for i, t in enumerate(toks) if t in firsts]
            for i in hits:
                t = toks[i]
                for u, typos, exact in self.single.get(t, ()):
                    occ.setdefault(u, []).append((c, i, i, typos, exact))
                for p, u, typos in self.prefixes:
                    if t.startswith(p):
                        occ.setdefault(u, []).append((c, i, i, typos, typos == 0 and t == p))
                for phrase, u, typos in self.phrases.get(t, ()):
                    if tuple(toks[i : i + len(phrase)]) == phrase:
                        end = i + len(phrase) - 1
                        occ.setdefault(u, []).append((c, i, end, typos, typos == 0))
        return occ, length

    def key(self, occ: dict[int, list[Occurrence]], width: int) -> tuple[int, ...]:
        """Return the document's rank key from its occurrences: lower is better."""
        k = 0
        while k < self.n and k in occ:
            k += 1
        if k == 0:
            return (0, 0, 0, width, width, 0)
        typos = sum(min(o[3] for o in occ[u]) for u in range(k))
        proximity = sum(_distance(occ[u], occ[u + 1]) for u in range(k - 1))
        best = [min(o[0] for o in occ[u]) for u in range(k)]
        exact = sum(1 for u in range(k) if any(o[4] for o in occ[u]))
        return (-k, typos, proximity, min(best), sum(best), -exact)


def _distance(first: list[Occurrence], second: list[Occurrence]) -> int:
    """Return the least word distance from `first` to `second` in a field (reversed: +1)."""
    by_column: dict[int, list[tuple[int, int]]] = {}
    for c, start, end, _, _ in second:
        by_column.setdefault(c, []).append((start, end))
    for spans in by_column.values():
        spans.sort()
    best = PROXIMITY_CAP
    for c, start, end, _, _ in first:
        spans = by_column.get(c)
        if not spans:
            continue
        j = bisect_right(spans, (end, 1 << 30))
        for s2, e2 in spans[max(0, j - 2) : j + 1]:
            if s2 > end:
                d = s2 - end
            elif e2 < start:
                d = start - e2 + 1
            else:
                d = 1
            best = min(best, d)
        if best == 1:
            break
    return best


class Ranker:
    """Orders one search's matches."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        gen: int,
        units: list[Unit],
        sets: MatchSets,
        ids: list[str | None],
        width: int,
        size: int,
    ) -> None:
        self.conn, self.gen, self.units, self.sets = conn, gen, units, sets
        self.ids, self.width, self.size = ids, width, size
        self.matcher = Matcher(units)
        self.weights = [2 ** (width - 1 - c) for c in range(width)]

    def window(self, items: list[int], skip: int, take: int) -> list[int]:
        """Return the ranked items [skip, skip + take)."""
        if len(items) <= POOL:
            return self.exact(items)[skip : skip + take]
        buckets = ((len(b), (b, k, t)) for b, k, t in self._buckets(set(items)))
        return take_window(buckets, skip, take, self._order_bucket)

    def _buckets(self, items: set[int]) -> Iterator[tuple[set[int], int, int]]:
        by_words: list[tuple[set[int], int]] = []
        matched = items
        for k in range(2, len(self.units) + 1):
            deeper = matched & self.sets.unit(self.units[k - 1])
            by_words.append((matched - deeper, k - 1))
            matched = deeper
        by_words.append((matched, len(self.units)))
        for bucket, k in reversed(by_words):
            if bucket:
                yield from self._typo_buckets(bucket, k)

    def _typo_buckets(self, bucket: set[int], k: int) -> Iterator[tuple[set[int], int, int]]:
        cells: dict[int, set[int]] = {0: bucket}
        for unit in self.units[:k]:
            if max(a.typos for a in unit.alts) == 0:
                continue
            zero, one = self.sets.unit(unit, 0), self.sets.unit(unit, 1)
            split: dict[int, set[int]] = {}
            for typos, cell in cells.items():
                exact = cell & zero
                rest = cell - exact
                near = rest & one
                for cost, part in ((0, exact), (1, near), (2, rest - near)):
                    if part:
                        split.setdefault(typos + cost, set()).update(part)
            cells = split
        for typos in sorted(cells):
            yield cells[typos], k, typos

    def _order_bucket(self, payload: object, skip: int, take: int) -> list[int]:
        bucket, k, typos = payload  # type: ignore[misc]
        if len(bucket) <= POOL:
            return self.exact(sorted(bucket))[skip : skip + take]
        # Best matching field first, newest first inside a field; only what the page needs.
        need = max(POOL, skip + take)
        order: list[int] = []
        remaining = bucket
        units = self.units[:k]
        level = 0 if typos == 0 else 2  # a typo-free bucket matched through typo-free terms
        # Every document of the bucket matches in some field, so the last field holds the rest.
        for column in range(self.width - 1):
            in_column = set().union(*(self.sets.unit(u, level, column) for u in units))
            part = remaining & in_column
            remaining = remaining - part
            if len(order) + len(part) >= need:
                order.extend(heapq.nlargest(need - len(order), part))
                break
            order.extend(sorted(part, reverse=True))
        else:
            order.extend(heapq.nlargest(need - len(order), remaining))
        ranked = self.exact(order[:POOL]) + order[POOL:]
        return ranked[skip : skip + take]

    def exact(self, items: list[int]) -> list[int]:
        """Rank items by every rule, then BM25, then id."""
        if len(items) <= 1:
            return list(items)
        cols = ", ".join(f"c{i}" for i in range(self.width))
        rows = self.conn.execute(
            f"SELECT rowid, {cols} FROM fts_{self.gen} WHERE rowid IN"
            " (SELECT value FROM json_each(?))",
            (json.dumps(items),),
        ).fetchall()
        found = {row[0]: self.matcher.occurrences(row[1:]) for row in rows}
        keys = {r: self.matcher.key(occ, self.width) for r, (occ, _) in found.items()}
        scores = self._bm25(found)
        ids, worst = self.ids, (1,)
        return sorted(items, key=lambda r: (keys.get(r, worst), -scores.get(r, 0.0), ids[r] or ""))

    def _bm25(self, found: dict[int, tuple[dict[int, list[Occurrence]], int]]) -> dict[int, float]:
        """Return BM25 scores (higher is better) with field weights, as FTS5 computes them."""
        if not found:
            return {}
        idf = []
        for unit in self.units:
            n = len(self.sets.unit(unit))
            idf.append(max(math.log((self.size - n + 0.5) / (n + 0.5)), 1e-6))
        average = sum(length for _, length in found.values()) / len(found) or 1.0
        scores = {}
        for rowid, (occ, length) in found.items():
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
            score = 0.0
            for u, hits in occ.items():
                tf = sum(self.weights[o[0]] for o in hits)
                score += idf[u] * tf * (BM25_K1 + 1) / (tf + norm)
            scores[rowid] = score
        return scores
