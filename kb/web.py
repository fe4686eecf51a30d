"""Pages of the knowledge base: home, the case search and a case (organisations: kb.profiles)."""

import io
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response

from kb import follows, linked_data, searching, service
from kb import io as kb_io
from kb.codes import country_name, language_name
from kb.deps import ValidCase
from kb.moderation import queries as moderation_queries
from kb.pages import build_cases_page
from kb.schemas import CaseQuery
from kb.taxonomy import Taxonomy
from replan import auth, i18n, ratelimit
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import NotFound
from replan.follows import service as follow_service
from replan.i18n import N_
from replan.web import render, see_other
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


class CaseFollowForm(CaseQuery):
    """The follow form of /cases: the search's filters and words, and how often to send."""

    frequency: str = "weekly"


@router.post("/cases/follow")
def cases_follow(
    request: Request,
    runtime: RuntimeDep,
    uow: UowDep,
    user: Annotated[User, Depends(auth.require_roles())],
    form: Annotated[CaseFollowForm, Form()],
) -> Response:
    """Follow the search: its new published matches go by e-mail, daily or weekly."""
    kind = next(k for k in runtime.follow_kinds if k.name == follows.NAME)
    follow_service.follow(
        uow=uow,
        user=user,
        kind=kind,
        query=follows.stored_query(form),
        frequency=form.frequency,
        locale=request.state.locale,
    )
    request.session["flash"] = i18n.translator(request.state.locale)(
        "You follow this search: new case studies that match it will come by e-mail."
    )
    return see_other("/account#account-follows")


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
