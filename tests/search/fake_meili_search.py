"""The fake Meilisearch's search: one documented search query over one index's documents.

A small model of Meilisearch's documented behaviour, enough for the shared backend suite: the
query's first ten words; `matchingStrategy: last` (a document matching the first k words ranks
by k); typo tolerance from the index's `typoTolerance.minWordSizeForTypos` (a typo on the first
letter counts as two, a swap of neighbours as one); a prefix on the last word; synonyms, one or
several words, matched exactly; the index's `rankingRules` in order (sort, words, typo, proximity,
attribute, exactness); the filter expressions `IN [...]`, `>=`, `<=` and `= true|false`, ANDed;
facet distributions; `page`/`hitsPerPage` with an exact `totalHits`; and `_formatted` fields with
the highlight tags around matched words. Words are folded the way Meilisearch folds them (case,
diacritics), which `search.text.fold` also does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from search.text import TOKEN, tokens

MAX_WORDS = 10
MAX_PROXIMITY = 8
_IN = re.compile(r"^(\w+) IN \[(.*)\]$")
_COMPARE = re.compile(r"^(\w+) (>=|<=) (-?[0-9.]+)$")
_EQUALS = re.compile(r"^(\w+) = (true|false)$")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


class InvalidFilter(ValueError):
    """A filter expression this fake (and the adapter) does not use."""


@dataclass(frozen=True)
class _Match:
    typos: int
    attribute: int
    position: int
    exact: bool


def damerau(a: str, b: str) -> int:
    """Return the optimal string alignment distance (a swap of neighbours is one edit)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _values(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def _passes(doc: dict, expression: str) -> bool:
    if m := _IN.match(expression):
        wanted = {re.sub(r"\\(.)", r"\1", v) for v in _QUOTED.findall(m.group(2))}
        return any(str(v) in wanted for v in _values(doc.get(m.group(1))) if v is not None)
    if m := _COMPARE.match(expression):
        limit = float(m.group(3))
        numbers = [v for v in _values(doc.get(m.group(1))) if isinstance(v, int | float)]
        return any(v >= limit if m.group(2) == ">=" else v <= limit for v in numbers)
    if m := _EQUALS.match(expression):
        return doc.get(m.group(1)) is (m.group(2) == "true")
    raise InvalidFilter(expression)


def facet_value(value: object) -> str:
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Searcher:
    """Answers one search query against an index's documents and settings."""

    def __init__(self, settings: dict, query: dict) -> None:
        self.settings = settings
        sizes = settings.get("typoTolerance", {}).get("minWordSizeForTypos", {})
        self.one_typo, self.two_typos = sizes.get("oneTypo", 5), sizes.get("twoTypos", 9)
        self.synonyms = {
            tuple(tokens(term)): [tuple(tokens(s)) for s in others]
            for term, others in settings.get("synonyms", {}).items()
        }
        self.query = query
        self.words = tokens(query.get("q") or "")[:MAX_WORDS]
        self._cache: dict[tuple[int, str], tuple[int, bool] | None] = {}

    def _budget(self, word: str) -> int:
        return 2 if len(word) >= self.two_typos else 1 if len(word) >= self.one_typo else 0

    def _word(self, i: int, token: str) -> tuple[int, bool] | None:
        """How query word i matches a document token: (typos, exact), or None."""
        key = (i, token)
        if key not in self._cache:
            word, found = self.words[i], None
            if token == word:
                found = (0, True)
            elif i == len(self.words) - 1 and token.startswith(word):
                found = (0, False)
            elif budget := self._budget(word):
                typos = damerau(word, token) + (word[0] != token[:1])
                found = (typos, False) if typos <= budget else None
            self._cache[key] = found
        return self._cache[key]

    def _alternatives(self, i: int) -> list[tuple[int, tuple[str, ...]]]:
        """The synonym phrases that can stand for the query words from i: (span, tokens)."""
        out = []
        for span in range(1, len(self.words) - i + 1):
            for synonym in self.synonyms.get(tuple(self.words[i : i + span]), []):
                out.append((span, synonym))
        return out

    def _occurrences(self, doc_tokens: list[tuple[int, int, str]]) -> list[list[_Match]]:
        """For each query word, where the document matches it."""
        found: list[list[_Match]] = [[] for _ in self.words]
        for i in range(len(self.words)):
            for attribute, position, token in doc_tokens:
                if hit := self._word(i, token):
                    found[i].append(_Match(hit[0], attribute, position, hit[1]))
            for span, phrase in self._alternatives(i):
                for k, (attribute, position, _) in enumerate(doc_tokens):
                    window = [t for _, _, t in doc_tokens[k : k + len(phrase)]]
                    if tuple(window) == phrase:
                        for j in range(i, i + span):
                            found[j].append(_Match(0, attribute, position, True))
        return found

    def rank(self, doc: dict) -> tuple[int, ...] | None:
        """Return the document's key under the relevance rules (smaller first), or None."""
        doc_tokens = [
            (a, a * 10_000 + p, t)
            for a, name in enumerate(self.settings.get("searchableAttributes", []))
            for p, t in enumerate(tokens(_text(doc.get(name))))
        ]
        found = self._occurrences(doc_tokens)
        count = 0
        while count < len(found) and found[count]:
            count += 1
        if count == 0:
            return None
        chosen = found[:count]
        scores = {
            "words": -count,
            "typo": sum(min(m.typos for m in ms) for ms in chosen),
            "proximity": sum(_proximity(a, b) for a, b in zip(chosen, chosen[1:], strict=False)),
            "attribute": sum(min(m.attribute for m in ms) for ms in chosen),
            "exactness": -sum(any(m.exact for m in ms) for ms in chosen),
        }
        rules = self.settings.get("rankingRules", list(scores))
        return tuple(scores[rule] for rule in rules if rule in scores)

    def marked(self, text: str) -> str:
        """Wrap the words of text that match a query word in the highlight tags."""
        pre = self.query.get("highlightPreTag", "<em>")
        post = self.query.get("highlightPostTag", "</em>")
        phrases = {t for i in range(len(self.words)) for _, p in self._alternatives(i) for t in p}

        def mark(match: re.Match) -> str:
            folded = tokens(match.group())
            hit = any(
                t in phrases or any(self._word(i, t) for i in range(len(self.words)))
                for t in folded
            )
            return f"{pre}{match.group()}{post}" if hit else match.group()

        return TOKEN.sub(mark, text)


def _text(value: object) -> str:
    if isinstance(value, list):
        return " ".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _proximity(left: list[_Match], right: list[_Match]) -> int:
    best = MAX_PROXIMITY
    for a in left:
        for b in right:
            if a.attribute == b.attribute:
                gap = b.position - a.position
                best = min(best, gap if gap > 0 else 1 - gap)  # reversed: one more
    return best


def _sorted(docs: list[dict], sort: list[str]) -> list[dict]:
    """Stable-sort by the `field:direction` list, documents without the field last."""
    for rule in reversed(sort):
        name, direction = rule.rsplit(":", 1)
        present = [d for d in docs if d.get(name) is not None]
        missing = [d for d in docs if d.get(name) is None]
        present.sort(key=lambda d: _values(d[name])[0], reverse=direction == "desc")  # noqa: B023
        docs = present + missing
    return docs


def search(documents: list[dict], settings: dict, query: dict) -> dict:
    """Return Meilisearch's result object for one query of a multi-search."""
    searcher = Searcher(settings, query)
    filters = query.get("filter") or []
    docs = [d for d in documents if all(_passes(d, f) for f in filters)]
    if searcher.words:
        ranked = [(key, n, d) for n, d in enumerate(docs) if (key := searcher.rank(d)) is not None]
        docs = [d for _, _, d in sorted(ranked, key=lambda item: item[:2])]
    docs = _sorted(docs, list(query.get("sort") or []))
    distribution: dict[str, dict[str, int]] = {}
    for name in query.get("facets") or []:
        counts: dict[str, int] = {}
        for doc in docs:
            for value in dict.fromkeys(_values(doc.get(name))):
                if value is not None:
                    counts[facet_value(value)] = counts.get(facet_value(value), 0) + 1
        distribution[name] = counts
    page, size = int(query.get("page", 1)), int(query.get("hitsPerPage", 20))
    hits = []
    for doc in docs[(page - 1) * size : page * size]:
        highlight = set(query.get("attributesToHighlight") or [])
        formatted = {
            k: searcher.marked(_text(v)) if k in highlight and v is not None else v
            for k, v in doc.items()
        }
        hits.append({**doc, "_formatted": formatted})
    return {
        "indexUid": query["indexUid"],
        "hits": hits,
        "query": query.get("q", ""),
        "page": page,
        "hitsPerPage": size,
        "totalHits": len(docs),
        "totalPages": -(-len(docs) // size) if size else 0,
        "facetDistribution": distribution,
        "processingTimeMs": 0,
    }
