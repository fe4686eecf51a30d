"""Shared fixtures: settings on a temporary data dir, the app, a client, a seeded catalogue,
and database URLs for SQLite and (when it answers) PostgreSQL."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from replan.app import build_runtime, create_app
from replan.settings import Settings

PG_ADMIN_URL = os.environ.get(
    "REPLAN_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
_pg_state: dict[str, object] = {}


def _pg_available() -> bool:
    if "ok" not in _pg_state:
        try:
            engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["ok"] = True
        except Exception as exc:  # noqa: BLE001 - any failure means "not here"
            _pg_state["ok"] = False
            _pg_state["why"] = f"{type(exc).__name__}: {exc}"
    return bool(_pg_state["ok"])


def pytest_terminal_summary(terminalreporter) -> None:
    if _pg_state.get("ok") is False:
        terminalreporter.write_line(
            "!!!!! PostgreSQL at 127.0.0.1:5432 did not answer: "
            "the storage and service tests ran on "
            f"SQLite only ({_pg_state.get('why')}) !!!!!",
            red=True,
            bold=True,
        )


@contextmanager
def _pg_database() -> Iterator[str]:
    """Create a fresh PostgreSQL database of its own, dropped afterwards."""
    if not _pg_available():
        pytest.skip(f"PostgreSQL not reachable: {_pg_state.get('why')}")
    name = f"replan_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database of its own, dropped afterwards."""
    with _pg_database() as url:
        yield url


@pytest.fixture
def pg_url_2() -> Iterator[str]:
    """A second fresh PostgreSQL database (a restore target, a copy)."""
    with _pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """The storage tests' database: SQLite always, PostgreSQL when it answers."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'replan.db'}"
    return request.getfixturevalue("pg_url")


def make_settings(tmp_path: Path, **overrides) -> Settings:
    values = {"env": "test", "data_dir": tmp_path, "secret_key": "x" * 40, **overrides}
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def runtime(settings: Settings):
    """A runtime on an empty, migrated database."""
    from replan.migrations import upgrade

    rt = build_runtime(settings)
    upgrade(settings.db_url)
    yield rt
    rt.close()


@pytest.fixture
def storage_runtime(db_url: str, tmp_path: Path):
    """A runtime on an empty, migrated database: SQLite, and PostgreSQL when it answers."""
    from replan.migrations import upgrade

    upgrade(db_url)
    rt = build_runtime(make_settings(tmp_path, database_url=db_url))
    yield rt
    rt.close()


@pytest.fixture
def app(runtime):
    return create_app(runtime.settings, runtime)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def seeded_runtime(tmp_path_factory):
    """A catalogue built once from seeds/ (read-only: tests must not write to it)."""
    from replan.cli import init_database

    path = tmp_path_factory.mktemp("seeded")
    rt = build_runtime(make_settings(path))
    init_database(rt)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def seeded_app(seeded_runtime):
    return create_app(seeded_runtime.settings, seeded_runtime)


@pytest.fixture
def seeded_client(seeded_app) -> Iterator[TestClient]:
    """A fresh client (no cookies) on the shared seeded app."""
    with TestClient(seeded_app) as c:
        yield c
