"""The taxonomy of applications, materials and roles, with labels in the seven languages."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from kb.codes import APPLICATIONS, ORG_ROLES, RTM_TYPES, UI_LANGUAGES


@dataclass(frozen=True)
class Term:
    code: str
    labels: dict[str, str]
    definitions: dict[str, str]

    def label(self, locale: str = "en") -> str:
        return self.labels.get(locale) or self.labels.get("en") or self.code

    def definition(self, locale: str = "en") -> str:
        return self.definitions.get(locale) or self.definitions.get("en") or ""


@dataclass(frozen=True)
class Taxonomy:
    applications: dict[str, Term]
    rtm_types: dict[str, Term]
    organisation_roles: dict[str, Term]

    def label(self, kind: str, code: str, locale: str = "en") -> str:
        term = getattr(self, kind).get(code)
        return term.label(locale) if term else code

    def all_labels(self, kind: str, code: str) -> list[str]:
        """Return the labels of a code in every language (for cross-language search)."""
        term = getattr(self, kind).get(code)
        return sorted(set(term.labels.values())) if term else [code]

    def as_json(self, locale: str = "en") -> dict:
        def group(terms: dict[str, Term]) -> list[dict]:
            return [
                {"code": t.code, "label": t.label(locale), "definition": t.definition(locale),
                 "labels": t.labels}
                for t in terms.values()
            ]

        return {
            "applications": group(self.applications),
            "rtm_types": group(self.rtm_types),
            "organisation_roles": group(self.organisation_roles),
            "languages": list(UI_LANGUAGES),
        }


def _terms(raw: dict, codes: tuple[str, ...], kind: str, path: Path) -> dict[str, Term]:
    raw = raw or {}
    unknown = set(raw) - set(codes)
    missing = [code for code in codes if code not in raw]
    if unknown or missing:
        raise ValueError(f"{path.name}: {kind}: unknown codes {sorted(unknown)}, missing {missing}")
    terms = {}
    for code in codes:
        entry = raw[code] or {}
        labels = {k: str(v) for k, v in (entry.get("label") or {}).items() if v}
        if "en" not in labels:
            raise ValueError(f"{path.name}: {kind}.{code}: label: the English label is missing")
        defs = {k: str(v) for k, v in (entry.get("definition") or {}).items() if v}
        terms[code] = Term(code, labels, defs)
    return terms


@cache
def load_taxonomy(path: Path) -> Taxonomy:
    """Load and check the taxonomy file (every contract code, an English label each)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return Taxonomy(
        applications=_terms(raw.get("applications"), APPLICATIONS, "applications", path),
        rtm_types=_terms(raw.get("rtm_types"), RTM_TYPES, "rtm_types", path),
        organisation_roles=_terms(raw.get("organisation_roles"), ORG_ROLES, "organisation_roles", path),
    )


@cache
def load_glossary(path: Path) -> list[list[str]]:
    """Load the search glossary as groups of equivalent terms in any language."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = []
    for group in raw.get("groups") or []:
        terms = [str(t).strip().lower() for lang in (group.get("terms") or {}).values() for t in lang or []]
        terms = list(dict.fromkeys(t for t in terms if t))
        if len(terms) > 1:
            groups.append(terms)
    return groups
