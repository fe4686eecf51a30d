"""A spec's life after it is issued: `draft -> tendering -> awarded -> in_execution -> closed`,
as one transition table and one function that applies it, each move written to the spec's log
with who and when. Who may follow a spec: its owning procurer, moderators and admins.

A spec's documents never change in place: from tendering on, what bidders were given stays as it
is, and a change is made as a new version (a copy, which starts again as a draft)."""

from enum import StrEnum

from sqlalchemy.orm import Session

from gpp.contract_models import Contract, ContractEvent
from gpp.models import Spec
from replan import auth
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Conflict, NotFound
from replan.i18n import N_


class SpecStatus(StrEnum):
    DRAFT = "draft"
    TENDERING = "tendering"
    AWARDED = "awarded"
    IN_EXECUTION = "in_execution"
    CLOSED = "closed"


TRANSITIONS: dict[SpecStatus, SpecStatus] = {
    SpecStatus.DRAFT: SpecStatus.TENDERING,
    SpecStatus.TENDERING: SpecStatus.AWARDED,
    SpecStatus.AWARDED: SpecStatus.IN_EXECUTION,
    SpecStatus.IN_EXECUTION: SpecStatus.CLOSED,
}
LABELS = {
    SpecStatus.DRAFT: N_("Draft"),
    SpecStatus.TENDERING: N_("Tendering"),
    SpecStatus.AWARDED: N_("Awarded"),
    SpecStatus.IN_EXECUTION: N_("In execution"),
    SpecStatus.CLOSED: N_("Closed"),
}
# Milestones may be recorded while the contract runs, not before the award nor once it is closed.
FOLLOWED = (SpecStatus.AWARDED, SpecStatus.IN_EXECUTION)

SPEC_NOT_FOUND = N_("There is no specification at this address.")


def may_follow(user: User | None, spec: Spec) -> bool:
    """True for the spec's owning procurer, moderators and admins."""
    if user is None:
        return False
    if auth.has_role(user, "moderator"):
        return True
    return user.role == "procurer" and spec.owner_id is not None and spec.owner_id == user.id


def reachable_spec(session: Session, spec_id: str, user: User | None) -> Spec:
    """Return the spec when the user may follow it, else raise NotFound (others must not learn
    that it exists)."""
    spec = session.get(Spec, spec_id) if len(spec_id) <= 64 else None
    if spec is None or not may_follow(user, spec):
        raise NotFound(SPEC_NOT_FOUND)
    return spec


def status_of(contract: Contract | None) -> SpecStatus:
    return SpecStatus(contract.status) if contract is not None else SpecStatus.DRAFT


def next_status(current: SpecStatus) -> SpecStatus | None:
    return TRANSITIONS.get(current)


def move(
    session: Session,
    *,
    spec: Spec,
    user: User,
    to: SpecStatus,
    note: str = "",
    action: str = "status",
) -> Contract:
    """Move the spec one step along the table and log it; any other move raises Conflict."""
    contract = session.get(Contract, spec.id)
    current = status_of(contract)
    if TRANSITIONS.get(current) != to:
        raise Conflict(
            N_("A specification that is %(current)s cannot become %(target)s."),
            current=current.value,
            target=to.value,
        )
    now = utcnow()
    if contract is None:
        contract = Contract(spec_id=spec.id, status=to.value, award_reason="", updated_at=now)
        session.add(contract)
    contract.status = to.value
    contract.updated_at = now
    log(session, spec=spec, user=user, action=action, before=current, after=to, note=note)
    return contract


def log(
    session: Session,
    *,
    spec: Spec,
    user: User,
    action: str,
    before: str | None,
    after: str,
    note: str = "",
) -> None:
    """Add one line to the spec's log: who did what, when."""
    session.add(
        ContractEvent(
            spec_id=spec.id,
            user_id=user.id,
            action=action,
            from_status=before,
            to_status=after,
            note=note,
            at=utcnow(),
        )
    )
