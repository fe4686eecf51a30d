"""The administrator's list of accounts, with "sign out everywhere" for each one."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from replan import auth, i18n, sessions
from replan.auth_models import User
from replan.i18n import N_
from replan.web import render, see_other

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
Admin = Annotated[User, Depends(auth.require_roles("admin"))]


@router.get("/admin/users")
def admin_users(request: Request, user: Admin) -> Response:
    runtime = request.app.state.runtime
    with runtime.db.session() as session:
        rows = sessions.account_overview(session, limits=sessions.limits_of(runtime.settings))
        return render(
            request,
            "replan/admin_users.html",
            {"rows": rows, "notice": request.session.pop("flash", None)},
            headers={"Cache-Control": "no-store"},
        )


@router.post("/admin/users/{user_id}/sign-out")
def admin_sign_out(user_id: int, request: Request, user: Admin) -> Response:
    """End every session of an account and revoke its API tokens."""
    with request.app.state.runtime.db.session() as session:
        target = session.get(User, user_id)
        if target is not None:
            sessions.end_all(session, user_id=user_id)
            auth.revoke_all_tokens(session, user_id=user_id)
            email = target.email
    trans = i18n.translations(request.state.locale)
    if target is None:
        request.session["flash"] = trans.gettext(N_("There is no such account."))
    else:
        request.session["flash"] = trans.gettext(
            N_("%(email)s was signed out everywhere and their API tokens were revoked.")
        ) % {"email": email}
    if user_id == user.id:
        request.session.clear()
        return see_other("/")
    return see_other("/admin/users")
