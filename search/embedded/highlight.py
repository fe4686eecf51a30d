"""Which words of a hit's fields to mark: those the query's kept units matched.

Marks are computed on the stored text rather than with tantivy's snippet generator, which cuts
fragments, tokenizes with its own rules and does not report the terms a fuzzy query matched;
the highlight must be the whole field, folded exactly as indexed.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

from search.embedded.query import Unit, allowed_typos


def typo_cost(word: str, candidate: str) -> int:
    """Edits from word to candidate, an adjacent swap one and a first-letter typo two."""
    return OSA.distance(word, candidate) + (1 if candidate[:1] != word[:1] else 0)


class Matcher:
    """Marks positions of document tokens that one of the units' alternatives matches."""

    def __init__(self, units: list[Unit]) -> None:
        self.exact: set[str] = set()
        prefixes: list[str] = []
        self.fuzzy: list[tuple[str, int, bool]] = []
        self.phrases: list[tuple[str, ...]] = []
        for unit in units:
            for alt in unit.alts:
                if len(alt.tokens) > 1:
                    self.phrases.append(alt.tokens)
                elif alt.typos:
                    self.fuzzy.append((alt.tokens[0], alt.typos, alt.prefix))
                elif alt.prefix:
                    prefixes.append(alt.tokens[0])
                else:
                    self.exact.add(alt.tokens[0])
        self.prefixes = tuple(prefixes)
        # A prefix, or a typo form within one typo, only matches tokens of its first letter (a
        # first-letter typo costs two): the other tokens need no closer look.
        loose = [*prefixes, *(word for word, typos, _ in self.fuzzy if typos < 2)]
        self._letters = None if any(t > 1 for _, t, _ in self.fuzzy) else {w[:1] for w in loose}
        self._seen: set[str] = set()  # tokens decided, and those of them that match
        self._hits: set[str] = set()

    def _loose(self, token: str) -> bool:
        if self.prefixes and token.startswith(self.prefixes):
            return True
        for word, typos, prefix in self.fuzzy:
            if (typos > 1 or token[:1] == word[:1]) and _near(word, token, typos, prefix):
                return True
        return False

    def marked(self, flat: Sequence[str]) -> set[int]:
        """Return the positions in `flat` (folded tokens) to mark."""
        present = set(flat)
        new = present - self._seen  # each distinct token is decided once per query
        if new:
            self._seen |= new
            self._hits |= new & self.exact
            letters = self._letters
            if letters is None or letters:
                for token in new - self.exact:
                    if (letters is None or token[:1] in letters) and self._loose(token):
                        self._hits.add(token)
        hits = present & self._hits
        chosen = {i for i, tok in enumerate(flat) if tok in hits} if hits else set()
        for phrase in self.phrases:
            if not present.issuperset(phrase):  # a set test spares the scan of most fields
                continue
            size = len(phrase)
            for i in range(len(flat) - size + 1):
                if flat[i] == phrase[0] and tuple(flat[i : i + size]) == phrase:
                    chosen.update(range(i, i + size))
        return chosen


def _near(word: str, token: str, typos: int, prefix: bool) -> bool:
    if token[:1] != word[:1] and typos < 2:  # a first-letter typo costs two
        return False
    if not prefix:
        return abs(len(token) - len(word)) <= typos and typo_cost(word, token) <= typos
    if len(token) < len(word) - typos:
        return False
    lengths = range(max(1, len(word) - typos), min(len(word) + typos, len(token)) + 1)
    return any(typo_cost(word, token[:n]) <= typos for n in lengths)


def corrected(word: str, candidates: dict[str, int], budget: int | None = None) -> str | None:
    """Return the candidate term closest to word (then the most frequent), within the budget."""
    budget = allowed_typos(word) if budget is None else budget
    close = process.extract(
        word, list(candidates), scorer=OSA.distance, score_cutoff=budget, limit=None
    )
    ranked = [(typo_cost(word, c), -candidates[c], c) for c, _, _ in close]
    best = min((r for r in ranked if r[0] <= budget), default=None)
    return best[2] if best else None
