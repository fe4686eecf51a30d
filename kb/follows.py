"""A followed case search: the filters and words of /cases, kept by `replan.follows`, and what
is new for its follower: the published cases it matches, published after the follow's watermark.
The same search and database check as the Atom feed (`opendata.feed_entries`) find them, so a
digest never holds a case the database does not publish."""

from sqlalchemy.orm import Session

from kb import opendata
from kb.codes import country_name
from kb.pages import url_for
from kb.schemas import CaseQuery
from kb.taxonomy import Taxonomy
from replan import i18n
from replan.auth_models import User
from replan.follows.kinds import Digest, DigestItem, FollowKind
from replan.follows.models import Follow
from replan.i18n import N_
from search.backend import SearchBackend

NAME = "cases"
FIELDS = ("q", "application", "rtm", "country", "year_min", "year_max", "gpp")
DIGEST_LIMIT = 50  # new cases listed in one digest; the rest are counted, with the search's link
SUBJECT = N_("New case studies for your search: %(label)s")
INTRO = N_("New case studies match your search “%(label)s”:")
MORE = N_("and %(n)s more new case studies: see the search")


def stored_query(query: CaseQuery) -> dict:
    """Return the search's filters and words as a follow keeps them (no sort, no page)."""
    data = query.model_dump(mode="json", include=set(FIELDS))
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def _query(stored: dict) -> CaseQuery:
    return CaseQuery.model_validate(stored)


def kind(*, backend: SearchBackend, taxonomy: Taxonomy) -> FollowKind:
    """Return the kind of follow that keeps a case search."""

    def describe(stored: dict, locale: str) -> str:
        query = _query(stored)
        _ = i18n.translator(locale)
        parts = [f"“{query.q.strip()}”"] if query.q.strip() else []
        parts += [taxonomy.label("applications", c, locale) for c in query.application]
        parts += [taxonomy.label("rtm_types", c, locale) for c in query.rtm]
        parts += [country_name(c, locale) for c in query.country]
        if query.year_min is not None or query.year_max is not None:
            parts.append(f"{query.year_min or '…'}–{query.year_max or '…'}")
        if query.gpp is not None:
            parts.append(_("green procurement") if query.gpp else _("no green procurement"))
        return " · ".join(parts) or _("every case study")

    def url(stored: dict) -> str:
        return url_for("/cases", _query(stored))

    def collect(session: Session, follow: Follow, user: User) -> Digest | None:
        entries = opendata.feed_entries(
            session,
            backend=backend,
            query=_query(follow.query),
            since=follow.watermark,
            limit=opendata.FEED_SCAN,
        )
        if not entries:
            return None
        shown = entries[:DIGEST_LIMIT]
        items = [DigestItem(title=e.title, url=f"/cases/{e.id}", text=e.summary) for e in shown]
        if len(entries) > len(shown):  # every one is new once: the rest are counted, not lost
            more = i18n.translator(follow.locale)(MORE, n=len(entries) - len(shown))
            items.append(DigestItem(title=more, url=url(follow.query)))
        return Digest(
            items=items,
            watermark=max(e.published_at for e in entries),
        )

    return FollowKind(
        name=NAME, subject=SUBJECT, intro=INTRO, describe=describe, url=url, collect=collect
    )
