"""The table of follows."""

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from replan.clock import utcnow
from replan.db import Base

FREQUENCIES = ("daily", "weekly")
OFF = "off"  # an automatic follow the user turned off (kept, so it is not made again)


class Follow(Base):
    __tablename__ = "replan_follow"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # a FollowKind's name: "cases", "criteria"
    query: Mapped[dict] = mapped_column(JSON, default=dict)  # the kind's parameters and memory
    frequency: Mapped[str] = mapped_column(String(10))  # daily, weekly, off
    locale: Mapped[str] = mapped_column(String(8))  # the user's language when they followed
    # The one credential of the unsubscribe link (no sign-in): random, unique.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The newest publication time already sent: what is published later is new.
    watermark: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
