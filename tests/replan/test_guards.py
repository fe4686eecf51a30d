"""Hostile or failing input never gives a 500 (issue 9, items 5, 8, 12, 13, 15): bounded bodies,
NUL characters and integers beyond the database's range, a busy database, and an unhandled
error that keeps the keep-alive connection."""

import asyncio
import http.client
import socket
import sqlite3
import threading
import time

import pytest
import uvicorn
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from replan import auth
from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from tests.builders import record
from tests.conftest import make_settings
from tests.kb.test_moderation_support import make_user

SPEC = {"application": "road-pavement", "ambition": "core", "language": "en", "title": "Spec"}
BIG = (2**31, 2**63, -(2**63) - 1)


@pytest.fixture
def storage_app(db_url, tmp_path):
    """An app on SQLite and on PostgreSQL, with a short wait for a locked database."""
    settings = make_settings(tmp_path, database_url=db_url, db_busy_timeout_ms=300)
    upgrade(db_url)
    runtime = build_runtime(settings)
    yield create_app(settings, runtime), runtime
    runtime.close()


def _token(runtime, role: str) -> dict[str, str]:
    user_id, _ = make_user(runtime, role)
    with runtime.db.session() as session:
        user = session.get(auth.User, user_id)
        return {"Authorization": f"Bearer {auth.create_token(session, user=user)}"}


def _routes(routes):
    """Every (method, route) of the app, through the routers it includes."""
    for route in routes:
        if isinstance(route, APIRoute):
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)


def _path(route: APIRoute, value) -> str:
    path = route.path_format
    for param in route.dependant.path_params:
        typed = param.field_info.annotation is int
        path = path.replace("{" + param.alias + "}", str(value(typed)))
    return path


# --- NUL characters and integers out of range (items 12 and 13) ------------------------------


def test_every_route_refuses_nul_and_huge_integers_in_paths_and_queries(storage_app):
    app, runtime = storage_app
    headers = _token(runtime, "admin")
    client = TestClient(app, headers=headers, follow_redirects=False)
    checked = 0
    for method, route in _routes(app.routes):
        if route.dependant.path_params:
            nul = client.request(method, _path(route, lambda typed: "a%00b"))
            assert nul.status_code in (404, 422), (method, route.path, nul.status_code)
            for big in BIG:
                url = _path(route, lambda typed, big=big: big if typed else "x")
                answer = client.request(method, url)
                assert answer.status_code < 500, (method, url, answer.status_code)
        url = _path(route, lambda typed: 1 if typed else "x")
        query = client.request(method, url + "?q=a%00b&page=1&lang=en%00")
        assert query.status_code == 422, (method, url, query.status_code)
        checked += 1
    assert checked > 40


def test_nul_in_bodies_answers_422_naming_nothing_stored(storage_app):
    app, runtime = storage_app
    client = TestClient(app, follow_redirects=False)
    spec = client.post("/api/v1/specs", json={**SPEC, "title": "Road\u0000works"})
    assert spec.status_code == 422
    cases = client.post(
        "/api/v1/cases",
        json=record(title="Trial\u0000 one"),
        headers=_token(runtime, "submitter"),
    )
    assert cases.status_code == 422
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    login = client.post(
        "/login", data={"email": "a\x00@example.org", "password": "x", "csrf_token": token}
    )
    assert login.status_code == 422
    # A backslash before "u0000" is text, not NUL: the spec is made.
    plain = client.post("/api/v1/specs", json={**SPEC, "title": "Path C:\\u0000 works"})
    assert plain.status_code == 201


def test_integers_beyond_the_database_answer_422_naming_the_field(storage_app):
    app, runtime = storage_app
    client = TestClient(app, headers=_token(runtime, "submitter"))
    for big in (2**31, 2**63):
        answer = client.post("/api/v1/cases", json=record(tyres_equivalent=big))
        assert answer.status_code == 422
        assert [e["field"] for e in answer.json()["detail"]] == ["tyres_equivalent"]


# --- bounded bodies (item 5) -------------------------------------------------------------------


def test_an_announced_body_over_the_limit_is_refused_unread(client):
    answer = client.post(
        "/api/v1/specs",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": str(300 * 2**20)},
    )
    assert answer.status_code == 413


def test_a_streamed_body_is_read_no_further_than_the_limit(app):
    chunk = b" " * 2**20
    sent = {"chunks": 0}
    messages: list[dict] = []

    async def receive():
        sent["chunks"] += 1
        return {"type": "http.request", "body": chunk, "more_body": sent["chunks"] < 20}

    async def send(message):
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/specs",
        "raw_path": b"/api/v1/specs",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    runner = threading.Thread(target=lambda: asyncio.run(app(scope, receive, send)))
    runner.start()
    runner.join()
    assert messages[0]["status"] == 413
    limit_chunks = app.state.settings.max_body_kb * 1024 // len(chunk)
    assert sent["chunks"] <= limit_chunks + 1


def test_uploads_have_their_own_larger_limit(client):
    body = {"content-type": "multipart/form-data; boundary=x", "content-length": str(5 * 2**20)}
    assert client.post("/api/v1/cases", content=b"--x--", headers=body).status_code == 413
    upload = client.post("/submit/some-case/attachments", content=b"--x--", headers=body)
    assert upload.status_code != 413


# --- a busy database (item 8) ------------------------------------------------------------------


def _hold_write_lock(db_url: str, tmp_path):
    """Take the database's write lock (SQLite) or the spec table's lock (PostgreSQL)."""
    if db_url.startswith("sqlite"):
        conn = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        return conn.close
    engine = create_engine(db_url)
    conn = engine.connect()
    conn.execute(text("LOCK TABLE gpp_spec IN ACCESS EXCLUSIVE MODE"))

    def release():
        conn.rollback()
        conn.close()
        engine.dispose()

    return release


def test_a_locked_database_answers_503_with_retry_after(storage_app, db_url, tmp_path):
    app, _runtime = storage_app
    client = TestClient(app, follow_redirects=False)
    release = _hold_write_lock(db_url, tmp_path)
    try:
        started = time.monotonic()
        api = client.post("/api/v1/specs", json=SPEC)
        assert api.status_code == 503 and int(api.headers["retry-after"]) > 0
        assert "busy" in api.json()["detail"]
        assert time.monotonic() - started < 5
        page = client.get("/gpp")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = client.post(
            "/gpp/drafts", data={"csrf_token": token, "title": "A road", "application": "x"}
        )
        assert form.status_code in (422, 503)  # the wizard writes only a valid subject
    finally:
        release()
    assert client.post("/api/v1/specs", json=SPEC).status_code == 201


# --- an unhandled error keeps the connection (item 15) -----------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unhandled_error_keeps_the_keep_alive_connection(app):
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/boom-for-test", boom)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            statuses = []
            for path in ("/boom-for-test", "/healthz", "/boom-for-test", "/healthz"):
                sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                response = http.client.HTTPResponse(sock)
                response.begin()
                response.read()
                statuses.append(response.status)
                assert not response.will_close
        assert statuses == [500, 200, 500, 200]
    finally:
        server.should_exit = True
        thread.join(10)
