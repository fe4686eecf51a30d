"""Builders of the contract tests: the status moves and the award made through the services, on
`contract_world` (tests/gpp/conftest.py)."""

from gpp import award
from gpp.contract_schemas import AwardCreate


def move(runtime, world, status, who="owner"):
    with runtime.unit_of_work() as uow:
        return award.change_status(uow=uow, user=world[who], spec_id=world["spec"], status=status)


def award_to(runtime, world, bidder, reason="", who="owner"):
    with runtime.unit_of_work() as uow:
        request = AwardCreate(bidder_id=world[bidder], reason=reason)
        return award.award_spec(uow=uow, user=world[who], spec_id=world["spec"], request=request)
