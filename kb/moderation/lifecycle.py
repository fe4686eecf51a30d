"""The lifecycle of a case study and of a pending edit of a published one: one table of moves,
one function that applies it.

An author saves (`save`) or submits (`submit`); a moderator publishes, rejects or asks for
changes. A published case is never edited in place: its author's edit is a revision with a
lifecycle of its own (a rejected edit may be reworked, a rejected case may not), and rejecting a
published case that has no edit waiting takes it down."""

from enum import StrEnum

from kb.status import CaseStatus
from replan.errors import Conflict
from replan.i18n import N_


class Target(StrEnum):
    CASE = "case"
    REVISION = "revision"


class Move(StrEnum):
    SAVE = "save"  # keep as a draft (withdraws a submission, keeps a request for changes open)
    SUBMIT = "submit"
    PUBLISH = "publish"
    REJECT = "reject"
    REQUEST_CHANGES = "request_changes"


DECISIONS = (Move.PUBLISH, Move.REJECT, Move.REQUEST_CHANGES)

S = CaseStatus
_AUTHOR_MOVES = {
    # from: (after save, after submit); None is a case or an edit that does not exist yet
    None: (S.DRAFT, S.SUBMITTED),
    S.DRAFT: (S.DRAFT, S.SUBMITTED),
    S.SUBMITTED: (S.DRAFT, S.SUBMITTED),
    S.CHANGES_REQUESTED: (S.CHANGES_REQUESTED, S.SUBMITTED),
}
_DECISIONS = {
    Move.PUBLISH: S.PUBLISHED,
    Move.REJECT: S.REJECTED,
    Move.REQUEST_CHANGES: S.CHANGES_REQUESTED,
}

# (what, from, move) -> to: every move the workflow allows, and no other.
TRANSITIONS: dict[tuple[Target, CaseStatus | None, Move], CaseStatus] = {
    **{
        (target, old, move): new
        for target in Target
        for old, (saved, submitted) in _AUTHOR_MOVES.items()
        for move, new in ((Move.SAVE, saved), (Move.SUBMIT, submitted))
    },
    # A rejected edit of a published case may be reworked and submitted again.
    (Target.REVISION, S.REJECTED, Move.SAVE): S.DRAFT,
    (Target.REVISION, S.REJECTED, Move.SUBMIT): S.SUBMITTED,
    **{(target, S.SUBMITTED, move): new for target in Target for move, new in _DECISIONS.items()},
    # Taking a published case down (when no edit of it waits for review).
    (Target.CASE, S.PUBLISHED, Move.REJECT): S.REJECTED,
}

# The statuses in which the author edits the case itself (a published one gets a revision).
EDITABLE = frozenset(
    old
    for (target, old, move) in TRANSITIONS
    if target is Target.CASE and move is Move.SAVE and old
)


def may_edit(status: str) -> bool:
    """Whether an author may still change a case in this status (a published one by revision)."""
    return status in EDITABLE or status == S.PUBLISHED


def transition(current: str | None, move: str, *, target: Target = Target.CASE) -> CaseStatus:
    """Return the status a move leads to, or raise `Conflict` when the lifecycle refuses it."""
    old = CaseStatus(current) if current is not None else None
    new = TRANSITIONS.get((target, old, Move(move)))
    if new is not None:
        return new
    if move in DECISIONS:
        raise Conflict(
            N_("This case study is not waiting for review (its status is %(status)s)."),
            status=current,
        )
    if old is S.REJECTED:
        raise Conflict(N_("This case study was rejected and can no longer be edited."))
    raise Conflict(N_("This case study can no longer be changed."))
