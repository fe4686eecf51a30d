"""What stands between hostile or failing input and the handlers: input the database cannot
store (NUL characters, integers beyond its range), a busy database, and errors that nothing else
caught (answered without dropping the keep-alive connection). Request bodies are bounded by
FastAPI's `max_body_size` (see `replan.app`)."""

import logging
import re
from collections.abc import Awaitable, Callable

from fastapi import HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from sqlalchemy import exc as sa_exc
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from replan.i18n import N_
from replan.settings import Settings

log = logging.getLogger(__name__)

DB_INT_MAX = 2**31 - 1  # INTEGER on PostgreSQL; SQLite's 2**63 - 1 is wider
RETRY_AFTER = 2  # seconds a client waits when the database is busy
# A JSON string escape of NUL: `\u0000` preceded by an even number of backslashes.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


class CatchAll:
    """Answer an error no handler caught with `handler`'s response, here, inside the app.

    Starlette's outermost error middleware would send the same page but then re-raise, and the
    server closes the connection of any app that raised: a keep-alive client loses it."""

    def __init__(
        self, app: ASGIApp, *, handler: Callable[[Request, Exception], Awaitable[Response]]
    ) -> None:
        self.app, self.handler = app, handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            if started:
                raise
            response = await self.handler(Request(scope, receive), exc)
            await response(scope, receive, send)


def _int_params(dependant: Dependant, where: str) -> set[str]:
    """Names of the integer path or query parameters of a route, dependencies included."""
    fields = dependant.path_params if where == "path" else dependant.query_params
    names = {f.alias for f in fields if f.field_info.annotation in (int, int | None)}
    for sub in dependant.dependencies:
        names |= _int_params(sub, where)
    return names


def _out_of_range(value: str) -> bool:
    try:
        return abs(int(value)) > DB_INT_MAX
    except ValueError:
        return False


async def reject_unstorable(request: Request) -> None:
    """Refuse NUL characters anywhere and integers the database cannot hold, before any work.

    A path answers 404 (no such thing can exist), a query parameter or a body 422 naming it.
    Integer fields of JSON bodies are bounded by their schemas (`replan.guards.DB_INT_MAX`)."""
    route = request.scope.get("route")
    if "\x00" in request.url.path:
        raise HTTPException(404)
    dependant = getattr(route, "dependant", None)
    if dependant is not None:
        for name in _int_params(dependant, "path"):
            if _out_of_range(str(request.path_params.get(name, ""))):
                raise HTTPException(404)
    query_ints = _int_params(dependant, "query") if dependant is not None else set()
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise _invalid(["query", name], N_("must not contain NUL characters"))
        if name in query_ints and _out_of_range(value):
            raise _invalid(["query", name], N_("is out of range"))
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.headers.get("content-type", "")
        if content_type.startswith("application/json"):
            if _JSON_NUL.search(await request.body()):
                raise _invalid(["body"], N_("must not contain NUL characters"))
        elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
            for name, value in (await request.form()).multi_items():  # parsed once, kept
                if "\x00" in name or (isinstance(value, str) and "\x00" in value):
                    raise _invalid(["body", name], N_("must not contain NUL characters"))


def _invalid(loc: list[str], message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": tuple(loc), "msg": message, "type": "value_error", "input": None}]
    )


def database_busy(exc: Exception) -> bool:
    """True when a database error means "busy, try again" rather than a fault of ours."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(exc, sa_exc.OperationalError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if sqlstate:  # PostgreSQL: connection, lock, shutdown, resources, serialisation
        return sqlstate[:2] in ("08", "40", "53", "57") or sqlstate == "55P03"
    message = str(exc.orig).lower()
    return "locked" in message or "busy" in message


def busy_response(request: Request, is_api: bool) -> Response:
    """The 503 of a busy database, with `Retry-After`."""
    log.warning("database busy on %s", request.url.path)
    detail = N_("The database is busy: try again in a moment.")
    headers = {"Retry-After": str(RETRY_AFTER)}
    if is_api:
        return JSONResponse({"detail": detail}, status_code=503, headers=headers)
    from replan.web import render

    return render(
        request,
        "replan/error.html",
        {"status": 503, "detail": detail},
        status_code=503,
        headers=headers,
    )


def unstorable_value(exc: Exception) -> bool:
    """True for a value the database refused to store (out of range, NUL): the client's fault."""
    return isinstance(exc, OverflowError | sa_exc.DataError)


def unstorable_error() -> RequestValidationError:
    return _invalid(["body"], N_("a value is out of range or contains a NUL character"))


def security_headers(settings: Settings, *, embeddable: bool = False) -> dict[str, str]:
    """Return the headers of every answer; images may come from the map tiles' origin.

    No other site may frame a page, except the answers of routes that depend on
    `replan.web.embeddable` (figures made for partners' sites). A route's own header wins."""
    images = " ".join(filter(None, ["'self' data:", settings.map_tiles_origin]))
    ancestors = "*" if embeddable else "'none'"
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": (
            f"default-src 'self'; img-src {images}; style-src 'self'; script-src 'self'; "
            f"frame-ancestors {ancestors}; base-uri 'self'; form-action 'self'"
        ),
    }
    if not embeddable:
        headers["X-Frame-Options"] = "DENY"
    return headers


HSTS = "max-age=63072000; includeSubDomains"  # two years, as the HSTS preload list asks
