"""The JSON API of a spec after its tender (under /api/v1): life-cycle cost, status moves, award,
contract milestones, the delivered case draft.

`POST /lcc` is stateless and open to anyone. Every route of a spec answers only its owning
procurer, moderators and admins: anyone else signed in gets 404, as if the spec did not exist;
without credentials, 401."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from gpp import award, bid_lcc, contract, lcc
from gpp.bid_lcc import BidsLccOut, BidsLccUpdate
from gpp.case_draft import CaseDraftCreate, CaseDraftCreated, draft_case
from gpp.contract_deps import ApiUser, OwnedSpecApi
from gpp.contract_schemas import AwardCreate, ContractOut, MilestoneUpdate, StatusMove
from gpp.library import Library
from replan import auth
from replan.api import ERRORS, ErrorDetail
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.guards import DB_INT_MAX

router = APIRouter(
    prefix="/api/v1", tags=["contract"], dependencies=[Depends(auth.api_csrf_protect)]
)


@router.post(
    "/lcc",
    response_model=lcc.LccAnswer,
    responses=ERRORS,
    summary="Life-cycle cost of options, without and with CO2 (no account needed)",
)
def life_cycle_cost(body: lcc.LccRequest) -> lcc.LccAnswer:
    return lcc.calculate_lcc(body)


@router.get(
    "/specs/{spec_id}/contract",
    response_model=ContractOut,
    responses=ERRORS,
    summary="The contract of a spec: status, award, milestones and their log",
)
def get_contract(spec_id: OwnedSpecApi, user: ApiUser, session: DbDep) -> ContractOut:
    return contract.read_contract(session, spec_id=spec_id, user=user)


@router.post(
    "/specs/{spec_id}/status",
    response_model=ContractOut,
    responses={**ERRORS, 409: {"model": ErrorDetail, "description": "A move out of order"}},
    summary="Move a spec to its next status (draft, tendering, awarded, in_execution, closed)",
)
def change_status(
    spec_id: OwnedSpecApi, body: StatusMove, user: ApiUser, uow: UowDep
) -> ContractOut:
    return award.change_status(uow=uow, user=user, spec_id=spec_id, status=body.status)


@router.post(
    "/specs/{spec_id}/award",
    response_model=ContractOut,
    responses={**ERRORS, 409: {"model": ErrorDetail, "description": "Not tendering"}},
    summary="Award a tendering spec to one of its bidders (a reason unless it is compliant)",
)
def award_spec(spec_id: OwnedSpecApi, body: AwardCreate, user: ApiUser, uow: UowDep) -> ContractOut:
    return award.award_spec(uow=uow, user=user, spec_id=spec_id, request=body)


@router.patch(
    "/specs/{spec_id}/contract/milestones/{n}",
    response_model=ContractOut,
    responses={**ERRORS, 409: {"model": ErrorDetail, "description": "The contract is not running"}},
    summary="Record a milestone's status, measured value, note or due date",
)
def update_milestone(
    spec_id: OwnedSpecApi,
    n: Annotated[int, Path(ge=0, le=DB_INT_MAX)],
    body: MilestoneUpdate,
    user: ApiUser,
    uow: UowDep,
) -> ContractOut:
    return contract.update_milestone(uow=uow, user=user, spec_id=spec_id, n=n, change=body)


@router.post(
    "/specs/{spec_id}/case-draft",
    status_code=201,
    response_model=CaseDraftCreated,
    responses={**ERRORS, 409: {"model": ErrorDetail, "description": "Not closed, or drafted"}},
    summary="Turn a closed contract into a draft case study in the moderation queue",
)
def case_draft(
    spec_id: OwnedSpecApi,
    user: ApiUser,
    runtime: RuntimeDep,
    uow: UowDep,
    body: CaseDraftCreate | None = None,
) -> CaseDraftCreated:
    request = body or CaseDraftCreate()
    return draft_case(
        uow=uow,
        user=user,
        settings=runtime.settings,
        library=runtime.get(Library),
        spec_id=spec_id,
        request=request,
    )


@router.get(
    "/specs/{spec_id}/lcc",
    response_model=BidsLccOut,
    responses=ERRORS,
    summary="The bids' life-cycle costs, ranked",
)
def get_bids_lcc(spec_id: OwnedSpecApi, user: ApiUser, session: DbDep) -> BidsLccOut:
    return bid_lcc.read_bids_lcc(session, spec_id=spec_id, user=user)


@router.put(
    "/specs/{spec_id}/lcc",
    response_model=BidsLccOut,
    responses=ERRORS,
    summary="Enter the bids' life-cycle cost figures (replacing the earlier ones) and rank them",
)
def put_bids_lcc(
    spec_id: OwnedSpecApi, body: BidsLccUpdate, user: ApiUser, uow: UowDep
) -> BidsLccOut:
    return bid_lcc.set_bids_lcc(uow=uow, user=user, spec_id=spec_id, request=body)
