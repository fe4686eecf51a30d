"""Users, roles, passwords (Argon2), API tokens, sign-in limits and CSRF (sessions: `sessions`)."""

import hashlib
import hmac
import secrets
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from fastapi import Depends, HTTPException, Request
from pwdlib import PasswordHash
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from replan import sessions
from replan.auth_models import ROLES, ApiToken, LoginAttempt, User
from replan.clock import utcnow
from replan.i18n import N_

_hasher = PasswordHash.recommended()
ROLE_RANK = {"public": 0, "submitter": 1, "procurer": 1, "moderator": 2, "admin": 3}
MIN_PASSWORD = 10
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class AuthError(ValueError):
    """A sign-in or account operation that cannot go through, with a message for the user."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    """Return the e-mail address in canonical form, or raise AuthError."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise AuthError(str(exc)) from exc


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    organisation_id: int | None = None,
    name: str | None = None,
    language: str = "en",
) -> User:
    """Create a user with a hashed password."""
    if role not in ROLES:
        raise AuthError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"the password must have at least {MIN_PASSWORD} characters")
    email = normalise_email(email)
    if session.scalar(select(User.id).where(User.email == email)):
        raise AuthError(f"a user with the e-mail {email} already exists")
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        organisation_id=organisation_id,
        name=name,
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def account_key(email: str) -> str:
    """Return the key that sign-in limits count an account under (its canonical e-mail)."""
    try:
        return normalise_email(email)
    except AuthError:
        return email.strip().lower()


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """Return the user whose credentials these are, else None (the attempt is logged, so commit).

    The caller has counted the attempt against the sign-in limits (`replan.ratelimit`) first."""
    email = account_key(email)
    user = session.scalar(select(User).where(User.email == email))
    ok = False
    if user is not None and user.is_active:
        ok, new_hash = _hasher.verify_and_update(password, user.password_hash)
        if ok and new_hash:
            user.password_hash = new_hash
    else:
        _hasher.hash(password)  # same work whether or not the account exists
    session.add(LoginAttempt(email=email, succeeded=ok))
    if not ok:
        return None
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.succeeded.is_(False))
    )
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, user: User, name: str = "") -> str:
    """Create an API token for a user; only its hash is stored, the token is returned once."""
    token = "rpl_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), name=name))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active user of a valid, unrevoked token."""
    row = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    row.last_used_at = utcnow()
    return user


def list_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    """Return a user's API tokens, newest first (revoked ones too, marked)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, *, user_id: int, token_id: int) -> bool:
    """Revoke one of the user's tokens; return False when they have no such active token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user_id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def revoke_all_tokens(session: Session, *, user_id: int) -> int:
    """Revoke every active token of a user; return how many."""
    done = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return done.rowcount or 0


def check_password(user: User, password: str) -> bool:
    return _hasher.verify(password, user.password_hash)


def change_password(session: Session, *, user_id: int, current: str, new: str) -> None:
    """Replace a user's password after checking the current one, or raise AuthError.

    Every session and API token of the user ends with the old password: the caller opens a new
    session for the browser that made the change."""
    user = session.get(User, user_id)
    if user is None or not check_password(user, current):
        raise AuthError("the current password is not right")
    if len(new) < MIN_PASSWORD:
        raise AuthError(f"the password must have at least {MIN_PASSWORD} characters")
    user.password_hash = hash_password(new)
    revoke_all_tokens(session, user_id=user_id)
    sessions.end_all(session, user_id=user_id)


def delete_user(session: Session, *, user_id: int) -> None:
    """Delete a user, their tokens and their sign-in attempts (rows pointing at them keep NULL)."""
    user = session.get(User, user_id)
    if user is None:
        return
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    sessions.end_all(session, user_id=user_id)
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    session.delete(user)
    session.flush()


def has_role(user: User | None, *roles: str) -> bool:
    """True when the user holds one of the roles; admins hold them all."""
    return user is not None and (user.role in roles or user.role == "admin")


# --- request-level helpers -------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, making one on first use."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong (403)."""
    if request.method in SAFE_METHODS or getattr(request.state, "via_token", False):
        return
    expected = request.session.get("csrf", "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            sent = str(form.get(CSRF_FIELD, ""))
    if not expected or not sent or not hmac.compare_digest(expected, sent):
        raise HTTPException(
            403,
            N_(
                "The form has expired or did not come from this site: "
                "reload the page and try again."
            ),
        )


async def api_csrf_protect(request: Request) -> None:
    """On the JSON API, ask for the CSRF header only where a browser session authenticates.

    Token clients, and anonymous clients (who may build a spec without an account), carry no
    ambient credentials that a forged request could borrow."""
    if current_user(request) is not None and not getattr(request.state, "via_token", False):
        await csrf_protect(request)


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


class LoginRequired(Exception):
    """A page needs a signed-in user: the handler redirects to /login."""


def require_roles(*roles: str, api: bool = False):
    """Return a dependency that lets through only users with one of the roles."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            if api:
                raise HTTPException(
                    401,
                    "authentication required: send Authorization: Bearer TOKEN",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            raise LoginRequired()
        if roles and not has_role(user, *roles):
            raise HTTPException(403, N_("your role may not do this"))
        return user

    return dependency


OptionalUser = Annotated[User | None, Depends(current_user)]
