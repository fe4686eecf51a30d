"""What every step of the moderation workflow shares: who may do what, the pending revision of a
case, the audit log, the refusal of a conflicting write, and the e-mails of a submission."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kb.models import Case
from kb.moderation import notify
from kb.moderation.models import CaseEvent, CaseRevision
from kb.status import CaseStatus
from replan import auth, mail
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Conflict
from replan.i18n import N_
from replan.settings import Settings
from replan.uow import UnitOfWork

log = logging.getLogger(__name__)

CONFLICT = N_(
    "Someone else saved this case study after you opened it, so nothing was saved. "
    "Reload the page to see the current version, then make your changes again."
)


def is_moderator(user: User | None) -> bool:
    return auth.has_role(user, "moderator")


def is_author(user: User | None, case: Case) -> bool:
    return user is not None and case.created_by is not None and case.created_by == user.id


def pending_revision(session: Session, case_id: str) -> CaseRevision | None:
    return session.scalar(select(CaseRevision).where(CaseRevision.case_id == case_id))


def check_version(expected: int | None, actual: int) -> None:
    """Refuse a write made from a version older than the stored one (`None`: not checked)."""
    if expected is not None and expected != actual:
        raise Conflict(CONFLICT)


@contextmanager
def refusing_conflicts() -> Iterator[None]:
    """Answer a write that met another one in between (version check, unique key) with
    `Conflict`: nothing of it is written."""
    try:
        yield
    except (StaleDataError, IntegrityError) as exc:
        log.info("conflicting write refused: %s", exc)
        raise Conflict(CONFLICT) from exc


def log_event(
    session: Session,
    *,
    case_id: str,
    actor_id: int | None,
    action: str,
    target: str = "case",
    from_status: str | None = None,
    to_status: str | None = None,
    comment: str | None = None,
) -> None:
    """Add one line to the audit log."""
    session.add(
        CaseEvent(
            case_id=case_id,
            actor_id=actor_id,
            action=action,
            target=target,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            at=utcnow(),
        )
    )


def send_after_commit(uow: UnitOfWork, settings: Settings, messages: list[mail.Message]) -> None:
    """Send these e-mails once the step is committed (never for a step that failed)."""
    if messages:
        uow.after_commit(lambda: mail.send_all(settings, messages))


def submission_mail(
    session: Session, *, author: User | None, title: str, case_id: str, kind: str, base_url: str
) -> list[mail.Message]:
    """Return the e-mails of a submission: one to its author, one to each moderator."""
    return [
        *notify.author_message(
            author=author,
            status=CaseStatus.SUBMITTED,
            title=title,
            case_id=case_id,
            comment=None,
            base_url=base_url,
        ),
        *notify.moderator_messages(
            session,
            title=title,
            case_id=case_id,
            kind=kind,
            base_url=base_url,
            exclude=author.id if author else None,
        ),
    ]
