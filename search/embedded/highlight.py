"""Which words of a hit's fields to mark: those the query's kept units matched.

Marks are computed on the stored text rather than with tantivy's snippet generator, which cuts
fragments, tokenizes with its own rules and does not report the terms a fuzzy query matched;
the highlight must be the whole field, folded exactly as indexed.
"""

from __future__ import annotations

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
        self.prefixes: list[str] = []
        self.fuzzy: list[tuple[str, int, bool]] = []
        self.phrases: list[tuple[str, ...]] = []
        for unit in units:
            for alt in unit.alts:
                if len(alt.tokens) > 1:
                    self.phrases.append(alt.tokens)
                elif alt.typos:
                    self.fuzzy.append((alt.tokens[0], alt.typos, alt.prefix))
                elif alt.prefix:
                    self.prefixes.append(alt.tokens[0])
                else:
                    self.exact.add(alt.tokens[0])
        self._seen: dict[str, bool] = {}

    def _token(self, token: str) -> bool:
        found = self._seen.get(token)
        if found is None:
            found = (
                token in self.exact
                or any(token.startswith(p) for p in self.prefixes)
                or any(_near(word, token, typos, prefix) for word, typos, prefix in self.fuzzy)
            )
            self._seen[token] = found
        return found

    def marked(self, flat: list[str]) -> set[int]:
        """Return the positions in `flat` (folded tokens) to mark."""
        chosen = {i for i, tok in enumerate(flat) if self._token(tok)}
        for phrase in self.phrases:
            size = len(phrase)
            for i in range(len(flat) - size + 1):
                if tuple(flat[i : i + size]) == phrase:
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
