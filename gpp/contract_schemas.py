"""Shapes of a spec after its tender: the status move and the award asked for, the contract and
its milestones as the API answers them and the contract page prints them."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from replan.guards import DB_INT_MAX

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
MilestoneStatus = Literal["pending", "met", "not_met", "waived"]
MILESTONE_STATUSES = ("pending", "met", "not_met", "waived")
MILESTONE_PHASES = ("delivery", "execution")
MAX_VALUE = 1e12


class StatusMove(BaseModel):
    """A move asked for; the award has its own request."""

    status: Literal["tendering", "in_execution", "closed"]


class AwardCreate(BaseModel):
    bidder_id: Annotated[int, Field(ge=1, le=DB_INT_MAX)]
    reason: Note = ""


Measure = Annotated[float | None, Field(ge=-MAX_VALUE, le=MAX_VALUE, allow_inf_nan=False)]


class MilestoneUpdate(BaseModel):
    """A change of a milestone; a field left out stays as it is. Given a measured `value` and a
    `limit`, the status follows from them unless it is given too."""

    status: MilestoneStatus | None = None
    value: Measure = None
    unit: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=40)] = None
    limit: Measure = None
    limit_kind: Literal["max", "min"] | None = None
    penalty_rate: Annotated[float | None, Field(ge=0, le=MAX_VALUE, allow_inf_nan=False)] = None
    note: Note | None = None
    due: Annotated[date | None, Field(ge=date(2000, 1, 1), le=date(2200, 12, 31))] = None


class AwardOut(BaseModel):
    bidder_id: int | None
    name: str
    verdict: str
    reason: str
    awarded_at: datetime | None


class MilestoneOut(BaseModel):
    n: int
    criterion_id: str
    criterion_title: str
    evidence: str
    how_to_check: str
    phase: str
    due: date | None
    status: MilestoneStatus
    value: float | None
    unit: str
    limit: float | None
    limit_kind: Literal["max", "min"]
    gap: float | None  # how far the value falls beyond the limit (0 within it)
    penalty_rate: float | None
    penalty: float | None  # gap x rate
    note: str
    attachments: list[str]
    overdue: bool
    updated_at: datetime | None


class EventOut(BaseModel):
    action: str
    from_status: str | None
    to_status: str
    note: str
    by: str | None  # the user's name or e-mail; None once their account is gone
    at: datetime


class ContractOut(BaseModel):
    """`GET /api/v1/specs/{id}/contract`: the contract's shape plus the award and the log."""

    spec_id: str
    title: str
    status: str
    next_statuses: list[str]
    awarded_to: str | None
    award: AwardOut | None
    milestones: list[MilestoneOut]
    summary: dict[str, int]
    overdue: int
    penalties: float
    case_id: str | None  # the case study drafted from the closed contract
    history: list[EventOut]


class BidderChoice(BaseModel):
    id: int
    name: str
    verdict: str


class ContractPage(BaseModel):
    """What the contract page prints: the contract, the bidders it may be awarded to, and the
    ranking of their bids' life-cycle costs (`gpp.bid_lcc.BidsLccOut`)."""

    contract: ContractOut
    bidders: list[BidderChoice]
    lcc: Any
