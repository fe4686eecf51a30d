"""What the knowledge base holds about a user, for their data export and their account deletion
(`HOOK`, handed to `replan` by the composition root)."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kb import service as kb_service
from kb.models import Case, Organisation
from kb.moderation.models import (
    Attachment,
    CaseEvent,
    CaseRevision,
    CaseVersion,
    OrganisationClaim,
)
from replan.account_hooks import AccountHook
from replan.auth_models import User
from replan.clock import iso
from replan.uow import UnitOfWork


def export_account(session: Session, user: User) -> dict:
    """Return the cases, edits, files and actions of a user as plain JSON data."""
    org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    cases = session.scalars(
        select(Case).where(Case.created_by == user.id).order_by(Case.created_at)
    ).all()
    revisions = session.scalars(select(CaseRevision).where(CaseRevision.created_by == user.id))
    files = session.scalars(select(Attachment).where(Attachment.uploaded_by == user.id))
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.actor_id == user.id).order_by(CaseEvent.at)
    )
    claims = session.execute(
        select(OrganisationClaim, Organisation)
        .join(Organisation, Organisation.id == OrganisationClaim.organisation_id)
        .where(OrganisationClaim.user_id == user.id)
    ).all()
    return {
        "organisation": {"name": org.name, "slug": org.slug} if org else None,
        "organisation_claims": [
            {"organisation": o.name, "profile": c.profile, "created_at": iso(c.created_at)}
            for c, o in claims
        ],
        "cases": [kb_service.case_json(case) for case in cases],
        "pending_edits": [
            {
                "case_id": r.case_id,
                "status": r.status,
                "record": r.record,
                "updated_at": iso(r.updated_at),
            }
            for r in revisions
        ],
        "files": [
            {
                "case_id": a.case_id,
                "kind": a.kind,
                "filename": a.filename,
                "caption": a.caption,
                "size": a.size,
                "uploaded_at": iso(a.created_at),
            }
            for a in files
        ],
        "actions": [
            {
                "case_id": e.case_id,
                "action": e.action,
                "target": e.target,
                "at": iso(e.at),
                "comment": e.comment,
            }
            for e in events
        ],
    }


def forget_account(uow: UnitOfWork, user: User) -> None:
    """Before a user goes: their cases stay, attributed to their organisation.

    The other rows that name the user (versions published, edits, files, the audit log) stay
    without a name: their foreign keys are set to NULL when the user row goes; their pending
    claims of organisation names go with them (ON DELETE CASCADE)."""
    if user.organisation_id:
        uow.session.execute(
            update(Case)
            .where(Case.created_by == user.id, Case.organisation_id.is_(None))
            .values(organisation_id=user.organisation_id)
            .execution_options(synchronize_session=False)
        )


HOOK = AccountHook(
    name="knowledge_base",
    tables=(Case, CaseVersion, CaseRevision, CaseEvent, Attachment, OrganisationClaim),
    export=export_account,
    forget=forget_account,
)
