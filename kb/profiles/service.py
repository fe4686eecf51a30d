"""Read services of profiles: certificates with their validity, who serves a country, and the
suppliers of a country and a material (for the wizard's market evidence)."""

import re
from collections import defaultdict
from datetime import date, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import service as kb_service
from kb.codes import country_name
from kb.models import Organisation, OrganisationCertificate
from kb.moderation.organisations import FIELDS, profile_of
from kb.profiles.schemas import (
    EXPIRES_SOON_DAYS,
    CertificateOut,
    CertificateState,
    FieldChange,
    ProfileReview,
    Supplier,
)
from replan.clock import aware, utcnow
from replan.i18n import LANGUAGES

# Entries of "regions served" that mean every country of the catalogue.
# The whole of Europe, as a supplier writes it in one of the interface languages (casefolded).
EVERYWHERE = frozenset(
    name.casefold()
    for name in (
        *("EU", "EEA", "Europe", "European Union"),  # en (fr: Europe)
        *("UE", "Europa", "Unione europea", "Unión Europea", "Union européenne"),  # it es fr
        *("Unia Europejska", "Evropa", "Evropska unija"),  # pl sl
        *("ΕΕ", "Ευρώπη", "Ευρωπαϊκή Ένωση"),  # el
    )
)
# NUTS codes: the country's code, then one to three characters (ITC4, PL91, FRK2, EL30).
NUTS = re.compile(r"[A-Z]{2}[0-9A-Z]{1,3}")
NUTS_COUNTRY = {"GR": "EL", "GB": "UK"}  # where NUTS does not use the ISO code


def today() -> date:
    return utcnow().date()


def validity(valid_to: date | None, *, on: date) -> tuple[bool, bool]:
    """Return (expired, expires soon) of a certificate valid until `valid_to`."""
    if valid_to is None:
        return False, False
    expired = valid_to < on
    return expired, not expired and valid_to <= on + timedelta(days=EXPIRES_SOON_DAYS)


def file_url(slug: str, cert: OrganisationCertificate) -> str | None:
    if not cert.stored_name:
        return None
    return f"/organisations/{slug}/certificates/{cert.id}/{cert.filename}"


def certificate_out(cert: OrganisationCertificate, *, slug: str, on: date) -> CertificateOut:
    expired, soon = validity(cert.valid_to, on=on)
    return CertificateOut(
        id=cert.id,
        name=cert.name,
        issuer=cert.issuer,
        number=cert.number,
        valid_from=cert.valid_from,
        valid_to=cert.valid_to,
        registry_url=cert.registry_url,
        file_url=file_url(slug, cert),
        filename=cert.filename,
        state=CertificateState(cert.state),
        expired=expired,
        expires_soon=soon,
    )


PUBLIC_STATES = (CertificateState.APPROVED, CertificateState.REMOVED)
EDITED_STATES = (CertificateState.APPROVED, CertificateState.ADDED)


def certificates_of(
    session: Session,
    orgs: list[Organisation],
    *,
    states: tuple[CertificateState, ...] = PUBLIC_STATES,
    on: date | None = None,
) -> dict[int, list[CertificateOut]]:
    """Return the certificates of these organisations in these states (the public ones unless
    told), by organisation id."""
    on = on or today()
    slugs = {org.id: org.slug for org in orgs}
    found: dict[int, list[CertificateOut]] = defaultdict(list)
    if not slugs:
        return found
    rows = session.scalars(
        select(OrganisationCertificate)
        .where(
            OrganisationCertificate.organisation_id.in_(slugs),
            OrganisationCertificate.state.in_([str(s) for s in states]),
        )
        .order_by(OrganisationCertificate.name, OrganisationCertificate.id)
    )
    for cert in rows:
        found[cert.organisation_id].append(
            certificate_out(cert, slug=slugs[cert.organisation_id], on=on)
        )
    return found


@cache
def _names_of(country: str) -> frozenset[str]:
    """The country's code and names in every interface language, folded."""
    names = {country_name(country, lang).casefold() for lang in LANGUAGES}
    return frozenset(names | {country.casefold()})


def region_serves(entry: str, country: str) -> bool:
    """Whether an entry of "regions served" covers the country: its code or name, one of its
    NUTS regions (by code), or the whole of Europe."""
    text = " ".join(entry.split())
    upper = text.upper()
    if text.casefold() in EVERYWHERE or text.casefold() in _names_of(country):
        return True
    prefix = NUTS_COUNTRY.get(country, country)
    nuts = NUTS.fullmatch(upper) and (any(c.isdigit() for c in upper) or len(upper) == 3)
    return bool(nuts) and upper[:2] == prefix


def serves(org: Organisation, country: str) -> bool:
    country = country.upper()
    return org.country == country or any(
        region_serves(str(entry), country) for entry in org.regions_served or []
    )


def suppliers_serving(
    session: Session, *, country: str | None, rtm_types: list[str], on: date | None = None
) -> list[Supplier]:
    """Return the public organisations whose approved profile offers one of the materials (any,
    when none is named) and serves the country (any, when none is given), by name."""
    on = on or today()
    candidates = [
        org
        for org in session.scalars(
            select(Organisation).where(kb_service.public_organisation()).order_by(Organisation.name)
        )
        if org.rtm_offered
        and (not rtm_types or set(org.rtm_offered) & set(rtm_types))
        and (not country or serves(org, country))
    ]
    certificates = certificates_of(session, candidates, on=on)
    return [
        Supplier(
            slug=org.slug,
            name=org.name,
            country=org.country,
            rtm_offered=[c for c in org.rtm_offered if not rtm_types or c in rtm_types],
            certificates=certificates.get(org.id, []),
            url=f"/organisations/{org.slug}",
        )
        for org in candidates
    ]


def _shown(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def pending_reviews(session: Session) -> list[ProfileReview]:
    """Return the profile edits waiting for a moderator, oldest first, each with its changes."""
    orgs = list(
        session.scalars(
            select(Organisation)
            .where(Organisation.pending_at.is_not(None))
            .order_by(Organisation.pending_at, Organisation.id)
        )
    )
    added = certificates_of(session, orgs, states=(CertificateState.ADDED,))
    removed = certificates_of(session, orgs, states=(CertificateState.REMOVED,))
    reviews = []
    for org in orgs:
        before, after = profile_of(org), org.pending_profile or {}
        changes = [
            FieldChange(field=f, before=_shown(before.get(f)), after=_shown(after.get(f)))
            for f in FIELDS
            if _shown(before.get(f)) != _shown(after.get(f))
        ]
        reviews.append(
            ProfileReview(
                slug=org.slug,
                name=org.name,
                public=kb_service.is_public_organisation(session, org.id),
                pending_at=aware(org.pending_at),
                changes=changes,
                added=added.get(org.id, []),
                removed=removed.get(org.id, []),
            )
        )
    return reviews
