"""The wizard's drafts: state kept on the server between steps, and each step's form checked.

A draft is a plain dict (see `blank`) stored in `gpp_draft` behind an unguessable id; its URL is
the key, so reload, back, forward and sharing work. Each `parse_<step>` takes the posted form and
returns the draft's changes and the errors by input name, in the user's language (the `_` given)."""

import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from gpp.library import AMBITIONS, Criterion, Library
from gpp.models import Draft, Spec
from gpp.schemas import PROCUREMENT_TYPES, SpecCreate
from gpp.service import MAX_POINTS
from kb.codes import iso_countries
from replan.i18n import LANGUAGES

STEPS = ("subject", "ambition", "criteria", "award", "evidence", "review")
Form = Mapping[str, list[str]]
Gettext = Callable[..., str]


class DraftNotFound(LookupError):
    """No draft behind that address."""


def blank() -> dict:
    """Return the state of a wizard that has not started."""
    return {
        "application": None,
        "procurement_type": "works",
        "country": None,
        "language": "en",
        "title": "",
        "authority": "",
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


def create_draft(
    session: Session, *, data: dict, owner_id: int | None = None, source_spec_id: str | None = None
) -> Draft:
    """Store a new draft under an unguessable id."""
    draft = Draft(
        id=secrets.token_urlsafe(16),
        owner_id=owner_id,
        source_spec_id=source_spec_id,
        data=data,
        created_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
    )
    session.add(draft)
    session.flush()
    return draft


def get_draft(session: Session, draft_id: str) -> Draft:
    """Return a draft, or raise DraftNotFound."""
    draft = session.get(Draft, draft_id) if len(draft_id) <= 64 else None
    if draft is None:
        raise DraftNotFound(draft_id)
    return draft


def save_draft(session: Session, *, draft: Draft, changes: dict, step: str) -> dict:
    """Apply a step's changes and open the next step; return the new state."""
    data = {**blank(), **draft.data, **changes}
    data["reached"] = max(data.get("reached", 0), min(STEPS.index(step) + 1, len(STEPS) - 1))
    draft.data = data  # a new dict, so that the JSON column is written
    draft.updated_at = datetime.now(UTC)
    session.flush()
    return data


def draft_from_spec(spec: Spec) -> dict:
    """Return a draft prefilled with an issued spec's choices, every step open."""
    inputs = spec.inputs
    return {
        **blank(),
        **{
            k: inputs.get(k)
            for k in (
                "application",
                "procurement_type",
                "country",
                "language",
                "title",
                "authority",
                "ambition",
                "criteria",
            )
        },
        "authority": inputs.get("authority") or "",
        "title": inputs.get("title") or spec.title,
        "parameters": inputs.get("parameters") or {},
        "award_points": inputs.get("award_points") or {},
        "reached": len(STEPS) - 1,
    }


def allowed_step(data: dict, step: str) -> str:
    """Return the step to show: the one asked for, or the furthest one open so far."""
    reached = data.get("reached", 0)
    return step if STEPS.index(step) <= reached else STEPS[reached]


def available(library: Library, data: dict, on: date | None = None) -> list[Criterion]:
    """Return the criteria the draft's application and ambition offer."""
    if not data.get("application") or not data.get("ambition"):
        return []
    return library.criteria_for(data["application"], data["ambition"], on=on)


def preselected(offered: list[Criterion], ambition: str | None) -> list[Criterion]:
    """Return the criteria ticked before the procurer chooses: the core set, and at the
    comprehensive level also its award criteria, which reward better offers without excluding
    any bidder. Its further requirements and clauses are offered for the procurer to add: a
    tender that asks for everything becomes disproportionate and costly to check."""
    return [
        c
        for c in offered
        if c.ambition == "core" or (ambition == "comprehensive" and c.type == "award")
    ]


def selected(library: Library, data: dict, on: date | None = None) -> list[Criterion]:
    """Return the draft's chosen criteria (the pre-selection until the procurer chooses)."""
    offered = available(library, data, on)
    if data.get("criteria") is None:
        return preselected(offered, data.get("ambition"))
    chosen = set(data["criteria"])
    return [c for c in offered if c.id in chosen]


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


def parse_subject(
    form: Form, *, library: Library, data: dict, _: Gettext
) -> tuple[dict, dict[str, str]]:
    """Check what is bought, by whom and in which language."""
    errors: dict[str, str] = {}
    changes = {
        name: one(form, name)
        for name in ("application", "procurement_type", "country", "language", "title", "authority")
    }
    if changes["application"] not in library.applications():
        errors["application"] = _("Choose what you are buying.")
    if changes["procurement_type"] not in PROCUREMENT_TYPES:
        errors["procurement_type"] = _("Choose works, supply or service.")
    changes["country"] = changes["country"].upper() or None
    if changes["country"] and changes["country"] not in iso_countries():
        errors["country"] = _("Choose a country from the list.")
    if changes["language"] not in LANGUAGES:
        errors["language"] = _("Choose the language of the specification.")
    for name in ("title", "authority"):
        if len(changes[name]) > 200:
            errors[name] = _("Use at most %(n)s characters.", n=200)
    if not errors and changes["application"] != data.get("application"):
        changes.update(criteria=None, parameters={}, award_points={})  # the old choice is moot
    return changes, errors


def parse_ambition(form: Form, *, data: dict, _: Gettext) -> tuple[dict, dict[str, str]]:
    """Check the ambition level."""
    ambition = one(form, "ambition")
    if ambition not in AMBITIONS:
        return {}, {"ambition": _("Choose an ambition level.")}
    changes: dict = {"ambition": ambition}
    if ambition != data.get("ambition"):
        changes["criteria"] = None  # offer the new level's criteria, its pre-selection ticked
    return changes, {}


def param_name(criterion_id: str, name: str) -> str:
    return f"param.{criterion_id}.{name}"


def parse_criteria(
    form: Form, *, library: Library, data: dict, _: Gettext, on: date | None = None
) -> tuple[dict, dict[str, str]]:
    """Check the chosen criteria and their parameters against the bounds."""
    errors: dict[str, str] = {}
    offered = available(library, data, on)
    ticked = set(form.get("criteria") or [])
    chosen = [c.id for c in offered if c.id in ticked]
    if not chosen:
        errors["criteria"] = _("Choose at least one criterion.")
    parameters = {cid: dict(v) for cid, v in (data.get("parameters") or {}).items()}
    for criterion in offered:
        for name, p in criterion.parameters.items():
            key = param_name(criterion.id, name)
            if key not in form:
                continue
            raw = one(form, key)
            value = number(raw)
            if value is not None and p.min <= value <= p.max:
                parameters.setdefault(criterion.id, {})[name] = value
            elif criterion.id in ticked:
                errors[key] = (
                    _("Enter a number.")
                    if value is None
                    else _(
                        "Enter a value from %(min)s to %(max)s.",
                        min=_plain(p.min),
                        max=_plain(p.max),
                    )
                )
    award = {cid: p for cid, p in (data.get("award_points") or {}).items() if cid in chosen}
    return {"criteria": chosen, "parameters": parameters, "award_points": award}, errors


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
    if total > MAX_POINTS:
        return _(
            "Total: %(total)s of %(max)s points, %(over)s too many: lower the points to %(max)s "
            "or less.",
            total=total,
            max=MAX_POINTS,
            over=total - MAX_POINTS,
        )
    return _(
        "Total: %(total)s of %(max)s points. %(rest)s points remain for price and other quality "
        "criteria.",
        total=total,
        max=MAX_POINTS,
        rest=MAX_POINTS - total,
    )


def parse_award(
    form: Form, *, library: Library, data: dict, _: Gettext, on: date | None = None
) -> tuple[dict, dict[str, str]]:
    """Check the points of the chosen award criteria and their total."""
    errors: dict[str, str] = {}
    points: dict[str, int] = {}
    for criterion in award_items(library, data, on):
        key = f"points.{criterion.id}"
        value = number(one(form, key))
        if value is None or not value.is_integer() or not 1 <= value <= MAX_POINTS:
            errors[key] = _("Enter a whole number from 1 to %(max)s.", max=MAX_POINTS)
        else:
            points[criterion.id] = int(value)
    total = award_total([str(p) for p in points.values()])
    if not errors and total > MAX_POINTS:
        errors["total"] = award_message(total, _)
    return {"award_points": points}, errors


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
        procurement_type=data["procurement_type"],
        criteria=[c.id for c in chosen],
        parameters={
            cid: {n: float(v) for n, v in values.items() if n in library.get(cid).parameters}
            for cid, values in (data.get("parameters") or {}).items()
            if cid in ids
        },
        award_points={cid: p for cid, p in (data.get("award_points") or {}).items() if cid in ids},
    )


def _plain(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
