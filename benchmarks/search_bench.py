"""Search benchmark through HTTP on SYNTHETIC records (Zipf-distributed words, domain words such as
"rubber" in most records), beside a plain FTS5 MATCH on the same texts (sqlite3, in this script)
and a bare uvicorn answer (no app), measured in the same run.

Every query sent is new (no text repeated), so no cache helps. For each size it prints the
`replan import` time (and `replan reindex` time), the time of the first query after the server
answers /healthz, p50/p95 per kind of query (median over `--rounds` passes) and the server's
resident memory. `--wrk` also measures throughput with wrk (one worker, 8 connections) on the
seed catalogue: the search API, the search page, a case page, /healthz, a bare FastAPI answer and
a bare uvicorn answer. Each figure with a goal prints it beside, met or not.

Goals (issue 12): p95 <= 15 ms at 20,000 and <= 25 ms at 100,000; RSS <= 300 MB at 100,000;
first query <= 200 ms; import of 20,000 <= 20 s; reindex of 100,000 <= 30 s; throughput search
API >= 800/s, search page >= 400/s, /healthz >= 1,500/s.

Usage: python benchmarks/search_bench.py [--sizes 20000 100000] [--rounds 3] [--per-kind 40]
       python benchmarks/search_bench.py --wrk"""

import argparse
import os
import random
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.synthetic import DOMAIN, synthetic_records, vocabulary, write_jsonl  # noqa: E402

REPLAN = [sys.executable, "-m", "replan.cli"]
BARE = "async def app(scope, receive, send):\n" + (
    "    if scope['type'] != 'http':\n        return\n"
    "    await send({'type': 'http.response.start', 'status': 200,"
    " 'headers': [(b'content-type', b'application/json')]})\n"
    "    await send({'type': 'http.response.body', 'body': b'{\"total\": 0, \"hits\": []}'})\n"
)
BARE_FASTAPI = (
    "from fastapi import FastAPI\napp = FastAPI()\n"
    "@app.get('/')\nasync def answer():\n    return {'total': 0, 'hits': []}\n"
)
# Issue 12's goals, printed beside each figure: (limit, "max" or "min").
GOALS = {
    "p95 20000": (15, "max"),
    "p95 100000": (25, "max"),
    "rss 100000": (300, "max"),
    "first query": (200, "max"),
    "import 20000": (20, "max"),
    "reindex 100000": (30, "max"),
    "search API": (800, "min"),
    "search page": (400, "min"),
    "/healthz": (1500, "min"),
}


def goal(name: str, value: float) -> str:
    """Return the goal of a figure and whether the value meets it ("" when there is none)."""
    if name not in GOALS:
        return ""
    limit, kind = GOALS[name]
    met = value <= limit if kind == "max" else value >= limit
    return f"  (goal {'<=' if kind == 'max' else '>='} {limit:,}: {'met' if met else 'NOT met'})"


def queries(per_kind: int, seed: int) -> list[tuple[str, dict]]:
    """Return `per_kind` new queries of each kind (a seed per pass: passes do not repeat)."""
    rng = random.Random(seed)
    filler = vocabulary()[len(DOMAIN) :]
    words = iter(rng.sample(filler, len(filler)))
    out = []
    for _ in range(per_kind):
        common = rng.choice(DOMAIN)
        typo = next(words)
        i = rng.randrange(1, len(typo) - 1)
        out += [
            ("one word", {"q": next(words)}),
            ("two words", {"q": f"{common} {next(words)}"}),
            ("misspelt", {"q": f"{typo[:i] + typo[i + 1 :]} {rng.choice(DOMAIN)}"}),
            ("prefix", {"q": f"{common} {next(words)[:4]}"}),
            ("filtered", {"q": next(words), "country": rng.choice(["IT", "ES"]), "year_min": 2010}),
        ]
    rng.shuffle(out)
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_ms(pid: int) -> float:
    """CPU time the process used so far (user + system, every thread): load does not inflate it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def start(command: list[str], env: dict, port: int, path: str = "/healthz") -> subprocess.Popen:
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{command} did not answer")


def start_bare(env: dict, port: int, app: str = BARE) -> subprocess.Popen:
    """A bare ASGI answer under uvicorn: what the server costs without the app (or, with
    `BARE_FASTAPI`, what FastAPI itself costs)."""
    code = f"import uvicorn\n{app}\nuvicorn.run(app, port={port}, log_level='warning')"
    return start([sys.executable, "-c", code], env, port, "/")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(timeout=30)


def timed_gets(base: str, path: str, batch: list[tuple[str, dict]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for kind, params in batch:
            t0 = time.perf_counter()
            client.get(path, params=params).raise_for_status()
            times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
    return times


def fts_times(records: list[dict], batch: list[tuple[str, dict]]) -> list[float]:
    """A plain FTS5 query per query text: every word, bm25 top 20, an exact count."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, summary, body, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?)",
        [(r["title"], r["summary"], r["description"]) for r in records],
    )
    out = []
    for _, params in batch:
        expr = " AND ".join(f'"{w}"' for w in re.findall(r"\w+", params["q"]))
        t0 = time.perf_counter()
        conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expr,)).fetchone()
        conn.execute(
            "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, 10, 5, 1) LIMIT 20", (expr,)
        ).fetchall()
        out.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return out


def environment(data: Path) -> dict:
    env = {**os.environ, "REPLAN_DATA_DIR": str(data), "REPLAN_ENV": "development"}
    env["REPLAN_RATE_LIMIT_API"] = "1000000/minute"  # counted as in use, never refused
    for name in ("REPLAN_DATABASE_URL", "REPLAN_MEILI_URL"):
        env.pop(name, None)
    return env


def bench(size: int, rounds: int, per_kind: int) -> None:
    records = synthetic_records(size)
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(Path(tmp) / "data")
        path = write_jsonl(Path(tmp) / "synthetic.jsonl", records)
        subprocess.run([*REPLAN, "init", "--no-seed"], env=env, check=True, capture_output=True)
        t0 = time.perf_counter()
        subprocess.run([*REPLAN, "import", str(path)], env=env, check=True, capture_output=True)
        import_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run([*REPLAN, "reindex"], env=env, check=True, capture_output=True)
        reindex_s = time.perf_counter() - t0
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start([*REPLAN, "serve", "--port", str(port)], env, port)
        try:
            first = timed_gets(base, "/api/v1/cases", queries(1, seed=999)[:1])
            api = "/api/v1/cases"
            cpu_before = cpu_ms(server.pid)
            passes = [timed_gets(base, api, queries(per_kind, r)) for r in range(rounds)]
            server_cpu = (cpu_ms(server.pid) - cpu_before) / (rounds * per_kind * 5)
            rss = rss_mb(server.pid)
        finally:
            stop(server)
        bare = start_bare(env, port)
        try:
            bare_passes = [timed_gets(base, "/", queries(per_kind, r)) for r in range(rounds)]
        finally:
            stop(bare)
        fts = [fts_times(records, queries(per_kind, r)) for r in range(rounds)]
    print(f"\n== {size:,} SYNTHETIC records")
    print(f"  replan import  {import_s:6.1f} s{goal(f'import {size}', import_s)}")
    print(f"  replan reindex {reindex_s:6.1f} s{goal(f'reindex {size}', reindex_s)}")
    first_ms = next(iter(first.values()))[0]
    print(f"  first query after start {first_ms:6.1f} ms{goal('first query', first_ms)}")
    rss_goal = goal(f"rss {size}", rss)
    print(f"  server RSS {rss:.0f} MB after {rounds * per_kind * 5:,} queries{rss_goal}")
    print(f"  server CPU {server_cpu:.1f} ms per query (not inflated by the machine's load)")
    kinds = list(passes[0])
    for kind in kinds:
        p50 = statistics.median(statistics.median(p[kind]) for p in passes)
        p95 = statistics.median(pct(p[kind], 95) for p in passes)
        print(f"  {kind:10s} p50 {p50:7.1f}  p95 {p95:7.1f}")
    for label, runs in (("ALL", passes), ("bare uvicorn", bare_passes)):
        every = [[t for ts in p.values() for t in ts] for p in runs]
        p50 = statistics.median(statistics.median(e) for e in every)
        p95 = statistics.median(pct(e, 95) for e in every)
        mark = goal(f"p95 {size}", p95) if label == "ALL" else ""
        print(f"  {label:10s} p50 {p50:7.1f}  p95 {p95:7.1f}{mark}")
    p50 = statistics.median(statistics.median(f) for f in fts)
    p95 = statistics.median(pct(f, 95) for f in fts)
    print(f"  {'plain FTS5':10s} p50 {p50:7.1f}  p95 {p95:7.1f}  (in-process, same texts)")


def wrk(seconds: int) -> None:
    """Requests per second with wrk, one server worker, 8 connections, on the seed catalogue."""
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(Path(tmp) / "data")
        subprocess.run([*REPLAN, "init"], env=env, check=True, capture_output=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start([*REPLAN, "serve", "--port", str(port)], env, port)
        try:
            case = httpx.get(f"{base}/api/v1/cases", params={"per_page": 1}).json()["hits"][0]
            targets = {
                "search API": "/api/v1/cases?q=rubber",
                "search page": "/cases?q=rubber",
                "case page": f"/cases/{case['id']}",
                "/healthz": "/healthz",
            }
            for label, path in targets.items():
                rate = requests_per_second(base + path, seconds)
                print(f"  {label:12s} {rate:8,.0f} req/s{goal(label, rate)}")
        finally:
            stop(server)
        for label, app in (("bare FastAPI", BARE_FASTAPI), ("bare uvicorn", BARE)):
            bare = start_bare(env, port, app)
            try:
                print(f"  {label:12s} {requests_per_second(base + '/', seconds):8,.0f} req/s")
            finally:
                stop(bare)


def requests_per_second(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", url], check=True, capture_output=True, text=True
    ).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--wrk", action="store_true", help="throughput on the seed catalogue")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    print(f"load average before the run: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    if args.wrk:
        wrk(args.seconds)
        return
    print("SYNTHETIC records; latencies in ms through HTTP (p50 / p95), every query new")
    for size in args.sizes:
        bench(size, args.rounds, args.per_kind)


if __name__ == "__main__":
    main()
