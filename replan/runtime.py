"""What one running instance holds: settings, database, search engine and loaded seed data.

Built once by `replan.app.build_runtime` (the composition root) and handed to the web app and the
command line; domains read the parts they need from it."""

from dataclasses import dataclass, field
from typing import Any

from replan.account_hooks import AccountHook
from replan.db import Database
from replan.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    search: Any  # search.backend.SearchBackend
    taxonomy: Any  # kb.taxonomy.Taxonomy
    extras: dict[str, Any] = field(default_factory=dict)  # e.g. the criteria library
    account_hooks: tuple[AccountHook, ...] = ()  # each domain's part of an account
    indexer: Any = None  # search.sync.SyncWorker while this process serves

    def index_changed(self) -> None:
        """Tell this process's search worker that committed changes wait in the outbox."""
        if self.indexer is not None:
            self.indexer.wake()

    def close(self) -> None:
        if self.indexer is not None:
            self.indexer.stop()
            self.indexer = None
        self.search.close()
        self.db.dispose()
