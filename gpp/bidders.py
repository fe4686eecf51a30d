"""The procurer's check of each bidder's evidence against a spec's checklist: per bidder a copy of
the checklist with a status and a note per item, a summary and a verdict. Bidders are their spec's
owner's alone; the first procurer to add a bidder to an anonymous spec becomes its owner."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gpp.models import Bidder, Check, Spec
from gpp.schemas import CHECK_STATUSES
from gpp.service import SpecNotFound, get_spec, iso


class BidderNotFound(LookupError):
    """No bidder with that id on that spec, or no check with that index."""


def owned_spec(session: Session, spec_id: str, *, user_id: int) -> Spec:
    """Return a spec the user owns, else raise SpecNotFound (others must not learn of bidders)."""
    spec = get_spec(session, spec_id)
    if spec.owner_id != user_id:
        raise SpecNotFound(spec_id)
    return spec


def add_bidder(session: Session, *, spec: Spec, user_id: int, name: str) -> Bidder:
    """Add a bidder with a fresh copy of the checklist; an unowned spec becomes the user's."""
    if spec.owner_id is None:
        spec.owner_id = user_id  # an anonymous spec is claimed by the first procurer to use it
    elif spec.owner_id != user_id:
        raise SpecNotFound(spec.id)
    bidder = Bidder(
        spec_id=spec.id,
        name=name,
        created_at=datetime.now(UTC),
        checks=[
            Check(n=item["n"], criterion_id=item["criterion_id"], status="pending", note="")
            for item in spec.content["checklist"]
        ],
    )
    session.add(bidder)
    session.flush()
    return bidder


def get_bidder(session: Session, *, spec: Spec, bidder_id: int) -> Bidder:
    """Return a bidder of the spec, or raise BidderNotFound."""
    bidder = session.get(Bidder, bidder_id)
    if bidder is None or bidder.spec_id != spec.id:
        raise BidderNotFound(bidder_id)
    return bidder


def update_check(
    session: Session, *, bidder: Bidder, n: int, status: str | None = None, note: str | None = None
) -> Check:
    """Set the status and/or the note of one checklist item of a bidder."""
    check = next((c for c in bidder.checks if c.n == n), None)
    if check is None:
        raise BidderNotFound(f"{bidder.id}/{n}")
    if status is not None:
        if status not in CHECK_STATUSES:
            raise ValueError(f"unknown status '{status}'")
        check.status = status
    if note is not None:
        check.note = note
    check.updated_at = datetime.now(UTC)
    session.flush()
    return check


def update_checks(session: Session, *, bidder: Bidder, changes: dict[int, tuple[str, str]]) -> None:
    """Set the status and note of many items at once (n -> (status, note)); only changed ones."""
    current = {c.n: (c.status, c.note) for c in bidder.checks}
    for n, (status, note) in changes.items():
        if current.get(n) != (status, note):
            update_check(session, bidder=bidder, n=n, status=status, note=note)


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
