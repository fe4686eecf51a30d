"""Fixtures of the GPP tests: the seed criteria library, a migrated database, cases, users."""

from collections.abc import Iterator

import pytest

from gpp.library import Library, load_library
from kb.importing import apply_record
from kb.models import Case
from kb.schemas import CaseRecord
from kb.status import PUBLIC
from replan import PROJECT_ROOT, auth
from replan.db import Database
from tests.builders import record


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(PROJECT_ROOT / "seeds" / "criteria")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """A migrated database of its own, on SQLite and on PostgreSQL."""
    from replan.migrations import upgrade

    upgrade(db_url)
    database = Database(db_url)
    yield database
    database.dispose()


def add_case(session, *, status: str = PUBLIC, **overrides) -> Case:
    """Store a case straight in the database (the search index plays no part in specs)."""
    rec = CaseRecord.model_validate(record(**overrides))
    case = Case(id=rec.id, status=status)
    apply_record(session, case, rec, {})
    session.add(case)
    session.flush()
    return case


def add_user(session, email: str, role: str = "procurer"):
    return auth.create_user(session, email=email, password="correct horse battery", role=role)
