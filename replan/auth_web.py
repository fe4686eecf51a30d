"""Sign-in and sign-out pages."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from replan import auth, ratelimit
from replan.i18n import N_
from replan.web import render

TOO_MANY_SIGN_INS = N_("too many failed sign-ins: wait 15 minutes and try again")
router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


def _safe_next(target: str | None) -> str:
    """Only follow local paths after sign-in (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(
        request, "replan/login.html", {"next": _safe_next(next), "error": None, "email": ""}
    )


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    runtime = request.app.state.runtime
    account = auth.account_key(email)
    try:
        # Counted before the password is checked: parallel attempts cannot get past the limit.
        ratelimit.limit_sign_in(request, account)
    except ratelimit.RateLimited as exc:
        response = _login_error(request, next, email, TOO_MANY_SIGN_INS, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    with runtime.db.session() as session:
        user = auth.authenticate(session, email=email, password=password)
        user_id = user.id if user else None
    if user_id is not None:
        ratelimit.signed_in(request, account)
    if user_id is None:
        return _login_error(
            request, next, email, N_("the e-mail or the password is not right"), 422
        )
    request.session.clear()
    request.session["uid"] = user_id
    auth.csrf_token(request)
    if request.headers.get("hx-request"):
        # htmx cannot see a 303's headers (the browser follows it), so tell it where to go.
        return Response(status_code=204, headers={"HX-Redirect": _safe_next(next)})
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)


def _login_error(request: Request, next: str, email: str, message: str, status: int) -> Response:
    return render(
        request,
        "replan/login.html",
        {"next": _safe_next(next), "error": message, "email": email},
        block="login_form",
        status_code=status,
    )
