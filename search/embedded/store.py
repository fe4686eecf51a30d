"""The index directory: its state file, tantivy generations, the one writer and the rebuild journal.

Layout of the directory: `state.json` (the schema, the synonyms, the live generation and the one
being built), `gen-N/` (one tantivy index per generation), `journal-N.jsonl` (writes made while
generation N is being built, replayed into it before it goes live) and `state.lock`.

Writes: tantivy allows one `IndexWriter` per index. A process opens at most one at a time, under a
process-wide lock for the directory and a file lock shared with other processes, and drops it after
its commit, so the CLI, the server's workers and the outbox worker take turns and none waits on a
search. Searches never take a lock: a searcher is a snapshot; each process reloads its reader when
it sees a new commit (tantivy's reload-on-commit, and at once after its own).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

import tantivy
from filelock import FileLock, Timeout

from search.backend import IndexCorrupt, IndexSchema, SearchError, SearchUnavailable
from search.embedded.documents import WORDS, build_schema, to_tantivy

BATCH = 5000
WRITER_HEAP = 50_000_000  # per incremental write; tantivy needs at least 15 MB per thread
REBUILD_HEAP = 200_000_000
LOCK_WAIT = 30.0  # seconds a write waits for another process's write before giving up

_PROCESS_LOCKS: dict[str, threading.RLock] = {}
_INDEXES: dict[str, tantivy.Index] = {}
_REGISTRY = threading.Lock()


@dataclass
class State:
    schema: IndexSchema
    synonyms: list[list[str]]
    generation: int
    building: int | None = None

    def to_json(self) -> str:
        data = {**asdict(self), "schema": asdict(self.schema)}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> State:
        data = json.loads(text)
        schema = IndexSchema(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in data["schema"].items()}
        )
        return cls(schema, data["synonyms"], data["generation"], data.get("building"))


def _process_lock(path: Path) -> threading.RLock:
    with _REGISTRY:
        return _PROCESS_LOCKS.setdefault(str(path), threading.RLock())


def open_index(path: Path) -> tantivy.Index:
    """Return this process's one `Index` object for a generation directory."""
    key = str(path)
    with _REGISTRY:
        index = _INDEXES.get(key)
    if index is not None:
        return index
    try:
        index = tantivy.Index.open(key)
    except (ValueError, OSError) as exc:
        raise IndexCorrupt(f"the search index in {path.name} cannot be opened: {exc}") from exc
    index.register_tokenizer(WORDS, _analyzer())
    with _REGISTRY:
        return _INDEXES.setdefault(key, index)


def create_index(path: Path, schema: IndexSchema) -> tantivy.Index:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(build_schema(schema), path=str(path), reuse=False)
    index.register_tokenizer(WORDS, _analyzer())
    with _REGISTRY:
        _INDEXES[str(path)] = index
    return index


def _analyzer() -> tantivy.TextAnalyzer:
    # Text arrives folded and tokenized by search.text (the query goes the same way), joined by
    # spaces; over-long tokens are pasted junk that tantivy could not store as terms.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(200))
        .build()
    )


class Store:
    """One index directory, shared safely by threads and processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._state: tuple[int, State] | None = None
        self._file_lock = FileLock(self.path / "state.lock", timeout=LOCK_WAIT)
        self._thread_lock = _process_lock(self.path)

    # -- state --------------------------------------------------------------------------------

    def state(self) -> State | None:
        """Return the state, re-read only when the file changed (another process wrote it)."""
        file = self.path / "state.json"
        try:
            stamp = file.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._state
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            state = State.from_json(file.read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise IndexCorrupt(f"the search index state cannot be read: {exc}") from exc
        self._state = (stamp, state)
        return state

    def configured(self) -> State:
        state = self.state()
        if state is None:
            raise SearchError("the index is not configured: call configure() first")
        return state

    def _save(self, state: State) -> None:
        tmp = self.path / "state.json.tmp"
        tmp.write_text(state.to_json(), encoding="utf-8")
        os.replace(tmp, self.path / "state.json")
        self._state = None

    def generation(self, number: int) -> Path:
        return self.path / f"gen-{number}"

    def live(self) -> tuple[State, tantivy.Index]:
        state = self.configured()
        path = self.generation(state.generation)
        if str(path) not in _INDEXES:
            with _REGISTRY:  # a rebuild elsewhere made a new generation live: forget the old
                for key in [k for k in _INDEXES if Path(k).parent == self.path]:
                    del _INDEXES[key]
        return state, open_index(path)

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the directory for a write, against this process's threads and other processes."""
        with self._thread_lock:
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                with self._file_lock:
                    yield
            except Timeout as exc:
                raise SearchUnavailable("another process holds the search index too long") from exc

    def initialise(self, schema: IndexSchema, synonyms: list[list[str]]) -> State:
        """Create the first generation (call with the lock held)."""
        create_index(self.generation(1), schema)
        state = State(schema, synonyms, 1)
        self._save(state)
        return state

    def save(self, state: State) -> None:
        """Write the state (call with the lock held)."""
        self._save(state)

    # -- writes -------------------------------------------------------------------------------

    def apply(self, ops: list[tuple[str, object]]) -> None:
        """Apply ("upsert", doc) and ("delete", id) operations to the live index, committed."""
        with self.locked():
            state = self.configured()
            index = open_index(self.generation(state.generation))
            _write(index, state.schema, ops, WRITER_HEAP, 1)
            if state.building is not None:
                # A rebuild is filling the next generation from an older read: it replays these.
                with open(self._journal(state.building), "a", encoding="utf-8") as journal:
                    journal.writelines(json.dumps(op, ensure_ascii=False) + "\n" for op in ops)

    def _journal(self, number: int) -> Path:
        return self.path / f"journal-{number}.jsonl"

    def rebuild(self, schema: IndexSchema | None, documents: Iterable[dict]) -> int:
        """Index documents into a new generation and make it live; searches go on meanwhile."""
        with self.locked():
            state = self.configured()
            schema = schema or state.schema
            number = max(state.generation, state.building or 0) + 1
            self._sweep(keep=state.generation)
            index = create_index(self.generation(number), schema)
            self._journal(number).touch()
            state.building = number
            self._save(state)
        writer = index.writer(REBUILD_HEAP, 0)
        try:
            iterator = iter(documents)
            while batch := list(islice(iterator, BATCH)):
                for doc in batch:
                    writer.add_document(to_tantivy(doc, schema))
            with self.locked():
                state = self.configured()
                for line in self._journal(number).read_text(encoding="utf-8").splitlines():
                    _add_op(writer, schema, json.loads(line))
                writer.commit()
                writer.wait_merging_threads()
                index.reload()
                self._save(State(schema, state.synonyms, number))
                self._sweep(keep=number)
        except BaseException:
            writer.rollback()
            writer.wait_merging_threads()
            with self.locked():
                state = self.configured()
                state.building = None
                self._save(state)
                self._sweep(keep=state.generation)
            raise
        return index.searcher().num_docs

    def _sweep(self, keep: int) -> None:
        """Remove generations and journals other than `keep` (left by an interrupted rebuild)."""
        for path in self.path.glob("gen-*"):
            if path.name != f"gen-{keep}":
                with _REGISTRY:
                    _INDEXES.pop(str(path), None)
                shutil.rmtree(path, ignore_errors=True)
        for path in self.path.glob("journal-*.jsonl"):
            path.unlink(missing_ok=True)


def _write(index: tantivy.Index, schema: IndexSchema, ops: list, heap: int, threads: int) -> None:
    writer = _open_writer(index, heap, threads)
    try:
        for op in ops:
            _add_op(writer, schema, op)
        writer.commit()
    except BaseException:
        writer.rollback()
        raise
    finally:
        writer.wait_merging_threads()  # drops the writer and its lock file
    index.reload()


def _open_writer(index: tantivy.Index, heap: int, threads: int) -> tantivy.IndexWriter:
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            return index.writer(heap, threads)
        except ValueError as exc:  # LockBusy: a process that is not ours (an older release)
            if time.monotonic() > deadline:
                raise SearchUnavailable(f"the search index is locked: {exc}") from exc
            time.sleep(0.05)


def _add_op(writer: tantivy.IndexWriter, schema: IndexSchema, op: list | tuple) -> None:
    kind, payload = op
    if kind == "upsert":
        document = to_tantivy(payload, schema)
        writer.delete_documents_by_term("id", str(payload["id"]))
        writer.add_document(document)
    else:
        writer.delete_documents_by_term("id", str(payload))
