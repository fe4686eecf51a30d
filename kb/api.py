"""The knowledge base's JSON API under /api/v1."""

from typing import Annotated

from fastapi import APIRouter, Query, Request

from kb import searching, service
from kb.deps import ValidCase
from kb.schemas import CaseOut, CaseQuery, CaseSearchResult
from kb.taxonomy import Taxonomy
from replan.api import ERRORS
from replan.deps import DbDep, RuntimeDep
from search.service import GuardedBackend

router = APIRouter(prefix="/api/v1", tags=["cases"])


@router.get(
    "/cases",
    response_model=CaseSearchResult,
    responses=ERRORS,
    summary="Search published case studies",
)
def list_cases(
    runtime: RuntimeDep, db: DbDep, query: Annotated[CaseQuery, Query()]
) -> CaseSearchResult:
    return searching.search_cases(db, backend=runtime.get(GuardedBackend), query=query)


@router.get(
    "/cases/{case_id}",
    response_model=CaseOut,
    responses=ERRORS,
    summary="One case study, every field",
)
def get_case(case: ValidCase) -> dict:
    return service.case_json(case)


@router.get(
    "/taxonomy",
    tags=["taxonomy"],
    summary="The application and material codes with labels",
    responses=ERRORS,
)
def taxonomy(
    request: Request, runtime: RuntimeDep, lang: Annotated[str | None, Query(max_length=8)] = None
) -> dict:
    return runtime.get(Taxonomy).as_json(lang or request.state.locale)
