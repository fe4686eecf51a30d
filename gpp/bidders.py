"""The procurer's check of each bidder's evidence against a spec's checklist: per bidder a copy of
the checklist with a status and a note per item, a summary and a verdict. Bidders are their spec's
owner's alone; the first procurer to add a bidder to an anonymous spec becomes its owner.

Write services are `verb(*, uow, user, ...)` and commit once; reads return `BidderOut`."""

from sqlalchemy.orm import Session

from gpp.models import Bidder, Check, Spec
from gpp.schemas import CHECK_STATUSES, BidderCreated, BidderOut, Evaluation
from gpp.service import NO_SPEC, get_spec, issued
from replan.auth_models import User
from replan.clock import iso, utcnow
from replan.errors import Invalid, NotFound
from replan.i18n import N_
from replan.uow import UnitOfWork

NO_BIDDER = N_("There is no bidder at this address.")
MAX_NAME = 200
MAX_NOTE = 4000


def owned_spec(session: Session, spec_id: str, *, user_id: int) -> Spec:
    """Return a spec the user owns, else raise NotFound (others must not learn of bidders)."""
    spec = get_spec(session, spec_id)
    if spec.owner_id != user_id:
        raise NotFound(NO_SPEC)
    return spec


def get_bidder(session: Session, *, spec: Spec, bidder_id: int) -> Bidder:
    """Return a bidder of the spec, or raise NotFound."""
    bidder = session.get(Bidder, bidder_id)
    if bidder is None or bidder.spec_id != spec.id:
        raise NotFound(NO_BIDDER)
    return bidder


def _owned_bidder(session: Session, *, spec_id: str, bidder_id: int, user: User):
    try:
        spec = owned_spec(session, spec_id, user_id=user.id)
    except NotFound as exc:
        raise NotFound(NO_BIDDER) from exc
    return spec, get_bidder(session, spec=spec, bidder_id=bidder_id)


def read_bidder(session: Session, *, spec_id: str, bidder_id: int, user: User) -> Evaluation:
    """Return one of the user's bidders with its spec, or raise NotFound."""
    spec, bidder = _owned_bidder(session, spec_id=spec_id, bidder_id=bidder_id, user=user)
    return Evaluation(spec=issued(spec), bidder=bidder_out(spec, bidder))


def list_bidders(session: Session, *, spec_id: str, user: User) -> list[BidderOut]:
    """Return the bidders of one of the user's specs (none of someone else's)."""
    spec = session.get(Spec, spec_id)
    if spec is None or spec.owner_id != user.id:
        return []
    return [bidder_out(spec, b) for b in spec.bidders]


def check_name(name: str) -> str:
    """Return a bidder's name as kept, or raise Invalid."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise Invalid(N_("Enter the bidder's name (at most 200 characters)."), field="name")
    return name


def new_bidder(session: Session, *, spec: Spec, user_id: int, name: str) -> Bidder:
    """Add a bidder with a fresh copy of the checklist; an unowned spec becomes the user's."""
    if spec.owner_id is None:
        spec.owner_id = user_id  # an anonymous spec is claimed by the first procurer to use it
    elif spec.owner_id != user_id:
        raise NotFound(NO_SPEC)
    bidder = Bidder(
        spec_id=spec.id,
        name=check_name(name),
        created_at=utcnow(),
        checks=[
            Check(n=item["n"], criterion_id=item["criterion_id"], status="pending", note="")
            for item in spec.content["checklist"]
        ],
    )
    session.add(bidder)
    session.flush()
    return bidder


def add_bidder(*, uow: UnitOfWork, user: User, spec_id: str, name: str) -> BidderCreated:
    """Add a bidder to a spec; an anonymous spec becomes the user's."""
    bidder = new_bidder(
        uow.session, spec=get_spec(uow.session, spec_id), user_id=user.id, name=name
    )
    made = BidderCreated(id=bidder.id)
    uow.commit()
    return made


def _set(bidder: Bidder, n: int, status: str | None, note: str | None) -> None:
    check = next((c for c in bidder.checks if c.n == n), None)
    if check is None:
        raise NotFound(
            N_("There is no checklist item %(n)s: the checklist has items 0 to %(last)s."),
            n=n,
            last=len(bidder.checks) - 1,
        )
    if status is not None:
        if status not in CHECK_STATUSES:
            raise Invalid(N_("Choose a status."), field="status")
        check.status = status
    if note is not None:
        if len(note) > MAX_NOTE:
            raise Invalid(N_("Use at most %(n)s characters."), field="note", n=MAX_NOTE)
        check.note = note
    check.updated_at = utcnow()


def update_check(
    *,
    uow: UnitOfWork,
    user: User,
    spec_id: str,
    bidder_id: int,
    n: int,
    status: str | None = None,
    note: str | None = None,
) -> BidderOut:
    """Set the status and/or the note of one checklist item of a bidder."""
    spec, bidder = _owned_bidder(uow.session, spec_id=spec_id, bidder_id=bidder_id, user=user)
    _set(bidder, n, status, note)
    uow.session.flush()
    out = bidder_out(spec, bidder)
    uow.commit()
    return out


def update_checks(
    *,
    uow: UnitOfWork,
    user: User,
    spec_id: str,
    bidder_id: int,
    changes: dict[int, tuple[str, str]],
) -> BidderOut:
    """Set the status and note of many items at once (n -> (status, note)); only changed ones."""
    spec, bidder = _owned_bidder(uow.session, spec_id=spec_id, bidder_id=bidder_id, user=user)
    current = {c.n: (c.status, c.note) for c in bidder.checks}
    for n, (status, note) in changes.items():
        if current.get(n) != (status, note):
            _set(bidder, n, status, note)
    uow.session.flush()
    out = bidder_out(spec, bidder)
    uow.commit()
    return out


def summary(statuses: list[str]) -> dict[str, int]:
    """Count the checks of each status (every status present, zero included)."""
    return {status: statuses.count(status) for status in CHECK_STATUSES}


def verdict(statuses: list[str]) -> str:
    """Non-compliant when any check fails or is missing; compliant when all pass; else pending."""
    if any(s in ("non_compliant", "missing") for s in statuses):
        return "non_compliant"
    if statuses and all(s == "compliant" for s in statuses):
        return "compliant"
    return "pending"


def bidder_json(spec: Spec, bidder: Bidder) -> dict:
    """Return a bidder's checks with the checklist texts, the summary and the verdict."""
    items = spec.content["checklist"]
    checks = [
        {**items[c.n], "status": c.status, "note": c.note, "updated_at": iso(c.updated_at)}
        for c in bidder.checks
    ]
    statuses = [c.status for c in bidder.checks]
    return {
        "id": bidder.id,
        "spec_id": spec.id,
        "name": bidder.name,
        "created_at": iso(bidder.created_at),
        "checks": checks,
        "summary": summary(statuses),
        "verdict": verdict(statuses),
    }


def bidder_out(spec: Spec, bidder: Bidder) -> BidderOut:
    return BidderOut.model_validate(bidder_json(spec, bidder))
