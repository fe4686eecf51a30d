"""Organisation profiles: who may edit one, the profile form, creating and saving it."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.codes import ORG_TYPES
from kb.models import Organisation
from kb.moderation.forms import Gettext, message_for
from kb.moderation.service import is_moderator
from kb.schemas import CountryCode, SourceUrl
from kb.service import make_case_id
from replan.auth_models import User

OrgType = Literal[ORG_TYPES]  # type: ignore[valid-type]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
FIELDS = ("name", "type", "country", "website", "description", "certifications")


class OrganisationProfile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    type: OrgType | None = None
    country: CountryCode | None = None
    website: SourceUrl | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    certifications: list[Line] = Field(default_factory=list, max_length=20)


def may_edit(user: User | None, org: Organisation) -> bool:
    """Members of an organisation and moderators edit its profile."""
    return user is not None and (user.organisation_id == org.id or is_moderator(user))


def form_values(org: Organisation | None) -> dict[str, str]:
    if org is None:
        return dict.fromkeys(FIELDS, "")
    return {
        "name": org.name,
        "type": org.type or "",
        "country": org.country or "",
        "website": org.website or "",
        "description": org.description or "",
        "certifications": "\n".join(org.certifications or []),
    }


def parse_profile(
    values: dict[str, str], *, gettext: Gettext
) -> tuple[OrganisationProfile | None, dict[str, str]]:
    """Return the profile the form describes, or the errors by field."""
    data = {name: values.get(name, "").strip() or None for name in FIELDS[:-1]}
    data["description"] = values.get("description", "").strip() or None
    data["certifications"] = [
        line.strip() for line in values.get("certifications", "").splitlines() if line.strip()
    ]
    try:
        return OrganisationProfile.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            errors.setdefault(str(error["loc"][0]), message_for(error, gettext))
        return None, errors


def name_taken(session: Session, name: str, *, other_than: int | None = None) -> bool:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if other_than is not None:
        query = query.where(Organisation.id != other_than)
    return session.scalar(query) is not None


def save_profile(session: Session, *, org: Organisation, profile: OrganisationProfile) -> None:
    """Copy a profile onto an organisation (its address, the slug, stays the same)."""
    for name in FIELDS:
        setattr(org, name, getattr(profile, name))
    org.certifications = list(profile.certifications)


def create_for(session: Session, *, user: User, profile: OrganisationProfile) -> Organisation:
    """Create an organisation and make the user a member of it."""
    slug = make_case_id(
        profile.name,
        lambda s: session.scalar(select(Organisation.id).where(Organisation.slug == s)) is not None,
    )
    org = Organisation(slug=slug, name=profile.name, certifications=[])
    save_profile(session, org=org, profile=profile)
    session.add(org)
    session.flush()
    session.get(User, user.id).organisation_id = org.id
    return org
