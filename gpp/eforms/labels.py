"""The official labels of the eForms business terms and codes, and of the CPV codes, in the seven
languages of the interface (eForms SDK 1.15.1 translations, Publications Office of the EU,
CC BY 4.0; copied by `scripts/eforms_labels.py` into `translations/`).

A document prints an eForms term or code only through these functions, so that it reads as the
notice will. A language without a copy falls back to English; a term or code that the SDK does
not name prints as itself (a label is never invented)."""

import json
import re
from functools import cache
from pathlib import Path

DIRECTORY = Path(__file__).parent / "translations"
DEFAULT = "en"
# procurement_type of a spec -> code of the contract-nature list (BT-23)
CONTRACT_NATURE = {"works": "works", "supply": "supplies", "service": "services"}
# The eForms codes a spec carries: (key in the spec's `eforms`, business term, code list), in the
# order the documents print them.
SPEC_FIELDS = (
    ("bt_805", "BT-805", "gpp-criteria"),
    ("bt_774", "BT-774", "environmental-impact"),
    ("bt_06", "BT-06", "strategic-procurement"),
)
_CPV = re.compile(r"^(\d{8})(?:-\d)?$")


_LANGUAGE = re.compile(r"^[a-z]{2}$")


def _read(folder: Path, lang: str) -> dict:
    """Read a language's copy (an unknown or malformed language: English)."""
    path = folder / f"{lang}.json"
    if not _LANGUAGE.match(lang) or not path.is_file():
        path = folder / f"{DEFAULT}.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _labels(lang: str) -> dict:
    return _read(DIRECTORY, lang)


@cache
def _cpv(lang: str) -> dict[str, str]:
    return _read(DIRECTORY / "cpv", lang)


def term_label(bt_id: str, lang: str) -> str:
    """Return the official name of a business term (`BT-805`) in a language."""
    return _labels(lang).get("business-term", {}).get(bt_id, bt_id)


def code_label(list_id: str, code: str, lang: str) -> str:
    """Return the official label of a code of an eForms list (`gpp-criteria`, `eu`)."""
    return _labels(lang).get("code", {}).get(list_id, {}).get(code, code)


def cpv_digits(code: str) -> str | None:
    """Return the 8 digits of a CPV code written with or without its check digit."""
    match = _CPV.match(str(code).strip())
    return match.group(1) if match else None


def cpv_label(code: str, lang: str) -> str:
    """Return the official label of a CPV code (`45233140` or `45233140-2`), or '' if unknown."""
    digits = cpv_digits(code)
    return _cpv(lang).get(digits, "") if digits else ""


def is_cpv(code: str) -> bool:
    """True for a code of the CPV 2008 main vocabulary."""
    return bool(cpv_label(code, DEFAULT))


def with_label(code: str, label: str) -> str:
    """Print a code beside its label: `eu (EU Green Public Procurement criteria)`."""
    return f"{code} ({label})" if label and label != code else code


def codes_text(list_id: str, codes, lang: str) -> str:
    """Print one code or a list of codes of an eForms list, each beside its official label."""
    if isinstance(codes, str):
        codes = [codes]
    return ", ".join(with_label(str(c), code_label(list_id, str(c), lang)) for c in codes or [])


def cpv_text(codes, lang: str) -> str:
    """Print CPV codes, each beside its official label in a language."""
    if isinstance(codes, str):
        codes = [codes]
    return ", ".join(with_label(str(c), cpv_label(str(c), lang)) for c in codes or [])


def contract_nature(procurement_type: str | None, lang: str) -> str:
    """Return the official label of a spec's type of contract (BT-23: works, supplies, services)."""
    if not procurement_type:
        return ""
    code = CONTRACT_NATURE.get(procurement_type)
    return code_label("contract-nature", code, lang) if code else str(procurement_type)


def classification(codes, lang: str) -> list[tuple[str, str]]:
    """Return the CPV codes as eForms names them: the first is the main classification (BT-262),
    the others additional (BT-263), each beside its official label."""
    if isinstance(codes, str):
        codes = [codes]
    codes = [str(c) for c in codes or [] if str(c).strip()]
    if not codes:
        return []
    rows = [(term_label("BT-262", lang), cpv_text(codes[:1], lang))]
    if codes[1:]:
        rows.append((term_label("BT-263", lang), cpv_text(codes[1:], lang)))
    return rows
