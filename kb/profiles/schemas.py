"""Shapes of profiles and certificates: the form inputs and what pages and the wizard print."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, model_validator

EXPIRES_SOON_DAYS = 60


class CertificateState(StrEnum):
    APPROVED = "approved"  # public
    ADDED = "added"  # waits for a moderator, seen by members and moderators only
    REMOVED = "removed"  # public until a moderator approves its removal


Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


def _https(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be a web address starting with https://")
    return value


HttpsUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_https)
]


class CertificateForm(BaseModel):
    """A certificate as its form gives it; the file, if any, is checked apart (by content)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    issuer: Short | None = None
    number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    registry_url: HttpsUrl | None = None

    @model_validator(mode="after")
    def _in_order(self) -> "CertificateForm":
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("the end of validity comes before its start")
        return self


class CertificateOut(BaseModel):
    id: int
    name: str
    issuer: str | None = None
    number: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    registry_url: str | None = None
    file_url: str | None = None
    filename: str | None = None
    state: CertificateState = CertificateState.APPROVED
    expired: bool = False  # valid_to is before today
    expires_soon: bool = False  # valid_to is within EXPIRES_SOON_DAYS days from today


class Supplier(BaseModel):
    """A public organisation whose approved profile offers a material and serves a country."""

    slug: str
    name: str
    country: str | None = None
    rtm_offered: list[str]  # the materials asked for that it offers
    certificates: list[CertificateOut]
    url: str


class FieldChange(BaseModel):
    field: str
    before: str
    after: str


class ProfileReview(BaseModel):
    """A profile edit waiting for a moderator: what changes, and the certificates it adds or
    removes."""

    slug: str
    name: str
    public: bool  # the organisation's page is public already
    pending_at: datetime
    changes: list[FieldChange]
    added: list[CertificateOut]
    removed: list[CertificateOut]
