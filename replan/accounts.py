"""The account page: profile, password, API tokens, a download of one's data, and deletion.

`replan` knows no domain: what each domain holds about a user comes from the modules named in
`ACCOUNT_MODULES`, each with `NAME`, `export_account(session, user) -> dict` and
`forget_account(session, user)` (called before the user row goes)."""

import importlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from types import ModuleType
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from replan import auth, i18n
from replan.auth_models import LoginAttempt, User
from replan.web import render

ACCOUNT_MODULES = ("kb.moderation.account",)
TEMPLATE = "replan/account.html"

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
SignedIn = Annotated[User, Depends(auth.require_roles())]


def account_modules() -> Iterator[ModuleType]:
    for name in ACCOUNT_MODULES:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def _gettext(request: Request):
    trans = i18n.translations(request.state.locale)

    def gettext(message: str, **variables: Any) -> str:
        text = trans.gettext(message)
        return text % variables if variables else text

    return gettext


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
        fresh = session.get(User, user.id)
    return render(
        request,
        TEMPLATE,
        {
            "user": fresh,
            "tokens": tokens,
            "new_token": new_token,
            "errors": errors or {},
            "notice": notice or request.session.pop("flash", None),
        },
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _back(notice: str, request: Request) -> Response:
    request.session["flash"] = notice
    return RedirectResponse("/account", status_code=303)


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
    _ = _gettext(request)
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
    _ = _gettext(request)
    errors = {}
    if len(new) < auth.MIN_PASSWORD:
        errors["new"] = _("The password must have at least %(n)s characters.", n=auth.MIN_PASSWORD)
    elif new != confirm:
        errors["confirm"] = _("The two new passwords are not the same.")
    if not errors:
        try:
            with request.app.state.runtime.db.session() as session:
                auth.change_password(session, user_id=user.id, current=current, new=new)
        except auth.AuthError:
            errors["current"] = _("The current password is not right.")
    if errors:
        return _page(request, user, status=422, errors=errors)
    request.session["csrf"] = ""  # a new CSRF token for the rest of the session
    auth.csrf_token(request)
    return _back(_("Your password was changed."), request)


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
    _ = _gettext(request)
    with request.app.state.runtime.db.session() as session:
        done = auth.revoke_token(session, user_id=user.id, token_id=token_id)
    return _back(
        _("The token was revoked.") if done else _("There is no such active token."), request
    )


def account_data(session, user: User) -> dict:
    """Return everything the app holds about a user, as JSON data."""
    attempts = (
        session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == user.email)
        )
        or 0
    )
    data: dict[str, Any] = {
        "exported_at": datetime.now(UTC).isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "language": user.language,
            "organisation_id": user.organisation_id,
            "created_at": user.created_at.isoformat() if user.created_at else None,
        },
        "api_tokens": [
            {
                "name": t.name,
                "created_at": t.created_at.isoformat(),
                "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in auth.list_tokens(session, user_id=user.id)
        ],
        "failed_sign_ins_kept": attempts,
    }
    for module in account_modules():
        data[module.NAME] = module.export_account(session, user)
    return data


@router.get("/account/data.json")
def account_download(request: Request, user: SignedIn) -> Response:
    with request.app.state.runtime.db.session() as session:
        data = account_data(session, session.get(User, user.id))
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-replan-data.json"',
            "Cache-Control": "no-store",
        },
    )


def delete_account(session, *, user_id: int) -> None:
    """Delete a user: each domain forgets them first (their cases stay, without an author)."""
    user = session.get(User, user_id)
    if user is None:
        return
    for module in account_modules():
        module.forget_account(session, user)
    auth.delete_user(session, user_id=user_id)


@router.post("/account/delete")
def account_delete(
    request: Request,
    user: SignedIn,
    password: Annotated[str, Form(max_length=1000)] = "",
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    _ = _gettext(request)
    errors = {}
    with request.app.state.runtime.db.session() as session:
        if confirm != "yes":
            errors["delete_confirm"] = _("Tick the box to confirm.")
        if not auth.check_password(session.get(User, user.id), password):
            errors["delete_password"] = _("The password is not right.")
        if not errors:
            delete_account(session, user_id=user.id)
    if errors:
        return _page(request, user, status=422, errors=errors)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
