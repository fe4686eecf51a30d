"""Server-side sessions: the signed cookie carries only a random key; the table keeps its hash,
the user, when it began, when it was last seen and the browser. Ending a row signs that browser
out at its next request, whatever cookie it kept."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from replan.auth_models import ApiToken, User, UserSession
from replan.clock import utcnow

SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often per session
COOKIE_KEY = "sid"


@dataclass(frozen=True)
class Limits:
    """How long a session lives without use (idle) and at most (absolute)."""

    idle: timedelta
    absolute: timedelta


def limits_of(settings) -> Limits:
    """Return the session limits a settings object asks for."""
    return Limits(
        idle=timedelta(hours=settings.session_idle_hours),
        absolute=timedelta(days=settings.session_max_days),
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite drops the zone


def start(session: Session, *, user_id: int, user_agent: str, limits: Limits) -> str:
    """Open a session for a user and return its key (for the cookie; only its hash is kept)."""
    now = utcnow()
    session.execute(delete(UserSession).where(_expired(now, limits)))
    key = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            key_hash=_hash(key),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            user_agent=user_agent[:300],
        )
    )
    session.flush()
    return key


def _expired(now: datetime, limits: Limits):
    return or_(
        UserSession.last_seen_at < now - limits.idle,
        UserSession.created_at < now - limits.absolute,
    )


def _live(now: datetime, limits: Limits):
    return and_(
        UserSession.last_seen_at >= now - limits.idle,
        UserSession.created_at >= now - limits.absolute,
    )


def user_for_key(session: Session, key: str, *, limits: Limits) -> tuple[User, int] | None:
    """Return the active user of a live session and the session's id (one indexed query)."""
    now = utcnow()
    row = session.execute(
        select(User, UserSession.id, UserSession.last_seen_at)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.key_hash == _hash(key),
            UserSession.last_seen_at >= now - limits.idle,
            UserSession.created_at >= now - limits.absolute,
            User.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    user, session_id, last_seen = row
    if now - _aware(last_seen) > SEEN_EVERY:
        session.get(UserSession, session_id).last_seen_at = now
    return user, session_id


def end(session: Session, key: str) -> None:
    """End the session with this key (signing out)."""
    session.execute(delete(UserSession).where(UserSession.key_hash == _hash(key)))


def end_one(session: Session, *, user_id: int, session_id: int) -> bool:
    """End one of the user's sessions; False when they have no such session."""
    done = session.execute(
        delete(UserSession).where(UserSession.id == session_id, UserSession.user_id == user_id)
    )
    return bool(done.rowcount)


def end_all(session: Session, *, user_id: int, except_id: int | None = None) -> int:
    """End every session of a user (but one, when named); return how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user_id)
    if except_id is not None:
        query = query.where(UserSession.id != except_id)
    return session.execute(query).rowcount or 0


def list_for(session: Session, *, user_id: int, limits: Limits) -> list[UserSession]:
    """Return a user's live sessions, the most recently seen first."""
    now = utcnow()
    return list(
        session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, _live(now, limits))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def account_overview(session: Session, *, limits: Limits) -> list[tuple[User, int, int]]:
    """Return every account with its number of live sessions and of active API tokens."""
    now = utcnow()
    live = (
        select(UserSession.user_id, func.count().label("n"))
        .where(_live(now, limits))
        .group_by(UserSession.user_id)
        .subquery()
    )
    tokens = (
        select(ApiToken.user_id, func.count().label("n"))
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id)
        .subquery()
    )
    rows = session.execute(
        select(User, func.coalesce(live.c.n, 0), func.coalesce(tokens.c.n, 0))
        .outerjoin(live, live.c.user_id == User.id)
        .outerjoin(tokens, tokens.c.user_id == User.id)
        .order_by(User.email)
    )
    return [(user, live_n, token_n) for user, live_n, token_n in rows]
