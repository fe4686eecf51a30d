"""The wizard's steps, in one place: each is an object with its name, its label, how its form is
read (`parse`, through the rules of `gpp.rules` that `POST /api/v1/specs` keeps too), what its page
prints besides the wizard's frame (`context`) and its part of `gpp/wizard.html` (`template`).

A `parse` takes the posted form and the draft's state and returns the draft's changes and the
errors by input name, in the user's language (the `_` given)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from gpp import pages, rules, wizard
from gpp.library import Library
from gpp.wizard import Form, Gettext, number, one, param_name
from kb.taxonomy import Taxonomy
from replan.i18n import N_


@dataclass(frozen=True)
class View:
    """What a step's page is made from."""

    library: Library
    taxonomy: Taxonomy
    locale: str
    _: Gettext
    data: dict
    errors: dict[str, str]
    raw: dict[str, str]
    ticked: list[str] | None
    evidence: dict | None
    on: date | None

    @property
    def language(self) -> str:
        return self.data.get("language") or "en"


Parse = Callable[..., tuple[dict, dict[str, str]]]


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # a message id
    parse: Parse | None  # None: the step only shows (the review step issues the spec instead)
    context: Callable[[View], dict]
    template: str  # included by gpp/wizard.html inside the step's form
    needs_evidence: bool = False  # its page shows the market evidence of the draft's application


def _texts(problems: list, _: Gettext, fields: dict[str, str] | None = None) -> dict[str, str]:
    """Return each problem's message in the user's language, by the form's input name."""
    fields = fields or {}
    return {fields.get(p.field, p.field): p.text(_) for p in problems}


def parse_subject(
    form: Form, *, library: Library, data: dict, _: Gettext, on: date | None = None
) -> tuple[dict, dict[str, str]]:
    """Check what is bought, by whom and in which language."""
    changes = {
        name: one(form, name)
        for name in ("application", "procurement_type", "country", "language", "title", "authority")
    }
    changes["country"] = changes["country"].upper() or None
    errors = _texts(rules.subject_problems(library, changes), _)
    if not errors and changes["application"] != data.get("application"):
        changes.update(criteria=None, parameters={}, award_points={})  # the old choice is moot
    return changes, errors


def parse_ambition(
    form: Form, *, library: Library, data: dict, _: Gettext, on: date | None = None
) -> tuple[dict, dict[str, str]]:
    """Check the ambition level."""
    ambition = one(form, "ambition")
    problem = rules.ambition_problem(ambition)
    if problem is not None:
        return {}, _texts([problem], _)
    changes: dict = {"ambition": ambition}
    if ambition != data.get("ambition"):
        changes["criteria"] = None  # offer the new level's criteria, its pre-selection ticked
    return changes, {}


def parse_criteria(
    form: Form, *, library: Library, data: dict, _: Gettext, on: date | None = None
) -> tuple[dict, dict[str, str]]:
    """Check the chosen criteria and their parameters against the bounds."""
    problems = []
    offered = wizard.available(library, data, on)
    ticked = list(dict.fromkeys(form.get("criteria") or []))
    chosen = [c.id for c in offered if c.id in ticked]
    for criterion_id in (c for c in ticked if c not in chosen):  # a form not of this step
        problem = rules.criterion_problem(
            library,
            criterion_id,
            application=data.get("application") or "",
            ambition=data.get("ambition") or "",
            on=on or date.today(),
            field="criteria",
        )
        if problem is not None:
            problems.append(problem)
    if not chosen:
        problems.append(rules.none_chosen())
    parameters = {cid: dict(v) for cid, v in (data.get("parameters") or {}).items()}
    for criterion in offered:
        for name in criterion.parameters:
            key = param_name(criterion.id, name)
            if key not in form:
                continue
            value = number(one(form, key))
            problem = rules.parameter_problem(criterion, name, value, field=key)
            if problem is None:
                parameters.setdefault(criterion.id, {})[name] = value
            elif criterion.id in ticked:
                problems.append(problem)
    award = {cid: p for cid, p in (data.get("award_points") or {}).items() if cid in chosen}
    changes = {"criteria": chosen, "parameters": parameters, "award_points": award}
    return changes, _texts(problems, _)


def parse_award(
    form: Form, *, library: Library, data: dict, _: Gettext, on: date | None = None
) -> tuple[dict, dict[str, str]]:
    """Check the points of the chosen award criteria and their total."""
    problems = []
    points: dict[str, int] = {}
    for criterion in wizard.award_items(library, data, on):
        key = f"points.{criterion.id}"
        value = number(one(form, key))
        problem = rules.points_problem(value, field=key)
        if problem is None:
            points[criterion.id] = int(value)
        else:
            problems.append(problem)
    if not problems and (total := rules.total_problem(sum(points.values()))) is not None:
        problems.append(total)
    return {"award_points": points}, _texts(problems, _, {"award_points": "total"})


STEPS: tuple[Step, ...] = (
    Step(
        "subject",
        N_("What you buy"),
        parse_subject,
        pages.subject_context,
        "gpp/_step_subject.html",
    ),
    Step(
        "ambition",
        N_("Ambition"),
        parse_ambition,
        pages.ambition_context,
        "gpp/_step_ambition.html",
    ),
    Step(
        "criteria",
        N_("Criteria"),
        parse_criteria,
        pages.criteria_context,
        "gpp/_step_criteria.html",
    ),
    Step(
        "award",
        N_("Award weighting"),
        parse_award,
        pages.award_context,
        "gpp/_step_award.html",
    ),
    Step(
        "evidence",
        N_("Market evidence"),
        None,
        pages.evidence_context,
        "gpp/_step_evidence.html",
        needs_evidence=True,
    ),
    Step(
        "review",
        N_("Review and generate"),
        None,
        pages.review_context,
        "gpp/_step_review.html",
        needs_evidence=True,
    ),
)
NAMES = tuple(step.name for step in STEPS)
BY_NAME = {step.name: step for step in STEPS}


def allowed_step(data: dict, name: str) -> str:
    """Return the step to show: the one asked for, or the furthest one open so far."""
    reached = data.get("reached", 0)
    return name if NAMES.index(name) <= reached else NAMES[reached]


def following(name: str) -> str:
    return NAMES[NAMES.index(name) + 1]


def wizard_context(view: View, *, step: Step, draft_id: str | None) -> dict:
    """Return what the wizard template prints for one step: its frame, then the step's own."""
    _ = view._
    reached = view.data.get("reached", 0)
    index = NAMES.index(step.name)
    url = pages.draft_url
    ctx = {
        "draft_id": draft_id,
        "step": step.name,
        "step_template": step.template,
        "steps": [
            {
                "name": s.name,
                "number": i + 1,
                "label": _(s.label),
                "current": s is step,
                "url": url(draft_id, s.name) if draft_id and i <= reached else None,
            }
            for i, s in enumerate(STEPS)
        ],
        "data": view.data,
        "errors": view.errors,
        "raw": view.raw,
        "step_label": _(step.label),
        "step_number": index + 1,
        "step_count": len(STEPS),
        "action": "/gpp/drafts" if draft_id is None else url(draft_id, step.name),
        "back_url": url(draft_id, NAMES[index - 1]) if index and draft_id else None,
        "spec_language": view.language,
        "application_label": view.taxonomy.label(
            "applications", view.data["application"], view.locale
        )
        if view.data.get("application")
        else "",
        "type_labels": pages.type_labels(_),
        "phase_labels": pages.phase_labels(_),
        "fid": pages.field_id,
        "error_labels": pages.error_labels(view.library, view.errors, view.language),
    }
    ctx.update(step.context(view))
    return ctx
