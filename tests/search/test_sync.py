"""The outbox: enqueue in the caller's transaction, drain in order, survive engine outages."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterable, Iterator

import pytest
from sqlalchemy import select

from replan.db import Base, Database
from search.backend import SearchQuery, SearchResult, SearchUnavailable
from search.meili import MeiliBackend
from search.models import SearchOutbox
from search.sync import SyncWorker, drain, enqueue, pending
from tests.search.conftest import SCHEMA, SYNONYMS, case


class Recorder:
    """A backend that records calls and can be switched off."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list]] = []
        self.docs: dict[str, dict] = {}
        self.down = False
        self.during_upsert = None

    def configure(self, schema, synonyms) -> None: ...

    def upsert(self, documents: list[dict]) -> None:
        if self.down:
            raise SearchUnavailable("engine down")
        if self.during_upsert:
            self.during_upsert()
        self.calls.append(("upsert", documents))
        self.docs.update({d["id"]: d for d in documents})

    def delete(self, ids: list[str]) -> None:
        if self.down:
            raise SearchUnavailable("engine down")
        self.calls.append(("delete", ids))
        for doc_id in ids:
            self.docs.pop(doc_id, None)

    def search(self, query: SearchQuery) -> SearchResult:
        return SearchResult(0, [], {})

    def rebuild(self, documents: Iterable[dict]) -> int:
        return 0

    def count(self) -> int:
        return len(self.docs)

    def health(self) -> bool:
        return not self.down

    def close(self) -> None: ...


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'app.db'}")
    Base.metadata.create_all(database.engine, tables=[SearchOutbox.__table__])
    yield database
    database.dispose()


def put(db: Database, doc_id: str, document: dict | None, index: str = "cases") -> None:
    with db.session() as session:
        enqueue(session, index=index, doc_id=doc_id, document=document)


def count_pending(db: Database, index: str = "cases") -> int:
    with db.session() as session:
        return pending(session, index)


def test_enqueue_rolled_back_leaves_nothing(db):
    with pytest.raises(RuntimeError), db.session() as session:
        enqueue(session, index="cases", doc_id="a", document=case("a"))
        raise RuntimeError("the caller's transaction fails")
    assert count_pending(db) == 0


def test_drain_applies_and_empties(db):
    backend = Recorder()
    put(db, "a", case("a", "Rubber"))
    assert count_pending(db) == 1
    assert drain(db, backend, index="cases") == 1
    assert backend.docs["a"]["title"] == "Rubber"
    assert count_pending(db) == 0
    assert drain(db, backend, index="cases") == 0


def test_drain_coalesces_per_document_and_batches(db):
    backend = Recorder()
    put(db, "a", case("a", "First"))
    put(db, "b", case("b", "Bee"))
    put(db, "a", case("a", "Second"))
    put(db, "c", case("c", "Sea"))
    put(db, "c", None)
    put(db, "x", case("x"), index="other")
    assert drain(db, backend, index="cases") == 5
    assert backend.calls == [
        ("upsert", [case("a", "Second"), case("b", "Bee")]),
        ("delete", ["c"]),
    ]
    assert count_pending(db, "other") == 1


def test_drain_in_batches_keeps_order(db):
    backend = Recorder()
    for i in range(5):
        put(db, "a", case("a", f"Version {i}"))
    assert drain(db, backend, index="cases", limit=2) == 5
    assert backend.docs["a"]["title"] == "Version 4"


def test_row_enqueued_during_drain_stays(db):
    backend = Recorder()
    put(db, "a", case("a", "Old"))
    backend.during_upsert = lambda: (
        setattr(backend, "during_upsert", None),
        put(db, "a", case("a", "Newer")),
    )
    assert drain(db, backend, index="cases") == 1
    assert count_pending(db) == 1
    assert drain(db, backend, index="cases") == 1
    assert backend.docs["a"]["title"] == "Newer"


def test_failure_keeps_rows_with_backoff(db):
    backend = Recorder()
    backend.down = True
    put(db, "a", case("a"))
    assert drain(db, backend, index="cases", retry_base=60) == 0
    with db.session() as session:
        row = session.scalars(select(SearchOutbox)).one()
        assert row.attempts == 1
        assert "engine down" in row.last_error
        assert row.available_at.replace(tzinfo=None) > row.created_at.replace(tzinfo=None)
    backend.down = False
    put(db, "b", case("b"))
    # The head of the queue is backing off: nothing overtakes it.
    assert drain(db, backend, index="cases") == 0
    assert backend.calls == []
    assert count_pending(db) == 2


def test_failed_rows_are_retried_after_backoff(db):
    backend = Recorder()
    backend.down = True
    put(db, "a", case("a"))
    drain(db, backend, index="cases", retry_base=0.05)
    backend.down = False
    time.sleep(0.12)
    assert drain(db, backend, index="cases") == 1
    assert "a" in backend.docs


def test_worker_catches_up_when_the_engine_returns(db):
    backend = Recorder()
    backend.down = True
    worker = SyncWorker(db, backend, "cases", interval=0.02, retry_base=0.01, retry_max=0.05)
    worker.start()
    try:
        put(db, "a", case("a"))
        put(db, "b", case("b"))
        worker.wake()
        _wait_for(lambda: worker.failing)
        assert count_pending(db) == 2
        backend.down = False
        worker.wake()
        _wait_for(lambda: count_pending(db) == 0)
        assert set(backend.docs) == {"a", "b"}
        assert not worker.failing
    finally:
        worker.stop()
    assert worker._thread is None


def test_drain_makes_writes_searchable_in_the_embedded_engine(db, embedded):
    put(db, "a", case("a", "Rubber kerb"))
    drain(db, embedded, index="cases")
    assert [h.id for h in embedded.search(SearchQuery(text="kerb")).hits] == ["a"]
    put(db, "a", None)
    drain(db, embedded, index="cases")
    assert embedded.count() == 0


def test_meilisearch_outage_then_catch_up(db, fake_meili):
    fake = fake_meili
    meili = MeiliBackend(fake.url, index="cases")
    meili.configure(SCHEMA, SYNONYMS)
    fake.down = True
    put(db, "a", case("a", "Rubber"))
    assert drain(db, meili, index="cases", retry_base=0.01) == 0
    assert count_pending(db) == 1
    fake.down = False
    time.sleep(0.03)
    assert drain(db, meili, index="cases") == 1
    assert set(fake.indexes["cases"]) == {"a"}
    assert count_pending(db) == 0


def _wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


# -- one drainer at a time, across processes -----------------------------------------------------


@pytest.fixture
def shared_db(db_url) -> Iterator[Database]:
    """The outbox on SQLite (file lock) and on PostgreSQL (advisory lock)."""
    database = Database(db_url)
    Base.metadata.create_all(database.engine, tables=[SearchOutbox.__table__])
    yield database
    database.dispose()


def test_two_worker_processes_never_drain_at_once_and_apply_each_change_once(shared_db, tmp_path):
    log = tmp_path / "applied.log"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, shared_db.url, str(log)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        assert [w.stdout.readline().strip() for w in workers] == ["ready", "ready"]
        for i in range(60):
            put(shared_db, f"d{i}", case(f"d{i}"))
            time.sleep(0.002)
        _wait_for(lambda: count_pending(shared_db) == 0, timeout=30)
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    spans = [line.split() for line in log.read_text().splitlines()]
    spans.sort(key=lambda span: float(span[1]))
    for before, after in zip(spans, spans[1:], strict=False):
        assert float(before[2]) <= float(after[1]), "two drains overlapped"
    applied = [doc_id for *_, ids in spans for doc_id in ids.split(",")]
    assert sorted(applied) == sorted(f"d{i}" for i in range(60))


# A worker process whose engine writes "pid start end ids" for every batch it applies.
WORKER = """
import os, sys, time
from replan.db import Database
from search.sync import SyncWorker

class Slow:
    def upsert(self, documents):
        start = time.monotonic()
        time.sleep(0.02)
        ids = ",".join(d["id"] for d in documents)
        with open(sys.argv[2], "a") as log:
            log.write(f"{os.getpid()} {start} {time.monotonic()} {ids}\\n")

    def delete(self, ids):
        raise AssertionError("no deletes here")

worker = SyncWorker(Database(sys.argv[1]), Slow(), "cases", interval=0.001)
worker.start()
print("ready", flush=True)
time.sleep(60)
"""


def test_a_dead_leader_lets_another_process_drain(shared_db):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, shared_db.url],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        put(shared_db, "a", case("a"))
        backend = Recorder()
        assert drain(shared_db, backend, index="cases") == 0  # the other process has the turn
        assert count_pending(shared_db) == 1
    finally:
        holder.kill()  # kill -9: no clean release
        holder.wait()
    assert drain(shared_db, backend, index="cases", wait=5) == 1
    assert "a" in backend.docs


HOLD_LOCK = """
import sys, time
from replan.db import Database
from search.sync import DrainLock
with DrainLock(Database(sys.argv[1]), "cases").hold(timeout=5) as mine:
    print("holding" if mine else "refused", flush=True)
    time.sleep(60)
"""
