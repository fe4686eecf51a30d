"""The contract's milestones: made at the award from the delivery and execution checks, due on
the procurer's dates, recorded only while the contract runs."""

from datetime import date, timedelta

import pytest

from gpp import contract
from gpp.contract_schemas import MilestoneUpdate
from replan.errors import Conflict, NotFound
from tests.gpp.contract_support import award_to, move


def _update(runtime, contract_world, n, who="owner", **change):
    with runtime.unit_of_work() as uow:
        return contract.update_milestone(
            uow=uow,
            user=contract_world[who],
            spec_id=contract_world["spec"],
            n=n,
            change=MilestoneUpdate.model_validate(change),
        )


def _awarded(runtime, contract_world):
    move(runtime, contract_world, "tendering")
    return award_to(runtime, contract_world, "good")


def test_the_award_makes_a_milestone_of_each_delivery_and_execution_check(runtime, contract_world):
    done = _awarded(runtime, contract_world)
    with runtime.db.session() as session:
        from gpp.service import get_spec

        checklist = get_spec(session, contract_world["spec"]).content["checklist"]
    expected = [i["n"] for i in checklist if i["phase"] in ("delivery", "execution")]
    assert expected and [m.n for m in done.milestones] == expected
    first = done.milestones[0]
    assert first.evidence == checklist[first.n]["evidence"]
    assert (first.status, first.due, first.value, first.attachments) == ("pending", None, None, [])
    assert done.summary == {"pending": len(expected), "met": 0, "not_met": 0, "waived": 0}


def test_a_milestone_is_recorded_and_an_overdue_one_counted(runtime, contract_world):
    n = _awarded(runtime, contract_world).milestones[0].n
    late = date.today() - timedelta(days=1)
    after = _update(runtime, contract_world, n, due=late.isoformat(), note="CPX at opening")
    first = after.milestones[0]
    assert (first.due, first.note, first.overdue, after.overdue) == (
        late,
        "CPX at opening",
        True,
        1,
    )
    met = _update(runtime, contract_world, n, status="met", value=2.5)
    assert (met.milestones[0].status, met.milestones[0].value, met.overdue) == ("met", 2.5, 0)
    assert met.milestones[0].note == "CPX at opening"  # untouched when not sent
    assert met.history[-1].action == "milestone"


def test_milestones_wait_for_the_award_and_stop_at_the_close(runtime, contract_world):
    with pytest.raises(NotFound):
        _update(runtime, contract_world, 0, status="met")  # no milestone before the award
    n = _awarded(runtime, contract_world).milestones[0].n
    move(runtime, contract_world, "in_execution")
    assert _update(runtime, contract_world, n, status="waived").milestones[0].status == "waived"
    move(runtime, contract_world, "closed")
    with pytest.raises(Conflict):
        _update(runtime, contract_world, n, status="met")


def test_an_unknown_milestone_and_a_stranger_are_not_found(runtime, contract_world):
    n = _awarded(runtime, contract_world).milestones[0].n
    with pytest.raises(NotFound):
        _update(runtime, contract_world, 9999, status="met")
    with pytest.raises(NotFound):
        _update(runtime, contract_world, n, who="other", status="met")


def test_the_verdict_follows_the_limit_and_the_gap_costs_the_penalty(runtime, contract_world):
    first, second, *_ = [m.n for m in _awarded(runtime, contract_world).milestones]
    loud = _update(runtime, contract_world, first, value=95, limit=93, unit="dB", penalty_rate=1500)
    got = loud.milestones[0]
    assert (got.status, got.gap, got.penalty) == ("not_met", 2, 3000)  # 2 dB x 1500
    short = _update(runtime, contract_world, second, value=8, limit=10, limit_kind="min")
    assert (short.milestones[1].status, short.milestones[1].gap) == ("not_met", 2)
    assert short.milestones[1].penalty is None  # no rate in the contract
    assert short.penalties == 3000
    quiet = _update(runtime, contract_world, first, value=92.5)
    assert (quiet.milestones[0].status, quiet.milestones[0].penalty, quiet.penalties) == (
        "met",
        0,
        0,
    )
    waived = _update(runtime, contract_world, first, value=99, status="waived")
    assert (waived.milestones[0].status, waived.milestones[0].penalty) == ("waived", None)


def test_the_owners_data_download_holds_the_contract_and_its_log(runtime, contract_world):
    from gpp.account import export_account
    from replan.auth_models import User

    _awarded(runtime, contract_world)
    with runtime.db.session() as session:
        data = export_account(session, session.get(User, contract_world["owner"].id))
    (spec,) = data["specs"]
    assert spec["contract"]["status"] == "awarded"
    assert spec["contract"]["awarded_to"] == "Good Srl"
    assert spec["bids_lcc"]["bids"] == []
    assert [e["to_status"] for e in data["contract_log"]] == ["tendering", "awarded"]
