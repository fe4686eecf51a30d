"""Liveness and readiness: `/healthz` stays cheap, `/readyz` names what is not ready and why."""

import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from replan import mail
from replan.app import build_runtime, create_app
from search.models import SearchOutbox
from search.service import GuardedBackend
from tests.conftest import make_settings


@pytest.fixture(autouse=True)
def fresh_mail_stats(monkeypatch):
    monkeypatch.setattr(mail, "STATS", mail.MailStats())


def checks(client: TestClient, status: int) -> dict:
    answer = client.get("/readyz")
    assert answer.status_code == status, answer.text
    assert answer.json()["status"] == ("ready" if status == 200 else "not ready")
    return answer.json()["checks"]


def failing(answer: dict) -> set[str]:
    return {name for name, check in answer.items() if not check["ok"]}


def test_a_migrated_instance_is_ready_and_says_why(client):
    answer = checks(client, 200)
    assert set(answer) == {"database", "migrations", "search", "outbox", "mail"}
    assert all(check["reason"] for check in answer.values())
    live = client.get("/healthz").json()
    assert {"status", "database", "search"} <= set(live)


def test_a_database_without_the_schema_is_not_ready(tmp_path):
    settings = make_settings(tmp_path)
    runtime = build_runtime(settings)
    try:
        with TestClient(create_app(settings, runtime)) as client:
            answer = checks(client, 503)
    finally:
        runtime.close()
    assert failing(answer) == {"migrations", "outbox"}
    assert "run `replan init`" in answer["migrations"]["reason"]


def test_an_old_search_change_waiting_is_outbox_lag(client, runtime):
    with runtime.db.session() as session:
        session.add(
            SearchOutbox(
                index_name="cases",
                doc_id="x",
                document=None,
                created_at=datetime.now(UTC) - timedelta(hours=1),
                available_at=datetime.now(UTC) + timedelta(hours=1),  # backing off: stays
            )
        )
    answer = checks(client, 503)
    assert failing(answer) == {"outbox"}
    assert "1 changes waiting, the oldest for 3600 s (limit 300 s)" in answer["outbox"]["reason"]


def test_a_search_engine_down_is_not_ready(client, runtime, monkeypatch):
    def down():
        raise ConnectionError("engine down")

    monkeypatch.setattr(runtime.get(GuardedBackend).engine, "count", down)
    answer = checks(client, 503)
    assert failing(answer) == {"search"}
    assert answer["search"]["reason"] == "unavailable: ConnectionError: engine down"


def test_mail_failing_in_a_row_is_not_ready(client, runtime, monkeypatch):
    def refuse(*_args, **_kw):
        raise smtplib.SMTPConnectError(421, "try later")

    settings = runtime.settings.model_copy(update={"smtp_host": "mail.invalid"})
    monkeypatch.setattr(smtplib, "SMTP", refuse)
    message = mail.Message(to="a@example.org", subject="s", body="b")
    mail.send_all(settings, [message, message])
    checks(client, 200)  # two failures: under the limit of three
    mail.send_all(settings, [message])
    answer = checks(client, 503)
    assert failing(answer) == {"mail"}
    assert "the last 3 e-mails failed" in answer["mail"]["reason"]
