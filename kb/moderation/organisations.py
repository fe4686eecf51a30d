"""Organisation profiles: who may edit one, the profile form, and claims of names (edits wait
for a moderator: kb.profiles.drafts).

A name is claimed through moderation: a submitter's profile becomes a claim that a moderator
approves (the organisation's profile is then public and the submitter a member) or rejects. A
free name is made at once, so that its author can go on (the page stays private); a name that
already exists, say because a submission named it, is only ever joined through a claim."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.codes import ORG_TYPES, RTM_TYPES
from kb.models import Organisation, OrganisationCertificate
from kb.moderation.forms import Gettext, message_for
from kb.moderation.models import OrganisationClaim
from kb.moderation.workflow import is_moderator
from kb.schemas import CountryCode, RtmCode, SourceUrl
from kb.service import make_case_id
from replan import auth
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Forbidden, NotFound
from replan.i18n import N_
from replan.uow import UnitOfWork

OrgType = Literal[ORG_TYPES]  # type: ignore[valid-type]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TEXT_FIELDS = (
    "name",
    "type",
    "country",
    "website",
    "description",
    "contact_email",
    "postal_address",
)
LIST_FIELDS = ("regions_served", "rtm_offered", "products")  # one per line, or ticked
FIELDS = TEXT_FIELDS + LIST_FIELDS


class OrganisationProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    type: OrgType | None = None
    country: CountryCode | None = None
    website: SourceUrl | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    # Where the contact form's messages go; never printed in a page.
    contact_email: Annotated[EmailStr, StringConstraints(max_length=320)] | None = None
    postal_address: Annotated[str, StringConstraints(max_length=500)] | None = None
    regions_served: list[Line] = Field(default_factory=list, max_length=50)
    rtm_offered: list[RtmCode] = Field(default_factory=list, max_length=len(RTM_TYPES))
    products: list[Line] = Field(default_factory=list, max_length=30)


class ClaimOut(BaseModel):
    slug: str
    joined: bool  # a new name: the user is its member at once


def may_edit(user: User | None, org: Organisation) -> bool:
    """Its members (submitters: a recycling company's staff) and moderators edit a profile."""
    if user is None:
        return False
    return is_moderator(user) or (
        user.organisation_id == org.id and auth.has_role(user, "submitter")
    )


def profile_of(org: Organisation) -> dict:
    """The organisation's public profile as a form's data."""
    data = {name: getattr(org, name) for name in TEXT_FIELDS}
    data.update({name: list(getattr(org, name) or []) for name in LIST_FIELDS})
    return data


def form_values(profile: dict | None) -> dict:
    """The form's values: texts, lines joined, and the ticked materials as a list."""
    if profile is None:
        return {**dict.fromkeys(FIELDS, ""), "rtm_offered": []}
    values = {name: profile.get(name) or "" for name in TEXT_FIELDS}
    values["regions_served"] = "\n".join(profile.get("regions_served") or [])
    values["products"] = "\n".join(profile.get("products") or [])
    values["rtm_offered"] = list(profile.get("rtm_offered") or [])
    return values


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_profile(
    values: dict, *, gettext: Gettext
) -> tuple[OrganisationProfile | None, dict[str, str]]:
    """Return the profile the form describes, or the errors by field."""
    data: dict = {name: str(values.get(name, "")).strip() or None for name in TEXT_FIELDS}
    data["regions_served"] = _lines(str(values.get("regions_served", "")))
    data["products"] = _lines(str(values.get("products", "")))
    data["rtm_offered"] = list(values.get("rtm_offered") or [])
    try:
        return OrganisationProfile.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0])
            text = message_for(error, gettext)
            if field == "contact_email" and error["type"] == "value_error":
                text = gettext("Enter an e-mail address, such as name@example.org.")
            errors.setdefault(field, text)
        return None, errors


def name_taken(session: Session, name: str, *, other_than: int | None = None) -> bool:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if other_than is not None:
        query = query.where(Organisation.id != other_than)
    return session.scalar(query) is not None


def copy_profile(org: Organisation, profile: OrganisationProfile) -> None:
    """Copy a profile onto an organisation (its address, the slug, stays the same)."""
    for name in TEXT_FIELDS:
        setattr(org, name, getattr(profile, name))
    for name in LIST_FIELDS:
        setattr(org, name, list(getattr(profile, name)))


def editable_organisation(session: Session, *, slug: str, user: User) -> Organisation:
    """Return the organisation of that address if this user may edit its profile."""
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise NotFound(N_("There is no organisation with this address."))
    if not may_edit(user, org):
        raise Forbidden(N_("Only members of this organisation can edit its profile."))
    return org


def check_may_claim(user: User) -> None:
    """Refuse a claim from anyone but a submitter without an organisation."""
    if user.organisation_id or not auth.has_role(user, "submitter"):
        raise Forbidden(N_("You already belong to an organisation."))


def claim(*, uow: UnitOfWork, user: User, profile: OrganisationProfile) -> ClaimOut:
    """Ask the moderators to make the user a member of the organisation of that name, with this
    profile; a new name is made at once, with the user as its (not yet public) member."""
    check_may_claim(user)
    session = uow.session
    org = session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == profile.name.lower())
    )
    if org is None:
        slug = make_case_id(
            profile.name,
            lambda s: (
                session.scalar(select(Organisation.id).where(Organisation.slug == s)) is not None
            ),
        )
        org = Organisation(slug=slug, name=profile.name)
        copy_profile(org, profile)
        session.add(org)
        session.flush()
        session.get(User, user.id).organisation_id = org.id
    row = session.scalar(
        select(OrganisationClaim).where(
            OrganisationClaim.organisation_id == org.id, OrganisationClaim.user_id == user.id
        )
    )
    if row is None:
        row = OrganisationClaim(organisation_id=org.id, user_id=user.id, profile={})
        session.add(row)
    row.profile = profile.model_dump(mode="json")
    session.flush()
    out = ClaimOut(slug=org.slug, joined=session.get(User, user.id).organisation_id == org.id)
    uow.commit()
    return out


def pending_claims(session: Session) -> list[tuple[OrganisationClaim, Organisation, User]]:
    """Return the claims waiting for a moderator, oldest first."""
    query = (
        select(OrganisationClaim, Organisation, User)
        .join(Organisation, Organisation.id == OrganisationClaim.organisation_id)
        .join(User, User.id == OrganisationClaim.user_id)
        .order_by(OrganisationClaim.created_at, OrganisationClaim.id)
    )
    return [tuple(row) for row in session.execute(query).all()]


def claim_of(session: Session, *, user_id: int) -> Organisation | None:
    """Return the organisation the user's pending claim names, if any."""
    return session.scalar(
        select(Organisation)
        .join(OrganisationClaim, OrganisationClaim.organisation_id == Organisation.id)
        .where(OrganisationClaim.user_id == user_id)
    )


def decide_claim(*, uow: UnitOfWork, user: User, claim_id: int, approve: bool) -> None:
    """Approve a claim (the user joins; an unapproved profile takes the claim's and turns
    public) or reject it (the user leaves an organisation that was never approved)."""
    session = uow.session
    row = session.get(OrganisationClaim, claim_id)
    if row is None:
        raise NotFound(N_("There is no such claim."))
    org = session.get(Organisation, row.organisation_id)
    member = session.get(User, row.user_id)
    if approve:
        if org.approved_at is None:
            profile = dict(row.profile)
            for name in profile.pop("certifications", None) or []:  # claims before 0011
                session.add(OrganisationCertificate(organisation_id=org.id, name=name[:200]))
            copy_profile(org, OrganisationProfile.model_validate(profile))
            org.approved_at = utcnow()
        member.organisation_id = org.id
    elif member.organisation_id == org.id and org.approved_at is None:
        member.organisation_id = None
    session.delete(row)
    uow.commit()
