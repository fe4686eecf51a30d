"""`replan serve --workers N`: N server processes, and writes made through any of them all reach
the search index once (one process at a time drains the outbox), and `replan import` and
`replan reindex` work beside them."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from search.embedded import EmbeddedBackend
from tests.builders import record

CASES = 24


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _wait_for_hits(client: httpx.Client, text: str, expected: int) -> list[str]:
    deadline = time.monotonic() + 10
    while True:
        found = client.get("/api/v1/cases", params={"q": text, "per_page": 100}).json()
        ids = [hit["id"] for hit in found["hits"]]
        if len(ids) >= expected or time.monotonic() > deadline:
            return ids
        time.sleep(0.1)


def test_two_server_processes_index_concurrent_writes_once(tmp_path):
    env = {
        **os.environ,
        "REPLAN_DATA_DIR": str(tmp_path / "data"),
        "REPLAN_SECRET_KEY": "w" * 40,
        "REPLAN_ENV": "test",
    }
    for name in ("REPLAN_DATABASE_URL", "REPLAN_MEILI_URL"):
        env.pop(name, None)
    replan = [sys.executable, "-m", "replan.cli"]

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*replan, *args], env=env, input=stdin, capture_output=True, text=True, check=True
        )

    run("init", "--no-seed")
    run("user", "create", "mod@example.org", "--role", "moderator", "--password-stdin",
        stdin="a long enough password\n")  # fmt: skip
    token = run("token", "create", "mod@example.org").stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        [*replan, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=auth, timeout=30) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            assert len(_children(server.pid)) >= 2  # the supervisor's worker processes

            def write(n: int) -> str:
                body = record(id=f"w{n}", title=f"Quokkaflor parallel {n}")
                made = client.post("/api/v1/cases", json=body)
                assert made.status_code == 201, made.text
                review = client.post(f"/api/v1/cases/w{n}/review", json={"decision": "publish"})
                assert review.status_code == 200, review.text
                return f"w{n}"

            with ThreadPoolExecutor(8) as pool:
                written = set(pool.map(write, range(CASES)))

            ids = _wait_for_hits(client, "quokkaflor", CASES)
            assert sorted(ids) == sorted(written)  # every write, each once

            # One scrape adds up both workers' figures (prometheus_client's multiprocess mode).
            made = [
                float(line.rsplit(" ", 1)[1])
                for line in client.get("/metrics").text.splitlines()
                if line.startswith("replan_http_requests_total{")
                and all(f in line for f in ('"POST"', '"/api/v1/cases"', 'status="201"'))
            ]
            assert made == [CASES]
            assert list((tmp_path / "data" / "prometheus").glob("counter_*.db"))  # one a worker

            # The command line takes its turn beside the servers' workers.
            src = tmp_path / "more.jsonl"
            more = [record(id=f"cli{n}", title=f"Quokkaflor wombatlike {n}") for n in range(3)]
            src.write_text("".join(json.dumps(r) + "\n" for r in more))
            assert "imported 3" in run("import", str(src)).stdout
            assert len(_wait_for_hits(client, "wombatlike", 3)) == 3
            assert "indexed" in run("reindex").stderr
            assert len(_wait_for_hits(client, "quokkaflor", CASES + 3)) == CASES + 3
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'replan.db'}")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM search_outbox")) == 0
        published = conn.scalar(text("SELECT count(*) FROM kb_case WHERE status = 'published'"))
    engine.dispose()
    index = EmbeddedBackend(tmp_path / "data" / "search-index")
    assert index.count() == published  # the seeds `serve` loaded, and every write once
    index.close()
