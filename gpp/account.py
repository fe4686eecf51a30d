"""What green public procurement holds about a user, for their data download and their account
deletion (`account_hook`, handed to `replan` by the composition root).

A procurer's specs, with their bidders and checks, and their wizard drafts go with their
account: an unowned spec may be claimed by the next procurer who adds a bidder, so a deleted
procurer's specs must not stay behind for someone else to claim. Their milestones' evidence
files go too, once the deletion has committed."""

from functools import partial
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gpp import milestone_files
from gpp.bid_lcc import bids_lcc
from gpp.bidders import bidder_json
from gpp.contract import contract_view
from gpp.contract_models import ContractEvent, MilestoneFile
from gpp.models import Draft, Spec
from gpp.service import spec_json
from replan.account_hooks import AccountHook
from replan.auth_models import User
from replan.clock import iso
from replan.uow import UnitOfWork


def export_account(session: Session, user: User) -> dict:
    """Return the user's specs (with their bidders' checks) and wizard drafts as JSON data."""
    specs = session.scalars(
        select(Spec).where(Spec.owner_id == user.id).order_by(Spec.created_at, Spec.id)
    ).all()
    drafts = session.scalars(
        select(Draft).where(Draft.owner_id == user.id).order_by(Draft.created_at, Draft.id)
    ).all()
    return {
        "specs": [
            {
                **spec_json(s, viewer_id=user.id),
                "bidders": [bidder_json(s, b) for b in s.bidders],
                "contract": contract_view(session, spec=s).model_dump(mode="json"),
                "bids_lcc": bids_lcc(session, spec=s).model_dump(mode="json"),
            }
            for s in specs
        ],
        "drafts": [
            {
                "id": d.id,
                "source_spec_id": d.source_spec_id,
                "data": d.data,
                "created_at": iso(d.created_at),
                "updated_at": iso(d.updated_at),
            }
            for d in drafts
        ],
        "contract_log": [  # what the user did to specs' contracts (theirs or, as moderator, any)
            {
                "spec_id": e.spec_id,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "at": iso(e.at),
            }
            for e in session.scalars(
                select(ContractEvent)
                .where(ContractEvent.user_id == user.id)
                .order_by(ContractEvent.at, ContractEvent.id)
            )
        ],
        "evidence_files_uploaded": [
            {
                "spec_id": f.spec_id,
                "milestone": f.n,
                "filename": f.filename,
                "at": iso(f.created_at),
            }
            for f in session.scalars(
                select(MilestoneFile)
                .where(MilestoneFile.uploaded_by == user.id)
                .order_by(MilestoneFile.created_at, MilestoneFile.id)
            )
        ],
    }


def forget_account(uow: UnitOfWork, user: User, *, upload_dir: Path) -> None:
    """Delete the user's drafts and specs (their bidders, checks, contracts and evidence files go
    with them); the log of other specs keeps the moves they made, without their name."""
    session = uow.session
    for table, column in (
        (ContractEvent, ContractEvent.user_id),
        (MilestoneFile, MilestoneFile.uploaded_by),
    ):
        session.execute(
            update(table)
            .where(column == user.id)
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
    session.execute(
        delete(Draft).where(Draft.owner_id == user.id).execution_options(synchronize_session=False)
    )
    milestone_files.delete_specs(uow=uow, upload_dir=upload_dir, where=Spec.owner_id == user.id)


def account_hook(*, upload_dir: Path) -> AccountHook:
    """Return the procurement part of an account (evidence files live under `upload_dir`)."""
    return AccountHook(
        name="procurement",
        tables=(Spec, Draft, ContractEvent, MilestoneFile),
        export=export_account,
        forget=partial(forget_account, upload_dir=upload_dir),
    )
