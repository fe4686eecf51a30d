"""Rate limits (issue 9, items 5 and 11): sign-ins per address, per account from an address and
per account; the API, spec creation and exports per address; 429 with Retry-After."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from replan import auth
from replan.app import create_app
from replan.settings import Settings
from tests.conftest import make_settings
from tests.kb.test_moderation_support import PASSWORD, make_user

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SPEC = {"application": "road-pavement", "ambition": "core", "language": "en", "title": "Test"}


def _app(tmp_path, runtime, **limits):
    settings = make_settings(tmp_path, database_url=runtime.settings.db_url, **limits)
    return create_app(settings, runtime)


def _client(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000), follow_redirects=False)


def _login(client: TestClient, email: str, password: str):
    token = CSRF.search(client.get("/login").text)[1]
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_parallel_sign_ins_evaluate_at_most_the_limit(app, runtime, monkeypatch):
    make_user(runtime, "submitter", email="race@example.org")
    evaluated = []
    real = auth.authenticate

    def counting(*args, **kwargs):
        evaluated.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(auth, "authenticate", counting)
    client = _client(app, "203.0.113.7")
    token = CSRF.search(client.get("/login").text)[1]
    form = {"email": "race@example.org", "password": "wrong password", "csrf_token": token}

    def attempt(_n: int) -> int:
        with TestClient(app, client=("203.0.113.7", 40001), cookies=client.cookies) as c:
            return c.post("/login", data=form, follow_redirects=False).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(attempt, range(40)))
    assert len(evaluated) <= runtime.settings.login_attempts
    assert statuses.count(429) == 40 - len(evaluated)


def test_an_attackers_failures_do_not_lock_the_owner_out_of_their_address(app, runtime):
    make_user(runtime, "submitter", email="owner@example.org")
    attacker = _client(app, "198.51.100.66")
    for _ in range(runtime.settings.login_attempts):
        assert _login(attacker, "owner@example.org", "a guess of mine").status_code == 422
    blocked = _login(attacker, "owner@example.org", PASSWORD)
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    owner = _client(app, "192.0.2.10")
    assert _login(owner, "owner@example.org", PASSWORD).status_code == 303


def test_guesses_spread_over_addresses_are_bounded_per_account(tmp_path, runtime):
    app = _app(tmp_path, runtime, rate_limit_login_account="6 per 15 minutes")
    make_user(runtime, "submitter", email="spread@example.org")
    statuses = [
        _login(_client(app, f"198.51.100.{n}"), "spread@example.org", "guess").status_code
        for n in range(8)
    ]
    assert statuses == [422] * 6 + [429] * 2


def test_one_address_trying_many_accounts_is_limited(tmp_path, runtime):
    app = _app(tmp_path, runtime, rate_limit_login_address="3 per 15 minutes")
    client = _client(app, "198.51.100.99")
    statuses = [_login(client, f"user{n}@example.org", "guess").status_code for n in range(5)]
    assert statuses == [422, 422, 422, 429, 429]
    assert _login(_client(app, "192.0.2.1"), "user9@example.org", "g").status_code == 422


def test_the_api_is_limited_per_address_with_retry_after(tmp_path, runtime):
    app = _app(tmp_path, runtime, rate_limit_api="3/minute")
    client = _client(app, "203.0.113.1")
    assert [client.get("/api/v1/taxonomy").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/taxonomy")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert "detail" in refused.json()
    assert _client(app, "203.0.113.2").get("/api/v1/taxonomy").status_code == 200
    assert client.get("/cases").status_code == 200  # pages are not the API


def test_spec_creation_is_limited_per_address(tmp_path, runtime):
    app = _app(tmp_path, runtime, rate_limit_specs="2/hour")
    client = _client(app, "203.0.113.3")
    assert [client.post("/api/v1/specs", json=SPEC).status_code for _ in range(2)] == [201, 201]
    refused = client.post("/api/v1/specs", json=SPEC)
    assert refused.status_code == 429 and "retry-after" in refused.headers
    token = CSRF.search(client.get("/gpp").text)[1]
    wizard = client.post("/gpp/drafts", data={"csrf_token": token, "title": "x"})
    assert wizard.status_code == 429


def test_exports_are_limited_per_address(tmp_path, runtime):
    app = _app(tmp_path, runtime, rate_limit_exports="2/minute")
    client = _client(app, "203.0.113.4")
    spec_id = client.post("/api/v1/specs", json=SPEC).json()["id"]
    codes = [client.get(f"/specs/{spec_id}/export.md").status_code for _ in range(2)]
    assert codes == [200, 200]
    refused = client.get(f"/specs/{spec_id}/export.md")
    assert refused.status_code == 429 and "retry-after" in refused.headers
    assert client.get("/cases/export.csv").status_code == 429
    assert _client(app, "203.0.113.5").get("/cases/export.csv").status_code == 200


def test_limits_can_be_switched_off(tmp_path, runtime):
    app = _app(tmp_path, runtime, rate_limit_api="1/minute", rate_limits=False)
    client = _client(app, "203.0.113.6")
    assert {client.get("/api/v1/taxonomy").status_code for _ in range(3)} == {200}


def test_a_limit_that_does_not_parse_stops_the_start(tmp_path):
    with pytest.raises(ValueError, match="REPLAN_RATE_LIMIT_API"):
        Settings(_env_file=None, data_dir=tmp_path, rate_limit_api="lots")
