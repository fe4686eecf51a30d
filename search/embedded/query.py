"""Turn query text into terms with their alternatives (prefix, typo, synonym), and into FTS5.

Each query word (or a multi-word synonym found in the query) is a `Unit`; a unit matches a
document when any of its alternatives does. Alternatives are only ever emitted as quoted FTS5
strings built from tokens (letters and digits), so no input can inject FTS5 syntax.

A prefix of four letters or more is expanded into the indexed terms it starts (`Alt.terms`):
FTS5 answers a prefix query by merging every such term's full position list, which takes tens of
milliseconds when one of them is in every document, while one exact term costs about a
millisecond. Two- and three-letter prefixes use FTS5's prefix index instead. Typo derivations
are plain terms, the most frequent ones, capped per word (Meilisearch caps its derivations too).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from search.embedded.vocabulary import Vocabulary, allowed_typos
from search.text import TOKEN, fold

MAX_WORDS = 10  # Meilisearch ignores words beyond the tenth too
MAX_DERIVED = {1: 24, 2: 12}  # terms derived per word with one or two typos
MIN_PREFIX = 2  # one-letter prefixes would expand to a large part of the vocabulary
MAX_TYPO_WORD = 40  # longer "words" are pasted junk, not typos worth correcting
MAX_EXPANSION = 128  # completions of one prefix looked up term by term
INDEXED_PREFIX = 3  # prefix='2 3' in the FTS5 table


@dataclass(frozen=True)
class Alt:
    """One way a unit can match: a term or phrase, maybe a prefix, costing some typos."""

    tokens: tuple[str, ...]
    prefix: bool = False
    typos: int = 0
    terms: tuple[str, ...] | None = None  # a prefix's completions, looked up one by one

    def fts(self) -> str:
        return '"' + " ".join(self.tokens).replace('"', '""') + '"' + ("*" if self.prefix else "")


@dataclass
class Unit:
    """One query word (or synonym phrase) with every alternative that satisfies it."""

    words: tuple[str, ...]
    raw: str
    alts: list[Alt] = field(default_factory=list)
    correction: str | None = None

    @property
    def max_typos(self) -> int:
        return max(alt.typos for alt in self.alts)

    def fts(self, typos: int = 2) -> str:
        return "(" + " OR ".join(a.fts() for a in self.alts if a.typos <= typos) + ")"


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
            terms = [tuple(t for t, _ in query_words(term)) for term in group]
            terms = list(dict.fromkeys(t for t in terms if t))
            if len(terms) < 2:
                continue
            for term in terms:
                self.index.setdefault(term, set()).add(len(self.groups))
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


def parse(text: str, vocabulary: Vocabulary | None, synonyms: Synonyms) -> list[Unit]:
    """Split query text into units with their prefix, typo and synonym alternatives."""
    pairs = query_words(text)
    words = [tok for tok, _ in pairs]
    units: list[Unit] = []
    i = 0
    while i < len(words):
        length, equivalents = synonyms.match(words, i)
        span = max(length, 1)
        last = i + span == len(words)
        unit = Unit(tuple(words[i : i + span]), " ".join(raw for _, raw in pairs[i : i + span]))
        if span == 1:
            _add_word_alternatives(unit, words[i], last, vocabulary)
        else:
            unit.alts.append(Alt(unit.words))
        for term in equivalents:
            alt = Alt(term)
            if alt.tokens != unit.words:
                unit.alts.append(alt)
        units.append(unit)
        i += span
    return units


def _prefix_alt(prefix: str, vocab: Vocabulary | None) -> Alt:
    if vocab is None or len(prefix) <= INDEXED_PREFIX:
        return Alt((prefix,), prefix=True)
    terms = vocab.completions(prefix, MAX_EXPANSION + 1)
    if len(terms) > MAX_EXPANSION:
        return Alt((prefix,), prefix=True)  # complete recall for what was typed
    return Alt((prefix,), prefix=True, terms=tuple(terms))


def _add_word_alternatives(unit: Unit, word: str, last: bool, vocab: Vocabulary | None) -> None:
    as_prefix = last and len(word) >= MIN_PREFIX
    exact = _prefix_alt(word, vocab) if as_prefix else Alt((word,))
    unit.alts.append(exact)
    budget = allowed_typos(word)
    if vocab is None or budget == 0 or len(word) > MAX_TYPO_WORD:
        return
    similar = vocab.similar(word, budget, prefix=as_prefix)
    # Typo derivations become plain terms (a typo-tolerant prefix its most frequent
    # completions), the most frequent first, capped like Meilisearch caps its own.
    covered = set(exact.terms or exact.tokens)
    derived: dict[str, int] = {}
    for term, typos, is_prefix in similar:
        for found in vocab.completions(term, MAX_DERIVED[typos]) if is_prefix else [term]:
            if found not in covered and typos < derived.get(found, 3):
                derived[found] = typos
    for typos in (1, 2):
        terms = [t for t, cost in derived.items() if cost == typos]
        terms.sort(key=lambda t: (-vocab.df.get(t, 0), t))
        unit.alts.extend(Alt((t,), typos=typos) for t in terms[: MAX_DERIVED[typos]])
    known = word in vocab.df or (as_prefix and vocab.has_prefix(word))
    if known or not similar:
        return
    whole = [term for term, _, is_prefix in similar if not is_prefix]
    unit.correction = whole[0] if whole else vocab.best_completion(similar[0][0])


def suggestion(units: list[Unit]) -> str | None:
    """Return the query with corrected words, when any word was corrected."""
    if not any(u.correction for u in units):
        return None
    return " ".join(u.correction or u.raw for u in units)


def all_of(units: list[Unit], typos: int = 2) -> str:
    return " AND ".join(u.fts(typos) for u in units)


def any_of(units: list[Unit]) -> str:
    return " OR ".join(u.fts() for u in units)


def in_column(column: int, units: list[Unit]) -> str:
    return f"c{column} : ({any_of(units)})"
