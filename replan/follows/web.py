"""Pages of follows: how often a follow is sent and its removal (account page forms), and the
unsubscribe link of every digest.

The unsubscribe POST is the app's one form without a CSRF token, on purpose: RFC 8058's one-click
unsubscribe is a POST from the mail client, which has no session and no token. The secret token
in its URL is the credential (32 random bytes, one follow), so a forged request cannot name a
follow it does not already hold. Its GET only shows a confirm button: mail scanners that fetch
links do not unsubscribe anyone."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from replan import auth, i18n
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import NotFound
from replan.follows import service
from replan.runtime import Runtime
from replan.web import render, see_other

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
# No CSRF dependency: see the module's docstring. Keep it the only such router.
unsubscribe_router = APIRouter(include_in_schema=False)
SignedIn = Annotated[User, Depends(auth.require_roles())]
Token = Annotated[str, Path()]  # any wrong token, however long, is 404 (service.by_token)
TEMPLATE = "replan/unsubscribe.html"


def _back(request: Request, notice: str) -> Response:
    request.session["flash"] = notice
    return see_other("/account#account-follows")


@router.post("/account/follows/{follow_id}")
def follow_frequency(
    follow_id: int,
    request: Request,
    runtime: RuntimeDep,
    uow: UowDep,
    user: SignedIn,
    frequency: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    service.set_frequency(
        uow=uow, user=user, follow_id=follow_id, frequency=frequency, kinds=runtime.follow_kinds
    )
    return _back(request, i18n.translator(request.state.locale)("How often was changed."))


@router.post("/account/follows/{follow_id}/delete")
def follow_delete(
    follow_id: int, request: Request, runtime: RuntimeDep, uow: UowDep, user: SignedIn
) -> Response:
    service.remove(uow=uow, user=user, follow_id=follow_id, kinds=runtime.follow_kinds)
    return _back(request, i18n.translator(request.state.locale)("You no longer follow it."))


def _label(runtime: Runtime, session: Session, token: str, locale: str) -> str:
    row = service.by_token(session, token)
    if row is None:
        raise NotFound(service.NO_LINK)
    kind = next((k for k in runtime.follow_kinds if k.name == row.kind), None)
    return kind.describe(row.query, locale) if kind else ""


@unsubscribe_router.get("/follows/unsubscribe/{token}")
def unsubscribe_page(token: Token, request: Request, runtime: RuntimeDep, db: DbDep) -> Response:
    label = _label(runtime, db, token, request.state.locale)
    return render(
        request,
        TEMPLATE,
        {"label": label, "token": token, "done": False},
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@unsubscribe_router.post("/follows/unsubscribe/{token}")
def unsubscribe(token: Token, request: Request, runtime: RuntimeDep, uow: UowDep) -> Response:
    label = _label(runtime, uow.session, token, request.state.locale)
    service.unsubscribe(uow=uow, token=token, kinds=runtime.follow_kinds)
    return render(
        request,
        TEMPLATE,
        {"label": label, "token": token, "done": True},
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )
