"""Query words to tantivy queries: typos, prefix, synonyms, and Meilisearch's ranking rules.

Each query word (or a multi-word synonym found in the query) is a `Unit`; a unit matches a
document when any of its alternatives does: the word (a prefix when it is the last word), its
typo-tolerant forms (tantivy's fuzzy term query; see `documents` for the first-letter rule) and
its synonyms (exact). Ranking is tantivy's, with constant scores that add up to Meilisearch's
rules in their order: words matched, then typos, then proximity, then attribute (the best field a
word is found in), then exactness (the words as typed rather than their synonyms).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import tantivy
from tantivy import Occur, Query

from search.backend import IndexSchema
from search.embedded.documents import folded_field, term
from search.text import TOKEN, fold

MAX_WORDS = 10  # Meilisearch ignores words beyond the tenth too
MIN_PREFIX = 2  # a one-letter last word is a word, not every term it starts
MAX_TYPO_WORD = 40  # longer "words" are pasted junk, not typos worth correcting
MAX_TERM = 200  # longer tokens are not indexed (see store._analyzer)

# Constant scores, each rule worth more than every later rule can add up to (10 words at most).
# tantivy adds them as f32, exact for integers below 2**24: when every document has every word
# (the usual case) the words rule adds nothing, and the rest stays below that bound.
WORD = 2.0**22  # per query word found (only when documents may lack some)
TYPO = 2.0**17  # per typo not made (0, 1 or 2 per word)
NEAR = 2.0**13  # per pair of neighbouring query words found side by side
ATTRIBUTE = 2.0**8  # per field ahead of the last, for the best field a word is found in
# then, per field a word is found in, 1 + fields ahead of the last (doubled for the word as typed)


def allowed_typos(word: str) -> int:
    """Return Meilisearch's typo budget: 0 below 5 letters, 1 up to 8, 2 from 9."""
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


@dataclass(frozen=True)
class Alt:
    """One way a unit can match: a term or phrase, maybe a prefix, within some typos."""

    tokens: tuple[str, ...]
    prefix: bool = False
    typos: int = 0


@dataclass
class Unit:
    """One query word (or synonym phrase) with every alternative that satisfies it."""

    words: tuple[str, ...]
    raw: str
    last: bool
    alts: list[Alt] = field(default_factory=list)


def query_words(text: str) -> list[tuple[str, str]]:
    """Return up to MAX_WORDS (folded token, word as typed) pairs of the query text."""
    out: list[tuple[str, str]] = []
    for match in TOKEN.finditer(unicodedata.normalize("NFC", text[:10_000])):
        for tok in TOKEN.findall(fold(match.group())):
            out.append((tok, match.group()))
            if len(out) >= MAX_WORDS:
                return out
    return out


class Synonyms:
    """Groups of equivalent terms, looked up by token sequence."""

    def __init__(self, groups: list[list[str]]) -> None:
        self.groups: list[list[tuple[str, ...]]] = []
        self.index: dict[tuple[str, ...], set[int]] = {}
        for group in groups:
            terms = [tuple(t for t, _ in query_words(str(term))) for term in group]
            terms = list(dict.fromkeys(t for t in terms if t))
            if len(terms) < 2:
                continue
            for one in terms:
                self.index.setdefault(one, set()).add(len(self.groups))
            self.groups.append(terms)
        self.longest = max((len(t) for t in self.index), default=0)

    def match(self, words: list[str], start: int) -> tuple[int, list[tuple[str, ...]]]:
        """Return (length, equivalent terms) of the longest synonym at `start`, or (0, [])."""
        for length in range(min(self.longest, len(words) - start), 0, -1):
            groups = self.index.get(tuple(words[start : start + length]))
            if groups:
                terms = [t for g in sorted(groups) for t in self.groups[g]]
                return length, list(dict.fromkeys(terms))
        return 0, []


def parse(text: str, synonyms: Synonyms) -> list[Unit]:
    """Split query text into units with their prefix, typo and synonym alternatives."""
    pairs = query_words(text)
    words = [tok for tok, _ in pairs]
    units: list[Unit] = []
    i = 0
    while i < len(words):
        length, equivalents = synonyms.match(words, i)
        span = max(length, 1)
        last = i + span == len(words)
        raw = " ".join(dict.fromkeys(raw for _, raw in pairs[i : i + span]))
        unit = Unit(tuple(words[i : i + span]), raw, last)
        word = words[i]
        if span == 1 and len(word) <= MAX_TERM:
            prefix = last and len(word) >= MIN_PREFIX
            unit.alts.append(Alt((word,), prefix))
            budget = allowed_typos(word) if len(word) <= MAX_TYPO_WORD else 0
            unit.alts.extend(Alt((word,), prefix, typos) for typos in range(1, budget + 1))
        elif span > 1:
            unit.alts.append(Alt(unit.words))
        for equivalent in equivalents:
            if equivalent != unit.words:
                unit.alts.append(Alt(equivalent))
        units.append(unit)
        i += span
    return units


class Builder:
    """Tantivy queries for one schema."""

    def __init__(self, schema: IndexSchema, tantivy_schema: tantivy.Schema) -> None:
        self.schema = schema
        self.ts = tantivy_schema

    def alt(self, alt: Alt, name: str) -> Query:
        words = [term(t) for t in alt.tokens]
        if len(words) > 1:
            return Query.phrase_query(self.ts, name, words)
        if alt.typos or alt.prefix:
            return Query.fuzzy_term_query(self.ts, name, words[0], alt.typos, True, alt.prefix)
        return Query.term_query(self.ts, name, words[0])

    def alts(self, alts: list[Alt], name: str) -> list[tuple[Query, int]]:
        """Queries for the alternatives in one field, with their typos. The exact one-word
        alternatives (a word and its synonyms: dozens in seven languages) all score alike, so
        they are one term-set query rather than a clause each."""
        exact = [
            term(a.tokens[0]) for a in alts if len(a.tokens) == 1 and not (a.typos or a.prefix)
        ]
        out = [
            (self.alt(a, name), a.typos) for a in alts if len(a.tokens) > 1 or a.typos or a.prefix
        ]
        if len(exact) == 1:
            out.append((Query.term_query(self.ts, name, exact[0]), 0))
        elif exact:
            terms = [(Occur.Should, Query.term_query(self.ts, name, t)) for t in exact]
            out.append((Query.boolean_query(terms), 0))
        return out

    def unit(self, unit: Unit, counted: bool = False) -> Query:
        """The unit's best match (fewest typos, then best field), plus a little per field.

        The per-field part counts each field the unit is found in, double for the word as typed
        rather than a typo, completion or synonym (exactness): among records otherwise alike, one
        that is about the words throughout, in the reader's own language, comes first."""
        fields = self.schema.searchable
        base = WORD if counted else 0.0
        best, each = [], []
        typed = Alt(unit.words) if unit.alts and len(unit.words[0]) <= MAX_TERM else None
        for position, name in enumerate(fields):
            ahead = len(fields) - 1 - position
            here = []
            for query, typos in self.alts(unit.alts, name):
                score = base + TYPO * (2 - typos) + ATTRIBUTE * ahead
                best.append(Query.const_score_query(query, score))
                here.append(Query.const_score_query(query, ahead + 1))
            if typed:
                here.append(Query.const_score_query(self.alt(typed, name), 2 * (ahead + 1)))
            each.append((Occur.Should, Query.disjunction_max_query(here)))
        return Query.boolean_query([(Occur.Must, Query.disjunction_max_query(best)), *each])

    def near(self, units: list[Unit]) -> list[Query]:
        """Bonuses for neighbouring query words found side by side (Meilisearch's proximity)."""
        out = []
        for first, second in zip(units, units[1:], strict=False):
            words = [term(t) for t in (*first.words, *second.words)]
            if len(words) > 8:
                continue
            options = []
            for name in self.schema.searchable:
                if second.last and second.alts and second.alts[0].prefix:
                    phrase = Query.phrase_prefix_query(self.ts, name, words)
                else:
                    phrase = Query.phrase_query(self.ts, name, words)
                options.append(Query.const_score_query(phrase, NEAR))
                slop = Query.phrase_query(self.ts, name, words, slop=2)
                options.append(Query.const_score_query(slop, NEAR / 2))
            out.append(Query.disjunction_max_query(options))
        return out

    def words(self, units: list[Unit], every: bool) -> Query:
        """Documents matching every unit (or, when `every` is false, any unit, ranked by count)."""
        occur = Occur.Must if every else Occur.Should
        clauses = [(occur, self.unit(u, counted=not every)) for u in units]
        clauses += [(Occur.Should, q) for q in self.near(units)]
        return Query.boolean_query(clauses, None if every else 1)

    def matches(self, units: list[Unit], every: bool) -> Query:
        """The documents `words(units, every)` matches, unscored: each alternative once per field,
        without the ranking clauses (for facet counts, which need the set, not the order)."""
        occur = Occur.Must if every else Occur.Should
        clauses = [
            (
                occur,
                Query.boolean_query(
                    [
                        (Occur.Should, query)
                        for name in self.schema.searchable
                        for query, _ in self.alts(unit.alts, name)
                    ]
                ),
            )
            for unit in units
        ]
        return Query.boolean_query(clauses)

    def filters(
        self,
        filters: dict[str, list[str]],
        ranges: dict[str, tuple[float | None, float | None]],
        booleans: dict[str, bool],
        without: str | None = None,
    ) -> list[Query]:
        """The query's filters as queries to intersect, leaving one field out for its facet."""
        out = []
        for name, values in filters.items():
            if values and name != without:
                folded = [str(v).casefold() for v in values]
                out.append(Query.term_set_query(self.ts, folded_field(name), folded))
        for name, (low, high) in ranges.items():
            if name != without and (low is not None or high is not None):
                low = float(low) if low is not None else None
                high = float(high) if high is not None else None
                out.append(Query.range_query(self.ts, name, tantivy.FieldType.Float, low, high))
        for name, value in booleans.items():
            if name != without:
                out.append(Query.term_query(self.ts, name, bool(value)))
        return out


def combine(text: Query | None, filters: list[Query]) -> Query:
    """Intersect the words query (or every document) with the filters, scored by the words."""
    if not filters:
        return text or Query.all_query()
    clauses = [(Occur.Must, Query.const_score_query(f, 0.0)) for f in filters]
    return Query.boolean_query([(Occur.Must, text or Query.all_query()), *clauses])
