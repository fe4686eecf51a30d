"""Market evidence of a spec: the knowledge base's published cases of its application."""

from sqlalchemy.orm import Session

from kb import service as kb_service

EVIDENCE_ROLES = ("supplier", "recycler")  # organisations that supply the materials
EVIDENCE_LIMIT = 50  # cases a spec lists (REPLAN_SPEC_EVIDENCE_CASES); it counts them all


def market_evidence(
    session: Session, *, application: str, country: str | None = None, limit: int = EVIDENCE_LIMIT
) -> dict:
    """Return a bounded summary of the published cases of an application: how many, in which
    countries, how many in the buyer's country and elsewhere, the `limit` best of them (the
    buyer's country's first) and the organisations that supplied those."""
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
    }
