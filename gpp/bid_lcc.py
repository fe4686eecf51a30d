"""The life-cycle cost of a spec's bids: the procurer enters each bidder's figures, the calculator
(`gpp.lcc`) ranks them, lowest cost with CO2 first, for the award on life-cycle cost
(Directive 2014/24/EU Art. 68). The figures are the spec's owner's, as its bidders are."""

from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gpp import lcc, lifecycle
from gpp.contract_models import BidLcc
from gpp.models import Spec
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Invalid
from replan.guards import DB_INT_MAX
from replan.i18n import N_
from replan.uow import UnitOfWork


class BidFigures(lcc.LccOption):
    """One bid's figures; its name is the bidder's."""

    bidder_id: Annotated[int, Field(ge=1, le=DB_INT_MAX)]
    name: str = ""


class BidsLccUpdate(BaseModel):
    period_years: Annotated[int, Field(ge=1, le=lcc.MAX_YEARS)] = 20
    discount_rate: Annotated[float, Field(ge=0, le=lcc.MAX_RATE, allow_inf_nan=False)] = 0.03
    bids: Annotated[list[BidFigures], Field(max_length=100)] = []


class BidRank(lcc.LccResult):
    bidder_id: int


class BidsLccOut(BaseModel):
    period_years: int
    discount_rate: float
    method: str
    bids: list[BidRank]  # in the order entered; `rank` 1 is the lowest cost with CO2
    figures: list[BidFigures]


def as_request(period: int, rate: float, figures: list[BidFigures]) -> lcc.LccRequest | None:
    """Return the calculator's request of the bids' figures (None when there are none)."""
    if not figures:
        return None
    options = [lcc.LccOption.model_validate(f.model_dump(exclude={"bidder_id"})) for f in figures]
    return lcc.LccRequest(period_years=period, discount_rate=rate, options=options)


def _answer(spec: Spec, period: int, rate: float, figures: list[BidFigures]) -> BidsLccOut:
    names = {b.id: b.name for b in spec.bidders}
    kept = [
        f.model_copy(update={"name": names[f.bidder_id]}) for f in figures if f.bidder_id in names
    ]
    ranked = []
    request = as_request(period, rate, kept)
    if request is not None:
        results = lcc.calculate_lcc(request).options
        ranked = [
            BidRank(bidder_id=f.bidder_id, **r.model_dump())
            for f, r in zip(kept, results, strict=True)
        ]
    return BidsLccOut(
        period_years=period,
        discount_rate=rate,
        method=lcc.method_text(period, rate),
        bids=ranked,
        figures=kept,
    )


def bids_lcc(session: Session, *, spec: Spec) -> BidsLccOut:
    """Return the ranking of the bids' life-cycle costs (none entered yet: an empty ranking)."""
    row = session.get(BidLcc, spec.id)
    if row is None:
        return _answer(spec, 20, 0.03, [])
    figures = [BidFigures.model_validate(b) for b in row.bids]
    return _answer(spec, row.period_years, row.discount_rate, figures)


def read_bids_lcc(session: Session, *, spec_id: str, user: User) -> BidsLccOut:
    """Return the ranking of a spec the user may follow."""
    return bids_lcc(session, spec=lifecycle.reachable_spec(session, spec_id, user))


def set_bids_lcc(
    *, uow: UnitOfWork, user: User, spec_id: str, request: BidsLccUpdate
) -> BidsLccOut:
    """Store the bids' figures (replacing the earlier ones) and rank them."""
    session = uow.session
    spec = lifecycle.reachable_spec(session, spec_id, user)
    known = {b.id for b in spec.bidders}
    seen: set[int] = set()
    for i, bid in enumerate(request.bids):
        if bid.bidder_id not in known or bid.bidder_id in seen:
            raise Invalid(
                N_("This specification has no bidder %(id)s, or it is named twice."),
                field=f"bids.{i}.bidder_id",
                id=bid.bidder_id,
            )
        seen.add(bid.bidder_id)
        for j, replacement in enumerate(bid.replacements):
            if replacement.year > request.period_years:
                field = f"bids.{i}.replacements.{j}.year"
                raise lcc.after_period(replacement.year, request.period_years, field=field)
    row = session.get(BidLcc, spec.id) or BidLcc(spec_id=spec.id)
    row.period_years = request.period_years
    row.discount_rate = request.discount_rate
    row.bids = [b.model_dump(mode="json", exclude={"name"}) for b in request.bids]
    row.updated_at = utcnow()
    session.add(row)
    uow.commit()
    return bids_lcc(session, spec=spec)
