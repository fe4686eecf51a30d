"""The registry of every domain's tables, for Alembic and for metadata checks."""

import importlib

MODEL_MODULES = (
    "replan.auth_models",
    "kb.models",
    "kb.moderation.models",
    "gpp.models",
    "search.models",
)


def import_all_models() -> None:
    """Import each domain's models so that `Base.metadata` knows every table."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
