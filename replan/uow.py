"""The unit of work a write service is given: one session, committed once, and the actions that
must follow a commit (wake the search worker, send mail) run only when the commit went through.

Web handlers get one from `replan.deps.UowDep`; the command line from `Runtime.unit_of_work()`.
A service calls `uow.commit()` once, at the end of its write; whatever was not committed when the
unit of work closes is rolled back, and its after-commit actions are dropped."""

import logging
from collections.abc import Callable
from types import TracebackType

from sqlalchemy.orm import Session

from replan.db import Database

log = logging.getLogger(__name__)


class UnitOfWork:
    def __init__(self, db: Database, *, index_changed: Callable[[], None] | None = None) -> None:
        self.session: Session = db.sessionmaker()
        self._index_changed = index_changed
        self._pending: list[Callable[[], None]] = []

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once the next commit has gone through (never when it fails)."""
        self._pending.append(action)

    def index_changed(self) -> None:
        """Wake the search worker after the commit: this write put documents in the outbox."""
        if self._index_changed is not None and self._index_changed not in self._pending:
            self._pending.append(self._index_changed)

    def commit(self) -> None:
        """Commit the session, then run the actions that waited for it."""
        try:
            self.session.commit()
        except BaseException:
            self.session.rollback()
            self._pending.clear()
            raise
        actions, self._pending = self._pending, []
        for action in actions:
            try:
                action()
            except Exception:  # noqa: BLE001 - the write stands; a failed follow-up is logged
                log.exception("an action after a commit failed")

    def rollback(self) -> None:
        self.session.rollback()
        self._pending.clear()

    def close(self) -> None:
        """Roll back whatever was not committed and release the connection."""
        self.rollback()
        self.session.close()

    def __enter__(self) -> "UnitOfWork":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
