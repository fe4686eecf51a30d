"""The criteria library: the YAML files of `seeds/criteria/`, validated at start-up; its queries.

A broken file stops the start: `load_library` collects every problem and raises `LibraryError` with
one line per problem naming the file, the criterion and the field. Translations are overlay files
(`seeds/criteria/i18n/<lang>/<group>.yaml`, see `gpp.overlays`); a missing overlay means English."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from gpp import sources
from gpp.library_eforms import Eforms
from gpp.library_eforms import Strict as _Strict
from kb.codes import APPLICATIONS, RTM_TYPES
from replan.data_files import DataFileError, load_yaml

TYPES = ("selection", "technical_specification", "award", "contract_clause")
AMBITIONS = ("core", "comprehensive")
PHASES = ("tender", "award", "delivery", "execution")
TYPE_CODES = {
    "sc": "selection",
    "ts": "technical_specification",
    "ac": "award",
    "cpc": "contract_clause",
}
MAX_AWARD_TOTAL = 40  # award criteria of one application at comprehensive level, out of 100
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
ID = re.compile(r"^[a-z0-9]+-(sc|ts|ac|cpc)-[a-z0-9]+(-[a-z0-9]+)*$")

Number = Annotated[StrictInt | StrictFloat, Field()]
Type = Literal["selection", "technical_specification", "award", "contract_clause"]
Ambition = Literal["core", "comprehensive"]
Phase = Literal["tender", "award", "delivery", "execution"]


class LibraryError(ValueError):
    """The criteria library cannot be used; the message names each file, criterion and field."""


def placeholders(text: str) -> list[str]:
    """Return the `{name}` placeholders of a text, in order of appearance."""
    return PLACEHOLDER.findall(text)


def check_placeholders(text: str, names: set[str]) -> None:
    """Raise ValueError unless the text's placeholders are exactly `names` and well formed."""
    found = placeholders(text)
    bad = [n for n in found if not NAME.match(n)]
    if bad:
        raise ValueError(f"placeholder {{{bad[0]}}} is not a lowercase identifier")
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise ValueError("the text has a brace that is not part of a {placeholder}")
    missing = sorted(names - set(found))
    extra = sorted(set(found) - names)
    if extra:
        raise ValueError(f"placeholder {{{extra[0]}}} has no parameter")
    if missing:
        raise ValueError(f"parameter {missing[0]} does not appear in the text as {{{missing[0]}}}")


class Parameter(_Strict):
    label: str = Field(min_length=1)
    default: Number
    min: Number
    max: Number
    unit: str = ""
    # False: the official value (such as a CAM minimum) could not be read at its source; the label
    # names the decree and paragraph, the procurer enters the value, and the buyer country's
    # not-below rule does not hold the procurer to the default (`gpp.countries.check`).
    confirmed: bool = True

    @model_validator(mode="after")
    def _bounds(self) -> "Parameter":
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        if not self.min <= self.default <= self.max:
            raise ValueError(f"default {self.default} is outside [{self.min}, {self.max}]")
        return self


class Verification(_Strict):
    evidence: str = Field(min_length=1)
    phase: Phase
    how_to_check: str = Field(min_length=1)
    who: str = Field(min_length=1)


class Reference(_Strict):
    title: str = Field(min_length=1)
    url: str | None = Field(None, pattern=r"^https?://\S+$")
    # A secondary source (a transcription, a trade summary) kept for the library's maintainers:
    # never printed in a tender document, which cites official publishers only (gpp.sources).
    maintainers_only: bool = False


class Criterion(_Strict):
    id: str = Field(pattern=ID.pattern, max_length=120)
    version: StrictInt = Field(ge=1)
    valid_from: date
    valid_to: date | None = None
    applications: list[str] = Field(min_length=1)
    rtm_types: list[str] = Field(default_factory=list)  # the materials its text names
    type: Type
    ambition: Ambition
    title: str = Field(min_length=3, max_length=300)
    text: str = Field(min_length=10)
    parameters: dict[str, Parameter] = Field(default_factory=dict)
    rationale: str = Field(min_length=10)
    verification: list[Verification] = Field(min_length=1)
    references: list[Reference] = Field(min_length=1)
    eforms: Eforms
    award_points: StrictInt | None = Field(None, ge=1, le=100)
    # the cost of Art. 67(2) (life-cycle cost): its points are the price's, outside MAX_AWARD_TOTAL
    cost_basis: bool = False
    reviewed_on: date  # when a maintainer last checked the text against its sources
    next_review: date  # after this day the wizard and the documents warn that it is overdue
    group: str = ""  # the product group (file) it came from; set by the loader

    @field_validator("parameters", mode="before")
    @classmethod
    def _no_parameters(cls, value):
        return {} if value is None else value

    @field_validator("applications")
    @classmethod
    def _known_applications(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in APPLICATIONS]
        if unknown:
            raise ValueError(f"unknown application code '{unknown[0]}'")
        if len(set(value)) != len(value):
            raise ValueError("an application is listed twice")
        return value

    @field_validator("rtm_types")
    @classmethod
    def _known_rtm_types(cls, value: list[str]) -> list[str]:
        unknown = [code for code in value if code not in RTM_TYPES]
        if unknown:
            raise ValueError(f"unknown RTM type code '{unknown[0]}'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "Criterion":
        for name in self.parameters:
            if not NAME.match(name):
                raise ValueError(f"parameter name '{name}' is not a lowercase identifier")
        check_placeholders(self.text, set(self.parameters))
        code = ID.match(self.id).group(1)
        if TYPE_CODES[code] != self.type:
            raise ValueError(f"the id says '{code}' but the type is {self.type}")
        if self.type == "award" and self.award_points is None:
            raise ValueError("an award criterion needs award_points")
        if self.type != "award" and self.award_points is not None:
            raise ValueError("award_points is only for award criteria")
        if self.cost_basis and self.type != "award":
            raise ValueError("cost_basis is only for award criteria")
        if not self.cost_basis and (self.award_points or 0) > MAX_AWARD_TOTAL:
            raise ValueError(f"award_points above {MAX_AWARD_TOTAL} leave no room for price")
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if (self.type == "selection") != (self.eforms.bt_809 is not None):
            raise ValueError(
                "eforms.bt_809 (the selection-criterion code) is for selection criteria only, "
                "and each needs one"
            )
        if self.next_review <= self.reviewed_on:
            raise ValueError("next_review is not after reviewed_on")
        if not self.printed_references():
            raise ValueError("every reference is for maintainers only: cite an official source")
        for r in self.printed_references():
            if not sources.is_official(r.url):
                raise ValueError(
                    f"reference {r.url} is not an official publisher (gpp.sources): cite the "
                    "official text, or mark it maintainers_only"
                )
        return self

    def valid_on(self, day: date) -> bool:
        """True when the criterion applies on that day."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def review_overdue(self, day: date | None = None) -> bool:
        """True when the criterion is past its review date."""
        return (day or date.today()) > self.next_review

    def printed_references(self) -> list[Reference]:
        """Return the references a tender document may print (official sources only)."""
        return [r for r in self.references if not r.maintainers_only]


class CriteriaFile(_Strict):
    product_group: str = Field(pattern=r"^[a-z0-9_]+$")
    library_version: str = Field(min_length=1)
    title: str = Field(min_length=3)
    criteria: list[Criterion] = Field(min_length=1)


@dataclass(frozen=True)
class ProductGroup:
    code: str
    title: str
    path: Path


@dataclass
class Library:
    """The loaded, validated library: criteria in file order, product groups and translations."""

    version: str
    groups: dict[str, ProductGroup]
    criteria: dict[str, Criterion]
    overlays: dict[str, dict[str, dict]] = field(default_factory=dict)  # lang -> id -> overlay

    def get(self, criterion_id: str) -> Criterion:
        """Return a criterion by id (KeyError when unknown)."""
        return self.criteria[criterion_id]

    def applications(self) -> list[str]:
        """Return the application codes that have criteria, in taxonomy order."""
        used = {code for c in self.criteria.values() for code in c.applications}
        return [code for code in APPLICATIONS if code in used]

    def criteria_for(
        self, application: str, ambition: str, *, on: date | None = None
    ) -> list[Criterion]:
        """Return the criteria of an application and ambition valid on a day, grouped by type.

        Comprehensive means core plus comprehensive: the comprehensive criteria add to core."""
        day = on or date.today()
        levels = AMBITIONS[: AMBITIONS.index(ambition) + 1]
        found = [
            c
            for c in self.criteria.values()
            if application in c.applications and c.ambition in levels and c.valid_on(day)
        ]
        return sorted(found, key=lambda c: TYPES.index(c.type))  # stable: file order in a type

    def overdue(self, day: date | None = None) -> list[Criterion]:
        """Return the criteria past their review date on a day, the longest overdue first."""
        found = [c for c in self.criteria.values() if c.review_overdue(day)]
        return sorted(found, key=lambda c: (c.next_review, c.id))

    def localised(self, criterion: Criterion, language: str) -> Criterion:
        """Return the criterion with its translation overlay applied (English when none)."""
        from gpp.overlays import apply_overlay  # gpp.overlays imports this module

        overlay = self.overlays.get(language, {}).get(criterion.id)
        return apply_overlay(criterion, overlay) if overlay else criterion


def _describe(error: dict, raw: dict, where: str) -> str:
    """Name the file, the criterion and the field of one pydantic error."""
    loc = list(error["loc"])
    msg = error["msg"].removeprefix("Value error, ")
    given = error.get("input")
    scalar = isinstance(given, str | int | float) and not isinstance(given, bool)
    if scalar and len(str(given)) < 80:
        msg += f" (got {given!r})"
    if len(loc) >= 2 and loc[0] == "criteria" and isinstance(loc[1], int):
        items = raw.get("criteria") or []
        item = items[loc[1]] if loc[1] < len(items) and isinstance(items[loc[1]], dict) else {}
        name = item.get("id") or f"#{loc[1] + 1}"
        field_name = ".".join(str(p) for p in loc[2:]) or "(the criterion)"
        return f"{where}: criterion {name}: field {field_name}: {msg}"
    return f"{where}: field {'.'.join(str(p) for p in loc) or '(the file)'}: {msg}"


def load_file(path: Path, where: str | None = None) -> tuple[CriteriaFile | None, list[str]]:
    """Parse and validate one criteria file; return it (or None) and its problems."""
    where = where or path.name
    try:
        raw = load_yaml(path)
    except (OSError, DataFileError) as exc:
        return None, [f"{where}: not readable YAML: {exc}"]
    if not isinstance(raw, dict):
        return None, [f"{where}: field (the file): expected a mapping at the top"]
    try:
        parsed = CriteriaFile.model_validate(raw)
    except ValidationError as exc:
        return None, [_describe(e, raw, where) for e in exc.errors()]
    problems = []
    if parsed.product_group != path.stem:
        problems.append(
            f"{where}: field product_group: '{parsed.product_group}' is not the file "
            f"name '{path.stem}'"
        )
    criteria = [c.model_copy(update={"group": parsed.product_group}) for c in parsed.criteria]
    return parsed.model_copy(update={"criteria": criteria}), problems


def _cross_checks(files: dict[str, CriteriaFile]) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    versions = defaultdict(list)
    award = defaultdict(list)
    for where, parsed in files.items():
        versions[parsed.library_version].append(where)
        for c in parsed.criteria:
            if c.id in seen:
                problems.append(
                    f"{where}: criterion {c.id}: field id: already used in {seen[c.id]}"
                )
            seen.setdefault(c.id, where)
            if c.type == "award" and c.valid_to is None and not c.cost_basis:
                for code in c.applications:
                    award[code].append((c, where))
    if len(versions) > 1:
        listed = "; ".join(f"'{v}' in {', '.join(ws)}" for v, ws in sorted(versions.items()))
        problems.append(f"criteria library: field library_version differs between files: {listed}")
    for code, items in award.items():
        total = sum(c.award_points or 0 for c, _ in items)
        if total > MAX_AWARD_TOTAL:
            c, where = items[-1]
            names = ", ".join(f"{i.id} ({i.award_points})" for i, _ in items)
            problems.append(
                f"{where}: criterion {c.id}: field award_points: the award criteria of "
                f"application {code} sum to {total} points, more than "
                f"{MAX_AWARD_TOTAL}: {names}"
            )
    return problems


def load_library(directory: Path) -> Library:
    """Load and validate every criteria file and translation overlay; raise LibraryError."""
    from gpp.overlays import load_overlays  # gpp.overlays imports this module

    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise LibraryError(f"{directory.name}: no criteria files (*.yaml) found")
    files: dict[str, CriteriaFile] = {}
    problems: list[str] = []
    for path in paths:
        where = f"{directory.name}/{path.name}"
        parsed, found = load_file(path, where)
        problems.extend(found)
        if parsed is not None:
            files[where] = parsed
    problems.extend(_cross_checks(files))
    if problems:
        raise LibraryError(_summary(problems))
    groups = {
        f.product_group: ProductGroup(f.product_group, f.title, directory / Path(w).name)
        for w, f in files.items()
    }
    criteria = {c.id: c for f in files.values() for c in f.criteria}
    library = Library(
        version=next(iter(files.values())).library_version, groups=groups, criteria=criteria
    )
    overlays, problems = load_overlays(directory / "i18n", library)
    if problems:
        raise LibraryError(_summary(problems))
    library.overlays = overlays
    return library


def _summary(problems: list[str]) -> str:
    head = f"the criteria library has {len(problems)} problem(s):"
    return "\n".join([head, *(f"  {p}" for p in problems)])
