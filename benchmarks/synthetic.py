"""SYNTHETIC case-study records for benchmarks only: never real data, never seeds.

Words follow a Zipf distribution over a vocabulary in which domain words ("rubber", "asphalt",
"tyre"...) are the most frequent, so that common terms occur in most records, as in the real
catalogue."""

import itertools
import json
import random
from pathlib import Path

from kb.codes import APPLICATIONS, RTM_TYPES

DOMAIN = [
    "rubber",
    "asphalt",
    "tyre",
    "recycled",
    "granulate",
    "powder",
    "road",
    "noise",
    "binder",
    "bitumen",
    "playground",
    "surface",
    "crumb",
    "track",
    "mat",
    "barrier",
    "gomma",
    "asfalto",
    "caucho",
    "opony",
    "pneus",
    "steel",
    "fibre",
    "concrete",
]
COUNTRIES = ["IT", "ES", "PL", "FR", "GR", "SI", "BE", "PT", "CZ", "HR", "DE", "NL"]
LANGS = ["en", "it", "es", "pl", "fr", "el", "sl"]


def vocabulary(size: int = 20_000, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnoprstuvz"
    filler = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 11))) for _ in range(size)}
    return DOMAIN + sorted(filler)


def synthetic_records(count: int, seed: int = 42) -> list[dict]:
    """Return `count` SYNTHETIC records in the contract's format."""
    rng = random.Random(seed)
    vocab = vocabulary()
    cum = list(itertools.accumulate(1 / (rank + 1) ** 1.1 for rank in range(len(vocab))))
    records = []
    for i in range(count):
        words = rng.choices(vocab, cum_weights=cum, k=60)
        lat, lon = rng.uniform(36, 55), rng.uniform(-9, 25)
        records.append(
            {
                "id": f"synthetic-{i:06d}",
                "title": "SYNTHETIC " + " ".join(words[:6]),
                "summary": " ".join(words[6:40]),
                "description": " ".join(words[40:]),
                "language": rng.choice(LANGS),
                "application": rng.choice(APPLICATIONS),
                "rtm_types": rng.sample(RTM_TYPES, rng.randint(1, 2)),
                "country": rng.choice(COUNTRIES),
                "city": f"Synthetic town {rng.randint(1, 500)}",
                "lat": round(lat, 4),
                "lon": round(lon, 4),
                "year": rng.randint(1995, 2025),
                "rtm_tonnes": round(rng.uniform(0, 500), 1),
                "organisations": [
                    {"name": f"Synthetic org {rng.randint(1, 300)}", "role": "contractor"}
                ],
                "benefits": [],
                "sources": ["https://example.org/synthetic"],
            }
        )
    return records


def write_jsonl(path: Path, records: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    return path
