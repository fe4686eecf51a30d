"""What each domain holds about a user, for the data download and the account deletion.

`replan` knows no domain: the composition root (`replan.app.build_runtime`) hands it one
`AccountHook` per domain. A hook names the tables it answers for (every table with a foreign key
to `auth_user` must be covered by one: a test checks it), returns the user's data as JSON, and
forgets the user (deletes or anonymises their rows) before the user row goes, in the deletion's
unit of work (so that files go only once the rows are gone: `uow.after_commit`)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from replan import auth
from replan.auth_models import ApiToken, LoginAttempt, User, UserSession
from replan.clock import iso, utcnow
from replan.db import Base
from replan.follows.models import Follow
from replan.uow import UnitOfWork


@dataclass(frozen=True)
class AccountHook:
    """One domain's part of an account."""

    name: str  # the key of its part in the data download
    tables: tuple[type[Base], ...]  # the tables pointing at users that it answers for
    export: Callable[[Session, User], dict]
    forget: Callable[[UnitOfWork, User], None]


# Handled here: by `auth`, and the follows (deleted with the user by their foreign key).
OWN_TABLES: tuple[type[Base], ...] = (ApiToken, UserSession, Follow)


def account_data(session: Session, user: User, hooks: Sequence[AccountHook]) -> dict:
    """Return everything the app holds about a user, in every domain, as JSON data."""
    attempts = (
        session.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == user.email)
        )
        or 0
    )
    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "role": user.role,
            "language": user.language,
            "organisation_id": user.organisation_id,
            "created_at": iso(user.created_at),
        },
        "sessions": [
            {
                "created_at": iso(s.created_at),
                "last_seen_at": iso(s.last_seen_at),
                "user_agent": s.user_agent,
            }
            for s in session.scalars(
                select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
            )
        ],
        "api_tokens": [
            {
                "name": t.name,
                "created_at": iso(t.created_at),
                "last_used_at": iso(t.last_used_at),
                "revoked_at": iso(t.revoked_at),
            }
            for t in auth.list_tokens(session, user_id=user.id)
        ],
        "failed_sign_ins_kept": attempts,
        "follows": [
            {
                "kind": f.kind,
                "query": f.query,
                "frequency": f.frequency,
                "language": f.locale,
                "created_at": iso(f.created_at),
                "last_sent_at": iso(f.last_sent_at),
            }
            for f in session.scalars(
                select(Follow).where(Follow.user_id == user.id).order_by(Follow.id)
            )
        ],
    }
    for hook in hooks:
        data[hook.name] = hook.export(session, user)
    return data


def delete_account(uow: UnitOfWork, *, user_id: int, hooks: Sequence[AccountHook]) -> None:
    """Delete a user: each domain forgets them first, then their sessions, tokens and row go;
    commit."""
    user = uow.session.get(User, user_id)
    if user is None:
        return
    for hook in hooks:
        hook.forget(uow, user)
    auth.delete_user(uow.session, user_id=user_id)
    uow.commit()
