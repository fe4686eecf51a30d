"""Server-side sessions: a kept cookie is worth nothing once its session ends (sign-out, password
change, account deletion, an administrator's "sign out everywhere", expiry), user ids are never
handed out twice, and a request looks its user up with at most one query."""

import base64
import json
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from replan import auth
from replan.app import build_runtime, create_app
from replan.auth_models import ApiToken, User, UserSession
from tests.conftest import make_settings
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import PASSWORD, make_user, sign_in

people = support.people  # the fixture, shared
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _signed_in(client: TestClient) -> bool:
    answer = client.get("/account", follow_redirects=False)
    return answer.status_code == 200


def _cookie_data(client: TestClient) -> dict:
    payload = client.cookies["replan_session"].split(".")[0]
    return json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_deleted_users_kept_cookie_does_not_become_the_next_account(app, runtime):
    """The attack of issue 9: sign in as the newest user, keep the cookie, delete the account,
    let an administrator create a user: the kept cookie must not sign in as that user."""
    victim = sign_in(app, runtime, "submitter", email="newest@example.org")
    kept = dict(victim.client.cookies)
    assert (
        victim.post("/account/delete", {"password": PASSWORD, "confirm": "yes"}).status_code == 303
    )
    new_id, _ = make_user(runtime, "admin", email="next-admin@example.org")
    assert new_id != victim.user_id  # ids are never handed out twice
    attacker = TestClient(app, cookies=kept)
    answer = attacker.get("/moderation", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    assert not _signed_in(attacker)


def test_the_cookie_carries_only_a_random_key_kept_hashed(app, runtime):
    person = sign_in(app, runtime, "submitter", email="cookie-key@example.org")
    data = _cookie_data(person.client)
    assert "uid" not in data and str(person.user_id) not in data.values()
    key = data["sid"]
    assert len(key) >= 40
    with runtime.db.session() as session:
        row = session.scalar(select(UserSession).where(UserSession.user_id == person.user_id))
        assert row.key_hash != key and key not in row.key_hash
        assert row.user_agent == "testclient"


def test_signing_out_ends_the_session_on_the_server(app, runtime):
    person = sign_in(app, runtime, "submitter", email="replay@example.org")
    kept = dict(person.client.cookies)
    assert person.post("/logout").status_code == 303
    assert not _signed_in(TestClient(app, cookies=kept))  # the copy no longer works either


def test_a_password_change_ends_every_other_session_and_every_token(app, runtime):
    person = sign_in(app, runtime, "procurer", email="rotate@example.org")
    other = TestClient(app)
    token = CSRF.search(other.get("/login").text)[1]
    other.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    assert _signed_in(other)
    with runtime.db.session() as session:
        api_token = auth.create_token(session, user=session.get(User, person.user_id))
    old_cookie = dict(person.client.cookies)
    changed = person.post(
        "/account/password",
        {"current": PASSWORD, "new": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert changed.status_code == 303
    assert _signed_in(person.client)  # this browser goes on, in a new session
    assert not _signed_in(other)
    assert not _signed_in(TestClient(app, cookies=old_cookie))
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert TestClient(app).get("/api/v1/specs", headers=bearer).status_code == 401


def test_the_account_page_lists_sessions_and_ends_them(app, runtime):
    person = sign_in(app, runtime, "submitter", email="many@example.org")
    second = TestClient(app, headers={"User-Agent": "Second Browser/1.0"})
    token = CSRF.search(second.get("/login").text)[1]
    second.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    third = TestClient(app, headers={"User-Agent": "Third Browser/2.0"})
    token = CSRF.search(third.get("/login").text)[1]
    third.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    page = person.get("/account").text
    assert "Second Browser/1.0" in page and "Third Browser/2.0" in page
    assert page.count('id="session-current"') == 1 and "this browser" in page
    with runtime.db.session() as session:
        second_id = session.scalar(
            select(UserSession.id).where(UserSession.user_agent == "Second Browser/1.0")
        )
    stranger = sign_in(app, runtime, "submitter", email="stranger@example.org")
    assert stranger.post(f"/account/sessions/{second_id}/end").status_code == 303
    assert _signed_in(second)  # not theirs to end
    assert person.post(f"/account/sessions/{second_id}/end").status_code == 303
    assert not _signed_in(second) and _signed_in(third)
    assert person.post("/account/sessions/end-others").status_code == 303
    assert not _signed_in(third) and _signed_in(person.client)
    with runtime.db.session() as session:
        current = session.scalar(
            select(UserSession.id).where(UserSession.user_id == person.user_id)
        )
    ended = person.post(f"/account/sessions/{current}/end")
    assert ended.status_code == 303 and ended.headers["location"] == "/"
    assert not _signed_in(person.client)


def test_an_administrator_signs_a_user_out_everywhere(people, app, runtime):
    target = people["procurer"]
    with runtime.db.session() as session:
        api_token = auth.create_token(session, user=session.get(User, target.user_id))
    listing = people["admin"].get("/admin/users")
    assert listing.status_code == 200 and target.email in listing.text
    assert people["moderator"].post(f"/admin/users/{target.user_id}/sign-out").status_code == 403
    assert _signed_in(target.client)
    done = people["admin"].post(f"/admin/users/{target.user_id}/sign-out")
    assert done.status_code == 303 and done.headers["location"] == "/admin/users"
    assert "signed out everywhere" in people["admin"].get("/admin/users").text
    assert not _signed_in(target.client)
    with runtime.db.session() as session:
        assert session.scalar(select(ApiToken)).revoked_at is not None
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert TestClient(app).get("/api/v1/specs", headers=bearer).status_code == 401


def test_sessions_expire_when_idle_and_at_their_absolute_limit(tmp_path, runtime):
    settings = make_settings(
        tmp_path, database_url=runtime.settings.db_url, session_idle_hours=2, session_max_days=3
    )
    runtime = build_runtime(settings)
    app = create_app(settings, runtime)
    idle = sign_in(app, runtime, "submitter", email="idle@example.org")
    old = sign_in(app, runtime, "submitter", email="old@example.org")
    now = datetime.now(UTC)
    with runtime.db.session() as session:
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == idle.user_id)
            .values(last_seen_at=now - timedelta(hours=3))
        )
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == old.user_id)
            .values(created_at=now - timedelta(days=4), last_seen_at=now)
        )
    assert not _signed_in(idle.client) and not _signed_in(old.client)
    fresh = sign_in(app, runtime, "submitter", email="fresh@example.org")
    assert _signed_in(fresh.client)
    with runtime.db.session() as session:  # signing in clears expired rows away
        assert session.scalars(select(UserSession.user_id)).all() == [fresh.user_id]
    runtime.close()


def test_a_request_looks_its_user_up_with_at_most_one_query(app, runtime):
    person = sign_in(app, runtime, "submitter", email="cheap@example.org")
    anonymous = TestClient(app)
    anonymous.get("/login")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(runtime.db.engine, "before_cursor_execute", count)
    try:
        anonymous.get("/login")
        assert statements == []
        person.get("/login")
        assert len(statements) == 1 and "auth_session" in statements[0]
    finally:
        event.remove(runtime.db.engine, "before_cursor_execute", count)
