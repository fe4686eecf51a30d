"""Search benchmark through HTTP on SYNTHETIC records (Zipf-distributed words, domain words such as
"rubber" in most records), beside a plain FTS5 MATCH on the same texts in the same run.

Goals: p95 <= 50 ms at 20,000 records and <= 150 ms at 100,000; 20,000 records imported in
<= 60 s; the server under 300 MB resident at 100,000.

Usage: python benchmarks/search_bench.py [--sizes 20000 100000] [--rounds 5]"""

import argparse
import os
import random
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
from benchmarks.synthetic import synthetic_records, write_jsonl  # noqa: E402

QUERIES = [
    ("one word", {"q": "rubber"}),
    ("one word", {"q": "granulate"}),
    ("two words", {"q": "rubber asphalt"}),
    ("two words", {"q": "noise barrier"}),
    ("misspelt", {"q": "rubbr asfalt"}),
    ("misspelt", {"q": "granulatte"}),
    ("prefix", {"q": "bitu"}),
    ("filtered", {"q": "rubber", "application": "road-pavement", "country": "IT"}),
    ("filtered", {"q": "", "rtm": "rubber-powder", "year_min": 2010}),
    ("filtered", {"q": "tyre", "sort": "year_desc", "gpp": "false"}),
]
FTS_QUERIES = [
    '"rubber"',
    '"granulate"',
    '"rubber" "asphalt"',
    '"noise" "barrier"',
    '"rubbr" OR "rubber"',
    '"granulatte" OR "granulate"',
    '"bitu"*',
    '"rubber"',
    '"powder"',
    '"tyre"',
]


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def fts_baseline(records: list[dict], rounds: int) -> list[float]:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, summary, body, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?)",
        [(r["title"], r["summary"], r["description"]) for r in records],
    )
    times = []
    for _ in range(rounds):
        for q in FTS_QUERIES:
            start = time.perf_counter()
            conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (q,)).fetchone()
            conn.execute(
                "SELECT rowid, snippet(t, 1, '<mark>', '</mark>', '…', 12) FROM t "
                "WHERE t MATCH ? ORDER BY bm25(t, 10, 5, 1) LIMIT 20",
                (q,),
            ).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return times


def bench(size: int, rounds: int) -> dict:
    records = synthetic_records(size)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        path = write_jsonl(data / "synthetic.jsonl", records)
        env = {**os.environ, "REPLAN_DATA_DIR": str(data / "data"), "REPLAN_ENV": "development"}
        env["REPLAN_RATE_LIMIT_API"] = "1000000/minute"  # counted as in use, never refused
        for name in ("REPLAN_DATABASE_URL", "REPLAN_MEILI_URL"):
            env.pop(name, None)
        replan = [sys.executable, "-m", "replan.cli"]
        subprocess.run([*replan, "init", "--no-seed"], env=env, check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run([*replan, "import", str(path)], env=env, check=True, capture_output=True)
        import_s = time.perf_counter() - start
        port = free_port()
        server = subprocess.Popen(
            [*replan, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=30) as client:
                for _ in range(100):
                    try:
                        if client.get("/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.2)
                for _, params in QUERIES:  # warm-up
                    client.get("/api/v1/cases", params=params)
                times: dict[str, list[float]] = {}
                rng = random.Random(1)
                for _ in range(rounds):
                    order = QUERIES[:]
                    rng.shuffle(order)
                    for kind, params in order:
                        t0 = time.perf_counter()
                        r = client.get("/api/v1/cases", params=params)
                        times.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
                        r.raise_for_status()
            rss = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=20)
        baseline = fts_baseline(records, rounds)
    every = [t for ts in times.values() for t in ts]
    return {
        "size": size,
        "import_s": import_s,
        "rss_mb": rss,
        "times": times,
        "all": every,
        "fts": baseline,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print("SYNTHETIC records; latencies in ms through HTTP (p50 / p95)")
    for size in args.sizes:
        res = bench(size, args.rounds)
        print(
            f"\n== {size:,} records: import {res['import_s']:.1f} s "
            f"({size / res['import_s']:,.0f} records/s), server RSS {res['rss_mb']:.0f} MB"
        )
        for kind, ts in res["times"].items():
            print(f"  {kind:10s} p50 {statistics.median(ts):7.1f}  p95 {pct(ts, 95):7.1f}")
        print(
            f"  {'ALL':10s} p50 {statistics.median(res['all']):7.1f}  "
            f"p95 {pct(res['all'], 95):7.1f}"
        )
        print(
            f"  {'plain FTS5':10s} p50 {statistics.median(res['fts']):7.1f}  "
            f"p95 {pct(res['fts'], 95):7.1f}  (in-process, same texts)"
        )


if __name__ == "__main__":
    main()
