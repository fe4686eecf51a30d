"""The JSON API of a spec after its tender (under /api/v1): life-cycle cost, status moves, award,
contract milestones, the delivered case draft.

`POST /lcc` is stateless and open to anyone. Every route of a spec answers only its owning
procurer, moderators and admins: anyone else signed in gets 404, as if the spec did not exist;
without credentials, 401."""

from fastapi import APIRouter, Depends

from gpp import lcc
from replan import auth
from replan.api import ERRORS

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
