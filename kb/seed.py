"""Loading the real case studies shipped in `seeds/cases/` into an empty catalogue."""

from pathlib import Path

from kb import importing
from kb import io as kb_io
from kb.taxonomy import Taxonomy
from search.service import GuardedBackend


def seed_files(seeds_dir: Path) -> list[Path]:
    return sorted((seeds_dir / "cases").glob("*.jsonl"))


def read_seed_records(seeds_dir: Path) -> kb_io.Parsed:
    """Read every seed file as one catalogue; seeds with problems are a bug, so raise."""
    raw = []
    for path in seed_files(seeds_dir):
        raw.extend(kb_io.read_raw(path.read_bytes(), "jsonl"))
    parsed = kb_io.parse_records((n, item, err) for n, (_, item, err) in enumerate(raw, 1))
    if parsed.problems:
        raise ValueError("the seed case studies are not valid:\n" + "\n".join(parsed.problems))
    return parsed


def load_seed_cases(runtime) -> importing.UpsertSummary:
    """Load the seed case studies as published records."""
    parsed = read_seed_records(runtime.settings.seeds_dir)
    return importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=parsed.records,
    )
