"""The search outbox: index changes written in the same transaction as the data they mirror."""

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from replan.clock import utcnow
from replan.db import Base


class SearchOutbox(Base):
    """One pending change of one search document (`document` NULL means delete it)."""

    __tablename__ = "search_outbox"
    __table_args__ = (Index("ix_search_outbox_queue", "index_name", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    index_name: Mapped[str] = mapped_column(String(64))
    doc_id: Mapped[str] = mapped_column(String(255))
    document: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
