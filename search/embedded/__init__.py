"""The embedded engine: Meilisearch's behaviour on tantivy, in its own directory under the data dir.

Modules: `documents` (the tantivy schema and documents), `store` (the directory, generations, the
one writer, rebuilds), `query` (words to alternatives and tantivy queries, ranking), `highlight`
(marks and corrections) and `engine` (the `SearchBackend` itself).

Behaviour, as Meilisearch's: case and diacritics folded (Greek accents too); the last query word
is also a prefix (from two letters); typos allowed by word length (0 below 5 letters, 1 up to 8,
2 from 9, a first-letter typo counting two, an adjacent swap one); synonym groups expand a word or
phrase to its equivalents as exact matches; at most ten query words count; ranking by words,
typos, proximity and attribute (field order). Where it differs, on purpose: query words that
match nothing are dropped; the matches are the documents with every word kept, or, when none has
them all, those with any, ranked by how many; zero results only when no word matches anything,
with the closest terms offered. A query without words lists every document by id (or by the
given sort); with words and a sort, the sort decides.
"""

from search.embedded.engine import EmbeddedBackend

__all__ = ["EmbeddedBackend"]
