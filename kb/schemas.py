"""Shapes of the knowledge base: the case-study record of the contract, queries and page models."""

from datetime import date
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from kb.codes import APPLICATIONS, ORG_ROLES, RTM_TYPES, SCOPES, iso_countries, iso_languages
from replan.guards import DB_INT_MAX

ApplicationCode = Literal[APPLICATIONS]  # type: ignore[valid-type]
RtmCode = Literal[RTM_TYPES]  # type: ignore[valid-type]
OrgRole = Literal[ORG_ROLES]  # type: ignore[valid-type]
Scope = Literal[SCOPES]  # type: ignore[valid-type]

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
MAX_DESCRIPTION = 50_000
CASE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"


def _language(value: object) -> object:
    if not isinstance(value, str):
        return value
    code = value.strip().lower()
    if code not in iso_languages():
        raise ValueError(f"'{value}' is not an ISO 639-1 language code (such as en, it, pl)")
    return code


def _country(value: object) -> object:
    if not isinstance(value, str):
        return value
    code = value.strip().upper()
    if code == "EL":
        raise ValueError("'EL' is not an ISO 3166-1 code: Greece is 'GR'")
    if code == "UK":
        raise ValueError("'UK' is not an ISO 3166-1 code: the United Kingdom is 'GB'")
    if code not in iso_countries():
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (such as IT, ES)")
    return code


def _url(value: str) -> str:
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in value)
    ):
        raise ValueError("must be a web address starting with http:// or https://")
    return value


# The codes are listed in the schema (enums), and the friendly checks run first, so that a
# lower-case code is accepted and an unknown one gets a message that says what to write.
LanguageCode = Annotated[
    Literal[tuple(sorted(iso_languages()))], BeforeValidator(_language)  # type: ignore[misc]
]
CountryCode = Annotated[
    Literal[tuple(sorted(iso_countries()))], BeforeValidator(_country)  # type: ignore[misc]
]
SourceUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000),
    AfterValidator(_url),
    Field(json_schema_extra={"pattern": r"^https?://[^\s/?#]+[^\s]*$", "format": "uri"}),
]


class OrganisationRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    role: OrgRole


class Benefit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Annotated[Text, StringConstraints(min_length=1, max_length=200)]
    value: float = Field(allow_inf_nan=False)
    unit: Annotated[Text, StringConstraints(max_length=50)] = ""


class CaseRecord(BaseModel):
    """One case study as the contract defines it (import, export, API)."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=CASE_ID_PATTERN)] | None = None
    title: Annotated[Text, StringConstraints(min_length=3, max_length=200)]
    summary: Annotated[Text, StringConstraints(min_length=1, max_length=600)]
    description: Annotated[str, StringConstraints(max_length=MAX_DESCRIPTION)] | None = None
    language: LanguageCode
    application: ApplicationCode
    rtm_types: list[RtmCode] = Field(min_length=1, max_length=len(RTM_TYPES))
    country: CountryCode
    city: Annotated[Text, StringConstraints(max_length=200)] | None = None
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    year: int | None = Field(
        None, json_schema_extra={"minimum": 1970, "maximum": date.today().year + 1}
    )
    rtm_tonnes: float | None = Field(None, ge=0, allow_inf_nan=False)
    tyres_equivalent: int | None = Field(None, ge=0, le=DB_INT_MAX)
    area_m2: float | None = Field(None, ge=0, allow_inf_nan=False)
    length_km: float | None = Field(None, ge=0, allow_inf_nan=False)
    gpp: bool | None = None
    organisations: list[OrganisationRef] = Field(default_factory=list, max_length=50)
    benefits: list[Benefit] = Field(default_factory=list, max_length=50)
    sources: list[SourceUrl] = Field(default_factory=list, max_length=50)
    # Added after the first contract: last, so that older CSV readers keep their columns.
    scope: Scope = "project"

    @field_validator("year")
    @classmethod
    def _year(cls, value: int | None) -> int | None:
        last = date.today().year + 1
        if value is not None and not 1970 <= value <= last:
            raise ValueError(f"must be between 1970 and {last}")
        return value

    @field_validator("rtm_types")
    @classmethod
    def _unique_types(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("city", "description")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.rstrip() if value and value.strip() else None

    @model_validator(mode="after")
    def _lat_lon(self) -> "CaseRecord":
        if (self.lat is None) != (self.lon is None):
            missing = "lon" if self.lon is None else "lat"
            raise ValueError(f"lat and lon go together: {missing} is missing")
        return self

    def export_dict(self) -> dict:
        """Return the record as the contract's JSON object (every field, in contract order)."""
        return self.model_dump(mode="json")


class CaseCreated(BaseModel):
    id: str
    status: str


class CaseOut(CaseRecord):
    """A case as the API returns it: the record plus its public metadata."""

    model_config = ConfigDict(extra="ignore")

    id: str
    status: str
    version: int
    created_at: str | None = None
    updated_at: str | None = None
    published_at: str | None = None


class CaseQuery(BaseModel):
    """The parameters of a case search (page and API share them)."""

    model_config = ConfigDict(extra="ignore")

    q: Annotated[str, StringConstraints(max_length=10_000)] = ""
    application: list[ApplicationCode] = Field(default_factory=list)
    rtm: list[RtmCode] = Field(default_factory=list)
    country: list[CountryCode] = Field(default_factory=list)
    year_min: int | None = Field(None, ge=1900, le=2200)
    year_max: int | None = Field(None, ge=1900, le=2200)
    gpp: bool | None = None
    sort: Literal["relevance", "year_desc", "year_asc", "tonnes_desc"] = "relevance"
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(20, ge=1, le=100)


class CaseCard(BaseModel):
    """A case as a list of cases shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    summary: str
    application: str
    country: str
    city: str | None = None
    year: int | None = None
    language: str | None = None


class HomeStats(BaseModel):
    total: int
    countries: int
    by_application: dict[str, int]
    latest: list[CaseCard]


class CaseHit(BaseModel):
    id: str
    title: str
    summary: str
    application: str
    rtm_types: list[str]
    country: str
    city: str | None = None
    year: int | None = None
    lat: float | None = None
    lon: float | None = None
    language: str | None = None
    rtm_tonnes: float | None = None
    highlight: dict[str, str] = Field(default_factory=dict)


class MapPoint(BaseModel):
    id: str
    title: str
    lat: float
    lon: float
    url: str


class CaseMap(BaseModel):
    """Every published case a search matches that has a location (the /cases map)."""

    total: int
    points: list[MapPoint]


class CaseSearchResult(BaseModel):
    total: int
    page: int
    per_page: int
    hits: list[CaseHit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None = None
