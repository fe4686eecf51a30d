"""Sign-in and sign-out pages."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from replan import auth, ratelimit, sessions
from replan.i18n import N_
from replan.web import redirect, render, safe_path, see_other

TOO_MANY_SIGN_INS = N_("too many failed sign-ins: wait 15 minutes and try again")
router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(
        request, "replan/login.html", {"next": safe_path(next), "error": None, "email": ""}
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
    key = None
    with runtime.db.session() as session:
        user = auth.authenticate(session, email=email, password=password)
        if user is not None:
            key = sessions.start(
                session,
                user_id=user.id,
                user_agent=request.headers.get("user-agent", ""),
                limits=sessions.limits_of(runtime.settings),
            )
    if key is not None:
        ratelimit.signed_in(request, account)
    if key is None:
        return _login_error(
            request, next, email, N_("the e-mail or the password is not right"), 422
        )
    sign_in(request, key)
    return redirect(request, next, htmx_status=204)


def sign_in(request: Request, key: str) -> None:
    """Bind this browser to a new server-side session (a fresh cookie and CSRF token)."""
    request.session.clear()
    request.session[sessions.COOKIE_KEY] = key
    request.state.csrf_token = auth.csrf_token(request)


@router.post("/logout")
def logout(request: Request) -> Response:
    key = request.session.get(sessions.COOKIE_KEY)
    if key:
        with request.app.state.runtime.db.session() as session:
            sessions.end(session, key)
    request.session.clear()
    return see_other("/")


def _login_error(request: Request, next: str, email: str, message: str, status: int) -> Response:
    return render(
        request,
        "replan/login.html",
        {"next": safe_path(next), "error": message, "email": email},
        block="login_form",
        status_code=status,
    )
