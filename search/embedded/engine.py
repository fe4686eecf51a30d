"""The embedded search engine: the `SearchBackend` protocol on tantivy, in its own directory."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import tantivy

from replan.clock import utcnow
from search.backend import (
    Hit,
    IndexCorrupt,
    IndexSchema,
    SearchError,
    SearchQuery,
    SearchResult,
    facet_key,
    order_facets,
    validate_query,
)
from search.embedded.documents import from_tantivy, term, untermed
from search.embedded.highlight import Matcher, corrected
from search.embedded.query import Builder, Synonyms, Unit, allowed_typos, combine, parse
from search.embedded.store import State, Store, create_index
from search.text import field_text, mark_tokens, render_marked

FACET_SIZE = 1_000  # distinct values asked per facet; asked again, more, when there are more
SUGGEST_TERMS = 5_000  # most frequent terms of one first letter compared with a misspelt word


class EmbeddedBackend:
    """Meilisearch-like search in an index directory, shared safely by threads and processes."""

    def __init__(self, path: str | Path) -> None:
        self.store = Store(path)
        self._synonyms: tuple[State, Synonyms] | None = None
        self._config: tuple[IndexSchema, list[list[str]]] | None = None

    # -- configuration and writes --------------------------------------------------------------

    def configure(self, schema: IndexSchema, synonyms: list[list[str]]) -> None:
        """Store the schema and synonyms; reindex the stored documents if the schema changed."""
        groups = [[str(term) for term in group] for group in synonyms]
        self._config = (schema, groups)
        with self.store.locked():
            state = self.store.state()
            if state is None:
                self.store.initialise(schema, groups)
                return
            if state.synonyms != groups:
                state.synonyms = groups
                self.store.save(state)
            if state.schema != schema:
                # Under the lock: the other workers starting with the same schema wait, then
                # find it done, instead of rebuilding too.
                self.store.rebuild(schema, self._stored_documents())

    def _stored_documents(self) -> Iterator[dict]:
        _, index = self.store.live()
        searcher = index.searcher()
        if searcher.num_docs:
            for _, address in searcher.search(tantivy.Query.all_query(), searcher.num_docs).hits:
                yield from_tantivy(searcher.doc(address))

    def upsert(self, documents: list[dict]) -> None:
        """Add or replace documents by id."""
        if documents:
            self.store.apply([("upsert", doc) for doc in documents])

    def delete(self, ids: list[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        if ids:
            self.store.apply([("delete", str(i)) for i in ids])

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Index documents into a new generation and swap it in; searches go on meanwhile."""
        return self.store.rebuild(None, documents)

    def reset(self) -> str:
        """Move the damaged directory aside (kept as `<name>.corrupt-<time>`) and start an empty
        index with the schema and synonyms last configured, for `rebuild()` to fill."""
        if self._config is None:
            raise SearchError("the index is not configured: call configure() first")
        schema, synonyms = self._config
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%fZ")
        damaged = self.store.path.with_name(f"{self.store.path.name}.corrupt-{stamp}")
        with self.store.locked():
            os.rename(self.store.path, damaged)
            self.store.path.mkdir()
            # A generation number never used before: processes cache an index by its path.
            number = time.time_ns() // 1_000_000
            create_index(self.store.generation(number), schema)
            self.store.save(State(schema, synonyms, number))
        self._synonyms = None
        return str(damaged)

    # -- reads ---------------------------------------------------------------------------------

    def count(self) -> int:
        """Return the number of indexed documents."""
        if self.store.state() is None:
            return 0
        return self.store.live()[1].searcher().num_docs

    def health(self) -> bool:
        """Return whether the index directory answers."""
        try:
            if self.store.state() is not None:
                self.store.live()[1].searcher()
            return True
        except (IndexCorrupt, SearchError, ValueError, OSError):
            return False

    def close(self) -> None:
        """Nothing to release: writers close after each write, readers are shared per process."""

    def search(self, query: SearchQuery) -> SearchResult:
        """Run one search: matches, exact total, disjunctive facets and one page of hits."""
        state, index = self.store.live()
        validate_query(state.schema, query)
        searcher = index.searcher()
        build = Builder(state.schema, index.schema)
        units = parse(query.text, self._synonym_index(state))
        found = {id(u): _found(searcher, build, u) for u in units}
        kept = [u for u in units if found[id(u)]]
        misspelt = [u for u in units if found[id(u)] != "as typed"]
        if units and not kept:
            suggestion = _suggest(searcher, state.schema, units, misspelt, nothing_matched=True)
            return SearchResult(0, [], {name: {} for name in query.facets}, suggestion)
        filters = build.filters(query.filters, query.ranges, query.booleans)
        every = True
        words = build.words(kept, every=True) if kept else None
        result = self._page(searcher, combine(words, filters), query, bool(kept))
        if kept and result.count == 0 and len(kept) > 1:
            # No document has every word: any word, ranked by how many (no dead end).
            every = False
            words = build.words(kept, every=False)
            result = self._page(searcher, combine(words, filters), query, True)
        matches = build.matches(kept, every=every) if kept else None
        facets = self._facets(searcher, build, matches, query)
        matcher = Matcher(kept)
        hits = [
            self._hit(from_tantivy(searcher.doc(address)), state.schema, matcher)
            for _, address in result.hits[: query.per_page]
        ]
        suggestion = _suggest(searcher, state.schema, units, misspelt) if misspelt else None
        return SearchResult(result.count, hits, facets, suggestion)

    def _synonym_index(self, state: State) -> Synonyms:
        cached = self._synonyms
        if cached is None or cached[0] is not state:
            cached = self._synonyms = (state, Synonyms(state.synonyms))
        return cached[1]

    @staticmethod
    def _page(searcher, main: tantivy.Query, query: SearchQuery, ranked: bool):
        limit, offset = max(query.per_page, 1), query.offset
        if query.sort:
            # Missing values come last in both directions; ties keep relevance (index) order.
            name, direction = query.sort[0]
            order = tantivy.Order.Asc if direction == "asc" else tantivy.Order.Desc
            return searcher.search(main, limit, order_by_field=name, offset=offset, order=order)
        if ranked:
            return searcher.search(main, limit, offset=offset)
        return searcher.search(
            main, limit, order_by_field="id", offset=offset, order=tantivy.Order.Asc
        )

    @staticmethod
    def _facets(searcher, build: Builder, matches, query: SearchQuery) -> dict[str, dict[str, int]]:
        """Count each facet over the matches, ignoring its own filter (disjunctive facets)."""
        active = {n for n, v in query.filters.items() if v} | set(query.booleans)
        active |= {n for n, (low, high) in query.ranges.items() if (low, high) != (None, None)}
        groups: dict[str | None, list[str]] = {}
        for name in dict.fromkeys(query.facets):
            groups.setdefault(name if name in active else None, []).append(name)
        out: dict[str, dict[str, int]] = {}
        for without, names in groups.items():
            filters = build.filters(query.filters, query.ranges, query.booleans, without=without)
            answer = _aggregate(searcher, combine(matches, filters), names, FACET_SIZE)
            for name in names:
                buckets = answer[name]
                counts = {_bucket_key(b): b["doc_count"] for b in buckets}
                out[name] = order_facets(counts)
        return {name: out[name] for name in query.facets}

    @staticmethod
    def _hit(doc: dict, schema: IndexSchema, matcher: Matcher) -> Hit:
        highlight = {
            name: render_marked(mark_tokens(field_text(doc.get(name)), matcher.marked))
            for name in schema.highlight
        }
        return Hit(str(doc["id"]), doc, highlight)


def _found(searcher, build: Builder, unit: Unit) -> str | None:
    """Return how a unit matches the index: "as typed", "with typos" or None (nothing)."""
    exact = [alt for alt in unit.alts if not alt.typos]
    single = [alt.tokens[0] for alt in exact if len(alt.tokens) == 1]  # a prefix as a word too
    for name in build.schema.searchable:
        if any(searcher.doc_freq(name, term(token)) for token in single):
            return "as typed"  # a term look-up: no documents visited
    if exact and searcher.search(build.unit(Unit(unit.words, unit.raw, unit.last, exact)), 1).count:
        return "as typed"
    if len(exact) < len(unit.alts) and searcher.search(build.unit(unit), 1).count:
        return "with typos"
    return None


def _suggest(
    searcher, schema: IndexSchema, units: list[Unit], misspelt: list[Unit], nothing_matched=False
) -> str | None:
    """Return the query with its misspelt words corrected, when a word was corrected."""
    corrections: list[str | None] = []
    for unit in units:
        word = unit.words[0]
        if unit not in misspelt or len(unit.words) > 1:
            corrections.append(None)
            continue
        candidates: dict[str, int] = {}
        for name in schema.searchable:
            first_letter = term(word)[:2]
            for found, count in searcher.terms_with_prefix(name, first_letter, limit=SUGGEST_TERMS):
                candidates[untermed(found)] = candidates.get(untermed(found), 0) + count
        budget = max(allowed_typos(word) + 1, 2) if nothing_matched else None
        corrections.append(corrected(word, candidates, budget))
    if not any(corrections):
        return None
    return " ".join(fix or unit.raw for fix, unit in zip(corrections, units, strict=True))


def _aggregate(searcher, matches, names: list[str], size: int) -> dict[str, list[dict]]:
    """Count every value of each field over the matches (terms aggregations, exact counts)."""
    aggregations = {n: {"terms": {"field": n, "size": size}} for n in names}
    answer = searcher.aggregate(matches, aggregations)
    out = {}
    for name in names:
        result = answer.get(name) or {}
        if result.get("sum_other_doc_count"):  # values beyond the size asked: ask for all
            return _aggregate(searcher, matches, names, size * 100)
        out[name] = result.get("buckets", [])
    return out


def _bucket_key(bucket: dict) -> str:
    # Booleans come back as 1/0 with "true"/"false" beside them; numbers and text as themselves.
    return facet_key(bucket.get("key_as_string", bucket["key"]))
