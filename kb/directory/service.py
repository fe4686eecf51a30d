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
from kb.models import Case, CaseOrganisation, Organisation, OrganisationCertificate
from kb.profiles import service as profile_service
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


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as SQLite's lower() does (PostgreSQL's folds the rest
    too: the upper and lower forms of a pattern cover both)."""
    return "".join(c.lower() if c.isascii() else c for c in text)


def _forms(text: str) -> list[str]:
    return list(dict.fromkeys((text, text.upper(), text.lower())))


def _in_text(column, text: str) -> ColumnElement[bool]:
    """Whether a text column holds this text, ASCII letters in any case; a letter beyond
    ASCII as typed, in upper or in lower case."""
    patterns = dict.fromkeys(f"%{_escaped(_ascii_lower(form))}%" for form in _forms(text))
    return or_(*(func.lower(column).like(p, escape="\\") for p in patterns))


def _in_json_list(column, text: str) -> ColumnElement[bool]:
    """Whether a JSON list of strings holds this text (as stored: letters beyond ASCII as JSON
    escapes), in the same cases as `_in_text`."""
    listed = func.lower(cast(column, String))
    patterns = dict.fromkeys(f"%{_escaped(json.dumps(f)[1:-1])}%".lower() for f in _forms(text))
    return or_(*(listed.like(p, escape="\\") for p in patterns))


def _has_certificate(text: str) -> ColumnElement[bool]:
    """Whether one of its public certificates is named with this text."""
    return exists().where(
        OrganisationCertificate.organisation_id == Organisation.id,
        OrganisationCertificate.state.in_([str(s) for s in profile_service.PUBLIC_STATES]),
        _in_text(OrganisationCertificate.name, text),
    )


def _offers(code: str) -> ColumnElement[bool]:
    return cast(Organisation.rtm_offered, String).like(f'%"{code}"%')


def _words(q: str) -> list[ColumnElement[bool]]:
    """Every word in its name, its description or its products."""
    return [
        or_(
            _in_text(Organisation.name, word),
            _in_text(Organisation.description, word),
            _in_json_list(Organisation.products, word),
        )
        for word in q.split()[:10]
    ]


def organisation_directory(*, session: Session, query: OrganisationQuery) -> OrganisationDirectory:
    """List the public organisations that match the filters, most published cases first."""
    where: list[ColumnElement[bool]] = [kb_service.public_organisation()]
    if query.rtm:
        uses = or_(*(uses_material(code) for code in query.rtm))
        offers = [_offers(code) for code in query.rtm]
        where.append(or_(*offers, exists().where(_its_published_case(), uses)))
    if query.country:
        active = exists().where(_its_published_case(), Case.country.in_(query.country))
        served = [
            cast(Organisation.regions_served, String).like(f'%"{code}"%') for code in query.country
        ]
        where.append(or_(Organisation.country.in_(query.country), *served, active))
    if query.region:
        where.append(_in_json_list(Organisation.regions_served, query.region))
    if query.certificate:
        where.append(_has_certificate(query.certificate))
    where += _words(query.q)
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
    certificates = profile_service.certificates_of(session, [org for org, _ in rows])
    entries = [
        OrganisationEntry(
            slug=org.slug,
            name=org.name,
            type=org.type,
            country=org.country,
            certifications=[c.name for c in certificates.get(org.id, [])],
            cases=count,
            rtm_offered=list(org.rtm_offered or []),
            regions_served=list(org.regions_served or []),
            products=list(org.products or []),
            certificates=certificates.get(org.id, []),
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
