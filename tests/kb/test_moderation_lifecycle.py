"""The lifecycle of a case study: every move of the table, and the refusal of every other."""

import itertools

import pytest

from kb.moderation.lifecycle import (
    EDITABLE,
    TRANSITIONS,
    Move,
    Target,
    may_edit,
    transition,
)
from kb.status import CaseStatus
from replan.errors import Conflict

S = CaseStatus
EVERY = list(itertools.product(Target, [None, *CaseStatus], Move))
REFUSED = [(t, old, move) for t, old, move in EVERY if (t, old, move) not in TRANSITIONS]


@pytest.mark.parametrize(("key", "new"), list(TRANSITIONS.items()), ids=str)
def test_every_allowed_move_leads_where_the_table_says(key, new):
    target, old, move = key
    assert transition(old, move, target=target) is new


@pytest.mark.parametrize(("target", "old", "move"), REFUSED, ids=str)
def test_every_other_move_is_refused_with_a_conflict(target, old, move):
    with pytest.raises(Conflict) as refused:
        transition(old, move, target=target)
    assert refused.value.status == 409


def test_the_workflow_as_people_know_it():
    case = Target.CASE
    assert transition(None, Move.SAVE) is S.DRAFT
    assert transition(S.DRAFT, Move.SUBMIT) is S.SUBMITTED
    assert transition(S.SUBMITTED, Move.SAVE) is S.DRAFT  # withdrawn
    assert transition(S.CHANGES_REQUESTED, Move.SAVE) is S.CHANGES_REQUESTED  # still open
    assert transition(S.SUBMITTED, Move.REQUEST_CHANGES) is S.CHANGES_REQUESTED
    assert transition(S.SUBMITTED, Move.PUBLISH, target=case) is S.PUBLISHED
    assert transition(S.PUBLISHED, Move.REJECT) is S.REJECTED  # taken down
    # A rejected edit of a published case may be reworked; a rejected case may not.
    assert transition(S.REJECTED, Move.SUBMIT, target=Target.REVISION) is S.SUBMITTED
    with pytest.raises(Conflict, match="rejected and can no longer be edited"):
        transition(S.REJECTED, Move.SAVE)
    with pytest.raises(Conflict, match=r"not waiting for review \(its status is draft\)"):
        transition(S.DRAFT, Move.PUBLISH)
    with pytest.raises(Conflict):
        transition(S.PUBLISHED, Move.PUBLISH)  # nothing waits for review


def test_the_statuses_an_author_edits_come_from_the_table():
    assert EDITABLE == {S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED}
    assert may_edit(S.PUBLISHED) and not may_edit(S.REJECTED)
    assert [str(s) for s in CaseStatus] == [
        "draft",
        "submitted",
        "changes_requested",
        "published",
        "rejected",
    ]
