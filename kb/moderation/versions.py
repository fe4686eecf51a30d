"""Published versions of a case: a snapshot of its record each time it is published."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb import service as kb_service
from kb.models import Case
from kb.moderation.models import CaseVersion
from kb.status import CaseStatus
from replan.clock import utcnow


def snapshot(
    session: Session, *, case: Case, by: int | None, comment: str | None, at: datetime | None = None
) -> CaseVersion:
    """Keep the case's current record as its next published version."""
    last = (
        session.scalar(select(func.max(CaseVersion.number)).where(CaseVersion.case_id == case.id))
        or 0
    )
    version = CaseVersion(
        case_id=case.id,
        number=last + 1,
        record=kb_service.record_of(case).export_dict(),
        published_at=at or utcnow(),
        published_by=by,
        comment=comment,
    )
    session.add(version)
    session.flush()
    return version


def ensure_baseline(session: Session, *, case: Case) -> None:
    """Keep the published record of a case imported without versions before it changes."""
    has_versions = session.scalar(
        select(CaseVersion.id).where(CaseVersion.case_id == case.id).limit(1)
    )
    if has_versions is None and case.status == CaseStatus.PUBLISHED:
        snapshot(session, case=case, by=None, comment=None, at=case.published_at or case.updated_at)
