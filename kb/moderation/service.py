"""Saving and submitting case studies: a new case, its author's edit of it, and the pending edit
(revision) of a published case. Reviewing them is `kb.moderation.decisions`.

Each step is one unit of work, committed once: the e-mails go out only after the commit. Two
people saving the same case meet the version check (forms carry the version they edited, and the
row's `version_id_col` catches a write in between): the second gets `Conflict` and nothing is
written."""

from sqlalchemy.orm import Session

from kb import importing
from kb import service as kb_service
from kb.models import Case
from kb.moderation.lifecycle import Move, Target, transition
from kb.moderation.models import CaseRevision
from kb.moderation.schemas import Outcome
from kb.moderation.workflow import (
    check_version,
    is_author,
    log_event,
    pending_revision,
    refusing_conflicts,
    send_after_commit,
    submission_mail,
)
from kb.schemas import CaseRecord
from kb.status import CaseStatus
from replan import mail
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Forbidden, NotFound
from replan.i18n import N_
from replan.settings import Settings
from replan.uow import UnitOfWork


def save(
    *,
    uow: UnitOfWork,
    user: User,
    settings: Settings,
    record: CaseRecord,
    submit: bool,
    case_id: str | None = None,
    version: int | None = None,
    revision_version: int | None = None,
) -> Outcome:
    """Create a case, or save its author's edit of it, as a draft or submitted for review."""
    outcome = stage_save(
        uow=uow,
        user=user,
        settings=settings,
        record=record,
        submit=submit,
        case_id=case_id,
        version=version,
        revision_version=revision_version,
    )
    with refusing_conflicts():
        uow.commit()
    return outcome


def stage_save(
    *,
    uow: UnitOfWork,
    user: User,
    settings: Settings,
    record: CaseRecord,
    submit: bool,
    case_id: str | None = None,
    version: int | None = None,
    revision_version: int | None = None,
) -> Outcome:
    """Make the changes of `save` in the unit of work without committing them: for a write of
    another domain that commits them together with its own (a contract's drafted case study)."""
    move = Move.SUBMIT if submit else Move.SAVE
    session = uow.session
    with refusing_conflicts():
        if case_id is None:
            outcome, messages = _create(
                session, user=user, record=record, move=move, settings=settings
            )
        else:
            outcome, messages = _update(
                session,
                user=user,
                case_id=case_id,
                record=record,
                move=move,
                settings=settings,
                version=version,
                revision_version=revision_version,
            )
        send_after_commit(uow, settings, messages)
        uow.session.flush()
    return outcome


def submit_record(
    *,
    uow: UnitOfWork,
    user: User,
    settings: Settings,
    record: CaseRecord,
    if_match: int | None = None,
) -> Outcome:
    """Submit one record through the API: a new case, or the submitter's edit of their own.

    An id held by another's case is answered as if it were free (the case gets an id of its
    own): a refusal would tell anyone that an unpublished case with that id exists."""
    mine = False
    if record.id:
        case = uow.session.get(Case, record.id)
        mine = case is not None and case.created_by == user.id
    return save(
        uow=uow,
        user=user,
        settings=settings,
        record=record,
        submit=True,
        case_id=record.id if mine else None,
        version=if_match if mine else None,
    )


Step = tuple[Outcome, list[mail.Message]]


def _create(
    session: Session, *, user: User, record: CaseRecord, move: Move, settings: Settings
) -> Step:
    def taken(candidate: str) -> bool:
        return session.get(Case, candidate) is not None

    # A taken id is replaced, never refused: see submit_record.
    wanted = record.id if record.id and not taken(record.id) else None
    case_id = wanted or kb_service.make_case_id(record.title, taken)
    now = utcnow()
    status = transition(None, move)
    case = Case(
        id=case_id,
        status=status,
        created_by=user.id,
        created_at=now,
        updated_at=now,
        organisation_id=user.organisation_id,
    )
    session.add(case)
    importing.apply_record(session, case, record.model_copy(update={"id": case_id}), {})
    session.flush()
    log_event(session, case_id=case_id, actor_id=user.id, action="created", to_status=status)
    messages = []
    if status == CaseStatus.SUBMITTED:
        messages = submission_mail(
            session,
            author=session.get(User, user.id),
            title=case.title,
            case_id=case_id,
            kind="new",
            base_url=settings.base_url,
        )
    return Outcome(case_id=case_id, status=status, case_status=status), messages


def _update(
    session: Session,
    *,
    user: User,
    case_id: str,
    record: CaseRecord,
    move: Move,
    settings: Settings,
    version: int | None,
    revision_version: int | None,
) -> Step:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("There is no case study with this address."))
    if not is_author(user, case):
        raise Forbidden(N_("Only the author of a case study can edit it."))
    check_version(version, case.version)
    if case.status == CaseStatus.PUBLISHED:
        return _save_revision(
            session,
            user=user,
            case=case,
            record=record,
            move=move,
            settings=settings,
            revision_version=revision_version,
        )
    old = CaseStatus(case.status)
    new = transition(old, move)
    importing.apply_record(session, case, record.model_copy(update={"id": case.id}), {})
    case.status = new
    case.updated_at = utcnow()
    session.flush()
    if new == CaseStatus.SUBMITTED and old != CaseStatus.SUBMITTED:
        action = "submitted"
    elif old == CaseStatus.SUBMITTED and new == CaseStatus.DRAFT:
        action = "withdrawn"
    else:
        action = "edited"
    messages = _log_save(
        session,
        user=user,
        case_id=case.id,
        action=action,
        target=Target.CASE,
        old=old,
        new=new,
        title=case.title,
        kind="new",
        base_url=settings.base_url,
    )
    return Outcome(case_id=case.id, status=new, case_status=new), messages


def _log_save(
    session: Session,
    *,
    user: User,
    case_id: str,
    action: str,
    target: Target,
    old: str | None,
    new: str,
    title: str,
    kind: str,
    base_url: str,
) -> list[mail.Message]:
    """Write a save to the audit log; return the e-mails to send when it was a submission."""
    log_event(
        session,
        case_id=case_id,
        actor_id=user.id,
        action=action,
        target=target,
        from_status=old,
        to_status=new,
    )
    if action != "submitted":
        return []
    author = session.get(User, user.id)
    return submission_mail(
        session, author=author, title=title, case_id=case_id, kind=kind, base_url=base_url
    )


def _save_revision(
    session: Session,
    *,
    user: User,
    case: Case,
    record: CaseRecord,
    move: Move,
    settings: Settings,
    revision_version: int | None,
) -> Step:
    """Keep an edit of a published case aside: the published version stays public meanwhile."""
    revision = pending_revision(session, case.id)
    check_version(revision_version, revision.version if revision else 0)
    data = record.model_copy(update={"id": case.id}).export_dict()
    old = CaseStatus(revision.status) if revision else None
    status = transition(old, move, target=Target.REVISION)
    if revision is None:
        revision = CaseRevision(
            case_id=case.id, record=data, status=status, created_by=user.id, created_at=utcnow()
        )
        session.add(revision)
    else:
        revision.record = data
        revision.status = status
        revision.updated_at = utcnow()
    session.flush()
    if status == CaseStatus.SUBMITTED and old != CaseStatus.SUBMITTED:
        action = "submitted"
    else:
        action = "created" if old is None else "edited"
    messages = _log_save(
        session,
        user=user,
        case_id=case.id,
        action=action,
        target=Target.REVISION,
        old=old,
        new=status,
        title=record.title,
        kind="edit",
        base_url=settings.base_url,
    )
    outcome = Outcome(
        case_id=case.id,
        status=status,
        target=Target.REVISION,
        case_status=case.status,
        revision=True,
    )
    return outcome, messages
