"""The taxonomy of applications, materials and roles, with labels in the seven languages."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kb.codes import APPLICATIONS, ORG_ROLES, RTM_TYPES, UI_LANGUAGES
from replan.data_files import load_yaml


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
    glossary: "Glossary | None" = None

    def label(self, kind: str, code: str, locale: str = "en") -> str:
        term = getattr(self, kind).get(code)
        return term.label(locale) if term else code

    def all_labels(self, kind: str, code: str) -> list[str]:
        """Return a code's labels in every language and its glossary terms (for search)."""
        term = getattr(self, kind).get(code)
        labels = set(term.labels.values()) if term else {code}
        if self.glossary is not None:
            labels.update(self.glossary.terms_for(code))
        return sorted(labels)

    def as_json(self, locale: str = "en") -> dict:
        def group(terms: dict[str, Term]) -> list[dict]:
            return [
                {
                    "code": t.code,
                    "label": t.label(locale),
                    "definition": t.definition(locale),
                    "labels": t.labels,
                }
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
def load_taxonomy(path: Path, glossary_path: Path | None = None) -> Taxonomy:
    """Load and check the taxonomy file (every contract code, an English label each)."""
    raw = load_yaml(path) or {}
    return Taxonomy(
        applications=_terms(raw.get("applications"), APPLICATIONS, "applications", path),
        rtm_types=_terms(raw.get("rtm_types"), RTM_TYPES, "rtm_types", path),
        organisation_roles=_terms(
            raw.get("organisation_roles"), ORG_ROLES, "organisation_roles", path
        ),
        glossary=load_glossary(glossary_path) if glossary_path else None,
    )


@dataclass(frozen=True)
class Glossary:
    """Groups of equivalent sector terms in any language, and the terms naming each code."""

    groups: list[list[str]]
    code_terms: dict[str, list[str]]

    def terms_for(self, code: str) -> list[str]:
        return self.code_terms.get(code, [])


@cache
def load_glossary(path: Path) -> Glossary:
    """Load the search glossary: synonym groups, and the primary groups' terms per code."""
    raw = load_yaml(path) or {}
    groups: list[list[str]] = []
    code_terms: dict[str, list[str]] = {}
    for group in raw.get("groups") or []:
        terms = [
            str(t).strip().lower()
            for lang in (group.get("terms") or {}).values()
            for t in lang or []
        ]
        terms = list(dict.fromkeys(t for t in terms if t))
        if len(terms) > 1:
            groups.append(terms)
        if group.get("primary"):
            for code in group.get("codes") or []:
                code_terms.setdefault(code, []).extend(terms)
    return Glossary(groups=groups, code_terms=code_terms)
