"""Evidence files of a contract's milestones: checked by their content as a case study's
attachments are (`kb.moderation.files`: photos re-encoded without metadata, PDF reports without
active content, size limits), kept under the upload dir and served only to whoever may follow
the spec (its owning procurer, moderators and admins)."""

import logging
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from gpp import lifecycle
from gpp.contract_models import Contract, Milestone, MilestoneFile
from gpp.models import Spec
from kb.moderation import files
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Conflict, Invalid, NotFound
from replan.i18n import N_
from replan.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_FILES = 20  # per milestone
FOLDER = "milestones"  # under the upload dir, apart from the case studies' files
NO_FILE = N_("There is no file at this address.")


class MilestoneFileOut(BaseModel):
    id: int
    n: int
    filename: str
    content_type: str
    size: int
    url: str


def file_url(row: MilestoneFile) -> str:
    return f"/specs/{row.spec_id}/contract/milestones/{row.n}/files/{row.id}/{row.filename}"


def _out(row: MilestoneFile) -> MilestoneFileOut:
    return MilestoneFileOut(
        id=row.id,
        n=row.n,
        filename=row.filename,
        content_type=row.content_type,
        size=row.size,
        url=file_url(row),
    )


def urls_by_milestone(session: Session, spec_id: str) -> dict[int, list[str]]:
    """Return the download addresses of a spec's evidence files, by milestone."""
    rows = session.scalars(
        select(MilestoneFile).where(MilestoneFile.spec_id == spec_id).order_by(MilestoneFile.id)
    )
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row.n, []).append(file_url(row))
    return found


def _folder(upload_dir: Path) -> Path:
    return upload_dir / FOLDER


def add_file(
    *,
    uow: UnitOfWork,
    user: User,
    upload_dir: Path,
    spec_id: str,
    n: int,
    filename: str | None,
    data: bytes,
) -> MilestoneFileOut:
    """Check an evidence file by its content, keep it and attach it to the milestone."""
    session = uow.session
    spec = lifecycle.reachable_spec(session, spec_id, user)
    milestone = session.get(Milestone, (spec.id, n)) if 0 <= n <= 100_000 else None
    if milestone is None:
        raise NotFound(N_("This contract has no milestone %(n)s."), n=n)
    status = lifecycle.status_of(session.get(Contract, spec.id))
    if status not in lifecycle.FOLLOWED:
        raise Conflict(
            N_("Milestones are recorded while the contract runs, not when it is %(status)s."),
            status=status.value,
        )
    if len(data) > files.MAX_UPLOAD_BYTES:
        raise files.UploadRejected(files.TOO_LARGE)
    checked = files.check_upload(data)
    count = session.scalar(
        select(func.count())
        .select_from(MilestoneFile)
        .where(MilestoneFile.spec_id == spec.id, MilestoneFile.n == n)
    )
    if (count or 0) >= MAX_FILES:
        raise Invalid(N_("A milestone can have at most %(n)s files."), field="file", n=MAX_FILES)
    stored = files.store(_folder(upload_dir), checked.data, checked.extension)
    try:
        row = MilestoneFile(
            spec_id=spec.id,
            n=n,
            kind=checked.kind,
            content_type=checked.content_type,
            filename=files.safe_filename(filename, checked.extension),
            stored_name=stored,
            size=len(checked.data),
            uploaded_by=user.id,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        lifecycle.log(
            session,
            spec=spec,
            user=user,
            action="evidence",
            before=milestone.status,
            after=milestone.status,
            note=f"#{n} {row.filename}",
        )
        added = _out(row)
        uow.commit()
    except BaseException:
        files.remove(_folder(upload_dir), stored)
        raise
    return added


def evidence_file(
    session: Session,
    *,
    user: User | None,
    upload_dir: Path,
    spec_id: str,
    n: int,
    file_id: int,
    filename: str,
) -> tuple[Path, MilestoneFileOut]:
    """Return where an evidence file lives and what it is, for whoever may follow the spec."""
    spec = lifecycle.reachable_spec(session, spec_id, user)
    row = session.get(MilestoneFile, file_id) if 0 < file_id <= 2**31 - 1 else None
    if row is None or row.spec_id != spec.id or row.n != n or row.filename != filename:
        raise NotFound(NO_FILE)
    path = files.path_of(_folder(upload_dir), row.stored_name)
    if not path.is_file():
        raise NotFound(NO_FILE)
    return path, _out(row)


def delete_specs(*, uow: UnitOfWork, upload_dir: Path, where: ColumnElement[bool]) -> None:
    """Delete the specs `where` selects (their bidders, contracts, milestones and file rows go
    with them, ON DELETE CASCADE) and, once that has committed, their evidence files."""
    session = uow.session
    stored = list(
        session.scalars(
            select(MilestoneFile.stored_name)
            .join(Spec, Spec.id == MilestoneFile.spec_id)
            .where(where)
        )
    )
    session.execute(delete(Spec).where(where).execution_options(synchronize_session=False))
    if stored:
        uow.after_commit(lambda: _remove_all(_folder(upload_dir), stored))


def _remove_all(folder: Path, stored: list[str]) -> None:
    for name in stored:
        try:
            files.remove(folder, name)
        except OSError:  # the rows are gone: a file left behind is logged, not fatal
            log.exception("could not remove the evidence file %s", name)
