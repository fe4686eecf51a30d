"""The terminology files (`replan/translations/terminology/<lang>.yaml`) as the tests read them."""

import re
from dataclasses import dataclass
from functools import cache

import yaml

from replan import PROJECT_ROOT

DIRECTORY = PROJECT_ROOT / "replan" / "translations" / "terminology"
PLACES = ("criteria", "catalogue", "documents")


@dataclass(frozen=True)
class Term:
    concept: str
    term: str
    source: str
    variants: tuple[re.Pattern, ...]
    places: tuple[str, ...]
    required: bool
    except_groups: tuple[str, ...]
    pending: tuple[str, ...]  # places where the variant remains until a translator fixes it


@cache
def terms(lang: str) -> tuple[Term, ...]:
    """Return a language's entries; a malformed file fails here, naming the entry."""
    data = yaml.safe_load((DIRECTORY / f"{lang}.yaml").read_text("utf-8"))
    assert data["language"] == lang
    found = []
    for entry in data["terms"]:
        places = tuple(entry.get("in", PLACES))
        pending = tuple(entry.get("pending", ()))
        assert entry["term"] and entry["source"] and set(places) <= set(PLACES), entry
        assert set(pending) <= set(places), entry
        found.append(
            Term(
                concept=entry["concept"],
                term=entry["term"],
                source=entry["source"],
                variants=tuple(re.compile(v, re.IGNORECASE) for v in entry["variants"]),
                places=places,
                required=bool(entry.get("required")),
                except_groups=tuple(entry.get("except_groups", ())),
                pending=pending,
            )
        )
    return tuple(found)


def rejected_in(
    lang: str, text: str, place: str, group: str | None = None, *, pending: bool = False
) -> list[str]:
    """Return each rejected variant found in a text, with the official term to use instead
    (pending: only the rules still pending in that place)."""
    return [
        f"'{m.group(0)}' (use '{t.term}', {t.source})"
        for t in terms(lang)
        if place in t.places and group not in t.except_groups and (place in t.pending) == pending
        for variant in t.variants
        if (m := variant.search(text))
    ]


def no_longer_pending(lang: str, text: str, place: str) -> list[str]:
    """Return the rules marked pending in a place whose variant the text no longer holds (then
    the `pending` line of the file is removed, so that the rule guards that place again)."""
    return [
        t.term
        for t in terms(lang)
        if place in t.pending and not any(v.search(text) for v in t.variants)
    ]


def missing_in(lang: str, text: str) -> list[str]:
    """Return the required official terms that a generated document lacks."""
    folded = text.casefold()
    return [t.term for t in terms(lang) if t.required and t.term.casefold() not in folded]
