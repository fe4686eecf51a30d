"""The administrator's list of accounts, with "sign out everywhere" for each one."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from replan import auth, i18n, sessions
from replan.auth_models import ApiToken, User, UserSession
from replan.i18n import N_
from replan.web import render, see_other

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
Admin = Annotated[User, Depends(auth.require_roles("admin"))]


@router.get("/admin/users")
def admin_users(request: Request, user: Admin) -> Response:
    runtime = request.app.state.runtime
    limits = sessions.limits_of(runtime.settings)
    now = datetime.now(UTC)
    live = (
        select(UserSession.user_id, func.count().label("n"))
        .where(
            UserSession.last_seen_at >= now - limits.idle,
            UserSession.created_at >= now - limits.absolute,
        )
        .group_by(UserSession.user_id)
        .subquery()
    )
    tokens = (
        select(ApiToken.user_id, func.count().label("n"))
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id)
        .subquery()
    )
    with runtime.db.session() as session:
        rows = session.execute(
            select(User, func.coalesce(live.c.n, 0), func.coalesce(tokens.c.n, 0))
            .outerjoin(live, live.c.user_id == User.id)
            .outerjoin(tokens, tokens.c.user_id == User.id)
            .order_by(User.email)
        ).all()
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
