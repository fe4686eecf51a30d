"""Photos and reports of a case: adding, removing, listing, and who may see each one."""

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.models import Case
from kb.moderation import files
from kb.moderation.lifecycle import may_edit
from kb.moderation.models import Attachment
from kb.moderation.schemas import N_, AttachmentOut
from kb.moderation.workflow import is_author, is_moderator, log_event
from kb.status import CaseStatus
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Forbidden, Invalid, NotFound
from replan.runtime import Runtime
from replan.uow import UnitOfWork

MAX_CAPTION = 300


def attachment_url(attachment: Attachment) -> str:
    return f"/attachments/{attachment.id}/{attachment.filename}"


def as_out(attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.id,
        kind=attachment.kind,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        caption=attachment.caption,
        pending=attachment.pending,
        url=attachment_url(attachment),
    )


def may_see(user: User | None, case: Case, attachment: Attachment, case_visible: bool) -> bool:
    """An attachment follows its case; one added to a pending edit stays private until published."""
    if not case_visible:
        return False
    if attachment.pending:
        return is_author(user, case) or is_moderator(user)
    return True


def list_attachments(
    session: Session, *, user: User | None, case: Case, case_visible: bool
) -> list[AttachmentOut]:
    """Return the attachments of a case that this user may see, photos first."""
    rows = session.scalars(
        select(Attachment)
        .where(Attachment.case_id == case.id)
        .order_by(Attachment.kind.desc(), Attachment.id)
    ).all()
    return [as_out(a) for a in rows if may_see(user, case, a, case_visible)]


def add_attachment(
    *,
    uow: UnitOfWork,
    user: User,
    upload_dir: Path,
    case_id: str,
    filename: str | None,
    data: bytes,
    caption: str,
) -> AttachmentOut:
    """Check a file by its content, keep it under the upload dir and attach it to the case."""
    caption = " ".join(caption.split())[:MAX_CAPTION]
    checked = files.check_upload(data)
    if checked.kind == "photo" and not caption:
        raise Invalid(
            N_("Describe the photo: the description is its text for people who cannot see it."),
            field="caption",
        )
    stored = files.store(upload_dir, checked.data, checked.extension)
    try:
        added = _attach(
            uow.session,
            user=user,
            case_id=case_id,
            checked=checked,
            stored=stored,
            filename=filename,
            caption=caption,
        )
        uow.commit()
    except BaseException:
        files.remove(upload_dir, stored)
        raise
    return added


def _attach(
    session: Session,
    *,
    user: User,
    case_id: str,
    checked: files.CheckedFile,
    stored: str,
    filename: str | None,
    caption: str,
) -> AttachmentOut:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("There is no case study with this address."))
    if not is_author(user, case):
        raise Forbidden(N_("Only the author of a case study can add files to it."))
    if not may_edit(case.status):
        raise Invalid(N_("This case study can no longer be changed."))
    count = (
        session.scalar(
            select(func.count())
            .select_from(Attachment)
            .where(Attachment.case_id == case_id, Attachment.kind == checked.kind)
        )
        or 0
    )
    limit = files.MAX_PHOTOS if checked.kind == "photo" else files.MAX_REPORTS
    if count >= limit:
        raise Invalid(
            N_("A case study can have at most %(n)s files of this kind."), field="file", n=limit
        )
    attachment = Attachment(
        case_id=case_id,
        kind=checked.kind,
        content_type=checked.content_type,
        filename=files.safe_filename(filename, checked.extension),
        stored_name=stored,
        size=len(checked.data),
        caption=caption,
        uploaded_by=user.id,
        pending=case.status == CaseStatus.PUBLISHED,
        created_at=utcnow(),
    )
    session.add(attachment)
    session.flush()
    log_event(
        session,
        case_id=case_id,
        actor_id=user.id,
        action="attachment_added",
        comment=attachment.filename,
    )
    return as_out(attachment)


def remove_attachment(
    *, uow: UnitOfWork, user: User, upload_dir: Path, case_id: str, attachment_id: int
) -> None:
    """Remove an attachment (its author or a moderator), then its file."""
    session = uow.session
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(N_("There is no such file."))
    if not (is_author(user, case) or is_moderator(user)):
        raise Forbidden(N_("Only the author of a case study can remove its files."))
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case_id:
        raise NotFound(N_("There is no such file."))
    stored = attachment.stored_name
    session.delete(attachment)
    log_event(
        session,
        case_id=case_id,
        actor_id=user.id,
        action="attachment_removed",
        comment=attachment.filename,
    )
    uow.after_commit(lambda: files.remove(upload_dir, stored))
    uow.commit()


def file_path(runtime: Runtime, attachment: Attachment) -> Path:
    return files.path_of(runtime.settings.upload_dir, attachment.stored_name)
