"""Shapes of the directory and the comparison: queries and page models."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kb.profiles.schemas import CertificateOut
from kb.schemas import CaseRecord, CountryCode, RtmCode

MAX_COMPARED = 4
PER_PAGE = 50


class OrganisationQuery(BaseModel):
    """`/organisations` filters: any listed material (offered in its profile, or used in its
    published cases), any listed country (its own, one it serves, or of its published cases),
    a region it serves, a certificate of its profile, and words of its name, description or
    products (every word somewhere)."""

    model_config = ConfigDict(extra="ignore")

    rtm: list[RtmCode] = Field(default_factory=list)
    country: list[CountryCode] = Field(default_factory=list)
    certificate: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    page: int = Field(1, ge=1, le=10_000)


class OrganisationEntry(BaseModel):
    slug: str
    name: str
    type: str | None
    country: str | None
    certifications: list[str]  # the names of its certificates (as before 0011)
    cases: int  # the published cases it took part in or submitted
    rtm_offered: list[str] = Field(default_factory=list)
    regions_served: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    certificates: list[CertificateOut] = Field(default_factory=list)  # expired ones flagged


class OrganisationDirectory(BaseModel):
    query: OrganisationQuery
    total: int
    entries: list[OrganisationEntry]
    countries: list[str]  # every country a filter can find something in
    prev_url: str | None = None
    next_url: str | None = None


class Comparison(BaseModel):
    """Up to MAX_COMPARED published cases, in the order asked; any other id is simply absent."""

    cases: list[CaseRecord]
    asked: int  # how many distinct ids were asked for
    truncated: bool  # more than MAX_COMPARED were asked for: the first ones are compared
