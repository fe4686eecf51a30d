"""The GPP JSON API under /api/v1: the criteria library, specs and bidder verification.

Who may do what: anyone builds and reads a spec (its id is unguessable). A spec built by a
signed-in procurer is theirs; bidder routes need a procurer (401 without credentials, 403 for
another role) and answer 404 on a spec that is someone else's. The first procurer to add a bidder
to an anonymous spec claims it: from then on its bidders are theirs alone."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gpp import bidders, service
from gpp.deps import BidderDep, LibraryDep
from gpp.library import AMBITIONS
from gpp.schemas import (
    BidderCreate,
    BidderCreated,
    BidderOut,
    CheckUpdate,
    CriterionOut,
    SpecCreate,
    SpecCreated,
    SpecList,
    SpecOut,
)
from kb.codes import APPLICATIONS
from kb.taxonomy import Taxonomy
from replan import auth, ratelimit
from replan.api import ERRORS
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.i18n import LANGUAGES
from replan.web import public_url

router = APIRouter(prefix="/api/v1", tags=["gpp"], dependencies=[Depends(auth.api_csrf_protect)])
Procurer = Annotated[User, Depends(auth.require_roles("procurer", api=True))]


@router.get(
    "/criteria",
    response_model=list[CriterionOut],
    responses=ERRORS,
    summary="The criteria library, for an application and ambition level",
)
def list_criteria(
    library: LibraryDep,
    application: Annotated[str | None, Query(max_length=40, description="application code")] = None,
    ambition: Annotated[
        str | None,
        Query(
            max_length=20,
            description="core or comprehensive (comprehensive = core + comprehensive)",
        ),
    ] = None,
    lang: Annotated[str | None, Query(max_length=8, description="language of the texts")] = None,
) -> list[CriterionOut]:
    errors = []
    if application is not None and application not in APPLICATIONS:
        errors.append(
            {
                "loc": ("query", "application"),
                "type": "unknown_application",
                "msg": f"unknown application '{application}': use one of {', '.join(APPLICATIONS)}",
            }
        )
    if ambition is not None and ambition not in AMBITIONS:
        errors.append(
            {
                "loc": ("query", "ambition"),
                "type": "unknown_ambition",
                "msg": f"unknown ambition '{ambition}': use core or comprehensive",
            }
        )
    if lang is not None and lang not in LANGUAGES:
        errors.append(
            {
                "loc": ("query", "lang"),
                "type": "unknown_language",
                "msg": f"unknown language '{lang}': use one of {', '.join(LANGUAGES)}",
            }
        )
    if errors:
        raise RequestValidationError(errors)
    today = date.today()
    if application is not None:
        found = library.criteria_for(application, ambition or "comprehensive", on=today)
    else:
        levels = AMBITIONS[: AMBITIONS.index(ambition) + 1] if ambition else AMBITIONS
        found = [c for c in library.criteria.values() if c.ambition in levels and c.valid_on(today)]
    return [CriterionOut.of(library.localised(c, lang or "en")) for c in found]


@router.post(
    "/specs",
    dependencies=[Depends(ratelimit.limit_specs)],
    status_code=201,
    response_model=SpecCreated,
    responses=ERRORS,
    summary="Build a tender specification (no account needed)",
)
def create_spec(
    body: SpecCreate, request: Request, runtime: RuntimeDep, library: LibraryDep, uow: UowDep
) -> JSONResponse:
    spec = service.create_spec(
        uow=uow,
        user=auth.current_user(request),
        library=library,
        taxonomy=runtime.get(Taxonomy),
        request=body,
        evidence_limit=runtime.settings.spec_evidence_cases,
    )
    url = public_url(request, f"/specs/{spec.id}")
    return JSONResponse({"id": spec.id, "url": url}, status_code=201, headers={"Location": url})


@router.get(
    "/specs",
    response_model=SpecList,
    responses=ERRORS,
    summary="The signed-in procurer's specifications",
)
def my_specs(user: Procurer, request: Request, db: DbDep) -> SpecList:
    return service.spec_list(
        db, owner_id=user.id, url=lambda spec_id: public_url(request, f"/specs/{spec_id}")
    )


@router.get(
    "/specs/{spec_id}",
    response_model=SpecOut,
    responses=ERRORS,
    summary="One tender specification with its checklist and market evidence",
)
def get_spec(spec_id: str, request: Request, db: DbDep) -> dict:
    user = auth.current_user(request)
    return service.read_spec(db, spec_id, viewer_id=user.id if user else None).document


@router.post(
    "/specs/{spec_id}/bidders",
    status_code=201,
    response_model=BidderCreated,
    responses=ERRORS,
    summary="Add a bidder: a copy of the checklist to fill in",
)
def add_bidder(spec_id: str, body: BidderCreate, user: Procurer, uow: UowDep) -> BidderCreated:
    return bidders.add_bidder(uow=uow, user=user, spec_id=spec_id, name=body.name)


@router.get(
    "/specs/{spec_id}/bidders/{bidder_id}",
    response_model=BidderOut,
    responses=ERRORS,
    summary="A bidder's checks, their summary and the verdict",
)
def get_bidder(user: Procurer, evaluation: BidderDep) -> BidderOut:
    return evaluation.bidder


@router.patch(
    "/specs/{spec_id}/bidders/{bidder_id}/checks/{n}",
    response_model=BidderOut,
    responses=ERRORS,
    summary="Set the status and note of one checklist item",
)
def update_check(
    spec_id: str, bidder_id: int, n: int, body: CheckUpdate, user: Procurer, uow: UowDep
) -> BidderOut:
    return bidders.update_check(
        uow=uow,
        user=user,
        spec_id=spec_id,
        bidder_id=bidder_id,
        n=n,
        status=body.status,
        note=body.note,
    )
