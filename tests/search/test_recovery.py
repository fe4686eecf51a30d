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

DOCS = [case("a", "Rubber kerb"), case("b", "Crumb rubber track")]


def ids(backend, text: str) -> list[str]:
    return sorted(hit.id for hit in backend.search(SearchQuery(text=text)).hits)


def garble(path: Path) -> None:
    """Overwrite an index (a file, or every file of a directory but its lock) with garbage."""
    files = [f for f in path.rglob("*") if f.is_file() and f.suffix != ".lock"]
    for file in files if path.is_dir() else [path]:
        file.write_bytes(GARBAGE)


GARBAGE = b"\x00garbage, not an index\xff" * 4096


def _configured(path: Path) -> EmbeddedBackend:
    backend = EmbeddedBackend(path)
    backend.configure(SCHEMA, SYNONYMS)
    backend.upsert(DOCS)
    return backend


def test_an_unreadable_index_raises_index_corrupt_not_at_construction(tmp_path):
    path = tmp_path / "search-index"
    _configured(path).close()
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
    path = tmp_path / "search-index"
    backend = _configured(path)
    other = EmbeddedBackend(path)  # another process's view of the same index
    assert ids(other, "rubber") == ["a", "b"]
    garble(path)
    with pytest.raises(IndexCorrupt):
        other.count()

    moved = Path(backend.reset())
    assert moved.name.startswith("search-index.corrupt-")
    assert (moved / "state.json").read_bytes().startswith(b"\x00garbage")
    assert backend.rebuild(iter(DOCS)) == 2
    assert ids(backend, "kerb") == ["a"]
    assert ids(other, "track") == ["b"]  # the other process reads the new index
    backend.upsert([case("c", "Rubber noise barrier")])
    assert ids(other, "barrier") == ["c"]
    assert ids(EmbeddedBackend(path), "barrier") == ["c"]  # and so does a new start
    backend.close()
    other.close()


def test_a_deleted_meilisearch_index_is_corrupt_and_reset_then_rebuild_restores(fake_meili):
    fake = fake_meili
    meili = MeiliBackend(fake.url, index="cases")
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
    path = tmp_path / "search-index"
    _configured(path).close()
    garble(path)
    guard = GuardedBackend(EmbeddedBackend(path))
    woken = []
    guard.on_damage = lambda: woken.append(True)
    guard.refill = lambda engine: engine.rebuild(iter(DOCS))
    guard.configure(SCHEMA, SYNONYMS)  # no exception: a state
    assert guard.damaged and woken
    report = guard.report()
    assert report["state"] == "rebuilding" and "cannot be read" in report["reason"]
    with pytest.raises(SearchRebuilding):
        guard.search(SearchQuery(text="rubber"))
    assert guard.repair() is True
    assert guard.state == IndexState.RECOVERED
    assert "damaged copy kept as" in guard.report()["reason"]
    assert ids(guard, "rubber") == ["a", "b"]
    assert guard.repair() is False  # nothing left to do
    guard.close()


def test_guarded_reindex_sets_a_damaged_index_aside(tmp_path):
    path = tmp_path / "search-index"
    guard = GuardedBackend(EmbeddedBackend(path))
    guard.refill = lambda engine: engine.rebuild(iter(DOCS))
    guard.configure(SCHEMA, SYNONYMS)
    guard.engine.close()
    garble(path)
    assert guard.reindex() == 2
    assert guard.state == IndexState.RECOVERED
    assert list(tmp_path.glob("search-index.corrupt-*"))
    guard.close()
