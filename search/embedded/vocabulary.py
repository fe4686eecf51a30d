"""The index's vocabulary, for typo tolerance, prefix expansion and suggestions."""

from __future__ import annotations

import sqlite3
import threading
from bisect import bisect_left, insort

from rapidfuzz import process
from rapidfuzz.distance import OSA


def allowed_typos(word: str) -> int:
    """Return Meilisearch's typo budget: 0 below 5 letters, 1 up to 8, 2 from 9."""
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


def typo_cost(word: str, candidate: str, distance: int) -> int:
    # Edit distance with adjacent swaps counting one, like Meilisearch's Levenshtein automaton,
    # which also counts a typo on the first letter as two.
    return distance + (1 if candidate[:1] != word[:1] else 0)


class Vocabulary:
    """Every indexed term with its document count, bucketed by length for typo look-ups."""

    def __init__(self, terms: dict[str, int]) -> None:
        self.df = terms
        self.by_length: dict[int, list[str]] = {}
        for term in terms:
            self.by_length.setdefault(len(term), []).append(term)
        self._prefixes: dict[int, dict[str, None]] = {}
        self._prefix_lists: dict[int, list[str]] = {}
        self._sorted: list[str] | None = None
        self._lock = threading.Lock()

    @classmethod
    def load(cls, conn: sqlite3.Connection, gen: int) -> Vocabulary:
        return cls(dict(conn.execute(f"SELECT term, doc FROM vocab_{gen}").fetchall()))

    def add(self, texts: list[str]) -> None:
        """Count the terms of a newly written document (deleted terms stay: harmless)."""
        with self._lock:
            for term in {tok for text in texts for tok in text.split()}:
                if term in self.df:
                    self.df[term] += 1
                    continue
                self.df[term] = 1
                self.by_length.setdefault(len(term), []).append(term)
                if self._sorted is not None:
                    insort(self._sorted, term)
                for length, prefixes in self._prefixes.items():
                    if len(term) >= length and term[:length] not in prefixes:
                        prefixes[term[:length]] = None
                        self._prefix_lists.pop(length, None)

    def _prefix_list(self, length: int) -> list[str]:
        """Return the distinct prefixes of that length (cached: rapidfuzz scans a list)."""
        if length not in self._prefixes:
            self._prefixes[length] = dict.fromkeys(
                term[:length]
                for size, terms in self.by_length.items()
                if size >= length
                for term in terms
            )
        if length not in self._prefix_lists:
            self._prefix_lists[length] = list(self._prefixes[length])
        return self._prefix_lists[length]

    def has_prefix(self, prefix: str) -> bool:
        with self._lock:
            terms = self._sorted_terms()
            i = bisect_left(terms, prefix)
            return i < len(terms) and terms[i].startswith(prefix)

    def _sorted_terms(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.df)
        return self._sorted

    def similar(self, word: str, budget: int, *, prefix: bool) -> list[tuple[str, int, bool]]:
        """Return (term, typos, is_prefix) within the typo budget, best first."""
        found: dict[tuple[str, bool], tuple[int, int]] = {}
        with self._lock:
            for length in range(max(1, len(word) - budget), len(word) + budget + 1):
                pools = [(self.by_length.get(length, []), False)]
                if prefix:
                    pools.append((self._prefix_list(length), True))
                for pool, is_prefix in pools:
                    for term, distance, _ in process.extract(
                        word, pool, scorer=OSA.distance, score_cutoff=budget, limit=None
                    ):
                        cost = typo_cost(word, term, distance)
                        if 0 < cost <= budget:
                            weight = 0 if is_prefix else self.df[term]
                            found[(term, is_prefix)] = (cost, -weight)
        ranked = sorted(found.items(), key=lambda item: (item[1], item[0]))
        return [(term, cost, is_prefix) for (term, is_prefix), (cost, _) in ranked]

    def completions(self, prefix: str, limit: int) -> list[str]:
        """Return up to `limit` terms starting with prefix, most frequent first."""
        with self._lock:
            terms = self._sorted_terms()
            start = bisect_left(terms, prefix)
            end = bisect_left(terms, prefix + "\U0010ffff", start)
            found = terms[start:end]
        found.sort(key=lambda t: (-self.df.get(t, 0), t))
        return found[:limit]

    def best_completion(self, prefix: str) -> str | None:
        """Return the most frequent term starting with prefix (for a suggestion)."""
        found = self.completions(prefix, 1)
        return found[0] if found else None
