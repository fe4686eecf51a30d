"""The submission and moderation API under /api/v1 (Bearer tokens; see the contract)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Header
from fastapi.exceptions import RequestValidationError

from kb.moderation import decisions, queries, service
from kb.moderation.schemas import ModerationQueue, ReviewIn, ReviewOut, SubmitOut
from kb.schemas import CaseRecord
from kb.taxonomy import Taxonomy
from replan import auth
from replan.api import ERRORS, ErrorDetail
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep

router = APIRouter(
    prefix="/api/v1", tags=["moderation"], dependencies=[Depends(auth.api_csrf_protect)]
)
Submitter = Annotated[User, Depends(auth.require_roles("submitter", "moderator", api=True))]
ModeratorUser = Annotated[User, Depends(auth.require_roles("moderator", api=True))]
CONFLICT = {409: {"model": ErrorDetail, "description": "A newer version, or another's id"}}


def _version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    text = if_match.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        # Answered as any invalid parameter: the header named, in English (clients read it).
        message = 'must be the version number of the case, e.g. "3"'
        raise RequestValidationError(
            [{"loc": ("header", "if-match"), "msg": message, "type": "value_error"}]
        )
    return int(text)


@router.post(
    "/cases",
    status_code=201,
    response_model=SubmitOut,
    responses={**ERRORS, **CONFLICT},
    summary="Submit a case study for review",
)
def submit_case(
    record: CaseRecord,
    user: Submitter,
    runtime: RuntimeDep,
    uow: UowDep,
    if_match: Annotated[str | None, Header()] = None,
) -> SubmitOut:
    """Submit one record. A new id (or none) creates a case; the id of your own case submits
    your edit of it (a published case stays public until the edit is published). `If-Match`
    with the case's version refuses the edit (409) when the case changed since."""
    outcome = service.submit_record(
        uow=uow,
        user=user,
        settings=runtime.settings,
        record=record,
        if_match=_version(if_match),
    )
    return SubmitOut(id=outcome.case_id, status=outcome.status, revision=outcome.revision)


@router.get(
    "/moderation", response_model=ModerationQueue, responses=ERRORS, summary="The moderation queue"
)
def moderation_queue(user: ModeratorUser, db: DbDep) -> ModerationQueue:
    """The cases and edits waiting for review (oldest first), and those waiting for their
    authors after a request for changes."""
    return queries.moderation_queue(db)


@router.post(
    "/cases/{case_id}/review",
    response_model=ReviewOut,
    responses={**ERRORS, **CONFLICT},
    summary="Publish, reject or request changes",
)
def review_case(
    case_id: str, body: ReviewIn, user: ModeratorUser, runtime: RuntimeDep, uow: UowDep
) -> ReviewOut:
    """Decide on a submitted case, or on a submitted edit of a published case (`target`).
    `reject` on a published case without a pending edit takes it down."""
    outcome = decisions.review(
        uow=uow,
        user=user,
        settings=runtime.settings,
        taxonomy=runtime.get(Taxonomy),
        case_id=case_id,
        decision=body.decision,
        comment=body.comment,
        version=body.version,
    )
    return ReviewOut(
        id=outcome.case_id,
        status=outcome.status,
        target=outcome.target,
        case_status=outcome.case_status,
    )
