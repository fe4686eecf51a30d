"""Tables of a spec after its tender: its contract (status and award), the milestones of its
delivery and execution checks, and the log of every move (who, when).

A spec without a contract row is a draft: the row is made by its first move."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from replan.clock import utcnow
from replan.db import Base


class Contract(Base):
    """Where a spec stands (`gpp.lifecycle.SpecStatus`) and to whom it was awarded."""

    __tablename__ = "gpp_contract"

    spec_id: Mapped[str] = mapped_column(
        ForeignKey("gpp_spec.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20))
    bidder_id: Mapped[int | None] = mapped_column(
        ForeignKey("gpp_bidder.id", ondelete="SET NULL"), index=True
    )
    awarded_to: Mapped[str | None] = mapped_column(String(200))  # kept if the bidder goes
    award_verdict: Mapped[str | None] = mapped_column(String(20))
    award_reason: Mapped[str] = mapped_column(Text, default="")
    awarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The draft case study made from the closed contract (kb's id: no foreign key across domains).
    case_id: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Milestone(Base):
    """A delivery or execution check of the awarded contract, due on a date the procurer sets."""

    __tablename__ = "gpp_milestone"

    spec_id: Mapped[str] = mapped_column(
        ForeignKey("gpp_spec.id", ondelete="CASCADE"), primary_key=True
    )
    n: Mapped[int] = mapped_column(Integer, primary_key=True)  # index in the spec's checklist
    criterion_id: Mapped[str] = mapped_column(String(120))
    phase: Mapped[str] = mapped_column(String(20))
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(40), default="")
    # The clause's limit: the measured value may be at most (max) or at least (min) this much;
    # a gap beyond it costs `penalty_rate` per unit (rates are the procurer's, from the contract).
    limit_value: Mapped[float | None] = mapped_column(Float)
    limit_kind: Mapped[str] = mapped_column(String(3), default="max")
    penalty_rate: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the procurer was told the milestone is near, and that it is overdue (at most once).
    reminded_soon_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_overdue_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ContractEvent(Base):
    """One line of a spec's log: a status move, the award, a milestone's change."""

    __tablename__ = "gpp_contract_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec_id: Mapped[str] = mapped_column(ForeignKey("gpp_spec.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("auth_user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))  # status, award, milestone
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BidLcc(Base):
    """The life-cycle cost figures of a spec's bids, as the procurer entered them."""

    __tablename__ = "gpp_bid_lcc"

    spec_id: Mapped[str] = mapped_column(
        ForeignKey("gpp_spec.id", ondelete="CASCADE"), primary_key=True
    )
    period_years: Mapped[int] = mapped_column(Integer)
    discount_rate: Mapped[float] = mapped_column(Float)
    bids: Mapped[list] = mapped_column(JSON)  # [{bidder_id, investment, annual_costs, ...}]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MilestoneFile(Base):
    """An evidence file of a milestone (a delivery note, a test report, a photo of the works),
    checked by its content as a case's attachments are and kept under the upload dir."""

    __tablename__ = "gpp_milestone_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec_id: Mapped[str] = mapped_column(ForeignKey("gpp_spec.id", ondelete="CASCADE"), index=True)
    n: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # photo or report
    content_type: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[int | None] = mapped_column(
        ForeignKey("auth_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
