"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from replan.app import MODEL_MODULES
from replan.db import Base
from replan.migrations import upgrade


def test_migrations_match_the_models(db_url):
    upgrade(db_url)
    upgrade(db_url)  # a second run is a no-op
    assert MODEL_MODULES
    engine = create_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert {"kb_case", "auth_user", "gpp_spec", "search_outbox"} <= tables


def test_user_ids_are_never_reused_after_the_upgrade(db_url):
    """0005 keeps every row that points at a user, and a deleted user's id never comes back."""
    from alembic import command
    from sqlalchemy import text

    from replan.migrations import alembic_config

    command.upgrade(alembic_config(db_url), "0003")
    command.upgrade(alembic_config(db_url), "0004")
    command.upgrade(alembic_config(db_url), "search_0001")
    engine = create_engine(db_url)
    now = "2026-01-01 00:00:00+00:00"
    with engine.begin() as conn:
        for n in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO auth_user (email, password_hash, role, language, is_active,"
                    " created_at) VALUES (:e, 'x', 'submitter', 'en', true, :t)"
                ),
                {"e": f"u{n}@example.org", "t": now},
            )
        conn.execute(
            text(
                "INSERT INTO auth_token (user_id, token_hash, name, created_at)"
                " VALUES (1, 'h', 'kept', :t)"
            ),
            {"t": now},
        )
    upgrade(db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM auth_user WHERE id = 2"))
        assert conn.execute(text("SELECT user_id, name FROM auth_token")).all() == [(1, "kept")]
        conn.execute(
            text(
                "INSERT INTO auth_user (email, password_hash, role, language, is_active,"
                " created_at) VALUES ('new@example.org', 'x', 'admin', 'en', true, :t)"
            ),
            {"t": now},
        )
        new_id = conn.scalar(text("SELECT id FROM auth_user WHERE email = 'new@example.org'"))
    engine.dispose()
    assert new_id == 3  # not 2, the id of the deleted user
