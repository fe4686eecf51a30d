"""Status moves and the award: the write services that walk a spec along its life
(`gpp.lifecycle`). The award goes to one of the spec's bidders; a bidder whose checks are not all
compliant may be chosen only with a reason, which the award record keeps. The award turns the
delivery and execution checks into the contract's milestones."""

from gpp import bidders, contract, lifecycle
from gpp.contract_models import Contract
from gpp.contract_schemas import AwardCreate, ContractOut
from gpp.lifecycle import SpecStatus
from gpp.models import Bidder
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Invalid
from replan.i18n import N_
from replan.uow import UnitOfWork


def change_status(*, uow: UnitOfWork, user: User, spec_id: str, status: str) -> ContractOut:
    """Move the spec to the next status (the award has its own service)."""
    session = uow.session
    spec = lifecycle.reachable_spec(session, spec_id, user)
    target = SpecStatus(status)
    if target is SpecStatus.AWARDED:
        raise Invalid(N_("A specification is awarded by choosing a bidder."), field="status")
    lifecycle.move(session, spec=spec, user=user, to=target)
    uow.commit()
    return contract.contract_view(session, spec=spec)


def award_spec(*, uow: UnitOfWork, user: User, spec_id: str, request: AwardCreate) -> ContractOut:
    """Award the tendering spec to one of its bidders and open the contract's milestones."""
    session = uow.session
    spec = lifecycle.reachable_spec(session, spec_id, user)
    bidder = session.get(Bidder, request.bidder_id)
    if bidder is None or bidder.spec_id != spec.id:
        raise Invalid(
            N_("This specification has no bidder %(id)s."), field="bidder_id", id=request.bidder_id
        )
    verdict = bidders.verdict([c.status for c in bidder.checks])
    if verdict != "compliant" and not request.reason:
        raise Invalid(
            N_("The bidder's checks are not all compliant: give the reason for the award."),
            field="reason",
        )
    row: Contract = lifecycle.move(
        session, spec=spec, user=user, to=SpecStatus.AWARDED, note=request.reason, action="award"
    )
    row.bidder_id = bidder.id
    row.awarded_to = bidder.name
    row.award_verdict = verdict
    row.award_reason = request.reason
    row.awarded_at = utcnow()
    contract.make_milestones(session, spec)
    uow.commit()
    return contract.contract_view(session, spec=spec)
