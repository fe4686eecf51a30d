"""A spec request checked against the library (through `gpp.rules`, the wizard's rules too), and
the snapshot of each chosen criterion as a spec issues it."""

import re
from datetime import date

from babel.numbers import format_decimal

from gpp import countries, rules
from gpp.library import PLACEHOLDER, TYPES, Criterion, Library
from gpp.schemas import SpecCreate
from replan.errors import Invalid, Invalids
from replan.i18n import N_

MAX_POINTS = rules.MAX_POINTS


def choose_criteria(
    *, library: Library, request: SpecCreate, on: date
) -> tuple[list[Criterion], dict[str, dict[str, float]], dict[str, int]]:
    """Check a spec request against the library; return the criteria, values and award points.

    Raise `Invalids` naming every problem at once."""
    problems = rules.subject_problems(library, request.model_dump())
    ambition = rules.ambition_problem(request.ambition)
    if ambition is not None:
        problems.append(ambition)
    if problems:
        raise Invalids(problems)
    available = library.criteria_for(request.application, request.ambition, on=on)
    chosen = available if request.criteria is None else []
    for i, criterion_id in enumerate(dict.fromkeys(request.criteria or [])):
        problem = rules.criterion_problem(
            library,
            criterion_id,
            application=request.application,
            ambition=request.ambition,
            on=on,
            field=f"criteria.{i}",
        )
        if problem is not None:
            problems.append(problem)
        else:
            chosen.append(library.criteria[criterion_id])
    if not chosen and not problems:
        problems.append(rules.none_chosen())
    chosen.sort(key=lambda c: TYPES.index(c.type))
    values = _values(library, request, chosen, problems)
    award = _award(request, chosen, problems)
    if not problems:  # the buyer country's rules, once the selection itself holds
        profile = countries.profile_for(request.country)
        problems += countries.check(profile, available=available, chosen=chosen, values=values)
    if problems:
        raise Invalids(problems)
    return chosen, values, award


def _values(
    library: Library, request: SpecCreate, chosen: list[Criterion], problems: list[Invalid]
) -> dict[str, dict[str, float]]:
    ids = {c.id for c in chosen}
    for criterion_id, given in request.parameters.items():
        criterion = library.criteria.get(criterion_id)
        if criterion is None or criterion_id not in ids:
            problems.append(
                Invalid(
                    N_("'%(id)s' is not a criterion of the selection."),
                    field=f"parameters.{criterion_id}",
                    id=criterion_id,
                )
            )
            continue
        for name, value in given.items():
            field = f"parameters.{criterion_id}.{name}"
            problem = rules.parameter_problem(criterion, name, value, field=field)
            if problem is not None:
                problems.append(problem)
    return {
        c.id: {
            name: request.parameters.get(c.id, {}).get(name, p.default)
            for name, p in c.parameters.items()
        }
        for c in chosen
    }


def _award(request: SpecCreate, chosen: list[Criterion], problems: list[Invalid]) -> dict[str, int]:
    award = {c.id: c.award_points or 0 for c in chosen if c.type == "award"}
    for criterion_id, points in request.award_points.items():
        field = f"award_points.{criterion_id}"
        if criterion_id not in award:
            problems.append(
                Invalid(
                    N_("'%(id)s' is not an award criterion of the selection."),
                    field=field,
                    id=criterion_id,
                )
            )
        elif (problem := rules.points_problem(points, field=field)) is not None:
            problems.append(problem)
        else:
            award[criterion_id] = points
    if (problem := rules.total_problem(sum(award.values()))) is not None:
        problems.append(problem)
    return award


def plain(value: float | int) -> float | int:
    """Return a whole number as an int (10.0 -> 10) so that texts and JSON read naturally."""
    return int(value) if float(value).is_integer() else value


def fill(text: str, values: dict[str, float | int], language: str) -> str:
    """Put the parameter values into a criterion's text, written as the language writes numbers."""

    def number(match: re.Match) -> str:
        return format_decimal(plain(values[match.group(1)]), format="0.####", locale=language)

    return PLACEHOLDER.sub(number, text)


def spec_criterion(
    criterion: Criterion,
    values: dict,
    points: int | None,
    language: str,
    country: str | None = None,
) -> dict:
    """Return the snapshot of one criterion as issued in a spec for a buyer in that country."""
    profile = countries.profile_for(country)
    return {
        "id": criterion.id,
        "version": criterion.version,
        "type": criterion.type,
        "ambition": criterion.ambition,
        "title": criterion.title,
        "text": fill(criterion.text, values, language),
        "parameters": {name: plain(v) for name, v in values.items()},
        "parameter_labels": {
            name: {"label": p.label, "unit": p.unit} for name, p in criterion.parameters.items()
        },
        "verification": [v.model_dump() for v in criterion.verification],
        "rationale": criterion.rationale,
        "references": [r.model_dump() for r in criterion.printed_references()],
        "valid_from": criterion.valid_from.isoformat(),
        "valid_to": criterion.valid_to.isoformat() if criterion.valid_to else None,
        "award_points": points,
        "cost_basis": criterion.cost_basis,
        "reviewed_on": criterion.reviewed_on.isoformat(),
        "next_review": criterion.next_review.isoformat(),
        "eforms": spec_eforms(criterion, country),
        "mandatory": profile.is_mandatory(criterion),
    }


def spec_eforms(criterion: Criterion, country: str | None) -> dict:
    """Return a criterion's eForms codes in a spec for a buyer in that country."""
    codes = criterion.eforms
    found = {
        "bt_805": countries.profile_for(country).bt_805_of(criterion),
        "bt_774": list(codes.bt_774),
    }
    if codes.bt_809:
        found["bt_809"] = codes.bt_809
    return found
