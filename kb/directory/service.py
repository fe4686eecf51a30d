"""Read services of the directory and the comparison."""

import json
import re

from sqlalchemy import ColumnElement, String, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from kb import service as kb_service
from kb.directory.schemas import (
    MAX_COMPARED,
    PER_PAGE,
    Comparison,
    OrganisationDirectory,
    OrganisationEntry,
    OrganisationQuery,
)
from kb.models import Case, CaseOrganisation, Organisation
from kb.schemas import CASE_ID_PATTERN
from kb.stats.service import uses_material
from kb.status import PUBLIC

CASE_ID = re.compile(CASE_ID_PATTERN)


def _its_published_case() -> ColumnElement[bool]:
    """A published case the organisation took part in or submitted (correlated to it)."""
    named = (
        exists()
        .where(
            CaseOrganisation.case_id == Case.id,
            CaseOrganisation.organisation_id == Organisation.id,
        )
        .correlate_except(CaseOrganisation)  # the organisation is two levels up
    )
    return (Case.status == PUBLIC) & or_(Case.organisation_id == Organisation.id, named)


def _like(text: str) -> str:
    """A LIKE pattern finding text in a JSON list of strings as stored (letters beyond ASCII as
    JSON escapes), its wildcards taken literally."""
    stored = json.dumps(text)[1:-1]
    escaped = stored.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _names_certificate(text: str) -> ColumnElement[bool]:
    """Whether the profile lists a certificate holding this text, ASCII letters in any case; a
    letter beyond ASCII (stored as a JSON escape) as typed, in upper or in lower case."""
    listed = func.lower(cast(Organisation.certifications, String))
    patterns = dict.fromkeys(_like(form).lower() for form in (text, text.upper(), text.lower()))
    return or_(*(listed.like(pattern, escape="\\") for pattern in patterns))


def organisation_directory(*, session: Session, query: OrganisationQuery) -> OrganisationDirectory:
    """List the public organisations that match the filters, most published cases first."""
    where: list[ColumnElement[bool]] = [kb_service.public_organisation()]
    if query.rtm:
        uses = or_(*(uses_material(code) for code in query.rtm))
        where.append(exists().where(_its_published_case(), uses))
    if query.country:
        active = exists().where(_its_published_case(), Case.country.in_(query.country))
        where.append(or_(Organisation.country.in_(query.country), active))
    if query.certificate:
        where.append(_names_certificate(query.certificate))
    cases = (
        select(func.count(Case.id)).where(_its_published_case()).scalar_subquery().label("cases")
    )
    total = session.scalar(select(func.count(Organisation.id)).where(*where)) or 0
    rows = session.execute(
        select(Organisation, cases)
        .where(*where)
        .order_by(cases.desc(), Organisation.name)
        .limit(PER_PAGE)
        .offset((query.page - 1) * PER_PAGE)
    ).all()
    entries = [
        OrganisationEntry(
            slug=org.slug,
            name=org.name,
            type=org.type,
            country=org.country,
            certifications=list(org.certifications or []),
            cases=count,
        )
        for org, count in rows
    ]
    return OrganisationDirectory(
        query=query, total=total, entries=entries, countries=_countries(session)
    )


def _countries(session: Session) -> list[str]:
    """The countries of public organisations and of published cases."""
    own = select(Organisation.country).where(
        kb_service.public_organisation(), Organisation.country.is_not(None)
    )
    of_cases = select(Case.country).where(Case.status == PUBLIC)
    return sorted(set(session.scalars(own.distinct())) | set(session.scalars(of_cases.distinct())))


def parse_ids(values: list[str]) -> list[str]:
    """The distinct well-formed case ids of `ids=a,b,c` (or repeated `ids`), in order."""
    ids = (part.strip() for value in values for part in value.split(","))
    return list(dict.fromkeys(i for i in ids if CASE_ID.match(i)))


def compare_cases(*, session: Session, ids: list[str]) -> Comparison:
    """Return the published cases among the first MAX_COMPARED ids, in their order."""
    chosen = ids[:MAX_COMPARED]
    found = {
        case.id: case
        for case in session.scalars(select(Case).where(Case.id.in_(chosen), Case.status == PUBLIC))
    }
    return Comparison(
        cases=[kb_service.record_of(found[i]) for i in chosen if i in found],
        asked=len(ids),
        truncated=len(ids) > MAX_COMPARED,
    )
