"""Market evidence of a spec: the knowledge base's published cases of its application, and the
suppliers whose approved profile offers the criteria's materials in the buyer's country."""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from gpp.library import Library
from kb import service as kb_service
from kb.codes import RTM_TYPES
from kb.profiles import service as profile_service

EVIDENCE_ROLES = ("supplier", "recycler")  # organisations that supply the materials
EVIDENCE_LIMIT = 50  # cases a spec lists (REPLAN_SPEC_EVIDENCE_CASES); it counts them all


def materials_of(library: Library, criteria_ids: Iterable[str]) -> list[str]:
    """The recycled tyre materials the criteria name, in the taxonomy's order."""
    named: set[str] = set()
    for criterion_id in criteria_ids:
        criterion = library.criteria.get(criterion_id)
        named.update(criterion.rtm_types if criterion else ())
    return [code for code in RTM_TYPES if code in named]


def suppliers_evidence(session: Session, *, country: str | None, rtm_types: list[str]) -> dict:
    """The suppliers serving the buyer's country with the criteria's materials (any material
    when the criteria name none), their certificates flagged when expired, and the day."""
    on = profile_service.today()
    found = profile_service.suppliers_serving(session, country=country, rtm_types=rtm_types, on=on)
    return {
        "materials": list(rtm_types),
        "suppliers_as_of": on.isoformat(),
        "suppliers": [s.model_dump(mode="json") for s in found],
    }


def market_evidence(
    session: Session,
    *,
    application: str,
    country: str | None = None,
    limit: int = EVIDENCE_LIMIT,
    rtm_types: list[str] | None = None,
) -> dict:
    """Return a bounded summary of the published cases of an application: how many, in which
    countries, how many in the buyer's country and elsewhere, the `limit` best of them (the
    buyer's country's first) and the organisations that supplied those; then the suppliers of
    the materials (`rtm_types`) serving the buyer's country."""
    country = country.upper() if country else None
    summary = kb_service.published_summary(
        session, application=application, limit=limit, country=country
    )
    cases = summary.cases
    organisations: dict[tuple[str, str], dict] = {}
    for case in cases:
        for link in case.organisation_links:
            if link.role in EVIDENCE_ROLES:
                org = link.organisation
                organisations.setdefault(
                    (org.slug, link.role), {"name": org.name, "slug": org.slug, "role": link.role}
                )
    return {
        "cases": summary.count,
        "country": country,
        "in_country": summary.in_country,
        "elsewhere": summary.count - summary.in_country,
        "countries": summary.countries,
        "case_ids": [c.id for c in cases],
        "case_list": [
            {
                "id": c.id,
                "title": c.title,
                "country": c.country,
                "year": c.year,
                "language": c.language,
                "url": f"/cases/{c.id}",
            }
            for c in cases
        ],
        "organisations": sorted(
            organisations.values(), key=lambda o: (o["name"].casefold(), o["role"])
        ),
        **suppliers_evidence(session, country=country, rtm_types=rtm_types or []),
    }
