"""What one running instance holds: settings, database, and the typed parts the domains need.

Built once by `replan.app.build_runtime` (the composition root) and handed to the web app and the
command line. `replan` knows no domain, so the parts are keyed by their own class: the composition
root provides `GuardedBackend`, `Taxonomy` and `Library` (and the kinds of follows), and a
domain asks for one with `runtime.get(Library)`, typed as what it asked for; a missing part is a
composition bug and fails loudly."""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TypeVar

from replan.account_hooks import AccountHook
from replan.db import Database
from replan.follows.kinds import FollowKind
from replan.settings import Settings
from replan.uow import UnitOfWork

T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    db: Database
    parts: tuple[object, ...] = ()  # one object per class: the search engine, the taxonomy...
    account_hooks: tuple[AccountHook, ...] = ()  # each domain's part of an account
    model_modules: tuple[ModuleType, ...] = ()  # each domain's tables, for checks and Alembic
    follow_kinds: tuple[FollowKind, ...] = ()  # what users may follow, each domain's kinds
    _wake: list[Callable[[], None]] = field(default_factory=list)
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def get(self, kind: type[T]) -> T:
        """Return the part of that class."""
        for part in self.parts:
            if isinstance(part, kind):
                return part
        raise LookupError(f"the composition root provided no {kind.__name__}")

    def on_index_changed(self, wake: Callable[[], None]) -> Callable[[], None]:
        """Call `wake` whenever a commit left documents in the search outbox; return the undo."""
        self._wake.append(wake)
        return lambda: self._wake.remove(wake)

    def on_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def index_changed(self) -> None:
        """Tell this process's search worker that committed changes wait in the outbox."""
        for wake in list(self._wake):
            wake()

    def unit_of_work(self) -> UnitOfWork:
        """Open a unit of work whose commit wakes the search worker when asked to."""
        return UnitOfWork(self.db, index_changed=self.index_changed)

    def close(self) -> None:
        for closer in reversed(self._closers):
            closer()
        self._closers.clear()
        self.db.dispose()
