"""Load, measured: requests a second of the search page, a case page and spec creation, with 1, 2
and 4 uvicorn workers, on SQLite and on PostgreSQL, beside a bare uvicorn answer on this machine.

Each configuration gets a fresh data dir (and database) seeded by `replan init`, a server started
as `uvicorn replan.app:create_app --factory --workers N` (with the metrics folder that several
workers need), and `wrk` (2 threads, 16 connections) for SECONDS per route. PostgreSQL is used
when it answers at REPLAN_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).

Run from the project root: .venv/bin/python benchmarks/load_bench.py [--seconds 10]
  [--workers 1,2,4] [--engines sqlite,postgresql] [--routes search,case,spec,api]
`--code DIR` serves another checkout (for a before/after comparison of the same routes)."""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.conftest import _pg_available, _pg_database  # noqa: E402 - the tests' PostgreSQL helpers

SPEC_LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"application": "road-pavement", "ambition": "core", "title": "Load test"}'
"""


async def bare(scope, receive, send):
    """The least an ASGI app can answer: the floor of what uvicorn serves on this machine."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": b'{"ok": true}'})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(code: Path, env: dict[str, str], workers: int, app: str, factory: bool):
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--workers", str(workers)]
    args += ["--no-access-log", "--log-level", "warning"] + (["--factory"] if factory else [])
    log = tempfile.TemporaryFile()  # the JSON access log: written, as in production, not read
    proc = subprocess.Popen(args, cwd=code, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1).read()
                break
            except OSError:
                if proc.poll() is not None:
                    log.seek(0)
                    raise SystemExit(log.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def wrk(url: str, seconds: int, script: Path | None = None) -> dict:
    args = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if script:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": ms("50%"),
        "p99": ms("99%"),
        "errors": int(errors.group(1)) if errors else 0,
    }


def seed(code: Path, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "replan.cli", "init"],
        cwd=code,
        env=env,
        check=True,
        capture_output=True,
    )


def routes(url: str, wanted: list[str]) -> dict[str, tuple[str, bool]]:
    first = json.loads(urllib.request.urlopen(url + "/api/v1/cases?q=asphalt&per_page=1").read())
    case_id = first["hits"][0]["id"]
    table = {
        "search": (url + "/cases?q=rubber+asphalt", False),
        "case": (url + f"/cases/{case_id}", False),
        "spec": (url + "/api/v1/specs", True),
        "api": (url + "/api/v1/cases?q=rubber", False),
    }
    return {name: table[name] for name in wanted}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--routes", default="search,case,spec")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to serve")
    opts = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt-get install wrk)")
        return 2
    code = opts.code.resolve()
    script = Path(tempfile.mkdtemp()) / "spec.lua"
    script.write_text(SPEC_LUA)
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
        f"wrk -t2 -c16 -d{opts.seconds}s"
    )
    print(
        f"{'configuration':32} {'route':8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
    )

    def show(config: str, name: str, figures: dict) -> None:
        print(
            f"{config:32} {name:8} {figures['rps']:8.0f} {figures['p50']:8.1f} "
            f"{figures['p99']:8.1f} {figures['errors']:8d}",
            flush=True,
        )

    base = {k: v for k, v in os.environ.items() if not k.startswith(("REPLAN_", "PROMETHEUS_"))}
    for workers in [int(w) for w in opts.workers.split(",")]:
        with server(ROOT, base, workers, "benchmarks.load_bench:bare", False) as url:
            show(f"bare uvicorn, {workers} workers", "bare", wrk(url + "/", opts.seconds))
    for engine in opts.engines.split(","):
        if engine == "postgresql" and not _pg_available():
            print("PostgreSQL does not answer: skipped")
            continue
        with (
            tempfile.TemporaryDirectory() as data,
            _pg_database() if engine == "postgresql" else _none() as db_url,
        ):
            env = {
                **base,
                "REPLAN_DATA_DIR": data,
                "REPLAN_SECRET_KEY": "b" * 40,
                "REPLAN_ENV": "development",
                "REPLAN_RATE_LIMITS": "false",  # capacity, not the per-address limits
            }
            if db_url:
                env["REPLAN_DATABASE_URL"] = db_url
            seed(code, env)
            for workers in [int(w) for w in opts.workers.split(",")]:
                run_env = dict(env)
                if workers > 1:  # as `replan serve --workers N` does
                    folder = Path(data) / "prometheus"
                    shutil.rmtree(folder, ignore_errors=True)
                    folder.mkdir()
                    run_env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
                with server(code, run_env, workers, "replan.app:create_app", True) as url:
                    for name, (target, post) in routes(url, opts.routes.split(",")).items():
                        figures = wrk(target, opts.seconds, script if post else None)
                        show(f"{engine}, {workers} workers", name, figures)
    return 0


@contextmanager
def _none():
    yield None


if __name__ == "__main__":
    sys.exit(main())
