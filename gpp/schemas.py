"""Shapes of green public procurement: criteria and specs as the API answers them, and inputs."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from gpp import cpv
from gpp.library import Criterion
from kb.profiles.schemas import Supplier

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Value = Annotated[float, Field(strict=True, allow_inf_nan=False)]
ProcurementType = Literal["works", "supply", "service"]
CheckStatus = Literal["pending", "compliant", "non_compliant", "missing"]
Verdict = Literal["pending", "compliant", "non_compliant"]
PROCUREMENT_TYPES = ("works", "supply", "service")
CHECK_STATUSES = ("pending", "compliant", "non_compliant", "missing")
MAX_CRITERIA = 200
MAX_LOTS = 50
MAX_CPV = 50


def _known_cpv(code: str) -> str:
    if not cpv.is_known(code):
        raise ValueError(f"'{code}' is not a code of the CPV 2008 main vocabulary")
    return cpv.digits(code) or code


CpvCode = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=12), AfterValidator(_known_cpv)
]


# --- the criteria library ----------------------------------------------------------------------


class ParameterOut(BaseModel):
    label: str
    default: float | int
    min: float | int
    max: float | int
    unit: str
    confirmed: bool = True  # False: the official value was not read at its source


class VerificationOut(BaseModel):
    evidence: str
    phase: Literal["tender", "award", "delivery", "execution"]
    how_to_check: str
    who: str


class ReferenceOut(BaseModel):
    title: str
    url: str | None = None
    maintainers_only: bool = False  # a secondary source, never printed in a tender document


class EformsOut(BaseModel):
    bt_805: str  # outside the country of `national_rule_of`; `national` in that country's specs
    national_rule_of: str | None = None
    bt_774: list[str]
    bt_809: str | None = None


class CriterionOut(BaseModel):
    """One criterion of the library, as `GET /api/v1/criteria` lists it."""

    id: str
    version: int
    product_group: str
    applications: list[str]
    type: Literal["selection", "technical_specification", "award", "contract_clause"]
    ambition: Literal["core", "comprehensive"]
    title: str
    text: str
    parameters: dict[str, ParameterOut]
    rationale: str
    verification: list[VerificationOut]
    references: list[ReferenceOut]
    eforms: EformsOut
    award_points: int | None = None
    valid_from: date
    valid_to: date | None = None
    reviewed_on: date
    next_review: date
    review_overdue: bool

    @classmethod
    def of(cls, criterion: Criterion) -> "CriterionOut":
        data = criterion.model_dump(exclude={"group"})
        return cls.model_validate(
            {
                **data,
                "product_group": criterion.group,
                "review_overdue": criterion.review_overdue(),
            }
        )


# --- specs ---------------------------------------------------------------------------------------


class Lot(BaseModel):
    """One lot of the procedure, as the cover page and the contract notice name it."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, StringConstraints(min_length=1, max_length=200)]


class SpecCreate(BaseModel):
    """A request for a tender specification (`POST /api/v1/specs`)."""

    model_config = ConfigDict(extra="forbid")

    application: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
    ambition: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = "core"
    language: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)] = "en"
    country: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2)] | None = None
    title: Annotated[Text, StringConstraints(max_length=200)] = ""
    authority: Annotated[Text, StringConstraints(max_length=200)] | None = None
    procurement_type: ProcurementType = "works"
    criteria: list[Annotated[str, StringConstraints(max_length=120)]] | None = Field(
        None,
        max_length=MAX_CRITERIA,
        description="criterion ids; default every criterion of the application and ambition",
    )
    parameters: dict[str, dict[str, Value]] = Field(
        default_factory=dict, description="{criterion_id: {parameter: value}}; default: defaults"
    )
    award_points: dict[str, Annotated[int, Field(strict=True)]] = Field(
        default_factory=dict, description="{award criterion id: points out of 100}"
    )
    # The cover: kept in the spec's `inputs` (JSON), printed on the cover and in the eForms notice.
    buyer_name: Annotated[Text, StringConstraints(max_length=200)] | None = None
    procedure_reference: Annotated[Text, StringConstraints(max_length=100)] | None = None
    cpv: list[CpvCode] = Field(
        default_factory=list,
        max_length=MAX_CPV,
        description="CPV 2008 codes, '45233140' or '45233140-2'; the first is the main one",
    )
    lots: list[Lot] = Field(
        default_factory=list, max_length=MAX_LOTS, description="the lots: a title each"
    )

    @field_validator("lots", mode="before")
    @classmethod
    def _lot_titles(cls, value):
        if isinstance(value, list):
            return [{"title": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("cpv")
    @classmethod
    def _unique_cpv(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class SpecCreated(BaseModel):
    id: str
    url: str


class SpecVerification(BaseModel):
    evidence: str
    phase: Literal["tender", "award", "delivery", "execution"]
    how_to_check: str
    who: str


class ParameterLabel(BaseModel):
    label: str
    unit: str = ""


class SpecCriterion(BaseModel):
    id: str
    version: int
    type: str
    ambition: str
    title: str
    text: str
    parameters: dict[str, float | int]
    verification: list[SpecVerification]
    rationale: str
    references: list[ReferenceOut]
    valid_from: date
    valid_to: date | None = None
    award_points: int | None = None
    eforms: EformsOut
    parameter_labels: dict[str, ParameterLabel] = {}  # how documents name each parameter
    mandatory: bool = False  # the buyer country's law makes it mandatory (the Italian CAM)


class SpecSection(BaseModel):
    type: Literal["selection", "technical_specification", "award", "contract_clause"]
    criteria: list[SpecCriterion]


class ChecklistItem(BaseModel):
    n: int
    criterion_id: str
    criterion_title: str
    evidence: str
    phase: Literal["tender", "award", "delivery", "execution"]
    how_to_check: str
    who: str


class EvidenceCase(BaseModel):
    id: str
    title: str
    country: str
    year: int | None = None
    language: str | None = None  # of the title
    url: str


class EvidenceOrganisation(BaseModel):
    name: str
    slug: str
    role: str


class MarketEvidence(BaseModel):
    cases: int
    country: str | None = None  # the buyer's: its cases come first (specs before it: none)
    in_country: int = 0
    elsewhere: int = 0
    countries: list[str]
    case_ids: list[str]
    case_list: list[EvidenceCase]
    organisations: list[EvidenceOrganisation]
    # Suppliers whose approved profile offers the criteria's materials in the buyer's country
    # (specs before 0011: none), on the day of the list.
    materials: list[str] = Field(default_factory=list)
    suppliers_as_of: date | None = None
    suppliers: list[Supplier] = Field(default_factory=list)  # expired: on that day
    material_labels: dict[str, str] = Field(default_factory=dict)  # in the spec's language


class SpecEforms(BaseModel):
    bt_805: list[str]
    bt_774: list[str]
    bt_06: str


class LegalSource(BaseModel):
    title: str
    url: str | None = None


class LegalFact(BaseModel):
    topic: str
    text: str
    confirmed: bool
    buyer_sets: str | None = None  # the placeholder the buyer completes where not confirmed
    source: LegalSource


class LegalBasis(BaseModel):
    """The buyer country's rules as the spec prints them (`gpp.countries`), in its language."""

    country: str | None = None
    name: str
    facts: list[LegalFact]
    mandatory_rule: str | None = None
    reminders: list[str] = []


class SpecOut(BaseModel):
    """An issued specification, as `GET /api/v1/specs/{id}` answers it."""

    id: str
    version: int
    previous_id: str | None = None
    application: str
    application_label: str
    ambition: Literal["core", "comprehensive"]
    language: str
    title: str
    authority: str | None = None
    country: str | None = None
    procurement_type: ProcurementType
    library_version: str
    created_at: datetime
    eforms: SpecEforms
    award_total: int
    sections: list[SpecSection]
    checklist: list[ChecklistItem]
    market_evidence: MarketEvidence
    buyer_name: str | None = None
    procedure_reference: str | None = None
    cpv: list[str] = []
    lots: list[Lot] = []
    legal_basis: LegalBasis | None = None  # specs issued before the country profiles have none


class IssuedSpec(BaseModel):
    """An issued spec as a read gives it: its document (`SpecOut`'s shape, plus what the pages
    and exports print, as it was issued) and who keeps it."""

    id: str
    owner_id: int | None = None
    document: dict[str, Any]


class DraftOut(BaseModel):
    """The wizard's state behind a draft's address (see `gpp.wizard.blank`)."""

    id: str
    data: dict[str, Any]
    source_spec_id: str | None = None


class SpecSummary(BaseModel):
    id: str
    version: int
    title: str
    application: str
    ambition: str
    language: str
    created_at: datetime
    bidders: int
    url: str


class SpecList(BaseModel):
    specs: list[SpecSummary]


# --- bidders -------------------------------------------------------------------------------------


class BidderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, StringConstraints(min_length=1, max_length=200)]


class BidderCreated(BaseModel):
    id: int


class CheckUpdate(BaseModel):
    """A change to one checklist item of a bidder; a field left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    status: CheckStatus | None = None
    note: Annotated[str, StringConstraints(max_length=4000)] | None = None


class CheckOut(ChecklistItem):
    status: CheckStatus
    note: str
    updated_at: datetime | None = None


class BidderOut(BaseModel):
    id: int
    spec_id: str
    name: str
    created_at: datetime
    checks: list[CheckOut]
    summary: dict[str, int]
    verdict: Verdict


class Evaluation(BaseModel):
    """One bidder's evaluation page: the spec it is checked against, and the bidder."""

    spec: IssuedSpec
    bidder: BidderOut
