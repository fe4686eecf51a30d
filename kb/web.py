"""Pages of the knowledge base: home, the case search and a case (organisations: kb.profiles)."""

import io
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from kb import io as kb_io
from kb import linked_data, searching, service
from kb.codes import country_name, language_name
from kb.deps import ValidCase
from kb.moderation import queries as moderation_queries
from kb.pages import build_cases_page
from kb.schemas import CaseQuery
from kb.taxonomy import Taxonomy
from replan import auth, ratelimit
from replan.deps import DbDep, RuntimeDep
from replan.errors import NotFound
from replan.i18n import N_
from replan.web import render
from search.service import GuardedBackend

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
EXPORT_LIMIT = 10_000


@router.get("/")
def home(request: Request, runtime: RuntimeDep, db: DbDep) -> Response:
    stats = service.home_stats(db)
    return render(request, "kb/home.html", {"stats": stats, "taxonomy": runtime.get(Taxonomy)})


@router.get("/cases")
def cases(
    request: Request, runtime: RuntimeDep, db: DbDep, query: Annotated[CaseQuery, Query()]
) -> Response:
    result = searching.search_cases(db, backend=runtime.get(GuardedBackend), query=query)
    page = build_cases_page(
        query=query, result=result, taxonomy=runtime.get(Taxonomy), locale=request.state.locale
    )
    return render(
        request,
        "kb/cases.html",
        {"page": page, "taxonomy": runtime.get(Taxonomy)},
        block="kb_results",
        model=result,
    )


@router.get("/cases/export.{fmt}", dependencies=[Depends(ratelimit.limit_exports)])
def cases_export(
    fmt: str, runtime: RuntimeDep, db: DbDep, query: Annotated[CaseQuery, Query()]
) -> Response:
    if fmt not in ("csv", "jsonl"):
        raise NotFound(N_("Exports are CSV or JSONL."))
    records = searching.matching_records(
        db, backend=runtime.get(GuardedBackend), query=query, limit=EXPORT_LIMIT
    )
    out = io.StringIO()
    if fmt == "csv":
        kb_io.write_csv(records, out)
        media = "text/csv; charset=utf-8"
    else:
        kb_io.write_jsonl(records, out)
        media = "application/x-ndjson; charset=utf-8"
    return Response(
        out.getvalue(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="cases.{fmt}"'},
    )


@router.get("/cases/map.json")
def cases_map(runtime: RuntimeDep, db: DbDep, query: Annotated[CaseQuery, Query()]) -> Response:
    """Answer where every result of a search is (all pages), for the map of /cases."""
    located = searching.case_map(
        db, backend=runtime.get(GuardedBackend), query=query, limit=EXPORT_LIMIT
    )
    return JSONResponse(located.model_dump(mode="json"))


@router.get("/cases/{case_id}")
def case_detail(request: Request, runtime: RuntimeDep, db: DbDep, case: ValidCase) -> Response:
    record = service.record_of(case)
    locale = request.state.locale
    extras = moderation_queries.case_page_extras(
        db, user=auth.current_user(request), case=case, visible=True
    )
    return render(
        request,
        "kb/case.html",
        {
            "case": case,
            "record": record,
            "taxonomy": runtime.get(Taxonomy),
            "country_label": country_name(record.country, locale),
            "language_label": language_name(record.language, locale),
            # The tender wizard opens with this case's application and country chosen.
            "tender_url": "/gpp?"
            + urlencode({"application": record.application, "country": record.country}),
            "meta": linked_data.case_page_meta(
                case=case,
                record=record,
                taxonomy=runtime.get(Taxonomy),
                settings=runtime.settings,
                locale=locale,
            ),
            **extras,
        },
    )
