"""A spec's life: one transition table, each move logged with who and when, 409 out of order,
the award (a reason unless compliant), and a tendering spec's documents frozen."""

import pytest

from gpp import award, lifecycle, service
from gpp.contract_models import ContractEvent
from gpp.contract_schemas import AwardCreate
from gpp.library import Library
from gpp.lifecycle import TRANSITIONS, SpecStatus
from replan.errors import Conflict, Invalid, NotFound
from tests.gpp.contract_support import award_to, move


def test_the_transition_table_is_one_straight_line():
    assert list(TRANSITIONS) == [s for s in SpecStatus if s is not SpecStatus.CLOSED]
    walked, at = [SpecStatus.DRAFT], SpecStatus.DRAFT
    while at in TRANSITIONS:
        at = TRANSITIONS[at]
        walked.append(at)
    assert walked == list(SpecStatus)


def test_the_whole_life_in_order_is_logged_with_who_and_when(runtime, contract_world):
    assert move(runtime, contract_world, "tendering").status == "tendering"
    awarded = award_to(runtime, contract_world, "good")
    assert (awarded.status, awarded.awarded_to) == ("awarded", "Good Srl")
    assert awarded.award.verdict == "compliant"
    assert move(runtime, contract_world, "in_execution").status == "in_execution"
    closed = move(runtime, contract_world, "closed", who="moderator")
    assert closed.status == "closed" and closed.next_statuses == []
    assert [(e.action, e.from_status, e.to_status) for e in closed.history] == [
        ("status", "draft", "tendering"),
        ("award", "tendering", "awarded"),
        ("status", "awarded", "in_execution"),
        ("status", "in_execution", "closed"),
    ]
    assert [e.by for e in closed.history] == ["owner@example.org"] * 3 + ["mod@example.org"]
    assert all(e.at is not None for e in closed.history)


@pytest.mark.parametrize("status", ["in_execution", "closed"])
def test_a_move_out_of_order_is_a_conflict_and_changes_nothing(runtime, contract_world, status):
    with pytest.raises(Conflict):
        move(runtime, contract_world, status)
    move(runtime, contract_world, "tendering")
    with pytest.raises(Conflict):
        move(runtime, contract_world, "tendering")  # not twice
    with runtime.db.session() as session:
        assert session.query(ContractEvent).count() == 1


def test_the_award_needs_a_tendering_spec(runtime, contract_world):
    with pytest.raises(Conflict):
        award_to(runtime, contract_world, "good")


def test_a_bidder_not_compliant_is_awarded_only_with_a_reason(runtime, contract_world):
    move(runtime, contract_world, "tendering")
    with pytest.raises(Invalid) as caught:
        award_to(runtime, contract_world, "weak")
    assert caught.value.field == "reason"
    done = award_to(runtime, contract_world, "weak", reason="The only bid under budget")
    assert done.award.verdict == "pending"
    assert done.award.reason == "The only bid under budget"
    assert done.history[-1].note == "The only bid under budget"


def test_a_bidder_of_another_spec_is_refused_naming_the_field(runtime, contract_world):
    move(runtime, contract_world, "tendering")
    with pytest.raises(Invalid) as caught:
        with runtime.unit_of_work() as uow:
            award.award_spec(
                uow=uow,
                user=contract_world["owner"],
                spec_id=contract_world["spec"],
                request=AwardCreate(bidder_id=999_999),
            )
    assert caught.value.field == "bidder_id"


@pytest.mark.parametrize("who", ["other", "submitter"])
def test_only_the_owner_moderators_and_admins_follow_a_spec(runtime, contract_world, who):
    with pytest.raises(NotFound):
        move(runtime, contract_world, "tendering", who=who)
    assert move(runtime, contract_world, "tendering", who="moderator").status == "tendering"


def test_a_tendering_specs_documents_stay_a_change_is_a_new_draft(runtime, contract_world):
    move(runtime, contract_world, "tendering")
    with runtime.db.session() as session:
        spec = service.get_spec(session, contract_world["spec"])
        before = (spec.content, spec.version)
        copy = service.copy_spec(
            session, library=runtime.get(Library), spec=spec, owner_id=contract_world["owner"].id
        )
        copy_id, copy_version = copy.id, copy.version
    with runtime.db.session() as session:
        spec = service.get_spec(session, contract_world["spec"])
        assert (spec.content, spec.version) == before
        assert lifecycle.status_of(session.get(lifecycle.Contract, spec.id)) == "tendering"
        assert lifecycle.status_of(session.get(lifecycle.Contract, copy_id)) == "draft"
    assert copy_version == before[1] + 1
