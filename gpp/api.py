"""The GPP JSON API under /api/v1: the criteria library, specs and bidder verification.

Who may do what: anyone builds and reads a spec (its id is unguessable). A spec built by a
signed-in procurer is theirs; bidder routes need a procurer (401 without credentials, 403 for
another role) and answer 404 on a spec that is someone else's. The first procurer to add a bidder
to an anonymous spec claims it: from then on its bidders are theirs alone."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from gpp import bidders, service
from gpp.deps import LibraryDep, is_procurer
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
from replan.deps import RuntimeDep
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
    body: SpecCreate, request: Request, runtime: RuntimeDep, library: LibraryDep
) -> JSONResponse:
    user = auth.current_user(request)
    owner_id = user.id if user is not None and is_procurer(request) else None
    try:
        with runtime.db.session() as session:
            spec = service.build_spec(
                session,
                library=library,
                request=body,
                taxonomy=runtime.get(Taxonomy),
                owner_id=owner_id,
                evidence_limit=runtime.settings.spec_evidence_cases,
            )
            spec_id = spec.id
    except service.SpecInvalid as exc:
        raise RequestValidationError(exc.errors) from exc
    url = public_url(request, f"/specs/{spec_id}")
    return JSONResponse({"id": spec_id, "url": url}, status_code=201, headers={"Location": url})


@router.get(
    "/specs",
    response_model=SpecList,
    responses=ERRORS,
    summary="The signed-in procurer's specifications",
)
def my_specs(user: Procurer, request: Request, runtime: RuntimeDep) -> SpecList:
    with runtime.db.session() as session:
        return service.spec_list(
            session,
            owner_id=user.id,
            url=lambda spec_id: public_url(request, f"/specs/{spec_id}"),
        )


@router.get(
    "/specs/{spec_id}",
    response_model=SpecOut,
    responses=ERRORS,
    summary="One tender specification with its checklist and market evidence",
)
def get_spec(spec_id: str, request: Request, runtime: RuntimeDep) -> dict:
    user = auth.current_user(request)
    with runtime.db.session() as session:
        try:
            return service.spec_json(
                service.get_spec(session, spec_id), viewer_id=user.id if user else None
            )
        except service.SpecNotFound as exc:
            raise HTTPException(404, "spec not found") from exc


@router.post(
    "/specs/{spec_id}/bidders",
    status_code=201,
    response_model=BidderCreated,
    responses=ERRORS,
    summary="Add a bidder: a copy of the checklist to fill in",
)
def add_bidder(spec_id: str, body: BidderCreate, user: Procurer, runtime: RuntimeDep) -> dict:
    with runtime.db.session() as session:
        try:
            spec = service.get_spec(session, spec_id)
            bidder = bidders.add_bidder(session, spec=spec, user_id=user.id, name=body.name)
        except service.SpecNotFound as exc:
            raise HTTPException(404, "spec not found") from exc
        return {"id": bidder.id}


def _bidder(session, spec_id: str, bidder_id: int, user: User):
    try:
        spec = bidders.owned_spec(session, spec_id, user_id=user.id)
        return spec, bidders.get_bidder(session, spec=spec, bidder_id=bidder_id)
    except (service.SpecNotFound, bidders.BidderNotFound) as exc:
        raise HTTPException(404, "bidder not found") from exc


@router.get(
    "/specs/{spec_id}/bidders/{bidder_id}",
    response_model=BidderOut,
    responses=ERRORS,
    summary="A bidder's checks, their summary and the verdict",
)
def get_bidder(spec_id: str, bidder_id: int, user: Procurer, runtime: RuntimeDep) -> dict:
    with runtime.db.session() as session:
        spec, bidder = _bidder(session, spec_id, bidder_id, user)
        return bidders.bidder_json(spec, bidder)


@router.patch(
    "/specs/{spec_id}/bidders/{bidder_id}/checks/{n}",
    response_model=BidderOut,
    responses=ERRORS,
    summary="Set the status and note of one checklist item",
)
def update_check(
    spec_id: str, bidder_id: int, n: int, body: CheckUpdate, user: Procurer, runtime: RuntimeDep
) -> dict:
    with runtime.db.session() as session:
        spec, bidder = _bidder(session, spec_id, bidder_id, user)
        try:
            bidders.update_check(session, bidder=bidder, n=n, status=body.status, note=body.note)
        except bidders.BidderNotFound as exc:
            raise HTTPException(
                404, f"no checklist item {n}: the checklist has items 0 to {len(bidder.checks) - 1}"
            ) from exc
        return bidders.bidder_json(spec, bidder)
