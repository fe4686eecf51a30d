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


def test_0012_makes_every_case_a_project_but_the_seed_programmes(db_url):
    """A database loaded before cases had a scope: the seed programme totals become programmes,
    every other case a project."""
    from alembic import command
    from sqlalchemy import text

    from replan.migrations import alembic_config

    command.upgrade(alembic_config(db_url), "0009")
    engine = create_engine(db_url)
    with engine.begin() as conn:
        for case_id in ("es-signus-2023-carreteras-polvo-neumatico", "it-some-road"):
            conn.execute(
                text(
                    "INSERT INTO kb_case (id, title, summary, language, application, rtm_types,"
                    " country, benefits, sources, status, version, created_at, updated_at)"
                    " VALUES (:id, 'A title', 'A summary', 'en', 'road-pavement',"
                    " '[\"rubber-powder\"]', 'ES', '[]', '[]', 'published', 1, :t, :t)"
                ),
                {"id": case_id, "t": "2026-01-01 00:00:00+00:00"},
            )
    upgrade(db_url)
    with engine.begin() as conn:
        scopes = dict(conn.execute(text("SELECT id, scope FROM kb_case")).all())
    engine.dispose()
    assert scopes == {
        "es-signus-2023-carreteras-polvo-neumatico": "programme",
        "it-some-road": "project",
    }
