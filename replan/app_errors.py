"""Errors mapped to answers once, for every domain: part of the composition root (it knows the
search engine's errors as well as `replan`'s), split from `replan.app` for size."""

import logging
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from replan import auth, guards, i18n
from replan.errors import DomainError, Invalid
from replan.i18n import N_
from replan.web import page_detail, render, safe_path, see_other, wants_json
from search.backend import SearchUnavailable
from search.service import SearchRebuilding

log = logging.getLogger(__name__)


def install(app: FastAPI):
    """Map errors to answers once: JSON for the API, pages in the layout for the rest.

    Return the answer to any other error, for `guards.CatchAll`: a busy database is 503 with
    `Retry-After`, a value the database cannot store 422, anything else 500."""
    headers = guards.security_headers(app.state.settings)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/") or wants_json(request)

    @app.exception_handler(auth.LoginRequired)
    async def login_required(request: Request, _exc: auth.LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other("/login?" + urlencode({"next": safe_path(target)}))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render(
            request,
            "replan/error.html",
            {"status": exc.status_code, "detail": page_detail(exc.status_code, exc.detail)},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        detail = getattr(exc, "detail", "Not Found")
        if is_api(request):
            return JSONResponse({"detail": detail}, status_code=404)
        return render(
            request,
            "replan/error.html",
            {"status": 404, "detail": page_detail(404, detail)},
            status_code=404,
        )

    @app.exception_handler(DomainError)
    async def refused(request: Request, exc: DomainError) -> Response:
        if is_api(request):
            detail: object = exc.text()
            if isinstance(exc, Invalid) and (exc.field or len(exc.problems()) > 1):
                detail = [
                    {
                        "loc": ["body", *(p.field.split(".") if p.field else ())],
                        "field": p.field,
                        "msg": p.text(),
                        "type": "value_error",
                    }
                    for p in exc.problems()
                ]
            return JSONResponse({"detail": detail}, status_code=exc.status)
        text = exc.text(i18n.gettext_for(request.state.locale))
        return render(
            request,
            "replan/error.html",
            {"status": exc.status, "detail": text},
            status_code=exc.status,
        )

    @app.exception_handler(SearchUnavailable)
    async def search_unavailable(request: Request, exc: SearchUnavailable) -> Response:
        log.warning("search unavailable on %s: %s", request.url.path, exc)
        if isinstance(exc, SearchRebuilding):
            detail = N_("The search index is being rebuilt. Please try again in a minute.")
        else:
            detail = N_("Search is unavailable for a moment. Please try again shortly.")
        headers = {"Retry-After": "30"}
        if is_api(request):
            return JSONResponse({"detail": detail}, status_code=503, headers=headers)
        context = {"status": 503, "detail": detail}
        return render(request, "replan/error.html", context, status_code=503, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "loc": list(e["loc"]),
                "field": ".".join(str(p) for p in e["loc"][1:]) or e["loc"][0],
                "msg": e["msg"].removeprefix("Value error, "),
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        if is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        return render(
            request, "replan/error.html", {"status": 422, "detail": errors}, status_code=422
        )

    async def crashed(request: Request, exc: Exception) -> Response:
        if guards.database_busy(exc):
            response = guards.busy_response(request, is_api(request))
        elif guards.unstorable_value(exc):
            log.warning("value refused by the database on %s: %s", request.url.path, exc)
            response = await invalid(request, guards.unstorable_error())
        else:
            log.exception("unhandled error on %s", request.url.path)
            reference = getattr(request.state, "request_id", None)  # for the user to quote
            response = (
                JSONResponse({"detail": "internal error", "request_id": reference}, 500)
                if is_api(request)
                else render(
                    request, "replan/error.html", {"status": 500, "detail": None}, status_code=500
                )
            )
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    return crashed
