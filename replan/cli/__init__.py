"""The `replan` command: serve, init, import, export, reindex, backup, restore, users, tokens,
criteria, reminders, follows. Like `replan.app`, it composes every domain."""

from replan.cli import accounts, contracts, data, follows  # noqa: F401 - importing them registers their commands
from replan.cli.base import app, init_database

__all__ = ["app", "init_database"]
