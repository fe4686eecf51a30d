"""Schema migrations (Alembic): `upgrade(db_url)` brings any database to the newest schema."""

from pathlib import Path

from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent


def alembic_config(db_url: str) -> Config:
    """Return an Alembic config for this project's migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    return cfg


def upgrade(db_url: str) -> None:
    """Create or upgrade the schema to the newest revision."""
    command.upgrade(alembic_config(db_url), "heads")
