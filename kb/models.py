"""Tables of the knowledge base."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.status import CaseStatus
from replan.clock import utcnow
from replan.db import Base


class Organisation(Base):
    __tablename__ = "kb_organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    # Where messages of the contact form go: never printed in a page (not harvestable).
    contact_email: Mapped[str | None] = mapped_column(String(320))
    postal_address: Mapped[str | None] = mapped_column(Text)
    regions_served: Mapped[list] = mapped_column(JSON, default=list)  # countries, NUTS, free text
    rtm_offered: Mapped[list] = mapped_column(JSON, default=list)  # RTM codes of the taxonomy
    products: Mapped[list] = mapped_column(JSON, default=list)  # short texts
    # A member's edit waits here (and in the pending certificates) until a moderator approves it.
    pending_profile: Mapped[dict | None] = mapped_column(JSON)
    pending_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    pending_by: Mapped[int | None] = mapped_column(Integer)  # a user id (no key: accounts go)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when a moderator approves a claim of the name or a profile edit (the last approval):
    # the profile is then public. Without it the organisation is public only once a published
    # case names it (kb.service).
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Case(Base):
    __tablename__ = "kb_case"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    application: Mapped[str] = mapped_column(String(40), index=True)
    rtm_types: Mapped[list] = mapped_column(JSON, default=list)
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    rtm_tonnes: Mapped[float | None] = mapped_column(Float)
    tyres_equivalent: Mapped[int | None] = mapped_column(Integer)
    area_m2: Mapped[float | None] = mapped_column(Float)
    length_km: Mapped[float | None] = mapped_column(Float)
    gpp: Mapped[bool | None] = mapped_column(Boolean)
    benefits: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[list] = mapped_column(JSON, default=list)
    # "project" (one work) or "programme" (a scheme's, region's or country's total)
    scope: Mapped[str] = mapped_column(String(20), default="project", server_default="project")

    status: Mapped[str] = mapped_column(String(20), index=True, default=CaseStatus.PUBLISHED)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("auth_user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The submitting organisation: the case stays attributed to it when its author's account goes.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("kb_organisation.id", ondelete="SET NULL"), index=True
    )

    organisation_links: Mapped[list["CaseOrganisation"]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="CaseOrganisation.position",
        lazy="selectin",
    )

    __mapper_args__ = {"version_id_col": version}


class CaseOrganisation(Base):
    __tablename__ = "kb_case_organisation"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("kb_case.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("kb_organisation.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str] = mapped_column(String(40))

    case: Mapped[Case] = relationship(back_populates="organisation_links")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class OrganisationCertificate(Base):
    """A certificate of an organisation: an approved one is public; one a member added waits
    (`added`) and one a member removed stays public (`removed`) until a moderator decides on
    the profile edit. Either a checked file or a registry link proves it."""

    __tablename__ = "kb_organisation_certificate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("kb_organisation.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(10), default="approved")  # CertificateState
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(100))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    registry_url: Mapped[str | None] = mapped_column(String(2000))
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(60))
    stored_name: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
