"""Choosing the search engine from the settings, and keeping a damaged index from taking the site
down: the index is derived data, so `GuardedBackend` answers "rebuilding" while the background
worker sets the damaged copy aside and rebuilds it from the database."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum

from replan.clock import utcnow
from replan.settings import Settings
from search.backend import (
    IndexCorrupt,
    IndexSchema,
    SearchBackend,
    SearchQuery,
    SearchResult,
    SearchUnavailable,
)

log = logging.getLogger(__name__)


def make_backend(settings: Settings) -> SearchBackend:
    """Return Meilisearch when `meili_url` is set, else the embedded engine in the data dir."""
    if settings.meili_url:
        from search.meili import MeiliBackend

        key = settings.meili_key.get_secret_value() if settings.meili_key else None
        return MeiliBackend(settings.meili_url, key, index=settings.meili_index)
    from search.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.search_index_path)


class IndexState(StrEnum):
    OK = "ok"
    REBUILDING = "rebuilding"
    RECOVERED = "recovered"
    UNAVAILABLE = "unavailable"


class SearchRebuilding(SearchUnavailable):
    """The index was found damaged and is being rebuilt from the database."""


class GuardedBackend:
    """An engine whose damaged index (`IndexCorrupt`) turns into a state, not into errors.

    Searches answer `SearchRebuilding` until `repair()` (run by the sync worker, or by the command
    line, under the drain lock) has set the damaged copy aside and refilled the index with
    `refill(engine)`; `on_damage` is called when damage is first seen (to wake the worker).
    """

    def __init__(self, engine: SearchBackend) -> None:
        self.engine = engine
        self.refill: Callable[[SearchBackend], int] | None = None
        self.on_damage: Callable[[], None] | None = None
        self.state = IndexState.OK
        self.reason: str | None = None
        self.since: datetime | None = None
        self.damaged = False
        self._trust_probe = True
        self._retry_at = 0.0
        self._backoff = 1.0
        self._lock = threading.Lock()

    # -- state ---------------------------------------------------------------------------------

    def _set(self, state: IndexState, reason: str | None) -> None:
        with self._lock:
            self.state, self.reason, self.since = state, reason, utcnow()

    def _damage(self, exc: Exception) -> None:
        if not self.damaged:
            log.error("search index damaged, it will be rebuilt from the database: %s", exc)
            self._set(IndexState.REBUILDING, str(exc))
            self.damaged = True
        if self.on_damage is not None:
            self.on_damage()

    def report(self) -> dict[str, str | None]:
        """Return the index's state for /healthz (probing the engine unless it is rebuilding)."""
        if not self.damaged:
            try:
                self.engine.count()
                if self.state == IndexState.UNAVAILABLE:
                    self._set(IndexState.OK, None)
            except IndexCorrupt as exc:
                self._damage(exc)
            except Exception as exc:  # noqa: BLE001 - health reports any failure
                self._set(IndexState.UNAVAILABLE, f"{type(exc).__name__}: {exc}")
        since = self.since.isoformat() if self.since else None
        return {"state": self.state.value, "reason": self.reason, "since": since}

    def repair(self) -> bool:
        """Rebuild a damaged index; return whether it did. The caller holds the drain lock."""
        if not self.damaged or time.monotonic() < self._retry_at:
            return False
        reason = self.reason
        if self._trust_probe:
            try:  # another process may have rebuilt it meanwhile
                self.engine.count()
                self._trust_probe = False  # a second failure soon after: rebuild then
                self.damaged = False
                self._set(IndexState.RECOVERED, f"readable again after: {reason}")
                return True
            except IndexCorrupt:
                pass
        self.rebuild_damaged(reason)
        return True

    def rebuild_damaged(self, reason: str | None) -> int:
        """Set the damaged index aside and fill a new one from the database; log it."""
        assert self.refill is not None, "the composition root sets refill"
        started = time.monotonic()
        try:
            moved = self.engine.reset()
            count = self.refill(self.engine)
        except Exception as exc:
            log.exception("rebuilding the damaged search index failed; will retry")
            self._set(IndexState.UNAVAILABLE, f"{reason}; rebuilding failed: {exc}")
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(self._backoff * 2, 300.0)
            raise
        kept = f", damaged copy kept as {moved}" if moved else ""
        log.warning(
            "search index rebuilt from the database: %d documents in %.1f s (%s)%s",
            count,
            time.monotonic() - started,
            reason,
            kept,
        )
        self._trust_probe, self.damaged, self._backoff = True, False, 1.0
        self._set(IndexState.RECOVERED, f"{reason}{kept}")
        return count

    def reindex(self) -> int:
        """Rebuild the index from the database; set a damaged one aside first."""
        assert self.refill is not None, "the composition root sets refill"
        try:
            return self.refill(self.engine)
        except IndexCorrupt as exc:
            self._damage(exc)
            return self.rebuild_damaged(str(exc))

    # -- the protocol, delegated -------------------------------------------------------------------

    def configure(self, schema: IndexSchema, synonyms: list[list[str]]) -> None:
        try:
            self.engine.configure(schema, synonyms)
        except IndexCorrupt as exc:
            self._damage(exc)

    def search(self, query: SearchQuery) -> SearchResult:
        if self.damaged:
            if self.state == IndexState.UNAVAILABLE:
                raise SearchUnavailable(self.reason or "the search index is unavailable")
            raise SearchRebuilding(self.reason or "the search index is being rebuilt")
        try:
            return self.engine.search(query)
        except IndexCorrupt as exc:
            self._damage(exc)
            raise SearchRebuilding(str(exc)) from exc

    def upsert(self, documents: list[dict]) -> None:
        self._guard(self.engine.upsert, documents)

    def delete(self, ids: list[str]) -> None:
        self._guard(self.engine.delete, ids)

    def rebuild(self, documents: Iterable[dict]) -> int:
        return self._guard(self.engine.rebuild, documents)

    def count(self) -> int:
        return self._guard(self.engine.count)

    def _guard(self, method: Callable, *args):
        try:
            return method(*args)
        except IndexCorrupt as exc:
            self._damage(exc)
            raise

    def health(self) -> bool:
        return not self.damaged and self.engine.health()

    def reset(self) -> str | None:
        return self.engine.reset()

    def close(self) -> None:
        self.engine.close()
