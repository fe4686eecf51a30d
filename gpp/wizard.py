"""The wizard's state: a plain dict (see `blank`) kept in a draft between steps, and what it
offers and has chosen. The steps themselves (their forms, rules and pages) are `gpp.steps`; the
drafts' storage is `gpp.service.drafts`."""

import re
from collections.abc import Callable, Mapping
from datetime import date

from gpp import rules
from gpp.library import Criterion, Library
from gpp.schemas import SpecCreate
from kb.codes import iso_countries

Form = Mapping[str, list[str]]
Gettext = Callable[..., str]


def blank() -> dict:
    """Return the state of a wizard that has not started."""
    return {
        "application": None,
        "procurement_type": "works",
        "country": None,
        "language": "en",
        "title": "",
        "authority": "",
        "procedure_reference": "",
        "cpv": [],
        "lots": [],
        "ambition": None,
        "criteria": None,
        "parameters": {},
        "award_points": {},
        "reached": 0,
    }


def prefill(params: Mapping[str, str], *, library: Library) -> dict:
    """Return the subject a link may start the wizard with (`/gpp?application=&country=`);
    values the wizard would refuse are left out, so that a stale link still opens it."""
    given: dict[str, str] = {}
    if params.get("application") in library.applications():
        given["application"] = params["application"]
    country = (params.get("country") or "").upper()
    if country in iso_countries():
        given["country"] = country
    return given


def available(library: Library, data: dict, on: date | None = None) -> list[Criterion]:
    """Return the criteria the draft's application and ambition offer."""
    if not data.get("application") or not data.get("ambition"):
        return []
    return library.criteria_for(data["application"], data["ambition"], on=on)


def preselected(
    offered: list[Criterion], ambition: str | None, country: str | None = None
) -> list[Criterion]:
    """Return the criteria ticked before the procurer chooses: the core set, and at the
    comprehensive level also its award criteria, which reward better offers without excluding
    any bidder. Its further requirements and clauses are offered for the procurer to add: a
    tender that asks for everything becomes disproportionate and costly to check.

    A criterion written from another country's national rule (the Italian CAM for a Polish
    buyer) is offered but not ticked: its minimums are that country's, not the buyer's."""
    buyer = (country or "").upper() or None
    return [
        c
        for c in offered
        if (c.ambition == "core" or (ambition == "comprehensive" and c.type == "award"))
        and not _foreign_rule(c, buyer)
    ]


def _foreign_rule(criterion: Criterion, buyer: str | None) -> bool:
    rule_of = criterion.eforms.national_rule_of
    return bool(buyer and rule_of and rule_of != buyer)


def selected(library: Library, data: dict, on: date | None = None) -> list[Criterion]:
    """Return the draft's chosen criteria (the pre-selection until the procurer chooses)."""
    offered = available(library, data, on)
    if data.get("criteria") is None:
        return preselected(offered, data.get("ambition"), data.get("country"))
    chosen = set(data["criteria"])
    return [c for c in offered if c.id in chosen]


def cpv_codes(raw: str) -> list[str]:
    """Read the CPV codes as typed: separated by commas, semicolons, spaces or lines."""
    return list(dict.fromkeys(re.split(r"[\s,;]+", raw.strip()))) if raw.strip() else []


def lines(raw: str) -> list[str]:
    """Read one item a line (the lots), blank lines left out."""
    return [line.strip() for line in raw.splitlines() if line.strip()]


def one(form: Form, name: str) -> str:
    values = form.get(name) or [""]
    return values[0].strip()


def number(raw: str) -> float | None:
    """Read a number as people type it (a decimal comma is fine), or None."""
    try:
        value = float(raw.replace(",", ".").replace(" ", ""))
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def param_name(criterion_id: str, name: str) -> str:
    return f"param.{criterion_id}.{name}"


def award_items(library: Library, data: dict, on: date | None = None) -> list[Criterion]:
    return [c for c in selected(library, data, on) if c.type == "award"]


def points_of(criterion: Criterion, data: dict) -> int:
    return (data.get("award_points") or {}).get(criterion.id, criterion.award_points or 0)


def award_total(values: list[str]) -> int:
    """Add up the points as typed (what is not a whole number counts as nothing)."""
    numbers = (number(v) for v in values)
    return sum(int(n) for n in numbers if n is not None and n.is_integer() and n > 0)


def award_message(total: int, _: Gettext) -> str:
    """Say where the total stands: the one message of the award step's total."""
    return rules.total_message(total).text(_)


def spec_request(library: Library, data: dict, on: date | None = None) -> SpecCreate:
    """Return the spec request a finished draft stands for."""
    chosen = selected(library, data, on)
    ids = {c.id for c in chosen}
    return SpecCreate(
        application=data["application"],
        ambition=data["ambition"],
        language=data["language"],
        country=data.get("country") or None,
        title=data.get("title") or "",
        authority=data.get("authority") or None,
        buyer_name=data.get("authority") or None,  # the wizard asks for the buyer's name once
        procedure_reference=data.get("procedure_reference") or None,
        cpv=data.get("cpv") or [],
        lots=[{"title": title} for title in data.get("lots") or []],
        procurement_type=data["procurement_type"],
        criteria=[c.id for c in chosen],
        parameters={
            cid: {n: float(v) for n, v in values.items() if n in library.get(cid).parameters}
            for cid, values in (data.get("parameters") or {}).items()
            if cid in ids
        },
        award_points={cid: p for cid, p in (data.get("award_points") or {}).items() if cid in ids},
    )
