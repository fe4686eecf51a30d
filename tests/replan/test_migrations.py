"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from replan.db import Base
from replan.migrations import upgrade
from replan.models import import_all_models


def test_migrations_match_the_models(db_url):
    upgrade(db_url)
    upgrade(db_url)  # a second run is a no-op
    import_all_models()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert {"kb_case", "auth_user", "gpp_spec", "search_outbox"} <= tables
