"""A damaged or lost index: engines raise `IndexCorrupt`, `reset()` discards it, a rebuild
restores it, and `GuardedBackend` turns the damage into a state instead of errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.backend import IndexCorrupt, SearchQuery
from search.embedded import EmbeddedBackend
from search.meili import MeiliBackend
from search.service import GuardedBackend, IndexState, SearchRebuilding
from tests.search.conftest import SCHEMA, SYNONYMS, case
from tests.search.fake_meili import FakeMeili

DOCS = [case("a", "Rubber kerb"), case("b", "Crumb rubber track")]


def ids(backend, text: str) -> list[str]:
    return sorted(hit.id for hit in backend.search(SearchQuery(text=text)).hits)


def garble(path: Path) -> None:
    path.write_bytes(b"\x00garbage, not an index\xff" * 4096)


def test_an_unreadable_file_raises_index_corrupt_not_at_construction(tmp_path):
    path = tmp_path / "search.sqlite"
    garble(path)
    backend = EmbeddedBackend(path)  # the app must be able to start
    for call in (
        lambda: backend.configure(SCHEMA, SYNONYMS),
        lambda: backend.search(SearchQuery(text="rubber")),
        backend.count,
        lambda: backend.upsert(DOCS),
    ):
        with pytest.raises(IndexCorrupt):
            call()
    assert backend.health() is False
    backend.close()


def test_reset_keeps_the_damaged_copy_and_a_rebuild_restores(tmp_path):
    path = tmp_path / "search.sqlite"
    backend = EmbeddedBackend(path)
    backend.configure(SCHEMA, SYNONYMS)
    backend.upsert(DOCS)
    backend.close()
    garble(path)
    other = EmbeddedBackend(path)  # another process's view of the same index
    with pytest.raises(IndexCorrupt):
        other.count()

    moved = backend.reset()
    assert moved is not None and ".corrupt-" in moved
    assert Path(moved).read_bytes().startswith(b"\x00garbage")
    with pytest.raises(IndexCorrupt, match="being rebuilt"):
        other.search(SearchQuery(text="rubber"))  # an empty index is not shown as the truth
    assert backend.rebuild(iter(DOCS)) == 2
    assert ids(backend, "kerb") == ["a"]
    assert ids(other, "track") == ["b"]  # the other process follows to the new file
    backend.upsert([case("c", "Rubber noise barrier")])
    assert ids(other, "barrier") == ["c"]
    assert ids(EmbeddedBackend(path), "barrier") == ["c"]  # and so does a new start
    backend.close()
    other.close()


def test_a_deleted_meilisearch_index_is_corrupt_and_reset_then_rebuild_restores():
    fake = FakeMeili()
    meili = MeiliBackend("http://meili.test", index="cases", transport=fake.transport())
    meili.configure(SCHEMA, SYNONYMS)
    meili.upsert(DOCS)
    del fake.indexes["cases"]
    with pytest.raises(IndexCorrupt):
        meili.search(SearchQuery(text="rubber"))
    meili.reset()
    assert "cases" not in fake.indexes
    assert meili.rebuild(iter(DOCS)) == 2
    assert set(fake.indexes["cases"]) == {"a", "b"}
    meili.close()


def test_guarded_backend_reports_rebuilding_then_recovered(tmp_path):
    path = tmp_path / "search.sqlite"
    garble(path)
    guard = GuardedBackend(EmbeddedBackend(path))
    woken = []
    guard.on_damage = lambda: woken.append(True)
    guard.refill = lambda engine: engine.rebuild(iter(DOCS))
    guard.configure(SCHEMA, SYNONYMS)  # no exception: a state
    assert guard.damaged and woken
    report = guard.report()
    assert report["state"] == "rebuilding" and "not a database" in report["reason"]
    with pytest.raises(SearchRebuilding):
        guard.search(SearchQuery(text="rubber"))
    assert guard.repair() is True
    assert guard.state == IndexState.RECOVERED
    assert "damaged copy kept as" in guard.report()["reason"]
    assert ids(guard, "rubber") == ["a", "b"]
    assert guard.repair() is False  # nothing left to do
    guard.close()


def test_guarded_reindex_sets_a_damaged_index_aside(tmp_path):
    path = tmp_path / "search.sqlite"
    guard = GuardedBackend(EmbeddedBackend(path))
    guard.refill = lambda engine: engine.rebuild(iter(DOCS))
    guard.configure(SCHEMA, SYNONYMS)
    guard.engine.close()
    garble(path)
    assert guard.reindex() == 2
    assert guard.state == IndexState.RECOVERED
    assert list(tmp_path.glob("search.sqlite.corrupt-*"))
    guard.close()
