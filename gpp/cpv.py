"""The Common Procurement Vocabulary (CPV 2008, Regulation (EC) No 213/2008): which codes exist.

A notice writes a code with its check digit (`45233140-2`), a buyer often without (`45233140`):
both forms are accepted and the 8 digits compared. The official labels are the eForms
translations' business (another module prints them); this one only answers whether a code exists."""

import csv
import re
from functools import cache
from pathlib import Path

PATH = Path(__file__).parent / "cpv2008" / "cpv-2008-en.csv"
CODE = re.compile(r"^(\d{8})(?:-(\d))?$")


@cache
def _descriptions() -> dict[str, str]:
    with PATH.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f)
        # A row whose description is itself a code is an artefact of the export, not a code.
        return {r["code"]: r["description"] for r in rows if not CODE.match(r["description"])}


def codes() -> frozenset[str]:
    """Return the 8-digit codes of the main vocabulary."""
    return frozenset(_descriptions())


def digits(code: str) -> str | None:
    """Return the 8 digits of a code written `45233140` or `45233140-2`, None when malformed."""
    match = CODE.match(code.strip())
    return match.group(1) if match else None


def is_known(code: str) -> bool:
    """True when the code (with or without its check digit) is in the CPV main vocabulary."""
    found = digits(code)
    return found is not None and found in _descriptions()


def description(code: str) -> str | None:
    """Return the English description of a known code (for messages and tests), else None."""
    found = digits(code)
    return _descriptions().get(found) if found else None
