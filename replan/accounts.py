"""The account page: profile, what one follows (`replan.follows.web` changes it), password,
sessions, API tokens, a download of one's data, and deletion. What each domain holds about the
user comes from the runtime's account hooks."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from replan import auth, i18n, sessions
from replan.account_hooks import account_data, delete_account
from replan.auth_models import User
from replan.auth_web import sign_in
from replan.follows.service import follows_of
from replan.web import render, see_other

TEMPLATE = "replan/account.html"

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
SignedIn = Annotated[User, Depends(auth.require_roles())]


def _page(
    request: Request,
    user: User,
    *,
    status: int = 200,
    new_token: str | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    runtime = request.app.state.runtime
    with runtime.db.session() as session:
        tokens = auth.list_tokens(session, user_id=user.id)
        live = sessions.list_for(
            session, user_id=user.id, limits=sessions.limits_of(runtime.settings)
        )
        fresh = session.get(User, user.id)
        follows = follows_of(
            session, user_id=user.id, kinds=runtime.follow_kinds, locale=request.state.locale
        )
    return render(
        request,
        TEMPLATE,
        {
            "user": fresh,
            "tokens": tokens,
            "sessions": live,
            "follows": follows,
            "current_session": request.state.session_id,
            "new_token": new_token,
            "errors": errors or {},
            "notice": notice or request.session.pop("flash", None),
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _back(notice: str, request: Request) -> Response:
    request.session["flash"] = notice
    return see_other("/account")


@router.get("/account")
def account(request: Request, user: SignedIn) -> Response:
    return _page(request, user)


@router.post("/account/profile")
def account_profile(
    request: Request,
    user: SignedIn,
    name: Annotated[str, Form(max_length=200)] = "",
    language: Annotated[str, Form(max_length=8)] = "en",
) -> Response:
    _ = i18n.translator(request.state.locale)
    if language not in i18n.LANGUAGES:
        return _page(request, user, status=422, errors={"language": _("Choose a language.")})
    with request.app.state.runtime.db.session() as session:
        row = session.get(User, user.id)
        row.name = " ".join(name.split()) or None
        row.language = language
    return _back(_("Your profile was saved."), request)


@router.post("/account/password")
def account_password(
    request: Request,
    user: SignedIn,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    _ = i18n.translator(request.state.locale)
    errors = {}
    if len(new) < auth.MIN_PASSWORD:
        errors["new"] = _("The password must have at least %(n)s characters.", n=auth.MIN_PASSWORD)
    elif new != confirm:
        errors["confirm"] = _("The two new passwords are not the same.")
    if not errors:
        runtime = request.app.state.runtime
        try:
            with runtime.db.session() as session:
                # Every session and token ends; this browser goes on in a new session.
                auth.change_password(session, user_id=user.id, current=current, new=new)
                key = sessions.start(
                    session,
                    user_id=user.id,
                    user_agent=request.headers.get("user-agent", ""),
                    limits=sessions.limits_of(runtime.settings),
                )
        except auth.AuthError:
            errors["current"] = _("The current password is not right.")
    if errors:
        return _page(request, user, status=422, errors=errors)
    sign_in(request, key)
    return _back(
        _("Your password was changed. Your other sessions and your API tokens have ended."),
        request,
    )


@router.post("/account/sessions/{session_id}/end")
def session_end(session_id: int, request: Request, user: SignedIn) -> Response:
    _ = i18n.translator(request.state.locale)
    with request.app.state.runtime.db.session() as session:
        done = sessions.end_one(session, user_id=user.id, session_id=session_id)
    if done and session_id == request.state.session_id:
        request.session.clear()
        return see_other("/")
    return _back(_("The session was ended.") if done else _("There is no such session."), request)


@router.post("/account/sessions/end-others")
def sessions_end_others(request: Request, user: SignedIn) -> Response:
    _ = i18n.translator(request.state.locale)
    with request.app.state.runtime.db.session() as session:
        sessions.end_all(session, user_id=user.id, except_id=request.state.session_id)
    return _back(_("You were signed out everywhere else."), request)


@router.post("/account/tokens")
def token_create(
    request: Request, user: SignedIn, name: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    with request.app.state.runtime.db.session() as session:
        token = auth.create_token(
            session, user=session.get(User, user.id), name=" ".join(name.split()) or "web"
        )
    # Shown once, on this answer only: it is stored hashed.
    return _page(request, user, status=201, new_token=token)


@router.post("/account/tokens/{token_id}/revoke")
def token_revoke(token_id: int, request: Request, user: SignedIn) -> Response:
    _ = i18n.translator(request.state.locale)
    with request.app.state.runtime.db.session() as session:
        done = auth.revoke_token(session, user_id=user.id, token_id=token_id)
    return _back(
        _("The token was revoked.") if done else _("There is no such active token."), request
    )


@router.get("/account/data.json")
def account_download(request: Request, user: SignedIn) -> Response:
    runtime = request.app.state.runtime
    with runtime.db.session() as session:
        data = account_data(session, session.get(User, user.id), runtime.account_hooks)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-replan-data.json"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/account/delete")
def account_delete(
    request: Request,
    user: SignedIn,
    password: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    _ = i18n.translator(request.state.locale)
    errors = {}
    runtime = request.app.state.runtime
    with runtime.unit_of_work() as uow:
        if confirm != "yes":
            errors["delete_confirm"] = _("Tick the box to confirm.")
        if not auth.check_password(uow.session.get(User, user.id), password):
            errors["delete_password"] = _("The password is not right.")
        if not errors:
            delete_account(uow, user_id=user.id, hooks=runtime.account_hooks)
    if errors:
        return _page(request, user, status=422, errors=errors)
    request.session.clear()
    return see_other("/")
