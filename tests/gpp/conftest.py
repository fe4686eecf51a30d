"""Fixtures of the GPP tests: the seed criteria library, a migrated database, cases, users."""

from collections.abc import Iterator

import pytest

from gpp import bidders, service
from gpp.library import Library, load_library
from gpp.schemas import SpecCreate
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


@pytest.fixture
def contract_world(runtime):
    """A procurer's road spec with two bidders: one compliant on every check, one not."""
    with runtime.db.session() as session:
        owner = add_user(session, "owner@example.org")
        other = add_user(session, "other@example.org")
        moderator = add_user(session, "mod@example.org", role="moderator")
        submitter = add_user(session, "sub@example.org", role="submitter")
        spec = service.build_spec(
            session,
            library=runtime.get(Library),
            request=SpecCreate(application="road-pavement", ambition="core", title="Via Roma"),
            owner_id=owner.id,
        )
        good = bidders.new_bidder(session, spec=spec, user_id=owner.id, name="Good Srl")
        for check in good.checks:
            check.status = "compliant"
        weak = bidders.new_bidder(session, spec=spec, user_id=owner.id, name="Weak Srl")
        session.flush()
        session.expunge_all()
    return {
        "spec": spec.id,
        "owner": owner,
        "other": other,
        "moderator": moderator,
        "submitter": submitter,
        "good": good.id,
        "weak": weak.id,
    }
