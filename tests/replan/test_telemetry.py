"""Request ids, the access log and /metrics: what the person on call reads and scrapes."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from replan import PROJECT_ROOT, auth, mail, telemetry
from replan.app import create_app
from tests.builders import record
from tests.conftest import make_settings

LOOPBACK = ("127.0.0.1", 50000)


@pytest.fixture
def local(app):
    """A client on the loopback address (the default test client has no IP address)."""
    with TestClient(app, client=LOOPBACK) as client:
        yield client


def sample(text: str, name: str, **labels) -> float:
    """The value of one sample of a Prometheus text page (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    prefix = f"{name}{{{want}}} " if labels else f"{name} "
    values = [
        float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix)
    ]
    return sum(values)


def test_every_answer_carries_a_request_id_and_a_sane_incoming_one_is_kept(client):
    answers = [
        client.get("/"),
        client.get("/api/v1/cases/none"),
        client.get("/static/css/site.css"),
    ]
    ids = [a.headers["X-Request-ID"] for a in answers]
    assert len(set(ids)) == 3 and all(len(i) == 32 for i in ids)
    kept = client.get("/", headers={"X-Request-ID": "lb-7f3a9c01.42"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a9c01.42"
    for hostile in ("<script>alert(1)</script>", "short", "x" * 200, "a b c d e f g h"):
        answer = client.get("/", headers={"X-Request-ID": hostile})
        assert answer.headers["X-Request-ID"] != hostile


def test_error_pages_show_the_request_id(app, client):
    answer = client.get("/cases/no-such-case")
    assert answer.status_code == 404
    assert answer.headers["X-Request-ID"] in answer.text

    def boom():
        raise RuntimeError("bug")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/v1/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as crashing:
        page = crashing.get("/boom", headers={"X-Request-ID": "support-ticket-1"})
        assert page.status_code == 500 and "support-ticket-1" in page.text
        assert page.headers["X-Request-ID"] == "support-ticket-1"
        api = crashing.get("/api/v1/boom")
        assert api.json()["request_id"] == api.headers["X-Request-ID"]


def test_one_access_line_per_request_without_personal_data(client, runtime, caplog):
    with runtime.db.session() as session:
        user = auth.create_user(
            session, email="maria.rossi@example.org", password="p" * 12, role="submitter"
        )
        token = auth.create_token(session, user=user)
        user_id = user.id
    caplog.set_level(logging.INFO, logger="replan.access")
    headers = {"Authorization": f"Bearer {token}"}
    answer = client.post("/api/v1/cases", json=record(), headers=headers)
    client.get("/api/v1/cases", params={"q": "rubber", "token": "leaked-secret"})
    lines = [r for r in caplog.records if r.name == "replan.access"]
    assert len(lines) == 2
    formatted = [json.loads(telemetry.JsonFormatter().format(r)) for r in lines]
    assert formatted[0] | {"duration_ms": 0, "time": 0} == {
        "time": 0,
        "level": "info",
        "logger": "replan.access",
        "message": "POST /api/v1/cases 201",
        "request_id": answer.headers["X-Request-ID"],
        "method": "POST",
        "route": "/api/v1/cases",
        "status": 201,
        "duration_ms": 0,
        "user_id": user_id,
    }
    assert formatted[1]["route"] == "/api/v1/cases" and formatted[1]["user_id"] is None
    text = json.dumps(formatted)
    for secret in ("maria", "leaked-secret", token, "rubber"):
        assert secret not in text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_json_lines_unless_a_person_reads_the_terminal(settings):
    root = logging.getLogger()
    try:
        for stream, is_json in ((io.StringIO(), True), (Terminal(), False)):
            telemetry.configure_logging(settings, stream)
            logging.getLogger("replan.access").info(
                "GET /cases 200",
                extra={"request": {"route": "/cases", "status": 200, "duration_ms": 3.5}},
            )
            line = stream.getvalue().strip()
            if is_json:
                assert json.loads(line)["route"] == "/cases"
            else:
                assert "GET /cases 200 3.5 ms" in line and not line.startswith("{")
        assert len([h for h in root.handlers if h.get_name() == "replan"]) == 1
    finally:
        for handler in [h for h in root.handlers if h.get_name() == "replan"]:
            root.removeHandler(handler)


def test_metrics_count_requests_by_route_template_searches_and_mail(local, settings):
    before = local.get("/metrics").text
    local.get("/cases/one-case")
    local.get("/cases/another-case")
    local.get("/api/v1/cases", params={"q": "asphalt"})
    mail.send_all(settings, [mail.Message(to="a@example.org", subject="s", body="b")])
    after = local.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain; version=")
    page = after.text

    def grew(name, **labels):
        return sample(page, name, **labels) - sample(before, name, **labels)

    route = {"method": "GET", "route": "/cases/{case_id}"}
    assert grew("replan_http_requests_total", **route, status="404") == 2
    assert grew("replan_http_request_duration_seconds_count", **route) == 2
    assert "one-case" not in page
    assert grew("replan_search_duration_seconds_count", engine="embedded") == 1
    assert grew("replan_mail_total", outcome="sent") == 1
    assert sample(page, "replan_outbox_depth") == 0
    assert "replan_outbox_oldest_age_seconds" in page and "replan_db_pool_size" in page


def test_metrics_answer_loopback_only_or_the_bearer_token(app, runtime, settings):
    with TestClient(app, client=("203.0.113.7", 40000)) as remote:
        assert remote.get("/metrics").status_code == 403
    guarded_settings = make_settings(settings.data_path, metrics_token="t0ken-for-prometheus")
    guarded = create_app(guarded_settings, runtime)
    with TestClient(guarded, client=("203.0.113.7", 40000)) as remote:
        assert remote.get("/metrics").status_code == 401
        wrong = {"Authorization": "Bearer nope"}
        assert remote.get("/metrics", headers=wrong).status_code == 401
        right = {"Authorization": "Bearer t0ken-for-prometheus"}
        assert remote.get("/metrics", headers=right).status_code == 200
    with TestClient(guarded, client=LOOPBACK) as local:
        assert local.get("/metrics").status_code == 401  # with a token, everyone shows it


SCRIPT = """
import sys
from fastapi.testclient import TestClient
from replan.app import create_app
from tests.conftest import make_settings
settings = make_settings(__import__("pathlib").Path(sys.argv[1]))
with TestClient(create_app(settings), client=("127.0.0.1", 1)) as client:
    client.get("/cases/x")
    if sys.argv[2] == "scrape":
        print(client.get("/metrics").text)
"""


def test_worker_processes_add_up_in_multiprocess_mode(settings, runtime):
    from replan.metrics import use_multiprocess_dir

    env = dict(os.environ)
    saved = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    try:
        folder = use_multiprocess_dir(settings)
        (folder / "counter_999.db").write_bytes(b"stale")  # a previous run's file
        folder = use_multiprocess_dir(settings)
        assert list(folder.iterdir()) == []
        env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    finally:
        if saved is None:
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        else:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = saved

    def worker(mode: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(settings.data_path), mode],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    worker("count")
    page = worker("scrape")
    labels = {"method": "GET", "route": "/cases/{case_id}", "status": "404"}
    assert sample(page, "replan_http_requests_total", **labels) == 2
