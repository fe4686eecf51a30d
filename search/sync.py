"""Keeping the search index in step with the database through the outbox table.

A domain calls `enqueue` inside the transaction that changes its data, so the index change is
committed exactly when the data is. A web request never applies it: it wakes its process's
`SyncWorker`, a background thread that drains the outbox at start-up and then continuously (the
command line drains itself with `drain`). When the engine is down the rows stay, each failed
attempt pushes the queue's head back exponentially, and the worker applies them once the engine
answers again. The queue is served head first: newer rows never overtake an older failing one, so
a document can never be overwritten by a stale version.

Exactly one process drains (or rebuilds) an index at a time, whatever the number of server
processes and command-line runs: each pass holds a `DrainLock`, a PostgreSQL advisory lock or a
file lock beside the SQLite database, which the operating system or PostgreSQL releases when its
holder dies, so another process takes over at its next pass.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from replan import metrics
from replan.clock import utcnow
from replan.db import Database
from search.backend import SearchBackend
from search.models import SearchOutbox

log = logging.getLogger(__name__)

_memory_locks: dict[tuple[int, str], threading.Lock] = {}


@contextmanager
def _released(release: Callable[[], object]) -> Iterator[None]:
    try:
        yield
    finally:
        release()


class DrainLock:
    """The right to drain (or rebuild) one index of one database, for one holder at a time."""

    def __init__(self, db: Database, index: str) -> None:
        self.db, self.index = db, index
        url = db.engine.url
        self.kind = "advisory" if url.get_backend_name() == "postgresql" else "file"
        digest = hashlib.sha256(f"replan.search.sync:{index}".encode()).digest()
        self.key = int.from_bytes(digest[:8], "big", signed=True)
        path = url.database if self.kind == "file" else None
        if self.kind == "file" and (not path or path == ":memory:"):
            self.kind = "memory"  # one process owns an in-memory database anyway
        self.path = f"{path}.search-{index}.lock" if self.kind == "file" else None

    @contextmanager
    def hold(self, timeout: float = 0) -> Iterator[bool]:
        """Yield True while this holder has the lock (waiting up to `timeout` s), else False."""
        if self.kind == "advisory":
            with self._advisory(timeout) as held:
                yield held
        elif self.kind == "file":
            assert self.path is not None
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(self.path, thread_local=False)
            try:
                lock.acquire(timeout=timeout)
            except Timeout:
                yield False
                return
            with _released(lock.release):
                yield True
        else:
            mutex = _memory_locks.setdefault((id(self.db), self.index), threading.Lock())
            if not (mutex.acquire(timeout=timeout) if timeout > 0 else mutex.acquire(False)):
                yield False
                return
            with _released(mutex.release):
                yield True

    @contextmanager
    def _advisory(self, timeout: float) -> Iterator[bool]:
        # A session-level lock on a connection of its own: PostgreSQL drops it with the session.
        conn = self.db.engine.connect()
        try:
            deadline = time.monotonic() + timeout
            while True:
                got = conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
                conn.commit()
                if got or time.monotonic() >= deadline:
                    break
                time.sleep(0.05)
            if not got:
                yield False
                return
            try:
                yield True
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                conn.commit()
        except BaseException:
            conn.invalidate()  # never hand a connection that may hold the lock back to the pool
            raise
        finally:
            conn.close()


def enqueue(session: Session, *, index: str, doc_id: str, document: dict | None) -> None:
    """Add an index change (a document to upsert, None to delete) to the caller's transaction."""
    body = None if document is None else json.dumps(document, ensure_ascii=False, default=str)
    session.add(SearchOutbox(index_name=index, doc_id=str(doc_id), document=body))


def pending(session: Session, index: str) -> int:
    """Return the number of changes of an index still waiting for the engine."""
    query = select(func.count()).select_from(SearchOutbox).where(SearchOutbox.index_name == index)
    return session.scalar(query) or 0


def backlog(session: Session) -> tuple[int, datetime | None]:
    """Return how many changes wait in the outbox (every index) and when the oldest was made."""
    count, oldest = session.execute(
        select(func.count(), func.min(SearchOutbox.created_at)).select_from(SearchOutbox)
    ).one()
    return count or 0, oldest


def drain(
    db: Database,
    backend: SearchBackend,
    *,
    index: str,
    limit: int = 1000,
    retry_base: float = 1.0,
    retry_max: float = 300.0,
    wait: float = 0,
) -> int:
    """Apply pending changes in order unless another process is draining (it will apply them);
    return how many rows were applied.

    Never raises for an engine failure: the failure is recorded on the rows (attempts, last_error,
    a backoff in available_at), the rows stay, and the count applied before it is returned (0 when
    the first batch failed). While the queue's head is backing off, nothing is sent.
    """
    with DrainLock(db, index).hold(wait) as mine:
        if not mine:
            return 0
        applied, _ = _drain(
            db, backend, index=index, limit=limit, retry_base=retry_base, retry_max=retry_max
        )
    return applied


def retry_now(db: Database, *, index: str) -> None:
    """Make every waiting change of an index due now (after the engine was repaired)."""
    with db.session() as session:
        session.execute(
            update(SearchOutbox)
            .where(SearchOutbox.index_name == index)
            .values(available_at=utcnow(), attempts=0)
        )


def _drain(
    db: Database,
    backend: SearchBackend,
    *,
    index: str,
    limit: int,
    retry_base: float,
    retry_max: float,
) -> tuple[int, Exception | None]:
    applied = 0
    while True:
        try:
            n = _drain_batch(db, backend, index, limit, retry_base, retry_max)
        except Exception as exc:  # noqa: BLE001 - any failure must leave the rows for a retry
            log.warning("search sync of %r failed, will retry: %s", index, exc)
            return applied, exc
        applied += n
        if n < limit:
            return applied, None


def _drain_batch(
    db: Database,
    backend: SearchBackend,
    index: str,
    limit: int,
    retry_base: float,
    retry_max: float,
) -> int:
    now = utcnow()
    with db.session() as session:
        head = session.execute(
            select(SearchOutbox.attempts, SearchOutbox.available_at <= now)
            .where(SearchOutbox.index_name == index)
            .order_by(SearchOutbox.id)
            .limit(1)
        ).first()
        if head is None or not head[1]:
            return 0
        rows = session.execute(
            select(SearchOutbox.id, SearchOutbox.doc_id, SearchOutbox.document)
            .where(SearchOutbox.index_name == index)
            .order_by(SearchOutbox.id)
            .limit(limit)
        ).all()
    latest: dict[str, str | None] = {}
    for _, doc_id, document in rows:  # ordered by id, so the latest change of a document wins
        latest[doc_id] = document
    row_ids = [row_id for row_id, _, _ in rows]
    try:
        upserts = [json.loads(doc) for doc in latest.values() if doc is not None]
        deletes = [doc_id for doc_id, doc in latest.items() if doc is None]
        if upserts:
            backend.upsert(upserts)
        if deletes:
            backend.delete(deletes)
    except Exception as exc:
        delay = min(retry_base * 2 ** head[0], retry_max)
        with db.session() as session:
            session.execute(
                update(SearchOutbox)
                .where(SearchOutbox.id.in_(row_ids))
                .values(
                    attempts=SearchOutbox.attempts + 1,
                    last_error=str(exc)[:1000],
                    available_at=now + timedelta(seconds=delay),
                )
            )
        raise
    with db.session() as session:
        # Only the rows applied: a change enqueued meanwhile (a higher id) stays for next time.
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(row_ids)))
    return len(rows)


class SyncWorker:
    """A daemon thread draining one index's outbox at start, then every `interval` seconds or
    when woken; each pass first runs `maintain` (repairing a damaged index) and only when this
    process holds the `DrainLock`, so that one process at a time drains."""

    def __init__(
        self,
        db: Database,
        backend: SearchBackend,
        index: str,
        *,
        interval: float = 0.5,
        retry_base: float = 1.0,
        retry_max: float = 300.0,
        maintain: Callable[[], bool] | None = None,
    ) -> None:
        self.db, self.backend, self.index = db, backend, index
        self.interval, self.retry_base, self.retry_max = interval, retry_base, retry_max
        self.maintain = maintain
        self.lock = DrainLock(db, index)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.failing = False

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"search-sync-{self.index}", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Drain now instead of at the next tick."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and wait for it to finish."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def run_once(self) -> Exception | None:
        """Run one pass if this process may; return the engine's failure, if any."""
        with self.lock.hold() as mine:
            if not mine:
                return None  # another process is the leader of this pass
            if self.maintain is not None and self.maintain():
                retry_now(self.db, index=self.index)
            _, error = _drain(
                self.db,
                self.backend,
                index=self.index,
                limit=1000,
                retry_base=self.retry_base,
                retry_max=self.retry_max,
            )
            return error

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                error = self.run_once()
            except Exception as exc:  # noqa: BLE001 - the database itself failed; try again later
                log.exception("search sync worker of %r could not read the outbox", self.index)
                error = exc
            metrics.job_ran("search_sync", time.perf_counter() - started, error is None)
            if error is None and self.failing:
                log.info("search sync of %r recovered", self.index)
            self.failing = error is not None
            self._wake.wait(self.interval)
            self._wake.clear()
