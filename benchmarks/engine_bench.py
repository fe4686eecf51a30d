"""Embedded search engine benchmark on SYNTHETIC documents (engine level, no HTTP).

The documents are made up here: filler pseudo-words drawn from a Zipf distribution plus domain
words at high document frequencies ("rubber" in about 80% of documents, "tyre", "recycled",
"granulate", "asphalt" ... in 20-60%), so common words match most of the index, the hard case for
ranking. For each size it prints the index build time (`rebuild`), then p50/p95 latency of a
query mix (one word, two words, misspelt, filtered, prefix; every query asks for the four facets
the API returns; no query text is repeated, so no cache helps) through `EmbeddedBackend.search`,
beside a plain FTS5 MATCH (every word, bm25 top 20 plus an exact count) on an FTS5 table of the
same texts built by this script, in the same run. Each timing pass is repeated `--runs` times
and the median pass is reported.

Usage: python benchmarks/engine_bench.py [--sizes 20000,100000] [--runs 3] [--per-kind 40]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb import codes  # noqa: E402
from kb.indexing import CASE_INDEX  # noqa: E402
from search.backend import SearchQuery  # noqa: E402
from search.embedded import EmbeddedBackend  # noqa: E402
from search.text import tokens  # noqa: E402

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


def misspell(word: str, rng: random.Random) -> str:
    """Drop or swap one letter after the first (one typo by Meilisearch's rules)."""
    i = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def query_mix(filler: list[str], per_kind: int, seed: int) -> list[tuple[str, SearchQuery]]:
    """Return queries of each kind, no text repeated (within the mix or across passes)."""
    rng = random.Random(seed)
    domain = list(DOMAIN)
    words = iter(rng.sample(filler[:5000], len(filler[:5000])))
    mix: list[tuple[str, SearchQuery]] = []
    for _ in range(per_kind):
        common, other = rng.sample(domain, 2)
        mix += [
            ("one word", SearchQuery(text=next(words))),
            ("two words", SearchQuery(text=f"{common} {next(words)}")),
            ("misspelt", SearchQuery(text=f"{misspell(next(words), rng)} {other}")),
            ("prefix", SearchQuery(text=f"{common} {next(words)[:4]}")),
            (
                "filtered",
                SearchQuery(
                    text=next(words),
                    filters={"country": rng.sample(COUNTRIES, 2)},
                    ranges={"year": (2010, 2020)},
                    sort=(("year", "desc"),) if rng.random() < 0.5 else (),
                ),
            ),
        ]
    for _, query in mix:
        query.facets = FACETS
    return mix


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def fts_table(documents: list[dict]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE t USING fts5(title, summary, body, labels, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    conn.executemany(
        "INSERT INTO t VALUES (?, ?, ?, ?)",
        [(d["title"], d["summary"], d["body"], d["labels"]) for d in documents],
    )
    return conn


def plain_fts(conn: sqlite3.Connection, text: str) -> Callable[[], object]:
    """A plain FTS5 query: every word required, the last a prefix, bm25 top 20 and a count."""
    words = tokens(text)
    expr = " AND ".join(f'"{w}"' for w in words) + ("*" if words else "")

    def run() -> object:
        if not words:
            return conn.execute("SELECT count(*) FROM t").fetchone()
        conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expr,)).fetchone()
        return conn.execute(
            "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, 8, 4, 2, 1) LIMIT 20", (expr,)
        ).fetchall()

    return run


def bench(size: int, runs: int, per_kind: int) -> None:
    documents = list(synthetic_documents(size))
    with tempfile.TemporaryDirectory() as tmp:
        engine = EmbeddedBackend(Path(tmp) / "search-index")
        engine.configure(SCHEMA, SYNONYMS)
        start = time.perf_counter()
        count = engine.rebuild(documents)
        build = time.perf_counter() - start
        conn = fts_table(documents)
        filler = vocabulary(30_000, random.Random(7))  # same words, most frequent first
        first = timed(lambda: engine.search(SearchQuery(text="rubber", facets=FACETS)))
        passes: list[tuple[tuple[float, float], tuple[float, float], dict]] = []
        cpu_ms: list[float] = []
        for run in range(runs):
            ours: list[float] = []
            plain: list[float] = []
            per: dict[str, list[float]] = {}
            cpu = time.process_time()
            mix = query_mix(filler, per_kind, seed=run)
            for kind, query in mix:
                sample = timed(lambda q=query: engine.search(q))
                ours.append(sample)
                per.setdefault(kind, []).append(sample)
            cpu_ms.append((time.process_time() - cpu) * 1000 / len(mix))
            for _, query in mix:
                plain.append(timed(plain_fts(conn, query.text)))
            passes.append((percentiles(ours), percentiles(plain), per))
        passes.sort(key=lambda p: p[0][1])
        (p50, p95), (f50, f95), per_kind_times = passes[len(passes) // 2]
        total = engine.search(SearchQuery(text="rubber")).total
        conn.close()
    print(f"\n{count:,} SYNTHETIC documents: build {build:.1f} s ({count / build:,.0f} docs/s)")
    print(f"  first search after the build {first:6.1f} ms")
    print(f"  embedded engine   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    print(f"  embedded engine   CPU {statistics.median(cpu_ms):6.1f} ms per search (all threads)")
    print(f"  plain FTS5 MATCH  p50 {f50:6.1f} ms   p95 {f95:6.1f} ms   (no typo/facet/rank)")
    for kind, samples in per_kind_times.items():
        k50, k95 = percentiles(samples)
        print(f"    {kind:<18} p50 {k50:6.1f} ms   p95 {k95:6.1f} ms")
    print(f"  matches: 'rubber' {total:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--runs", type=int, default=3, help="timing passes; the median is shown")
    parser.add_argument("--per-kind", type=int, default=40, help="new queries per kind per pass")
    args = parser.parse_args()
    print("SYNTHETIC data: made-up words and values, generated by this script.")
    for size in (int(s) for s in args.sizes.split(",")):
        bench(size, args.runs, args.per_kind)


if __name__ == "__main__":
    main()
