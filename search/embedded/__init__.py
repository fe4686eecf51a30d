"""The embedded engine: Meilisearch's behaviour on SQLite FTS5, in its own SQLite file.

Modules: `store` (the file, generations, writes), `snapshot` (in-memory filter/facet columns and
bitmaps), `vocabulary` (indexed terms for typos and prefixes), `query` (words to alternatives:
prefix, typos, synonyms), `sets` (match sets from FTS5), `rank` (relevance; its docstring explains
how it stays fast at 100,000 documents), `facets` (filters, disjunctive facets, sorts) and `engine`
(the `SearchBackend` itself).

Behaviour, as Meilisearch's: case and diacritics folded (Greek accents too); the last query word
is also a prefix (from two letters); typos allowed by word length (0 below 5 letters, 1 up to 8,
2 from 9, a first-letter typo counting two, an adjacent swap one); synonym groups expand a word or
phrase to its equivalents as exact matches; matching strategy `last` (documents must match the
first query word; more leading words rank higher); at most ten query words count. A query without
words lists every document by id (or by the given sort, ties by id); with words and a sort, the
sort decides and relevance breaks its ties.
"""

from search.embedded.engine import EmbeddedBackend

__all__ = ["EmbeddedBackend"]
