"""The service boundary every domain shares: the unit of work, the typed parts, the errors."""

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gpp.library import Library
from kb.taxonomy import Taxonomy
from replan.auth_models import LoginAttempt
from replan.errors import Conflict, Invalid, Invalids, NotFound
from replan.i18n import N_
from search.service import GuardedBackend


def _attempts(runtime) -> int:
    with runtime.db.session() as session:
        return session.scalar(select(func.count()).select_from(LoginAttempt))


def test_after_commit_actions_run_only_when_the_commit_went_through(runtime):
    woken: list[str] = []
    undo = runtime.on_index_changed(lambda: woken.append("index"))
    with runtime.unit_of_work() as uow:
        uow.session.add(LoginAttempt(email="a@example.org"))
        uow.index_changed()
        uow.index_changed()  # asked twice, woken once
        uow.after_commit(lambda: woken.append("mail"))
        assert woken == []
        uow.commit()
    assert woken == ["index", "mail"]
    assert _attempts(runtime) == 1

    with runtime.unit_of_work() as uow:  # closed without a commit: nothing stays, nothing runs
        uow.session.add(LoginAttempt(email="b@example.org"))
        uow.after_commit(lambda: woken.append("late"))
    assert woken == ["index", "mail"]
    assert _attempts(runtime) == 1
    undo()


def test_a_failed_follow_up_does_not_undo_the_write(runtime):
    def broken() -> None:
        raise RuntimeError("smtp down")

    with runtime.unit_of_work() as uow:
        uow.session.add(LoginAttempt(email="c@example.org"))
        uow.after_commit(broken)
        uow.commit()
    assert _attempts(runtime) == 1


def test_parts_are_typed_and_a_missing_one_fails_loudly(runtime):
    assert isinstance(runtime.get(Library), Library)
    assert isinstance(runtime.get(Taxonomy), Taxonomy)
    assert isinstance(runtime.get(GuardedBackend), GuardedBackend)
    with pytest.raises(LookupError, match="int"):
        runtime.get(int)


@pytest.fixture
def refusing(app):
    router = APIRouter()

    @router.get("/api/v1/_refuse/{kind}")
    @router.get("/_refuse/{kind}")
    def refuse(kind: str) -> None:
        if kind == "missing":
            raise NotFound(N_("There is no case study with this address."))
        if kind == "field":
            raise Invalid(N_("Choose a decision."), field="decision")
        if kind == "many":
            raise Invalids(
                [
                    Invalid(N_("Choose a decision."), field="decision"),
                    Invalid(N_("Use at most %(n)s characters."), field="parameters.x.y", n=9),
                ]
            )
        raise Conflict(N_("Maximum score: %(points)s points"), points=7)

    app.include_router(router)
    with TestClient(app) as client:
        yield client


def test_domain_errors_are_mapped_once_english_in_the_api(refusing):
    answer = refusing.get("/api/v1/_refuse/missing")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "There is no case study with this address."}
    answer = refusing.get("/api/v1/_refuse/field")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "decision"
    answer = refusing.get("/api/v1/_refuse/many")
    assert answer.status_code == 422
    assert [(e["loc"], e["field"], e["msg"]) for e in answer.json()["detail"]] == [
        (["body", "decision"], "decision", "Choose a decision."),
        (["body", "parameters", "x", "y"], "parameters.x.y", "Use at most 9 characters."),
    ]
    answer = refusing.get("/api/v1/_refuse/conflict")
    assert answer.status_code == 409
    assert answer.json() == {"detail": "Maximum score: 7 points"}


def test_domain_errors_are_translated_on_pages(refusing):
    page = refusing.get("/_refuse/conflict?lang=it")
    assert page.status_code == 409
    assert "7" in page.text
    assert "Maximum score" not in page.text  # the Italian catalogue says it
    assert 'lang="it"' in page.text


def test_replan_tables_refer_to_no_domain_table():
    from replan import auth_models
    from replan.db import Base

    own = {
        table
        for table in Base.metadata.sorted_tables
        if any(getattr(m, "__table__", None) is table for m in vars(auth_models).values())
    }
    assert own
    targets = {fk.column.table.name for table in own for fk in table.foreign_keys}
    assert {name for name in targets if not name.startswith("auth_")} == set()
