"""Pages of the directory (/organisations) and the comparison (/compare)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kb.codes import country_name
from kb.directory import service
from kb.directory.schemas import (
    MAX_COMPARED,
    PER_PAGE,
    OrganisationDirectory,
    OrganisationQuery,
)
from kb.taxonomy import Taxonomy
from replan import auth
from replan.deps import DbDep, RuntimeDep
from replan.web import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


def _page_url(query: OrganisationQuery, page: int) -> str:
    pairs = [("rtm", v) for v in query.rtm] + [("country", v) for v in query.country]
    for name in ("certificate", "region", "q"):
        if getattr(query, name):
            pairs.append((name, getattr(query, name)))
    if page != 1:
        pairs.append(("page", str(page)))
    return "/organisations" + (f"?{urlencode(pairs)}" if pairs else "")


def with_links(found: OrganisationDirectory) -> OrganisationDirectory:
    """Add the previous and next page's links (the template builds no query string)."""
    page = found.query.page
    last = max(1, -(-found.total // PER_PAGE))
    return found.model_copy(
        update={
            "prev_url": _page_url(found.query, page - 1) if page > 1 else None,
            "next_url": _page_url(found.query, page + 1) if page < last else None,
        }
    )


@router.get("/organisations")
def organisations(
    request: Request,
    runtime: RuntimeDep,
    session: DbDep,
    query: Annotated[OrganisationQuery, Query()],
) -> Response:
    found = with_links(service.organisation_directory(session=session, query=query))
    locale = request.state.locale
    countries = {code: country_name(code, locale) for code in found.countries}  # entries too
    countries.update(
        {e.country: country_name(e.country, locale) for e in found.entries if e.country}
    )
    return render(
        request,
        "kb/organisations.html",
        {"taxonomy": runtime.get(Taxonomy), "country_labels": countries},
        block="kb_directory",
        model=found,
    )


@router.get("/compare")
def compare(
    request: Request,
    runtime: RuntimeDep,
    session: DbDep,
    ids: Annotated[list[str], Query(max_length=MAX_COMPARED * 2)] = [],  # noqa: B006
) -> Response:
    """Up to four published cases side by side; an unknown or unpublished id is left out."""
    chosen = service.parse_ids([value[:2000] for value in ids])
    comparison = service.compare_cases(session=session, ids=chosen)
    found = ", ".join(case.id for case in comparison.cases)  # never echo an unpublished id
    locale = request.state.locale
    context = {
        "taxonomy": runtime.get(Taxonomy),
        "ids_text": found,
        "country_labels": {c.country: country_name(c.country, locale) for c in comparison.cases},
    }
    return render(request, "kb/compare.html", context, model=comparison)
