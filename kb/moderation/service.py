"""The moderation workflow: save and submit cases, review them, keep versions and the audit log.

Each step runs in one transaction (`_run`): the search index change is queued in it and drained
after the commit, and the e-mails go out only once the step is committed. Two people saving the
same case meet the version check (forms carry the version they edited, and the row's
`version_id_col` catches a write in between): the second gets `Conflict` and nothing is written."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kb import service as kb_service
from kb.models import Case
from kb.moderation import notify
from kb.moderation.models import Attachment, CaseEvent, CaseRevision
from kb.moderation.schemas import DECISION_STATUS, EDITABLE, N_
from kb.moderation.versions import ensure_baseline, snapshot
from kb.schemas import CaseRecord
from kb.taxonomy import Taxonomy
from replan import auth, mail
from replan.auth_models import User
from replan.clock import utcnow
from replan.runtime import Runtime

log = logging.getLogger(__name__)

CONFLICT = N_(
    "Someone else saved this case study after you opened it, so nothing was saved. "
    "Reload the page to see the current version, then make your changes again."
)


class WorkflowError(Exception):
    """A step that cannot go through; `msgid` and `variables` give the message for the user."""

    status = 422

    def __init__(self, message: str, **variables: object) -> None:
        super().__init__(message % variables if variables else message)
        self.msgid = message
        self.variables = variables


class Forbidden(WorkflowError):
    status = 403


class NotFound(WorkflowError):
    status = 404


class Conflict(WorkflowError):
    status = 409


@dataclass
class Outcome:
    case_id: str
    status: str  # of what the step changed: the case or its pending revision
    target: str = "case"
    case_status: str = ""
    revision: bool = False
    messages: list[mail.Message] = field(default_factory=list)


@dataclass(frozen=True)
class _Ctx:
    taxonomy: object
    base_url: str


def is_moderator(user: User | None) -> bool:
    return auth.has_role(user, "moderator")


def may_submit(user: User | None) -> bool:
    return auth.has_role(user, "submitter", "moderator")


def is_author(user: User | None, case: Case) -> bool:
    return user is not None and case.created_by is not None and case.created_by == user.id


def pending_revision(session: Session, case_id: str) -> CaseRevision | None:
    return session.scalar(select(CaseRevision).where(CaseRevision.case_id == case_id))


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


def _run(runtime: Runtime, step: Callable[[Session, _Ctx], Outcome]) -> Outcome:
    ctx = _Ctx(taxonomy=runtime.get(Taxonomy), base_url=runtime.settings.base_url)
    try:
        with runtime.db.session() as session:
            outcome = step(session, ctx)
    except (StaleDataError, IntegrityError) as exc:
        log.info("conflicting write refused: %s", exc)
        raise Conflict(CONFLICT) from exc
    runtime.index_changed()  # the worker indexes it, never this request
    mail.send_all(runtime.settings, outcome.messages)
    return outcome


def _submission_mail(
    session: Session, ctx: _Ctx, *, author: User | None, title: str, case_id: str, kind: str
) -> list[mail.Message]:
    return [
        *notify.author_message(
            author=author,
            status="submitted",
            title=title,
            case_id=case_id,
            comment=None,
            base_url=ctx.base_url,
        ),
        *notify.moderator_messages(
            session,
            title=title,
            case_id=case_id,
            kind=kind,
            base_url=ctx.base_url,
            exclude=author.id if author else None,
        ),
    ]


# --- saving and submitting -------------------------------------------------------------------


def save(
    runtime: Runtime,
    *,
    user: User,
    record: CaseRecord,
    submit: bool,
    case_id: str | None = None,
    version: int | None = None,
    revision_version: int | None = None,
) -> Outcome:
    """Create a case, or save its author's edit of it, as a draft or submitted for review."""
    if case_id is None:
        return _run(runtime, lambda s, c: _create(s, c, user=user, record=record, submit=submit))
    return _run(
        runtime,
        lambda s, c: _update(
            s,
            c,
            user=user,
            case_id=case_id,
            record=record,
            submit=submit,
            version=version,
            revision_version=revision_version,
        ),
    )


def submit_record(
    runtime: Runtime, *, user: User, record: CaseRecord, if_match: int | None = None
) -> Outcome:
    """Submit one record through the API: a new case, or the submitter's edit of their own.

    An id held by another's case is answered as if it were free (the case gets an id of its
    own): a refusal would tell anyone that an unpublished case with that id exists."""
    if record.id:
        with runtime.db.session() as session:
            case = session.get(Case, record.id)
            mine = case is not None and case.created_by == user.id
        if mine:
            return save(
                runtime, user=user, record=record, submit=True, case_id=record.id, version=if_match
            )
    return save(runtime, user=user, record=record, submit=True)


def _create(
    session: Session, ctx: _Ctx, *, user: User, record: CaseRecord, submit: bool
) -> Outcome:
    def taken(candidate: str) -> bool:
        return session.get(Case, candidate) is not None

    # A taken id is replaced, never refused: see submit_record.
    wanted = record.id if record.id and not taken(record.id) else None
    case_id = wanted or kb_service.make_case_id(record.title, taken)
    now = utcnow()
    status = "submitted" if submit else "draft"
    case = Case(
        id=case_id,
        status=status,
        created_by=user.id,
        created_at=now,
        updated_at=now,
        organisation_id=user.organisation_id,
    )
    session.add(case)
    kb_service.apply_record(session, case, record.model_copy(update={"id": case_id}), {})
    session.flush()
    log_event(session, case_id=case_id, actor_id=user.id, action="created", to_status=status)
    messages = []
    if submit:
        author = session.get(User, user.id)
        messages = _submission_mail(
            session, ctx, author=author, title=case.title, case_id=case_id, kind="new"
        )
    return Outcome(case_id=case_id, status=status, case_status=status, messages=messages)


def _next_status(current: str, submit: bool) -> str:
    if submit:
        return "submitted"
    # Saving without submitting keeps a request for changes open, and withdraws a submission.
    return "changes_requested" if current == "changes_requested" else "draft"


def _update(
    session: Session,
    ctx: _Ctx,
    *,
    user: User,
    case_id: str,
    record: CaseRecord,
    submit: bool,
    version: int | None,
    revision_version: int | None,
) -> Outcome:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("There is no case study with this address."))
    if not is_author(user, case):
        raise Forbidden(N_("Only the author of a case study can edit it."))
    if version is not None and version != case.version:
        raise Conflict(CONFLICT)
    if case.status == kb_service.PUBLIC:
        return _save_revision(
            session,
            ctx,
            user=user,
            case=case,
            record=record,
            submit=submit,
            revision_version=revision_version,
        )
    if case.status not in EDITABLE:
        raise Conflict(N_("This case study was rejected and can no longer be edited."))
    old = case.status
    kb_service.apply_record(session, case, record.model_copy(update={"id": case.id}), {})
    case.status = _next_status(old, submit)
    case.updated_at = utcnow()
    session.flush()
    action = (
        "submitted"
        if case.status == "submitted" and old != "submitted"
        else ("withdrawn" if old == "submitted" and case.status == "draft" else "edited")
    )
    messages = _log_save(
        session,
        ctx,
        user=user,
        case_id=case.id,
        action=action,
        target="case",
        old=old,
        new=case.status,
        title=case.title,
        kind="new",
    )
    return Outcome(case_id=case.id, status=case.status, case_status=case.status, messages=messages)


def _log_save(
    session: Session,
    ctx: _Ctx,
    *,
    user: User,
    case_id: str,
    action: str,
    target: str,
    old: str | None,
    new: str,
    title: str,
    kind: str,
) -> list:
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
    return _submission_mail(session, ctx, author=author, title=title, case_id=case_id, kind=kind)


def _save_revision(
    session: Session,
    ctx: _Ctx,
    *,
    user: User,
    case: Case,
    record: CaseRecord,
    submit: bool,
    revision_version: int | None,
) -> Outcome:
    """Keep an edit of a published case aside: the published version stays public meanwhile."""
    revision = pending_revision(session, case.id)
    if revision_version is not None and revision_version != (revision.version if revision else 0):
        raise Conflict(CONFLICT)
    data = record.model_copy(update={"id": case.id}).export_dict()
    old = revision.status if revision else None
    status = _next_status(old or "draft", submit)
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
    action = (
        "submitted"
        if status == "submitted" and old != "submitted"
        else ("created" if old is None else "edited")
    )
    messages = _log_save(
        session,
        ctx,
        user=user,
        case_id=case.id,
        action=action,
        target="revision",
        old=old,
        new=status,
        title=record.title,
        kind="edit",
    )
    return Outcome(
        case_id=case.id,
        status=status,
        target="revision",
        case_status=case.status,
        revision=True,
        messages=messages,
    )


# --- reviewing --------------------------------------------------------------------------------


def review(
    runtime: Runtime,
    *,
    moderator: User,
    case_id: str,
    decision: str,
    comment: str = "",
    version: int | None = None,
) -> Outcome:
    """Publish, reject or send back a case (or a pending edit of a published case)."""
    return _run(
        runtime,
        lambda s, c: _review(
            s,
            c,
            moderator=moderator,
            case_id=case_id,
            decision=decision,
            comment=comment.strip(),
            version=version,
        ),
    )


def _review(
    session: Session,
    ctx: _Ctx,
    *,
    moderator: User,
    case_id: str,
    decision: str,
    comment: str,
    version: int | None,
) -> Outcome:
    if not is_moderator(moderator):
        raise Forbidden(N_("Only moderators review case studies."))
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("There is no case study with this address."))
    if decision not in DECISION_STATUS:
        raise WorkflowError(N_("Choose a decision."))
    if decision == "request_changes" and not comment:
        raise WorkflowError(N_("Say what should change: your comment goes to the author."))
    revision = pending_revision(session, case_id)
    if revision is not None and revision.status == "submitted":
        return _review_revision(
            session,
            ctx,
            moderator=moderator,
            case=case,
            revision=revision,
            decision=decision,
            comment=comment or None,
            version=version,
        )
    if case.status == "submitted" or (case.status == kb_service.PUBLIC and decision == "reject"):
        return _review_case(
            session,
            ctx,
            moderator=moderator,
            case=case,
            decision=decision,
            comment=comment or None,
            version=version,
        )
    raise Conflict(
        N_("This case study is not waiting for review (its status is %(status)s)."),
        status=case.status,
    )


def _review_case(
    session: Session,
    ctx: _Ctx,
    *,
    moderator: User,
    case: Case,
    decision: str,
    comment: str | None,
    version: int | None,
) -> Outcome:
    if version is not None and version != case.version:
        raise Conflict(CONFLICT)
    old, new = case.status, DECISION_STATUS[decision]
    now = utcnow()
    case.status = new
    case.updated_at = now
    if new == kb_service.PUBLIC:
        case.published_at = case.published_at or now
    session.flush()
    if new == kb_service.PUBLIC:
        snapshot(session, case=case, by=moderator.id, comment=comment)
    if kb_service.PUBLIC in (old, new):
        kb_service.enqueue_case(session, case, ctx.taxonomy)
    action = "unpublished" if old == kb_service.PUBLIC else new
    log_event(
        session,
        case_id=case.id,
        actor_id=moderator.id,
        action=action,
        from_status=old,
        to_status=new,
        comment=comment,
    )
    author = session.get(User, case.created_by) if case.created_by else None
    messages = notify.author_message(
        author=author,
        status=new,
        title=case.title,
        case_id=case.id,
        comment=comment,
        base_url=ctx.base_url,
    )
    return Outcome(case_id=case.id, status=new, case_status=new, messages=messages)


def _review_revision(
    session: Session,
    ctx: _Ctx,
    *,
    moderator: User,
    case: Case,
    revision: CaseRevision,
    decision: str,
    comment: str | None,
    version: int | None,
) -> Outcome:
    if version is not None and version != revision.version:
        raise Conflict(CONFLICT)
    new = DECISION_STATUS[decision]
    record = CaseRecord.model_validate(revision.record)
    author_id = revision.created_by or case.created_by
    if new == kb_service.PUBLIC:
        ensure_baseline(session, case=case)
        kb_service.apply_record(session, case, record, {})
        case.updated_at = utcnow()
        session.delete(revision)
        session.execute(
            update(Attachment).where(Attachment.case_id == case.id).values(pending=False)
        )
        session.flush()
        snapshot(session, case=case, by=moderator.id, comment=comment)
        kb_service.enqueue_case(session, case, ctx.taxonomy)
    else:
        revision.status = new
        revision.updated_at = utcnow()
        session.flush()
    log_event(
        session,
        case_id=case.id,
        actor_id=moderator.id,
        action=new,
        target="revision",
        from_status="submitted",
        to_status=new,
        comment=comment,
    )
    author = session.get(User, author_id) if author_id else None
    messages = notify.author_message(
        author=author,
        status=new,
        title=record.title,
        case_id=case.id,
        comment=comment,
        base_url=ctx.base_url,
    )
    return Outcome(
        case_id=case.id,
        status=new,
        target="revision",
        case_status=case.status,
        revision=True,
        messages=messages,
    )
