"""Reviewing: a moderator publishes, rejects or sends back a submitted case or a submitted edit
of a published one, or takes a published case down. Each decision is one unit of work: the search
index change is queued in it (the worker applies it after the commit), the author's e-mail goes
out only once it is committed."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from kb import importing, indexing
from kb.models import Case
from kb.moderation import notify
from kb.moderation.lifecycle import DECISIONS, Move, Target, transition
from kb.moderation.models import Attachment, CaseRevision
from kb.moderation.schemas import Outcome
from kb.moderation.versions import ensure_baseline, snapshot
from kb.moderation.workflow import (
    check_version,
    is_moderator,
    log_event,
    pending_revision,
    refusing_conflicts,
    send_after_commit,
)
from kb.schemas import CaseRecord
from kb.status import CaseStatus
from kb.taxonomy import Taxonomy
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Forbidden, Invalid, NotFound
from replan.i18n import N_
from replan.settings import Settings
from replan.uow import UnitOfWork


def review(
    *,
    uow: UnitOfWork,
    user: User,
    settings: Settings,
    taxonomy: Taxonomy,
    case_id: str,
    decision: str,
    comment: str = "",
    version: int | None = None,
) -> Outcome:
    """Publish, reject or send back a case (or a pending edit of a published case)."""
    if not is_moderator(user):
        raise Forbidden(N_("Only moderators review case studies."))
    session = uow.session
    comment = comment.strip()
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("There is no case study with this address."))
    if decision not in DECISIONS:
        raise Invalid(N_("Choose a decision."), field="decision")
    move = Move(decision)
    if move is Move.REQUEST_CHANGES and not comment:
        raise Invalid(
            N_("Say what should change: your comment goes to the author."), field="comment"
        )
    with refusing_conflicts():
        revision = pending_revision(session, case_id)
        if revision is not None and revision.status == CaseStatus.SUBMITTED:
            check_version(version, revision.version)
            outcome, author_id, title = _decide_revision(
                session,
                user=user,
                taxonomy=taxonomy,
                case=case,
                revision=revision,
                move=move,
                comment=comment or None,
            )
        else:
            new = transition(case.status, move)  # Conflict when the case waits for no review
            check_version(version, case.version)
            outcome = _decide_case(
                session, user=user, taxonomy=taxonomy, case=case, new=new, comment=comment or None
            )
            author_id, title = case.created_by, case.title
        author = session.get(User, author_id) if author_id else None
        messages = notify.author_message(
            author=author,
            status=outcome.status,
            title=title,
            case_id=case.id,
            comment=comment or None,
            base_url=settings.base_url,
        )
        send_after_commit(uow, settings, messages)
        uow.index_changed()  # the worker indexes it, never this request
        uow.commit()
    return outcome


def _decide_case(
    session: Session,
    *,
    user: User,
    taxonomy: Taxonomy,
    case: Case,
    new: CaseStatus,
    comment: str | None,
) -> Outcome:
    old = CaseStatus(case.status)
    now = utcnow()
    case.status = new
    case.updated_at = now
    if new == CaseStatus.PUBLISHED:
        case.published_at = case.published_at or now
    session.flush()
    if new == CaseStatus.PUBLISHED:
        snapshot(session, case=case, by=user.id, comment=comment)
    if CaseStatus.PUBLISHED in (old, new):
        indexing.enqueue_case(session, case, taxonomy)
    log_event(
        session,
        case_id=case.id,
        actor_id=user.id,
        action="unpublished" if old == CaseStatus.PUBLISHED else new,
        from_status=old,
        to_status=new,
        comment=comment,
    )
    return Outcome(case_id=case.id, status=new, case_status=new)


def _decide_revision(
    session: Session,
    *,
    user: User,
    taxonomy: Taxonomy,
    case: Case,
    revision: CaseRevision,
    move: Move,
    comment: str | None,
) -> tuple[Outcome, int | None, str]:
    """Decide on a pending edit; return the outcome, the edit's author and its title."""
    old = CaseStatus(revision.status)
    new = transition(old, move, target=Target.REVISION)
    record = CaseRecord.model_validate(revision.record)
    author_id = revision.created_by or case.created_by
    if new == CaseStatus.PUBLISHED:
        ensure_baseline(session, case=case)
        importing.apply_record(session, case, record, {})
        case.updated_at = utcnow()
        session.delete(revision)
        session.execute(
            update(Attachment).where(Attachment.case_id == case.id).values(pending=False)
        )
        session.flush()
        snapshot(session, case=case, by=user.id, comment=comment)
        indexing.enqueue_case(session, case, taxonomy)
    else:
        revision.status = new
        revision.updated_at = utcnow()
        session.flush()
    log_event(
        session,
        case_id=case.id,
        actor_id=user.id,
        action=new,
        target=Target.REVISION,
        from_status=old,
        to_status=new,
        comment=comment,
    )
    outcome = Outcome(
        case_id=case.id, status=new, target=Target.REVISION, case_status=case.status, revision=True
    )
    return outcome, author_id, record.title
