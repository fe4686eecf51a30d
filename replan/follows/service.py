"""Follows: start one, list them, change how often, remove one, unsubscribe by token, and the
daily pass that sends the digests that are due (each new item once: the follow keeps a watermark).

Write services take the unit of work and commit once; the digests go after the commit."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from replan import i18n, mail
from replan.auth_models import User
from replan.clock import aware, utcnow
from replan.errors import Invalid, NotFound
from replan.follows.digest_mail import compose_digest
from replan.follows.kinds import FollowKind
from replan.follows.models import FREQUENCIES, OFF, Follow
from replan.i18n import N_
from replan.settings import Settings
from replan.uow import UnitOfWork

NO_FOLLOW = N_("There is no such followed search.")
NO_LINK = N_("This unsubscribe link is not valid any more.")
PERIOD_DAYS = {"daily": 1, "weekly": 7}


@dataclass(frozen=True)
class FollowView:
    """A follow as the account page lists it."""

    id: int
    kind: str
    label: str
    url: str
    frequency: str
    frequencies: tuple[str, ...]
    automatic: bool
    last_sent_at: datetime | None


@dataclass(frozen=True)
class Sent:
    """A digest sent (or, on a dry run, that would be)."""

    to: str
    kind: str
    label: str
    items: int


def _kind(kinds: Sequence[FollowKind], name: str) -> FollowKind | None:
    return next((k for k in kinds if k.name == name), None)


def _locale(language: str | None) -> str:
    return language if language in i18n.LANGUAGES else i18n.DEFAULT


def follow(
    *,
    uow: UnitOfWork,
    user: User,
    kind: FollowKind,
    query: dict,
    frequency: str,
    locale: str,
) -> Follow:
    """Follow something; following it again only changes how often. What exists now is not new."""
    if frequency not in kind.frequencies:
        raise Invalid(N_("Choose how often: daily or weekly."), field="frequency")
    session = uow.session
    found = session.scalars(
        select(Follow).where(Follow.user_id == user.id, Follow.kind == kind.name)
    ).all()
    row = next((f for f in found if f.query == query), None)
    if row is None:
        now = utcnow()
        row = Follow(
            user_id=user.id,
            kind=kind.name,
            query=query,
            token=secrets.token_urlsafe(32),
            created_at=now,
            watermark=now,
        )
        session.add(row)
    row.frequency, row.locale = frequency, _locale(locale)
    uow.commit()
    return row


def follows_of(
    session: Session, *, user_id: int, kinds: Sequence[FollowKind], locale: str
) -> list[FollowView]:
    """Return what a user follows, oldest first (kinds the app no longer has are left out)."""
    views = []
    for row in session.scalars(
        select(Follow).where(Follow.user_id == user_id).order_by(Follow.created_at, Follow.id)
    ):
        kind = _kind(kinds, row.kind)
        if kind is None:
            continue
        views.append(
            FollowView(
                id=row.id,
                kind=row.kind,
                label=kind.describe(row.query, locale),
                url=kind.url(row.query),
                frequency=row.frequency,
                frequencies=kind.frequencies + ((OFF,) if kind.automatic else ()),
                automatic=kind.automatic is not None,
                last_sent_at=aware(row.last_sent_at),
            )
        )
    return views


def _own(session: Session, user: User, follow_id: int) -> Follow:
    row = session.get(Follow, follow_id)
    if row is None or row.user_id != user.id:
        raise NotFound(NO_FOLLOW)
    return row


def set_frequency(
    *, uow: UnitOfWork, user: User, follow_id: int, frequency: str, kinds: Sequence[FollowKind]
) -> None:
    """Change how often a follow is sent (an automatic one may also be turned off)."""
    row = _own(uow.session, user, follow_id)
    kind = _kind(kinds, row.kind)
    allowed = (kind.frequencies + ((OFF,) if kind.automatic else ())) if kind else FREQUENCIES
    if frequency not in allowed:
        raise Invalid(N_("Choose how often: daily or weekly."), field="frequency")
    row.frequency = frequency
    uow.commit()


def _stop(session: Session, row: Follow, kinds: Sequence[FollowKind]) -> None:
    kind = _kind(kinds, row.kind)
    if kind is not None and kind.automatic is not None:
        row.frequency = OFF  # kept, so that the daily pass does not make it again
    else:
        session.delete(row)


def remove(*, uow: UnitOfWork, user: User, follow_id: int, kinds: Sequence[FollowKind]) -> None:
    """Stop following (an automatic follow is turned off rather than deleted)."""
    _stop(uow.session, _own(uow.session, user, follow_id), kinds)
    uow.commit()


def by_token(session: Session, token: str) -> Follow | None:
    """Return the live follow an unsubscribe token names, or None."""
    if not token or len(token) > 64:
        return None
    row = session.scalar(select(Follow).where(Follow.token == token))
    return row if row is not None and row.frequency != OFF else None


def unsubscribe(*, uow: UnitOfWork, token: str, kinds: Sequence[FollowKind]) -> None:
    """Stop the follow the token names; an unknown (or already used) token is NotFound."""
    row = by_token(uow.session, token)
    if row is None:
        raise NotFound(NO_LINK)
    _stop(uow.session, row, kinds)
    uow.commit()


def is_due(row: Follow, today: date) -> bool:
    """Whether a follow's period has passed since its last digest (or since it began)."""
    if row.frequency not in PERIOD_DAYS:
        return False
    since = aware(row.last_sent_at or row.created_at).date()
    return (today - since).days >= PERIOD_DAYS[row.frequency]


def _follow_automatically(session: Session, kinds: Sequence[FollowKind], now: datetime) -> None:
    for kind in kinds:
        if kind.automatic is None:
            continue
        have = set(session.scalars(select(Follow.user_id).where(Follow.kind == kind.name)))
        for user_id in sorted(set(kind.automatic(session)) - have):
            user = session.get(User, user_id)
            session.add(
                Follow(
                    user_id=user_id,
                    kind=kind.name,
                    query={},
                    frequency=kind.frequencies[0],
                    locale=_locale(user.language if user else None),
                    token=secrets.token_urlsafe(32),
                    created_at=now,
                    watermark=now,
                )
            )
    session.flush()


def send_digests(
    *,
    uow: UnitOfWork,
    settings: Settings,
    kinds: Sequence[FollowKind],
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[Sent]:
    """Send every digest that is due and has something new (or only list them on a dry run)."""
    now = now or utcnow()
    session = uow.session
    if not dry_run:
        _follow_automatically(session, kinds, now)
    rows = session.execute(
        select(Follow, User)
        .join(User, User.id == Follow.user_id)
        .where(Follow.frequency.in_(FREQUENCIES), User.is_active.is_(True))
        .order_by(Follow.id)
    ).all()
    found: list[Sent] = []
    messages: list[mail.Message] = []
    for row, user in rows:
        kind = _kind(kinds, row.kind)
        if kind is None or not is_due(row, now.date()):
            continue
        digest = kind.collect(session, row, user)
        if digest is None or not digest.items:
            continue  # nothing new: no mail
        label = kind.describe(row.query, row.locale)
        found.append(Sent(to=user.email, kind=kind.name, label=label, items=len(digest.items)))
        if dry_run:
            continue
        messages.append(
            compose_digest(settings=settings, kind=kind, follow=row, to=user.email, digest=digest)
        )
        row.last_sent_at = now
        if digest.watermark is not None:
            old = aware(row.watermark)
            row.watermark = max(digest.watermark, old) if old else digest.watermark
        if digest.query is not None:
            row.query = digest.query
    if not dry_run:
        if messages:
            uow.after_commit(lambda: mail.send_all(settings, messages))
        uow.commit()
    return found
