"""Keeping the search index in step with the database through the outbox table.

A domain calls `enqueue` inside the transaction that changes its data, so the index change is
committed exactly when the data is, then calls `drain` after the commit (with the embedded engine
the change is searchable when `drain` returns). When the engine is down the rows stay, each failed
attempt pushes the queue's head back exponentially, and a `SyncWorker` applies them once the engine
answers again. The queue is served head first: newer rows never overtake an older failing one, so
a document can never be overwritten by a stale version.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from replan import metrics
from replan.db import Database
from search.backend import SearchBackend
from search.models import SearchOutbox, utcnow

log = logging.getLogger(__name__)

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(index: str) -> threading.Lock:
    # Two drains of one index in one process could apply an older version after a newer one.
    with _locks_guard:
        return _locks.setdefault(index, threading.Lock())


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
) -> int:
    """Apply pending changes in order; return how many rows were applied.

    Never raises for an engine failure: the failure is recorded on the rows (attempts, last_error,
    a backoff in available_at), the rows stay, and the count applied before it is returned (0 when
    the first batch failed). While the queue's head is backing off, nothing is sent.
    """
    applied, _ = _drain(
        db, backend, index=index, limit=limit, retry_base=retry_base, retry_max=retry_max
    )
    return applied


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
    with _lock(index):
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
    """A daemon thread draining one index's outbox every `interval` seconds, or when woken."""

    def __init__(
        self,
        db: Database,
        backend: SearchBackend,
        index: str,
        *,
        interval: float = 2.0,
        retry_base: float = 1.0,
        retry_max: float = 300.0,
    ) -> None:
        self.db, self.backend, self.index = db, backend, index
        self.interval, self.retry_base, self.retry_max = interval, retry_base, retry_max
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

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                _, error = _drain(
                    self.db,
                    self.backend,
                    index=self.index,
                    limit=1000,
                    retry_base=self.retry_base,
                    retry_max=self.retry_max,
                )
            except Exception:  # noqa: BLE001 - the database itself failed; try again later
                log.exception("search sync worker of %r could not read the outbox", self.index)
                error = True
            metrics.job_ran("search_sync", time.perf_counter() - started, error is None)
            if error is None and self.failing:
                log.info("search sync of %r recovered", self.index)
            self.failing = error is not None
            self._wake.wait(self.interval)
            self._wake.clear()
