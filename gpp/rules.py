"""The rules a spec request must keep, once: the wizard's steps and `POST /api/v1/specs` both
check their input here, so that both accept and refuse the same things, with the same words.

Each rule returns the problems it finds as `replan.errors.Invalid` (a message id, its variables and
the field at fault, named as in `SpecCreate`: `parameters.<criterion>.<name>`); the wizard shows
them translated beside its inputs, the API answers them in English."""

from collections.abc import Mapping
from datetime import date

from gpp.library import AMBITIONS, Criterion, Library
from gpp.schemas import PROCUREMENT_TYPES
from kb.codes import iso_countries
from replan.errors import Invalid
from replan.i18n import LANGUAGES, N_

MAX_POINTS = 100
MAX_TEXT = 200  # characters of a title or an authority's name


def shown(value: float | int) -> str:
    """Write a bound or a value as people read it (10.0 -> 10)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def application_problem(library: Library, application: str | None) -> Invalid | None:
    """Refuse an application the criteria library has no criteria for."""
    if application in library.applications():
        return None
    if not application:
        return Invalid(N_("Choose what you are buying."), field="application")
    return Invalid(
        N_("The criteria library has no criteria for '%(value)s': choose one of %(choices)s."),
        field="application",
        value=application,
        choices=", ".join(library.applications()),
    )


def subject_problems(library: Library, subject: Mapping[str, str | None]) -> list[Invalid]:
    """Check what is bought, by whom, where and in which language."""
    problems = [application_problem(library, subject.get("application"))]
    if subject.get("procurement_type") not in PROCUREMENT_TYPES:
        problems.append(Invalid(N_("Choose works, supply or service."), field="procurement_type"))
    country = subject.get("country")
    if country and country.upper() not in iso_countries():
        problems.append(
            Invalid(
                N_("'%(value)s' is not a country code (ISO 3166-1, such as IT or ES)."),
                field="country",
                value=country,
            )
        )
    language = subject.get("language")
    if language not in LANGUAGES:
        problems.append(
            Invalid(
                N_("'%(value)s' is not a language of the specifications: use one of %(choices)s.")
                if language
                else N_("Choose the language of the specification."),
                field="language",
                value=language,
                choices=", ".join(LANGUAGES),
            )
        )
    for name in ("title", "authority"):
        if len(subject.get(name) or "") > MAX_TEXT:
            problems.append(Invalid(N_("Use at most %(n)s characters."), field=name, n=MAX_TEXT))
    return [p for p in problems if p is not None]


def ambition_problem(ambition: str | None) -> Invalid | None:
    """Refuse an ambition level that does not exist."""
    if ambition in AMBITIONS:
        return None
    if not ambition:
        return Invalid(N_("Choose an ambition level."), field="ambition")
    return Invalid(
        N_("'%(value)s' is not an ambition level: choose core or comprehensive."),
        field="ambition",
        value=ambition,
    )


def criterion_problem(
    library: Library, criterion_id: str, *, application: str, ambition: str, on: date, field: str
) -> Invalid | None:
    """Refuse a criterion that the application and ambition level do not offer on that day."""
    criterion = library.criteria.get(criterion_id)
    if criterion is None:
        return Invalid(
            N_("There is no criterion '%(id)s' in the library."), field=field, id=criterion_id
        )
    if application not in criterion.applications:
        return Invalid(
            N_("Criterion '%(id)s' is for %(applications)s, not %(application)s."),
            field=field,
            id=criterion_id,
            applications=", ".join(criterion.applications),
            application=application,
        )
    if ambition == "core" and criterion.ambition == "comprehensive":
        return Invalid(
            N_("Criterion '%(id)s' belongs to the comprehensive level, not core."),
            field=field,
            id=criterion_id,
        )
    if not criterion.valid_on(on):
        return Invalid(
            N_("Criterion '%(id)s' is not valid on %(day)s (valid from %(start)s to %(end)s)."),
            field=field,
            id=criterion_id,
            day=on.isoformat(),
            start=criterion.valid_from.isoformat(),
            end=criterion.valid_to.isoformat() if criterion.valid_to else "now",
        )
    return None


def none_chosen() -> Invalid:
    return Invalid(N_("Choose at least one criterion."), field="criteria")


def parameter_problem(
    criterion: Criterion, name: str, value: float | None, *, field: str
) -> Invalid | None:
    """Refuse a parameter the criterion does not have, or a value outside its bounds."""
    spec = criterion.parameters.get(name)
    if spec is None:
        return Invalid(
            N_("Criterion '%(id)s' has no parameter '%(name)s' (it has: %(known)s)."),
            field=field,
            id=criterion.id,
            name=name,
            known=", ".join(criterion.parameters) or "none",
        )
    if value is None:
        return Invalid(N_("Enter a number."), field=field)
    if not spec.min <= value <= spec.max:
        return Invalid(
            N_("Enter a value from %(min)s to %(max)s (%(value)s is outside)."),
            field=field,
            min=shown(spec.min),
            max=shown(spec.max),
            value=shown(value),
        )
    return None


def points_problem(points: float | None, *, field: str) -> Invalid | None:
    """Refuse award points that are not a whole number from 1 to the maximum."""
    if points is None or not float(points).is_integer() or not 1 <= points <= MAX_POINTS:
        return Invalid(N_("Enter a whole number from 1 to %(max)s."), field=field, max=MAX_POINTS)
    return None


def total_message(total: int) -> Invalid:
    """Say where the award total stands (a problem when it is over the maximum)."""
    if total > MAX_POINTS:
        return Invalid(
            N_(
                "Total: %(total)s of %(max)s points, %(over)s too many: lower the points to "
                "%(max)s or less."
            ),
            field="award_points",
            total=total,
            max=MAX_POINTS,
            over=total - MAX_POINTS,
        )
    return Invalid(
        N_(
            "Total: %(total)s of %(max)s points. %(rest)s points remain for price and other "
            "quality criteria."
        ),
        field="award_points",
        total=total,
        max=MAX_POINTS,
        rest=MAX_POINTS - total,
    )


def total_problem(total: int) -> Invalid | None:
    """Refuse award points that add up to more than the maximum."""
    return total_message(total) if total > MAX_POINTS else None
