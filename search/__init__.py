"""Full-text search as a capability the domains use without knowing the engine. The domain owns
the `SearchBackend` protocol and its plain-data query and result shapes (`search.backend`), the two
engines behind it (the embedded tantivy engine in `search.embedded`, always available, and the
Meilisearch adapter in `search.meili`), the choice between them (`search.service.make_backend`),
and the transactional outbox that carries index changes from the database to the engine
(`search.models`, `search.sync`). It knows no domain: `kb` and `gpp` hand it plain documents and
a schema naming which fields are searchable, highlighted, filtered, faceted and sorted."""
