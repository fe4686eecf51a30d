"""The embedded engine's own SQLite file: connections, metadata and one table set per generation.

A generation is a complete index: `doc_<g>` (documents as JSON plus their filter/facet values),
`fts_<g>` (FTS5 over the folded text of the searchable fields, one column per field) and
`vocab_<g>` (fts5vocab over it, for typo tolerance). `meta.generation` names the live one; a
rebuild fills the next generation and flips that number in one transaction, so readers, each in
its own WAL snapshot, see either the old index or the new one, never a half-built one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from search.backend import IndexCorrupt, IndexSchema, SearchError
from search.text import field_text, tokens

# Letters and digits of every Unicode version are token characters ("Cn" covers letters newer
# than SQLite's Unicode 6.1 tables, "Mc" marks Python counts as letters), so FTS5 splits the
# already folded text exactly where `search.text.tokens` did.
TOKENIZE = "unicode61 remove_diacritics 2 categories 'L* N* Co Cn Mc'"


def schema_to_json(schema: IndexSchema) -> str:
    return json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in vars(schema).items()})


def schema_from_json(text: str) -> IndexSchema:
    raw = json.loads(text)
    return IndexSchema(**{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()})


def index_fields(schema: IndexSchema) -> tuple:
    """Return what the stored index depends on: changing any of it needs a reindex."""
    return (schema.searchable, schema.keywords, schema.numbers, schema.booleans)


def extract_attrs(schema: IndexSchema, doc: dict) -> dict:
    """Return the filter, facet and sort values of a document, normalised by field type."""
    attrs: dict[str, object] = {}
    for name in schema.keywords:
        value = doc.get(name)
        values = value if isinstance(value, list | tuple) else [value]
        clean = [str(v) for v in values if v is not None and not isinstance(v, dict | list)]
        attrs[name] = list(dict.fromkeys(clean))
    for name in schema.numbers:
        value = doc.get(name)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        attrs[name] = value if ok and value == value else None  # NaN counts as missing
    for name in schema.booleans:
        value = doc.get(name)
        attrs[name] = value if isinstance(value, bool) else None
    return attrs


def doc_texts(schema: IndexSchema, doc: dict) -> list[str]:
    return [" ".join(tokens(field_text(doc.get(name)))) for name in schema.searchable]


class Store:
    """Connections to the index file: one per thread (WAL readers never block), or one shared.

    The live file is `path`, or the file named in `<path>.live` once a damaged index was set
    aside: a new index never takes the old one's name, because SQLite deletes a WAL file by name
    when the last connection to it closes, and connections of other processes may still be open
    on the damaged file. Every read and write checks (one `stat`) whether another process moved
    the index to a new file, and reopens it then (`epoch` counts the files this store opened).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.memory = self.path == ":memory:"
        if not self.memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._shared_lock = threading.RLock()  # serialises everything on the single :memory: link
        self._write_lock = threading.Lock()
        self.epoch = 0
        self._pointer = self.path + ".live"
        self._pointer_stamp: tuple | None = None
        self.live = self.path

    def _follow(self) -> None:
        """Open the file named by the pointer when another process changed it."""
        try:
            st = os.stat(self._pointer)
            stamp: tuple | None = (st.st_ino, st.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        if stamp == self._pointer_stamp:
            return
        with self._shared_lock:
            if stamp == self._pointer_stamp:
                return
            live = self.path
            if stamp is not None:
                live = str(Path(self.path).with_name(Path(self._pointer).read_text().strip()))
            if live != self.live:
                self.live, self.epoch = live, self.epoch + 1
            self._pointer_stamp = stamp

    def point_to(self, name: str) -> None:
        """Make the file `name` (beside `path`) the live index for every process."""
        tmp = Path(self._pointer + ".tmp")
        tmp.write_text(name + "\n")
        os.replace(tmp, self._pointer)

    def _connection(self) -> sqlite3.Connection:
        if self.memory and self._all:
            return self._all[0]
        if not self.memory:
            self._follow()
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.epoch == self.epoch:
            return conn
        # Another file is live now; the old connection stays open (see the class docstring).
        conn = sqlite3.connect(self.live, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            if not self.memory:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value)")
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('version', 0)")
        except BaseException:
            conn.close()
            raise
        self._local.conn, self._local.epoch = conn, self.epoch
        with self._shared_lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside one read transaction (a consistent snapshot)."""
        with self._shared_lock if self.memory else _nothing(), damage_is_corrupt(self):
            conn = self._connection()
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside a write transaction, committed on success."""
        with (
            self._write_lock,
            self._shared_lock if self.memory else _nothing(),
            damage_is_corrupt(self),
        ):
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def set_aside(self) -> str | None:
        """Rename the live file to `<name>.corrupt-<time>` and point every process to a new,
        empty file; return the damaged copy's path (None in memory)."""
        with self._write_lock, self._shared_lock:
            self._follow()
            if self.memory:
                self.close()
                return None
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            damaged = f"{self.live}.corrupt-{stamp}"
            if os.path.exists(self.live):
                os.replace(self.live, damaged)
            name = f"{Path(self.path).stem}-{stamp}{Path(self.path).suffix}"
            self.point_to(name)
            self._follow()
            return damaged

    def close(self) -> None:
        with self._shared_lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:  # pragma: no cover - closed from elsewhere
                    pass
            self._all.clear()
        self._local = threading.local()


# SQLite's primary result codes that mean the file itself is damaged or unreadable.
DAMAGED = {
    sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_NOTADB,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_IOERR,
}


@contextmanager
def damage_is_corrupt(store: Store) -> Iterator[None]:
    """Turn SQLite's errors for a damaged or unreadable file into `IndexCorrupt`."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) in DAMAGED:
            raise IndexCorrupt(f"the search index {store.live} is unreadable: {exc}") from exc
        raise


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def read_meta(conn: sqlite3.Connection) -> dict[str, object]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def set_meta(conn: sqlite3.Connection, key: str, value: object) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def bump_version(conn: sqlite3.Connection) -> int:
    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'version'")
    return conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]


def create_generation(conn: sqlite3.Connection, gen: int, schema: IndexSchema) -> None:
    columns = ", ".join(f"c{i}" for i in range(len(schema.searchable)))
    conn.execute(
        f"CREATE TABLE doc_{gen} (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
        " body TEXT NOT NULL, attrs TEXT NOT NULL)"
    )
    conn.execute(
        f'CREATE VIRTUAL TABLE fts_{gen} USING fts5({columns}, tokenize="{TOKENIZE}",'
        " prefix='2 3')"
    )
    conn.execute(f"CREATE VIRTUAL TABLE vocab_{gen} USING fts5vocab(fts_{gen}, 'row')")
    conn.execute(f"CREATE TABLE touched_{gen} (id TEXT PRIMARY KEY)")


def drop_generations(conn: sqlite3.Connection, keep: set[int]) -> None:
    """Drop every generation's tables except those in `keep` (left-overs of failed rebuilds)."""
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    for (name,) in rows:
        prefix, _, suffix = name.partition("_")
        if prefix in {"doc", "fts", "vocab", "touched"} and suffix.isdigit():
            if int(suffix) not in keep:
                conn.execute(f"DROP TABLE IF EXISTS {name}")


def write_documents(
    conn: sqlite3.Connection,
    gen: int,
    schema: IndexSchema,
    docs: list[dict],
    *,
    skip_touched: bool = False,
    mark_touched: bool = False,
) -> list[tuple[int, str, dict, list[str]]]:
    """Insert or replace documents; return (rowid, id, attrs, texts) of those that changed."""
    changed = []
    cols = ", ".join(f"c{i}" for i in range(len(schema.searchable)))
    marks = ", ".join("?" for _ in schema.searchable)
    for doc in docs:
        if not isinstance(doc, dict) or doc.get("id") in (None, ""):
            raise SearchError("every document needs a non-empty 'id'")
        doc_id = str(doc["id"])
        if (
            skip_touched
            and conn.execute(f"SELECT 1 FROM touched_{gen} WHERE id = ?", (doc_id,)).fetchone()
        ):
            continue
        if mark_touched:
            conn.execute(f"INSERT OR IGNORE INTO touched_{gen} VALUES (?)", (doc_id,))
        body = json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str)
        row = conn.execute(f"SELECT rowid, body FROM doc_{gen} WHERE id = ?", (doc_id,)).fetchone()
        if row and row[1] == body:
            continue
        attrs = extract_attrs(schema, doc)
        attrs_json = json.dumps(attrs, ensure_ascii=False)
        if row:
            rowid = row[0]
            conn.execute(
                f"UPDATE doc_{gen} SET body = ?, attrs = ? WHERE rowid = ?",
                (body, attrs_json, rowid),
            )
            conn.execute(f"DELETE FROM fts_{gen} WHERE rowid = ?", (rowid,))
        else:
            cur = conn.execute(
                f"INSERT INTO doc_{gen} (id, body, attrs) VALUES (?, ?, ?)",
                (doc_id, body, attrs_json),
            )
            rowid = cur.lastrowid
        texts = doc_texts(schema, doc)
        conn.execute(f"INSERT INTO fts_{gen} (rowid, {cols}) VALUES (?, {marks})", (rowid, *texts))
        changed.append((rowid, doc_id, attrs, texts))
    return changed


def delete_documents(
    conn: sqlite3.Connection, gen: int, ids: list[str], *, mark_touched: bool = False
) -> list[int]:
    """Delete documents by id; return the rowids removed."""
    removed = []
    for doc_id in ids:
        if mark_touched:
            conn.execute(f"INSERT OR IGNORE INTO touched_{gen} VALUES (?)", (str(doc_id),))
        row = conn.execute(f"SELECT rowid FROM doc_{gen} WHERE id = ?", (str(doc_id),)).fetchone()
        if row:
            conn.execute(f"DELETE FROM doc_{gen} WHERE rowid = ?", row)
            conn.execute(f"DELETE FROM fts_{gen} WHERE rowid = ?", row)
            removed.append(row[0])
    return removed
