"""Time every export of a full road specification, warm.

The spec is the comprehensive road-pavement sample built from seeds/criteria/roads.yaml and the
case studies in seeds/cases (gpp.exporters.sample, the same fixture as the export tests). Each
export runs once to warm up (imports, templates, fonts), then RUNS times; the table shows the
median. Goals: DOCX at most 0.3 s, PDF at most 2 s. Exits 1 when a goal is missed.

Run: .venv/bin/python benchmarks/spec_bench.py"""

import statistics
import sys
import time
from collections.abc import Callable

from gpp.exporters import FORMATS, ExportUnavailable, export_evaluation, export_spec
from gpp.exporters.sample import sample_bidder, sample_spec

RUNS = 7
GOALS = {"docx": 0.3, "pdf": 2.0}


def identity(message: str) -> str:
    return message


def measure(export: Callable[[], tuple[bytes, str, str]]) -> tuple[float, list[float], int]:
    """Return the median time, all timings and the output size of an export."""
    export()  # warm-up
    timings, size = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        content, _media, _name = export()
        timings.append(time.perf_counter() - start)
        size = len(content)
    return statistics.median(timings), timings, size


def main() -> int:
    spec = sample_spec(ambition="comprehensive")
    bidder = sample_bidder(spec)
    criteria = sum(len(s["criteria"]) for s in spec["sections"])
    print(
        f"Road-pavement spec, comprehensive: {criteria} criteria, "
        f"{len(spec['checklist'])} checklist items, {spec['market_evidence']['cases']} cases; "
        f"warm, median of {RUNS} runs"
    )
    print(f"{'export':<16}{'median s':>10}{'min s':>8}{'max s':>8}{'size kB':>10}  goal")
    missed = []
    jobs: list[tuple[str, str, Callable[[], tuple[bytes, str, str]]]] = [
        (f"spec.{fmt}", fmt, lambda fmt=fmt: export_spec(spec, fmt, identity)) for fmt in FORMATS
    ] + [
        (f"evaluation.{fmt}", "", lambda fmt=fmt: export_evaluation(spec, bidder, fmt, identity))
        for fmt in ("xlsx", "pdf")
    ]
    for label, fmt, export in jobs:
        try:
            median, timings, size = measure(export)
        except ExportUnavailable as exc:
            print(f"{label:<16}{'unavailable':>10}  {exc}")
            continue
        goal = GOALS.get(fmt)
        verdict = "" if goal is None else f"<= {goal} s " + ("ok" if median <= goal else "MISSED")
        if goal is not None and median > goal:
            missed.append(label)
        print(
            f"{label:<16}{median:>10.3f}{min(timings):>8.3f}{max(timings):>8.3f}"
            f"{size / 1024:>10.1f}  {verdict}"
        )
    if missed:
        print("goal missed: " + ", ".join(missed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
