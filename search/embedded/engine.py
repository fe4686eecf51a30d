"""The embedded search engine: the `SearchBackend` protocol on SQLite FTS5 in its own file."""

from __future__ import annotations

import heapq
import json
import sqlite3
import threading
from collections.abc import Iterable
from itertools import islice
from pathlib import Path

from search.backend import (
    Hit,
    IndexCorrupt,
    IndexSchema,
    SearchError,
    SearchQuery,
    SearchResult,
    validate_query,
)
from search.embedded import store as st
from search.embedded.facets import filter_and_count, sort_groups
from search.embedded.query import Synonyms, parse, suggestion
from search.embedded.rank import Ranker, take_window
from search.embedded.sets import MatchSets, SetCache
from search.embedded.snapshot import Snapshot
from search.embedded.vocabulary import Vocabulary
from search.text import field_text, mark_tokens, render_marked

BATCH = 2000


class EmbeddedBackend:
    """Meilisearch-like search in a SQLite file (or `:memory:`), safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.store = st.Store(path)
        self._snapshot: Snapshot | None = None
        self._vocabulary: tuple[int, int, Vocabulary] | None = None
        self._synonyms: tuple[str, Synonyms] | None = None
        self._sets = SetCache()
        self._lock = threading.Lock()
        self._writing = threading.RLock()
        self._config: tuple[IndexSchema, list[list[str]]] | None = None
        self._epoch = 0

    # -- configuration and writes --------------------------------------------------------------

    def configure(self, schema: IndexSchema, synonyms: list[list[str]]) -> None:
        """Store the schema and synonyms; reindex the stored documents if the fields changed."""
        groups = json.dumps(
            [[str(term) for term in group] for group in synonyms], ensure_ascii=False
        )
        self._config = (schema, [list(group) for group in synonyms])
        with self.store.write() as conn:
            meta = st.read_meta(conn)
            old = st.schema_from_json(meta["schema"]) if "schema" in meta else None
            if old == schema and meta.get("synonyms") == groups and "generation" in meta:
                return  # unchanged: keep every cache (each app start configures)
            st.set_meta(conn, "schema", st.schema_to_json(schema))
            st.set_meta(conn, "synonyms", groups)
            st.bump_version(conn)
            if "generation" not in meta:
                st.create_generation(conn, 1, schema)
                st.set_meta(conn, "generation", 1)
        self._forget()
        if old is not None and st.index_fields(old) != st.index_fields(schema):
            self.rebuild(self._stored_documents())

    def _stored_documents(self) -> Iterable[dict]:
        last = 0
        while True:
            with self.store.read() as conn:
                gen = st.read_meta(conn)["generation"]
                rows = conn.execute(
                    f"SELECT rowid, body FROM doc_{gen} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    (last, BATCH),
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield from (json.loads(body) for _, body in rows)

    def upsert(self, documents: list[dict]) -> None:
        """Add or replace documents by id."""
        self._write("upsert", list(documents))

    def delete(self, ids: list[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        self._write("delete", [str(i) for i in ids])

    def _write(self, kind: str, payload: list) -> None:
        # Held until the snapshot is patched, so concurrent writers patch in commit order.
        with self._writing:
            with self.store.write() as conn:
                meta = self._meta(conn)
                schema = st.schema_from_json(meta["schema"])
                gen, building, old = meta["generation"], meta.get("building"), meta["version"]
                if kind == "upsert":
                    changed = st.write_documents(conn, gen, schema, payload)
                else:
                    changed = st.delete_documents(conn, gen, payload)
                if building:
                    # A rebuild is filling the next generation: it must get this newer write.
                    if kind == "upsert":
                        st.write_documents(conn, building, schema, payload, mark_touched=True)
                    else:
                        st.delete_documents(conn, building, payload, mark_touched=True)
                version = st.bump_version(conn) if changed else old
            if changed:
                self._patch(kind, gen, old, version, changed)

    def _patch(self, kind: str, gen: int, old_version: int, version: int, changed: list) -> None:
        """Apply this process's own write to the cached snapshot instead of reloading it."""
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.generation != gen or snap.version != old_version:
                self._snapshot = None
            elif kind == "upsert":
                rows = [(rowid, doc_id, attrs) for rowid, doc_id, attrs, _ in changed]
                self._snapshot = snap.patched(version, rows, [])
            else:
                self._snapshot = snap.patched(version, [], changed)
            vocab = self._vocabulary
            if vocab and (vocab[0], vocab[1]) == (gen, old_version):
                self._vocabulary = (gen, version, vocab[2])
            else:
                vocab = self._vocabulary = None
        if kind == "upsert" and vocab:
            for _, _, _, texts in changed:
                vocab[2].add(texts)

    def rebuild(self, documents: Iterable[dict]) -> int:
        """Index documents into a new generation and swap it in; searches go on meanwhile."""
        with self.store.write() as conn:
            meta = self._meta(conn, building=True)
            schema = st.schema_from_json(meta["schema"])
            current = meta.get("generation", 0)
            new = max(current, meta.get("building") or 0) + 1
            st.drop_generations(conn, keep={current})
            st.create_generation(conn, new, schema)
            st.set_meta(conn, "building", new)
        try:
            iterator = iter(documents)
            while batch := list(islice(iterator, BATCH)):
                with self.store.write() as conn:
                    # Documents written since the rebuild began are newer than this snapshot.
                    st.write_documents(conn, new, schema, batch, skip_touched=True)
            with self.store.write() as conn:
                st.set_meta(conn, "generation", new)
                conn.execute("DELETE FROM meta WHERE key IN ('building', 'resetting')")
                st.bump_version(conn)
                st.drop_generations(conn, keep={new})
                count = conn.execute(f"SELECT count(*) FROM doc_{new}").fetchone()[0]
        except BaseException:
            with self.store.write() as conn:
                conn.execute("DELETE FROM meta WHERE key = 'building'")
                st.drop_generations(conn, keep={current})
            raise
        self._forget()
        return count

    def _forget(self) -> None:
        with self._lock:
            self._snapshot = None
            self._vocabulary = None

    def _meta(self, conn: sqlite3.Connection, *, building: bool = False) -> dict[str, object]:
        """Read the metadata of a configured index; a file opened anew drops every cache."""
        if self.store.epoch != self._epoch:
            with self._lock:
                self._epoch, self._snapshot, self._vocabulary = self.store.epoch, None, None
                self._sets = SetCache()
        meta = st.read_meta(conn)
        if "schema" not in meta:
            if self._config is not None:  # the file was replaced or emptied behind our back
                raise IndexCorrupt(f"the search index {self.store.live} lost its contents")
            raise SearchError("the index is not configured: call configure() first")
        if "resetting" in meta and not building:
            raise IndexCorrupt("the search index is being rebuilt after damage")
        return meta

    def reset(self) -> str | None:
        """Set the damaged file aside and start an empty index that reads refuse until the next
        `rebuild()`; return the damaged copy's path."""
        with self._writing:
            damaged = self.store.set_aside()
            self._forget()
            if self._config is not None:
                self.configure(*self._config)
            with self.store.write() as conn:
                st.set_meta(conn, "resetting", 1)
        return damaged

    # -- reads ---------------------------------------------------------------------------------

    def count(self) -> int:
        """Return the number of indexed documents."""
        with self.store.read() as conn:
            meta = st.read_meta(conn)
            if "schema" in meta or self._config is not None:
                meta = self._meta(conn)  # refuses a damaged or half-rebuilt index
            gen = meta.get("generation")
            return conn.execute(f"SELECT count(*) FROM doc_{gen}").fetchone()[0] if gen else 0

    def health(self) -> bool:
        """Return whether the index file can be read."""
        try:
            self.count()
            return True
        except (sqlite3.Error, SearchError):
            return False

    def close(self) -> None:
        """Close every connection."""
        self.store.close()

    def _state(self, conn: sqlite3.Connection) -> tuple[Snapshot, int]:
        """Return the snapshot for this read and the file's version in this read."""
        meta = self._meta(conn)
        gen, version = meta["generation"], meta["version"]
        with self._lock:
            snap = self._snapshot
        if snap is None or snap.generation != gen or snap.version < version:
            schema = st.schema_from_json(meta["schema"])
            snap = Snapshot.load(conn, gen, version, schema, json.loads(meta["synonyms"]))
            with self._lock:
                current = self._snapshot
                if current is None or (current.generation, current.version) < (gen, version):
                    self._snapshot = snap
        return snap, version

    def _vocab(self, conn: sqlite3.Connection, gen: int, version: int) -> Vocabulary:
        with self._lock:
            cached = self._vocabulary
        if cached and cached[0] == gen and cached[1] >= version:
            return cached[2]
        vocab = Vocabulary.load(conn, gen)
        with self._lock:
            self._vocabulary = (gen, version, vocab)
        return vocab

    def _synonym_index(self, snap: Snapshot) -> Synonyms:
        key = json.dumps(snap.synonyms)
        cached = self._synonyms
        if cached is None or cached[0] != key:
            cached = (key, Synonyms(snap.synonyms))
            self._synonyms = cached
        return cached[1]

    def search(self, query: SearchQuery) -> SearchResult:
        """Run one search: matches, exact total, disjunctive facets and one page of hits."""
        with self.store.read() as conn:
            snap, version = self._state(conn)
            schema = snap.schema
            validate_query(schema, query)
            gen = snap.generation
            vocab = self._vocab(conn, gen, version) if query.text.strip() else None
            units = parse(query.text, vocab, self._synonym_index(snap))
            sets = MatchSets(conn, gen, version, self._sets)
            universe = None
            if units:
                universe = list(sets.unit(units[0]))
                if snap.version != version:
                    universe = snap.known(universe)
            matched, facets = filter_and_count(snap, query, universe)
            skip, take = query.offset, query.per_page
            ranker = Ranker(conn, gen, units, sets, snap.ids, len(schema.searchable), snap.size)
            if query.sort:
                groups = ((len(g), g) for g in sort_groups(snap, query.sort, matched, skip + take))
            else:
                groups = iter([(len(matched), matched)])

            def order(group: list[int], skip: int, take: int) -> list[int]:
                if units:
                    return ranker.window(group, skip, take)
                if skip + take < len(group) // 4:
                    return heapq.nsmallest(skip + take, group, key=snap.ids.__getitem__)[skip:]
                return sorted(group, key=snap.ids.__getitem__)[skip : skip + take]

            page = take_window(groups, skip, take, order)
            sql = (
                f"SELECT rowid, body FROM doc_{gen} WHERE rowid IN (SELECT value FROM json_each(?))"
            )
            bodies = dict(conn.execute(sql, (json.dumps(page),)).fetchall())
        hits = [self._hit(json.loads(bodies[r]), schema, ranker) for r in page if r in bodies]
        return SearchResult(len(matched), hits, facets, suggestion(units))

    @staticmethod
    def _hit(doc: dict, schema: IndexSchema, ranker: Ranker) -> Hit:
        marked = ranker.matcher.marked
        highlight = {
            name: render_marked(mark_tokens(field_text(doc.get(name)), marked))
            for name in schema.highlight
        }
        return Hit(str(doc["id"]), doc, highlight)
