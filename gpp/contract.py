"""The follow-up of an awarded contract: every verification item of phase delivery or execution
becomes a milestone, due on a date the procurer sets, then met, not met or waived, with the
measured value and a note. The contract view gathers the status, the award, the milestones and
the log; it is what the API answers and the contract page prints."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpp import lifecycle, milestone_files
from gpp.bid_lcc import bids_lcc
from gpp.bidders import verdict
from gpp.contract_models import Contract, ContractEvent, Milestone
from gpp.contract_schemas import (
    MILESTONE_PHASES,
    MILESTONE_STATUSES,
    AwardOut,
    BidderChoice,
    ContractOut,
    ContractPage,
    EventOut,
    MilestoneOut,
    MilestoneUpdate,
)
from gpp.models import Spec
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Conflict, NotFound
from replan.i18n import N_
from replan.uow import UnitOfWork

COLUMNS = {"limit": "limit_value"}  # request field -> column, where they differ


def make_milestones(session: Session, spec: Spec) -> list[Milestone]:
    """Add a pending milestone for each delivery or execution item of the spec's checklist."""
    made = [
        Milestone(
            spec_id=spec.id,
            n=item["n"],
            criterion_id=item["criterion_id"],
            phase=item["phase"],
            status="pending",
            unit="",
            limit_kind="max",
            note="",
        )
        for item in spec.content["checklist"]
        if item.get("phase") in MILESTONE_PHASES
    ]
    session.add_all(made)
    return made


def milestones_of(session: Session, spec_id: str) -> list[Milestone]:
    return list(
        session.scalars(select(Milestone).where(Milestone.spec_id == spec_id).order_by(Milestone.n))
    )


def gap(m: Milestone) -> float | None:
    """Return how far the measured value falls beyond the clause's limit (0 within it)."""
    if m.value is None or m.limit_value is None:
        return None
    beyond = m.value - m.limit_value if m.limit_kind == "max" else m.limit_value - m.value
    return round(max(beyond, 0.0), 6)


def penalty(m: Milestone) -> float | None:
    """Return the penalty of the gap at the procurer's rate (none while nothing is measured)."""
    missed = gap(m)
    if missed is None or m.penalty_rate is None or m.status == "waived":
        return None
    return round(missed * m.penalty_rate, 2)


def is_overdue(milestone: Milestone, today: date) -> bool:
    return milestone.status == "pending" and milestone.due is not None and milestone.due < today


def _milestone(spec: Spec, m: Milestone, today: date, urls: list[str]) -> MilestoneOut:
    items = spec.content["checklist"]
    item = items[m.n] if m.n < len(items) else {}
    return MilestoneOut(
        n=m.n,
        criterion_id=m.criterion_id,
        criterion_title=item.get("criterion_title", m.criterion_id),
        evidence=item.get("evidence", ""),
        how_to_check=item.get("how_to_check", ""),
        phase=m.phase,
        due=m.due,
        status=m.status,
        value=m.value,
        unit=m.unit,
        limit=m.limit_value,
        limit_kind=m.limit_kind if m.limit_kind in ("max", "min") else "max",
        gap=gap(m),
        penalty_rate=m.penalty_rate,
        penalty=penalty(m),
        note=m.note,
        attachments=urls,
        overdue=is_overdue(m, today),
        updated_at=m.updated_at,
    )


def _history(session: Session, spec_id: str) -> list[EventOut]:
    rows = session.execute(
        select(ContractEvent, User)
        .outerjoin(User, User.id == ContractEvent.user_id)
        .where(ContractEvent.spec_id == spec_id)
        .order_by(ContractEvent.at, ContractEvent.id)
    ).all()
    return [
        EventOut(
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            note=e.note,
            by=(u.name or u.email) if u is not None else None,
            at=e.at,
        )
        for e, u in rows
    ]


def contract_view(session: Session, *, spec: Spec, today: date | None = None) -> ContractOut:
    """Return the spec's contract: status, award, milestones, their summary, the log."""
    today = today or date.today()
    contract = session.get(Contract, spec.id)
    status = lifecycle.status_of(contract)
    following = lifecycle.next_status(status)
    urls = milestone_files.urls_by_milestone(session, spec.id)
    milestones = [
        _milestone(spec, m, today, urls.get(m.n, [])) for m in milestones_of(session, spec.id)
    ]
    award = None
    if contract is not None and contract.awarded_to is not None:
        award = AwardOut(
            bidder_id=contract.bidder_id,
            name=contract.awarded_to,
            verdict=contract.award_verdict or "pending",
            reason=contract.award_reason,
            awarded_at=contract.awarded_at,
        )
    return ContractOut(
        spec_id=spec.id,
        title=spec.title,
        status=status.value,
        next_statuses=[following.value] if following else [],
        awarded_to=award.name if award else None,
        award=award,
        milestones=milestones,
        summary={s: sum(m.status == s for m in milestones) for s in MILESTONE_STATUSES},
        overdue=sum(m.overdue for m in milestones),
        penalties=round(sum(m.penalty or 0 for m in milestones), 2),
        case_id=contract.case_id if contract is not None else None,
        history=_history(session, spec.id),
    )


def read_contract(session: Session, *, spec_id: str, user: User | None) -> ContractOut:
    """Return the contract of a spec the user may follow."""
    spec = lifecycle.reachable_spec(session, spec_id, user)
    return contract_view(session, spec=spec)


def update_milestone(
    *, uow: UnitOfWork, user: User, spec_id: str, n: int, change: MilestoneUpdate
) -> ContractOut:
    """Record a milestone's status, measured value, note or due date."""
    session = uow.session
    spec = lifecycle.reachable_spec(session, spec_id, user)
    status = lifecycle.status_of(session.get(Contract, spec.id))
    milestone = session.get(Milestone, (spec.id, n)) if 0 <= n <= 100_000 else None
    if milestone is None:
        raise NotFound(N_("This contract has no milestone %(n)s."), n=n)
    if status not in lifecycle.FOLLOWED:
        raise Conflict(
            N_("Milestones are recorded while the contract runs, not when it is %(status)s."),
            status=status.value,
        )
    given = change.model_dump(exclude_unset=True)
    before = milestone.status
    if "due" in given and given["due"] != milestone.due:
        milestone.reminded_soon_at = milestone.reminded_overdue_at = None  # a new date, told anew
    nullable = ("value", "due", "limit", "penalty_rate")  # sent as null: cleared
    for field in ("status", "value", "unit", "note", "due", "limit", "limit_kind", "penalty_rate"):
        if field in given and (given[field] is not None or field in nullable):
            setattr(milestone, COLUMNS.get(field, field), given[field])
    missed = gap(milestone)
    if missed is not None and given.get("status") is None and milestone.status != "waived":
        milestone.status = "met" if missed == 0 else "not_met"  # the verdict follows the limit
    milestone.updated_at = utcnow()
    lifecycle.log(
        session,
        spec=spec,
        user=user,
        action="milestone",
        before=before,
        after=milestone.status,
        note=f"#{n} {milestone.criterion_id}",
    )
    uow.commit()
    return contract_view(session, spec=spec)


def contract_page(session: Session, *, spec_id: str, user: User | None) -> ContractPage:
    """Return the contract of a spec the user may follow, with its bidders and their verdicts."""
    spec = lifecycle.reachable_spec(session, spec_id, user)
    return ContractPage(
        contract=contract_view(session, spec=spec),
        bidders=[
            BidderChoice(id=b.id, name=b.name, verdict=verdict([c.status for c in b.checks]))
            for b in spec.bidders
        ],
        lcc=bids_lcc(session, spec=spec),
    )
