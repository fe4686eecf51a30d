"""What a domain tells `replan` about one kind of follow: how to name it, where to run it, and
what is new for a follower (`collect`). The composition root builds one `FollowKind` per kind."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from replan.auth_models import User
from replan.follows.models import Follow


@dataclass(frozen=True)
class Change:
    """One changed field of an item: its translated name and a line diff of its text, each line
    marked " " (kept), "-" (taken out) or "+" (put in)."""

    field: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DigestItem:
    title: str
    url: str  # a path of this site
    text: str = ""
    changes: tuple[Change, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # further (label, path) pairs


@dataclass
class Digest:
    """What is new for one follow; `watermark` and `query`, when set, are its new memory once the
    digest has gone."""

    items: list[DigestItem]
    watermark: datetime | None = None
    query: dict | None = None


@dataclass(frozen=True)
class FollowKind:
    name: str  # stored in Follow.kind
    subject: str  # msgid: the digest's subject, with %(label)s and %(n)s
    intro: str  # msgid: the digest's first line, with %(label)s
    describe: Callable[[dict, str], str]  # (query, locale) -> what is followed, in words
    url: Callable[[dict], str]  # the page that shows what is followed (a path)
    collect: Callable[[Session, Follow, User], Digest | None]
    # The users who follow this kind without asking (they may turn it off); None: only on request.
    automatic: Callable[[Session], Iterable[int]] | None = None
    frequencies: tuple[str, ...] = field(default=("daily", "weekly"))
