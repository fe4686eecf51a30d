"""What the moderation pages read: the queue, an author's cases, a review, the history."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import service as kb_service
from kb.codes import country_name
from kb.models import Case, Organisation
from kb.moderation.attachments import list_attachments
from kb.moderation.diff import FieldDiff, diff_records
from kb.moderation.lifecycle import may_edit as case_editable
from kb.moderation.models import CaseEvent, CaseRevision, CaseVersion
from kb.moderation.organisations import may_edit
from kb.moderation.schemas import (
    EventOut,
    HistoryPage,
    ModerationQueue,
    MyCase,
    MyCasesPage,
    Person,
    QueueItem,
    VersionOut,
)
from kb.moderation.workflow import pending_revision
from kb.schemas import CaseCard, CaseRecord
from kb.status import CaseStatus
from replan.auth_models import User

# In the queue: waiting for a moderator, or sent back to their authors.
WAITING = (CaseStatus.SUBMITTED, CaseStatus.CHANGES_REQUESTED)


def _people(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def person(session: Session, user: User | None) -> Person | None:
    """Return a submitter's contact details (for moderators' eyes only)."""
    if user is None:
        return None
    org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    return Person(name=user.name, email=user.email, organisation=org.name if org else None)


def moderation_queue(session: Session) -> ModerationQueue:
    """Return what waits for a moderator (oldest first) and what waits for its author."""
    cases = session.scalars(select(Case).where(Case.status.in_(WAITING))).all()
    revisions = session.execute(
        select(CaseRevision, Case)
        .join(Case, Case.id == CaseRevision.case_id)
        .where(CaseRevision.status.in_(WAITING))
    ).all()
    users = _people(
        session,
        {c.created_by for c in cases if c.created_by}
        | {r.created_by for r, _ in revisions if r.created_by},
    )
    items = [
        QueueItem(
            id=c.id,
            title=c.title,
            kind="new",
            status=c.status,
            updated_at=c.updated_at,
            submitter=person(session, users.get(c.created_by)),
            url=f"/moderation/{c.id}",
        )
        for c in cases
    ] + [
        QueueItem(
            id=c.id,
            title=r.record.get("title") or c.title,
            kind="edit",
            status=r.status,
            updated_at=r.updated_at,
            submitter=person(session, users.get(r.created_by)),
            url=f"/moderation/{c.id}",
        )
        for r, c in revisions
    ]
    items.sort(key=lambda i: (i.updated_at is None, i.updated_at, i.id))
    waiting = [i for i in items if i.status == CaseStatus.SUBMITTED]
    return ModerationQueue(
        total=len(waiting),
        items=waiting,
        waiting_for_author=[i for i in items if i.status != CaseStatus.SUBMITTED],
    )


def events(session: Session, case_id: str, *, name_moderators: bool = True) -> list[EventOut]:
    """Return the audit log of a case, newest first.

    Authors see that a moderator acted, not which one (`name_moderators=False`)."""
    rows = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case_id)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
    ).all()
    users = _people(session, {e.actor_id for e in rows if e.actor_id})
    out = []
    for e in rows:
        user = users.get(e.actor_id)
        role = user.role if user else None
        hidden = not name_moderators and role in ("moderator", "admin")
        out.append(
            EventOut(
                at=e.at,
                actor=None if hidden else _display(user),
                actor_role=role,
                action=e.action,
                target=e.target,
                from_status=e.from_status,
                to_status=e.to_status,
                comment=e.comment,
            )
        )
    return out


def _display(user: User | None) -> str | None:
    return (user.name or user.email) if user else None


# The audit log's actions of a moderator's decision (a take-down is "unpublished").
DECISIONS = (
    CaseStatus.PUBLISHED,
    CaseStatus.REJECTED,
    CaseStatus.CHANGES_REQUESTED,
    "unpublished",
)


def last_comment(session: Session, case_id: str) -> str | None:
    """Return the comment of the last moderator decision on a case."""
    return session.scalar(
        select(CaseEvent.comment)
        .where(
            CaseEvent.case_id == case_id,
            CaseEvent.action.in_(DECISIONS),
            CaseEvent.comment.is_not(None),
        )
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        .limit(1)
    )


def my_cases(session: Session, *, user_id: int) -> MyCasesPage:
    """Return an author's cases with their status and the last moderator comment."""
    cases = session.scalars(
        select(Case).where(Case.created_by == user_id).order_by(Case.updated_at.desc(), Case.id)
    ).all()
    revisions = {
        r.case_id: r
        for r in session.scalars(
            select(CaseRevision).where(CaseRevision.case_id.in_([c.id for c in cases]))
        )
    }
    rows = []
    for case in cases:
        revision = revisions.get(case.id)
        rows.append(
            MyCase(
                id=case.id,
                title=(revision.record.get("title") if revision else None) or case.title,
                status=case.status,
                revision_status=revision.status if revision else None,
                updated_at=max(
                    filter(None, [case.updated_at, revision.updated_at if revision else None])
                ),
                comment=last_comment(session, case.id),
                editable=case_editable(case.status),
            )
        )
    return MyCasesPage(cases=rows)


@dataclass
class Review:
    case: Case
    record: CaseRecord  # what is proposed (the revision's record for an edit)
    kind: str  # new or edit
    status: str  # of what is reviewed
    version: int  # of what is reviewed: the review form carries it
    changes: list[FieldDiff]  # for an edit: differences from the published version
    submitter: Person | None
    events: list[EventOut]


def review(session: Session, case: Case) -> Review:
    """Return what a moderator needs to decide on a case."""
    revision = pending_revision(session, case.id)
    author_id = (revision.created_by if revision else None) or case.created_by
    submitter = person(session, session.get(User, author_id) if author_id else None)
    published = kb_service.record_of(case)
    if revision is not None and case.status == CaseStatus.PUBLISHED:
        proposed = CaseRecord.model_validate(revision.record)
        return Review(
            case=case,
            record=proposed,
            kind="edit",
            status=revision.status,
            version=revision.version,
            changes=diff_records(published.export_dict(), proposed.export_dict()),
            submitter=submitter,
            events=events(session, case.id),
        )
    return Review(
        case=case,
        record=published,
        kind="new",
        status=case.status,
        version=case.version,
        changes=[],
        submitter=submitter,
        events=events(session, case.id),
    )


def history(
    session: Session, case: Case, *, with_events: bool, name_moderators: bool = False
) -> HistoryPage:
    """Return every published version of a case with its differences from the one before."""
    versions = session.scalars(
        select(CaseVersion).where(CaseVersion.case_id == case.id).order_by(CaseVersion.number)
    ).all()
    snapshots = [(v.number, v.published_at, v.record, v.comment) for v in versions]
    if not snapshots and case.status == CaseStatus.PUBLISHED:
        # Imported cases have no snapshot until their first edit: the current record is the first.
        snapshots = [
            (
                1,
                case.published_at or case.updated_at,
                kb_service.record_of(case).export_dict(),
                None,
            )
        ]
    out = []
    previous = None
    for number, at, record, comment in snapshots:
        # A moderator's comment is for the author and the moderators, not for the public.
        out.append(
            VersionOut(
                number=number,
                published_at=at,
                title=record.get("title", ""),
                comment=comment if with_events else None,
                changes=diff_records(previous, record),
            )
        )
        previous = record
    out.reverse()
    return HistoryPage(
        id=case.id,
        title=case.title,
        versions=out,
        events=events(session, case.id, name_moderators=name_moderators) if with_events else None,
    )


def case_page_extras(session: Session, *, user: User | None, case: Case, visible: bool) -> dict:
    """Return what the public case page adds from moderation: attachments, history link, and
    the published version a reader sees (not the row's save counter) with its review date."""
    latest = session.execute(
        select(CaseVersion.number, CaseVersion.published_at)
        .where(CaseVersion.case_id == case.id)
        .order_by(CaseVersion.number.desc())
        .limit(1)
    ).first()
    published = case.status == CaseStatus.PUBLISHED
    return {
        "attachments": list_attachments(session, user=user, case=case, case_visible=visible),
        "history_url": f"/cases/{case.id}/history",
        # Imported cases have no snapshot until their first edit: they are version 1.
        "published_version": (latest.number if latest else 1) if published else None,
        "reviewed_at": (latest.published_at if latest else case.published_at)
        if published
        else None,
    }


def organisation_page_extras(
    session: Session, *, user: User | None, org: Organisation, locale: str
) -> dict:
    """Return the published cases an organisation submitted, and whether the user may edit it."""
    submitted = session.scalars(
        select(Case)
        .where(Case.organisation_id == org.id, Case.status == CaseStatus.PUBLISHED)
        .order_by(Case.year.desc(), Case.id)
    ).all()
    return {
        "submitted_cases": [CaseCard.model_validate(case) for case in submitted],
        "can_edit": may_edit(user, org),
        "country_label": country_name(org.country, locale) if org.country else None,
    }
