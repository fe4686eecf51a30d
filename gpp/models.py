"""Tables of green public procurement: issued specs, their bidders and checks, wizard drafts."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from replan.clock import utcnow
from replan.db import Base


class Spec(Base):
    """An issued tender specification: a snapshot that later library changes do not alter."""

    __tablename__ = "gpp_spec"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # unguessable token
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[str | None] = mapped_column(
        ForeignKey("gpp_spec.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("auth_user.id", ondelete="SET NULL"), index=True
    )
    application: Mapped[str] = mapped_column(String(40))
    ambition: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    country: Mapped[str | None] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str | None] = mapped_column(String(200))
    procurement_type: Mapped[str] = mapped_column(String(20))
    library_version: Mapped[str] = mapped_column(String(40))
    inputs: Mapped[dict] = mapped_column(JSON)  # the choices it was built from, to copy it
    content: Mapped[dict] = mapped_column(JSON)  # sections, checklist, market evidence, eForms
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    bidders: Mapped[list["Bidder"]] = relationship(
        back_populates="spec",
        cascade="all, delete-orphan",
        order_by="Bidder.id",
        passive_deletes=True,
    )


class Bidder(Base):
    """A tenderer whose evidence the procurer checks against the spec's checklist."""

    __tablename__ = "gpp_bidder"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    spec_id: Mapped[str] = mapped_column(ForeignKey("gpp_spec.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    spec: Mapped[Spec] = relationship(back_populates="bidders")
    checks: Mapped[list["Check"]] = relationship(
        back_populates="bidder",
        cascade="all, delete-orphan",
        order_by="Check.n",
        lazy="selectin",
        passive_deletes=True,
    )


class Check(Base):
    """One checklist item of one bidder: the item's texts stay in the spec's snapshot."""

    __tablename__ = "gpp_check"

    bidder_id: Mapped[int] = mapped_column(
        ForeignKey("gpp_bidder.id", ondelete="CASCADE"), primary_key=True
    )
    n: Mapped[int] = mapped_column(Integer, primary_key=True)  # index in the spec's checklist
    criterion_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    bidder: Mapped[Bidder] = relationship(back_populates="checks")


class Draft(Base):
    """The wizard's state between steps, behind an unguessable URL so that it can be shared."""

    __tablename__ = "gpp_draft"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("auth_user.id", ondelete="SET NULL"), index=True
    )
    source_spec_id: Mapped[str | None] = mapped_column(
        ForeignKey("gpp_spec.id", ondelete="SET NULL")
    )
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
