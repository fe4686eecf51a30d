"""Embedded search engine benchmark on SYNTHETIC documents (engine level, no HTTP).

The documents are made up here: filler pseudo-words drawn from a Zipf distribution plus domain
words at high document frequencies ("rubber" in about 80% of documents, "tyre", "recycled",
"granulate", "asphalt" ... in 20-60%), so common words match most of the index, the hard case for
ranking. For each size it prints the index build time (`rebuild`), then p50/p95 latency of a
query mix (one word, two words, misspelt, filtered, prefix; every query asks for the four facets
the API returns) through `EmbeddedBackend.search`, beside a plain FTS5 MATCH (bm25 top 20 plus an
exact count) on the same FTS5 table in the same run. Each timing pass is repeated `--runs` times
and the median pass is reported. Goals: p95 <= 50 ms at 20,000 and <= 150 ms at 100,000.

Usage: python benchmarks/engine_bench.py [--sizes 20000,100000] [--runs 3] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb import codes  # noqa: E402
from kb.service import CASE_INDEX  # noqa: E402
from search.backend import SearchQuery  # noqa: E402
from search.embedded import EmbeddedBackend  # noqa: E402
from search.embedded.query import (  # noqa: E402
    Synonyms,  # noqa: E402
    all_of,
    parse,
)

SCHEMA = CASE_INDEX  # the knowledge base's own schema
SYNONYMS = [["tyre", "tire", "pneumatico"], ["asphalt", "asfalto"], ["end of life tyres", "elt"]]
FACETS = ("application", "rtm_types", "country", "year")
DOMAIN = {  # word: probability that a document contains it somewhere
    "rubber": 0.8,
    "tyre": 0.6,
    "recycled": 0.5,
    "granulate": 0.35,
    "asphalt": 0.3,
    "crumb": 0.3,
    "pavement": 0.25,
    "noise": 0.2,
    "playground": 0.15,
    "concrete": 0.15,
    "steel": 0.1,
    "textile": 0.08,
    "insulation": 0.05,
    "vibration": 0.05,
    "barrier": 0.04,
}
APPLICATIONS = list(codes.APPLICATIONS)
RTM = list(codes.RTM_TYPES)
COUNTRIES = [
    "IT",
    "ES",
    "PL",
    "FR",
    "GR",
    "SI",
    "DE",
    "PT",
    "NL",
    "BE",
    "AT",
    "SE",
    "FI",
    "DK",
    "IE",
    "CZ",
    "SK",
    "HU",
    "RO",
    "BG",
    "HR",
    "LT",
    "LV",
    "EE",
    "CY",
]
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "ta",
    "vo",
    "si",
    "pe",
    "dra",
    "gen",
    "tor",
    "bel",
    "fin",
    "mar",
    "sol",
    "quen",
    "zu",
    "wi",
    "har",
]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """Return made-up words, most frequent first (ranks shuffled, not alphabetical)."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    ranked = sorted(words)
    rng.shuffle(ranked)
    return ranked


def synthetic_documents(count: int, seed: int = 7) -> Iterator[dict]:
    """Yield SYNTHETIC search documents (made-up words and values, not case studies)."""
    rng = random.Random(seed)
    words = vocabulary(30_000, rng)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    cumulative = list(_accumulate(weights))

    def text(n: int) -> list[str]:
        return rng.choices(words, cum_weights=cumulative, k=n)

    for i in range(count):
        fields = {
            "title": text(rng.randint(5, 9)),
            "summary": text(rng.randint(20, 35)),
            "body": text(rng.randint(60, 110)),
            "labels": text(3),
        }
        for word, p in DOMAIN.items():
            if rng.random() < p:
                name = rng.choices(["title", "summary", "body"], weights=[1, 2, 4])[0]
                fields[name].insert(rng.randrange(len(fields[name]) + 1), word)
        yield {
            "id": f"synthetic-{i:06d}",
            **{name: " ".join(tokens) for name, tokens in fields.items()},
            "application": rng.choice(APPLICATIONS),
            "rtm_types": rng.sample(RTM, rng.randint(1, 3)),
            "country": rng.choice(COUNTRIES),
            "language": rng.choice(["en", "it", "es", "pl", "fr", "el", "sl"]),
            "year": rng.randint(1995, 2025) if rng.random() < 0.9 else None,
            "rtm_tonnes": round(rng.lognormvariate(3, 1.5), 1) if rng.random() < 0.7 else None,
            "gpp": rng.choice([True, False, None]),
        }


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


def query_mix(filler: list[str]) -> list[tuple[str, SearchQuery]]:
    a, b, c = filler[:3]
    mix = [
        ("one word (common)", SearchQuery(text="rubber")),
        ("one word (mid)", SearchQuery(text="granulate")),
        ("one word (filler)", SearchQuery(text=a)),
        ("two words", SearchQuery(text="rubber asphalt")),
        ("two words", SearchQuery(text="crumb pavement")),
        ("two words", SearchQuery(text=f"{b} {c}")),
        ("misspelt", SearchQuery(text="rubbr")),
        ("misspelt", SearchQuery(text="granulte asphalt")),
        ("misspelt", SearchQuery(text="playgrund noise")),
        ("filtered", SearchQuery(text="rubber", filters={"application": ["road-pavement"]})),
        (
            "filtered",
            SearchQuery(
                text="tyre recycled",
                filters={"country": ["IT", "ES"]},
                ranges={"year": (2010, 2020)},
            ),
        ),
        (
            "filtered",
            SearchQuery(
                filters={"rtm_types": ["steel-fibre"]},
                booleans={"gpp": True},
                sort=(("year", "desc"),),
            ),
        ),
        ("prefix", SearchQuery(text="asph")),
        ("prefix", SearchQuery(text="rubber gran")),
        ("prefix", SearchQuery(text="re")),
    ]
    for _, query in mix:
        query.facets = FACETS
    return mix


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm: the first call after a build loads the columns and the vocabulary
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def plain_fts(engine: EmbeddedBackend, text: str) -> Callable[[], object]:
    """A plain FTS5 query: every word required, the last as a prefix, bm25 top 20 and a count."""
    units = parse(text, None, Synonyms([]))

    def run() -> object:
        with engine.store.read() as conn:
            gen = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]
            if not units:
                return conn.execute(f"SELECT count(*) FROM doc_{gen}").fetchone()
            expr = all_of(units)
            conn.execute(f"SELECT count(*) FROM fts_{gen} WHERE fts_{gen} MATCH ?", (expr,))
            return conn.execute(
                f"SELECT rowid FROM fts_{gen} WHERE fts_{gen} MATCH ?"
                f" ORDER BY bm25(fts_{gen}, 8, 4, 2, 1) LIMIT 20",
                (expr,),
            ).fetchall()

    return run


def bench(size: int, runs: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = EmbeddedBackend(Path(tmp) / "search.sqlite")
        engine.configure(SCHEMA, SYNONYMS)
        start = time.perf_counter()
        count = engine.rebuild(synthetic_documents(size))
        build = time.perf_counter() - start
        filler = vocabulary(30_000, random.Random(7))  # same words, most frequent first
        mix = query_mix([filler[0], filler[5], filler[40]])
        passes: list[tuple[tuple[float, float], tuple[float, float], dict]] = []
        for _ in range(runs):
            ours: list[float] = []
            plain: list[float] = []
            per_kind: dict[str, list[float]] = {}
            for kind, query in mix:
                samples = timed(lambda q=query: engine.search(q), repeat)
                ours += samples
                per_kind.setdefault(kind, []).extend(samples)
                plain += timed(plain_fts(engine, query.text), repeat)
            passes.append((percentiles(ours), percentiles(plain), per_kind))
        passes.sort(key=lambda p: p[0][1])
        (p50, p95), (f50, f95), per_kind = passes[len(passes) // 2]
        totals = {kind: engine.search(q).total for kind, q in mix}
        engine.close()
    goal = 50 if size <= 20_000 else 150
    print(f"\n{count:,} SYNTHETIC documents: build {build:.1f} s ({count / build:,.0f} docs/s)")
    print(
        f"  embedded engine   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   (goal p95 <= {goal} ms:"
        f" {'met' if p95 <= goal else 'MISSED'})"
    )
    print(f"  plain FTS5 MATCH  p50 {f50:6.1f} ms   p95 {f95:6.1f} ms   (no typo/facet/rank)")
    for kind, samples in per_kind.items():
        k50, k95 = percentiles(samples)
        print(f"    {kind:<18} p50 {k50:6.1f} ms   p95 {k95:6.1f} ms")
    print(f"  matches: 'rubber' {totals['one word (common)']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--runs", type=int, default=3, help="timing passes; the median is shown")
    parser.add_argument("--repeat", type=int, default=3, help="timings per query per pass")
    args = parser.parse_args()
    print("SYNTHETIC data: made-up words and values, generated by this script.")
    for size in (int(s) for s in args.sizes.split(",")):
        bench(size, args.runs, args.repeat)


if __name__ == "__main__":
    main()
