"""Sign-in: Argon2 hashes, the session cookie's flags, the attempt limit, sign-out, and the
command line's users and tokens."""

import hashlib
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from replan import auth
from replan.app import create_app
from replan.auth_models import ApiToken, User
from replan.cli import app as cli
from tests.conftest import make_settings
from tests.kb.test_moderation_support import PASSWORD, anonymous, make_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _login(client, email, password, next="/"):
    token = CSRF.search(client.get("/login").text)[1]
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": next, "csrf_token": token},
        follow_redirects=False,
    )


def test_passwords_are_argon2_hashes(runtime):
    _, email = make_user(runtime, "submitter", email="hash@example.org")
    with runtime.db.session() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user.password_hash.startswith("$argon2")
        assert PASSWORD not in user.password_hash


def test_the_session_cookie_is_httponly_and_lax(app, runtime):
    make_user(runtime, "submitter", email="cookie@example.org")
    client = TestClient(app)
    response = _login(client, "cookie@example.org", PASSWORD, next="//evil.example/x")
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_the_cookie_is_secure_in_production(tmp_path, runtime):
    settings = make_settings(
        tmp_path,
        env="production",
        secret_key="s" * 48,
        database_url=runtime.settings.db_url,
        allowed_hosts=["testserver"],
    )
    make_user(runtime, "submitter", email="prod@example.org")
    client = TestClient(create_app(settings, runtime), base_url="https://testserver")
    response = _login(client, "prod@example.org", PASSWORD)
    assert "secure" in response.headers["set-cookie"].lower()


def test_failed_sign_ins_are_limited_with_a_clear_message(app, runtime):
    make_user(runtime, "submitter", email="limited@example.org")
    client = TestClient(app)
    for _ in range(runtime.settings.login_attempts):
        wrong = _login(client, "limited@example.org", "not the password")
        assert wrong.status_code == 422 and "not right" in wrong.text
    blocked = _login(client, "limited@example.org", PASSWORD)
    assert blocked.status_code == 429 and "too many failed sign-ins" in blocked.text
    assert 'aria-invalid="true"' in blocked.text


def test_signing_out_ends_the_session(app, runtime):
    make_user(runtime, "submitter", email="out@example.org")
    person = anonymous(app)
    assert _login(person.client, "out@example.org", PASSWORD).status_code == 303
    assert person.client.get("/account").status_code == 200
    token = CSRF.search(person.client.get("/account").text)[1]
    person.client.post("/logout", data={"csrf_token": token})
    after = person.client.get("/account", follow_redirects=False)
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_cli_creates_users_and_hashed_tokens(tmp_path, monkeypatch, runtime):
    monkeypatch.setenv("REPLAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REPLAN_DATABASE_URL", runtime.settings.db_url)
    monkeypatch.setenv("REPLAN_SECRET_KEY", "k" * 40)
    runner = CliRunner()
    made = runner.invoke(
        cli,
        [
            "user",
            "create",
            "cli@example.org",
            "--role",
            "submitter",
            "--org",
            "Cli Recycling",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert made.exit_code == 0, made.output
    printed = runner.invoke(cli, ["token", "create", "cli@example.org"])
    assert printed.exit_code == 0, printed.output
    token = printed.stdout.strip().splitlines()[-1]
    assert token.startswith("rpl_")
    with runtime.db.session() as session:
        row = session.scalar(select(ApiToken))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert auth.user_for_token(session, token).email == "cli@example.org"
    client = TestClient(create_app(runtime.settings, runtime))
    answer = client.get("/api/v1/moderation", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
    bad = runner.invoke(
        cli,
        ["user", "create", "cli@example.org", "--role", "submitter", "--password-stdin"],
        input=PASSWORD + "\n",
    )
    assert bad.exit_code == 1
