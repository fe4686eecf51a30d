"""The knowledge base's cases: their contract records, who may see one, and what the pages and
other domains read of them. Searching is `kb.searching`, the index `kb.indexing`, imports
`kb.importing`."""

from collections.abc import Callable, Iterator
from typing import NamedTuple

from slugify import slugify
from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from kb.models import Case, CaseOrganisation, Organisation
from kb.schemas import CaseCard, CaseRecord, HomeStats
from kb.status import PUBLIC
from replan.auth import has_role
from replan.clock import iso
from replan.errors import NotFound
from replan.i18n import N_

RECORD_FIELDS = tuple(CaseRecord.model_fields)


def record_of(case: Case) -> CaseRecord:
    """Return the contract record of a case."""
    data = {name: getattr(case, name) for name in RECORD_FIELDS if name != "organisations"}
    data["organisations"] = [
        {"name": link.organisation.name, "role": link.role} for link in case.organisation_links
    ]
    return CaseRecord.model_validate(data)


def case_json(case: Case) -> dict:
    """Return the whole record of a case with its public metadata, as the API answers it."""
    data = record_of(case).export_dict()
    data.update(
        status=case.status,
        version=case.version,
        created_at=iso(case.created_at),
        updated_at=iso(case.updated_at),
        published_at=iso(case.published_at),
    )
    return data


def make_case_id(title: str, taken: Callable[[str], bool]) -> str:
    """Make a stable id from a title, suffixed when another case already holds it."""
    base = slugify(title, max_length=100, word_boundary=True) or "case"
    candidate, n = base, 2
    while taken(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def load_cases(session: Session, ids: list[str]) -> Iterator[Case]:
    """Yield the cases with these ids (in batches, so that any number of ids works)."""
    for start in range(0, len(ids), 500):
        yield from session.scalars(select(Case).where(Case.id.in_(ids[start : start + 500])))


def can_view(user, case: Case) -> bool:
    """Published cases are public; the others only for their author and moderators."""
    if case.status == PUBLIC:
        return True
    return user is not None and (has_role(user, "moderator") or case.created_by == user.id)


def visible_case(session: Session, case_id: str, *, user) -> Case:
    """Return the case if this user may see it, else raise NotFound (never say it exists)."""
    case = session.get(Case, case_id)
    if case is None or not can_view(user, case):
        raise NotFound(N_("There is no case study with this address."))
    return case


def iter_published(session: Session) -> Iterator[CaseRecord]:
    """Yield every published case as a contract record, by id."""
    query = select(Case).where(Case.status == PUBLIC).order_by(Case.id)
    for case in session.scalars(query).yield_per(500):
        yield record_of(case)


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0


def home_stats(session: Session, *, latest: int = 6) -> HomeStats:
    """Return counts of published cases by application and country, and the latest cases."""
    public = Case.status == PUBLIC
    by_app = dict(
        session.execute(
            select(Case.application, func.count()).where(public).group_by(Case.application)
        ).all()
    )
    countries = session.scalar(select(func.count(func.distinct(Case.country))).where(public)) or 0
    total = sum(by_app.values())
    newest = session.scalars(
        select(Case)
        .where(public)
        .order_by(Case.published_at.desc(), Case.year.desc().nulls_last(), Case.id)
        .limit(latest)
    ).all()
    return HomeStats(
        total=total,
        countries=countries,
        by_application=by_app,
        latest=[CaseCard.model_validate(case) for case in newest],
    )


class CaseSummary(NamedTuple):
    count: int
    countries: list[str]
    in_country: int
    cases: list[Case]


def published_summary(
    session: Session, *, application: str, limit: int, country: str | None = None
) -> CaseSummary:
    """Return how many cases of an application are published, their countries, how many are in
    `country`, and the `limit` best of them (that country's first, then newest, then most material
    used): market evidence for specs, bounded."""
    where = (Case.status == PUBLIC, Case.application == application)
    count = session.scalar(select(func.count()).select_from(Case).where(*where)) or 0
    countries = sorted(session.scalars(select(Case.country).where(*where).distinct()))
    in_country = 0
    order = [Case.year.desc().nulls_last(), Case.rtm_tonnes.desc().nulls_last(), Case.id]
    if country:
        in_country = (
            session.scalar(
                select(func.count()).select_from(Case).where(*where, Case.country == country)
            )
            or 0
        )
        order.insert(0, sql_case((Case.country == country, 0), else_=1))
    best = select(Case).where(*where).order_by(*order).limit(limit)
    return CaseSummary(count, countries, in_country, list(session.scalars(best)))


def get_organisation(session: Session, slug: str) -> Organisation | None:
    return session.scalar(select(Organisation).where(Organisation.slug == slug))


def public_organisation():
    """The SQL rule of a public organisation: a moderator approved its profile, or a published
    case names it or was submitted by it. A name in an unpublished submission makes nothing
    public (use it in every listing, page and facet of organisations)."""
    named = (
        select(CaseOrganisation.organisation_id)
        .join(Case, Case.id == CaseOrganisation.case_id)
        .where(CaseOrganisation.organisation_id == Organisation.id, Case.status == PUBLIC)
    )
    submitted = select(Case.id).where(
        Case.organisation_id == Organisation.id, Case.status == PUBLIC
    )
    return or_(Organisation.approved_at.is_not(None), named.exists(), submitted.exists())


def is_public_organisation(session: Session, organisation_id: int) -> bool:
    query = select(Organisation.id).where(Organisation.id == organisation_id, public_organisation())
    return session.scalar(query) is not None


def organisation_cases(session: Session, organisation_id: int) -> list[CaseCard]:
    """Return the published cases an organisation took part in."""
    # IN, not a join with DISTINCT: PostgreSQL cannot compare the JSON columns DISTINCT would.
    took_part = select(CaseOrganisation.case_id).where(
        CaseOrganisation.organisation_id == organisation_id
    )
    query = (
        select(Case)
        .where(Case.id.in_(took_part), Case.status == PUBLIC)
        .order_by(Case.year.desc(), Case.id)
    )
    return [CaseCard.model_validate(case) for case in session.scalars(query)]
