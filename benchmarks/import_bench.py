"""Import benchmark: SYNTHETIC records through `replan import` (validation, one transaction,
search indexing). Goal: 20,000 records in at most 60 s. Prints records per second.

Usage: python benchmarks/import_bench.py [--count 20000] [--runs 3]"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.synthetic import synthetic_records, write_jsonl  # noqa: E402


def run_once(count: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        path = write_jsonl(data / "synthetic.jsonl", synthetic_records(count))
        env = {**os.environ, "REPLAN_DATA_DIR": str(data / "data"), "REPLAN_ENV": "development"}
        env.pop("REPLAN_DATABASE_URL", None)
        env.pop("REPLAN_MEILI_URL", None)
        replan = [sys.executable, "-m", "replan.cli"]
        subprocess.run([*replan, "init", "--no-seed"], env=env, check=True, capture_output=True)
        start = time.perf_counter()
        done = subprocess.run(
            [*replan, "import", str(path)], env=env, check=True, capture_output=True, text=True
        )
        return time.perf_counter() - start, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    times = []
    for i in range(args.runs):
        seconds, line = run_once(args.count)
        times.append(seconds)
        print(f"run {i + 1}: {seconds:.1f} s, {args.count / seconds:,.0f} records/s ({line})")
    median = statistics.median(times)
    print(
        f"SYNTHETIC import of {args.count:,} records: median {median:.1f} s, "
        f"{args.count / median:,.0f} records/s (goal: 20,000 in <= 60 s)"
    )


if __name__ == "__main__":
    main()
