"""Follows of case searches, on SQLite and PostgreSQL: the digest holds only the matches
published after the follow's watermark (never an unpublished, rejected or stale one), in the
follower's language, each sent once; weekly waits a week; the one-click unsubscribe headers;
the token unsubscribes."""

import email
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from kb import follows as kb_follows
from kb import importing
from kb.models import Case
from kb.schemas import CaseQuery, CaseRecord
from kb.taxonomy import Taxonomy
from replan import auth
from replan.errors import NotFound
from replan.follows import service
from replan.follows.models import Follow
from search.service import GuardedBackend
from tests.builders import record
from tests.kb.test_moderation_support import mails

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def rt(storage_runtime):
    return storage_runtime


def _user(rt, email_address: str, language: str = "en"):
    with rt.db.session() as session:
        user = auth.create_user(
            session, email=email_address, password="p" * 12, role="submitter", language=language
        )
        session.expunge(user)
    return user


def _put(rt, status: str, at: datetime, **fields) -> str:
    data = record(**fields)
    importing.upsert_records(
        db=rt.db,
        backend=rt.get(GuardedBackend),
        taxonomy=rt.get(Taxonomy),
        records=[CaseRecord.model_validate(data)],
        status=status,
    )
    with rt.db.session() as session:
        session.execute(update(Case).where(Case.id == data["id"]).values(published_at=at))
    return data["id"]


def _kind(rt):
    return next(k for k in rt.follow_kinds if k.name == kb_follows.NAME)


def _follow(rt, user, query: CaseQuery, frequency="daily", locale="en", at=START) -> Follow:
    with rt.unit_of_work() as uow:
        row = service.follow(
            uow=uow,
            user=user,
            kind=_kind(rt),
            query=kb_follows.stored_query(query),
            frequency=frequency,
            locale=locale,
        )
        row.created_at = row.watermark = at  # a fixed start, for the periods below
        uow.commit()
        return row.id


def _send(rt, now: datetime, **kw):
    with rt.unit_of_work() as uow:
        return service.send_digests(
            uow=uow, settings=rt.settings, kinds=rt.follow_kinds, now=now, **kw
        )


def _mails(rt) -> list[email.message.EmailMessage]:
    return mails(rt.settings)


def _text(message) -> tuple[str, str]:
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return plain, html


def test_the_digest_holds_only_new_published_matches_in_the_followers_language(rt):
    user = _user(rt, "it@example.org", language="it")
    old = _put(rt, "published", START - timedelta(days=3), id="old-it", country="IT")
    follow_id = _follow(rt, user, CaseQuery(country=["IT"]), locale="it")
    later = START + timedelta(hours=2)
    new = _put(rt, "published", later, id="new-it", country="IT", title="Gomma a Torino")
    _put(rt, "published", later, id="new-fr", country="FR")  # does not match
    _put(rt, "submitted", later, id="sub-it", country="IT")
    _put(rt, "rejected", later, id="rej-it", country="IT")
    stale = _put(rt, "published", later, id="stale-it", country="IT")
    with rt.db.session() as session:  # unpublished behind the search index's back
        session.execute(update(Case).where(Case.id == stale).values(status="submitted"))

    planned = _send(rt, START + timedelta(days=1), dry_run=True)
    assert [(s.to, s.items) for s in planned] == [("it@example.org", 1)]
    assert _mails(rt) == []  # a dry run sends nothing

    sent = _send(rt, START + timedelta(days=1))
    assert [(s.kind, s.items) for s in sent] == [("cases", 1)]
    (message,) = _mails(rt)
    assert message["To"] == "it@example.org"
    assert message["Content-Language"] == "it"
    assert "Italia" in message["Subject"]  # the search named in Italian
    plain, html = _text(message)
    base = rt.settings.base_url
    assert f"{base}/cases/{new}" in plain and f'href="{base}/cases/{new}"' in html
    assert f"{base}/cases?country=IT" in plain and '<html lang="it">' in html
    for hidden in (old, "new-fr", "sub-it", "rej-it", stale):
        assert f"/cases/{hidden}" not in plain + html
    with rt.db.session() as session:
        row = session.get(Follow, follow_id)
        token = row.token
        assert row.last_sent_at is not None
    stop = f"{base}/follows/unsubscribe/{token}"
    assert message["List-Unsubscribe"] == f"<{stop}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stop in plain and stop in html

    assert _send(rt, START + timedelta(days=2)) == []  # each new case once
    _put(rt, "published", START + timedelta(days=2, hours=1), id="newer-it", country="IT")
    assert [s.items for s in _send(rt, START + timedelta(days=3))] == [1]
    assert "/cases/newer-it" in _text(_mails(rt)[-1])[0]
    assert len(_mails(rt)) == 2


def test_no_mail_when_nothing_is_new(rt):
    user = _user(rt, "quiet@example.org")
    _put(rt, "published", START - timedelta(days=1), country="IT")
    _follow(rt, user, CaseQuery())
    assert _send(rt, START + timedelta(days=5)) == []
    assert _mails(rt) == []


def test_weekly_waits_a_week(rt):
    user = _user(rt, "weekly@example.org")
    _follow(rt, user, CaseQuery(q="asphalt"), frequency="weekly")
    _put(rt, "published", START + timedelta(hours=1), title="Rubber asphalt in Bari")
    for day in range(1, 7):
        assert _send(rt, START + timedelta(days=day)) == [], day
    assert len(_send(rt, START + timedelta(days=7))) == 1
    _put(rt, "published", START + timedelta(days=7, hours=1), title="More asphalt in Lecce")
    assert _send(rt, START + timedelta(days=13)) == []  # a week from the last digest
    assert len(_send(rt, START + timedelta(days=14))) == 1


def test_following_again_changes_only_the_frequency_and_listing(rt):
    user = _user(rt, "list@example.org")
    first = _follow(rt, user, CaseQuery(country=["IT"], application=["road-pavement"]))
    again = _follow(rt, user, CaseQuery(country=["IT"], application=["road-pavement"]), "weekly")
    other = _follow(rt, user, CaseQuery(q="playground"))
    assert first == again
    with rt.db.session() as session:
        views = service.follows_of(session, user_id=user.id, kinds=rt.follow_kinds, locale="en")
    assert [(v.id, v.frequency) for v in views] == [(first, "weekly"), (other, "daily")]
    assert views[0].url == "/cases?application=road-pavement&country=IT"
    assert "Italy" in views[0].label and "Road" in views[0].label
    stranger = _user(rt, "stranger@example.org")
    with rt.unit_of_work() as uow, pytest.raises(NotFound):
        service.remove(uow=uow, user=stranger, follow_id=first, kinds=rt.follow_kinds)
    with rt.unit_of_work() as uow:
        service.remove(uow=uow, user=user, follow_id=first, kinds=rt.follow_kinds)
    with rt.db.session() as session:
        assert session.scalars(select(Follow.id)).all() == [other]


def test_the_token_unsubscribes_and_a_wrong_one_changes_nothing(rt):
    user = _user(rt, "stop@example.org")
    follow_id = _follow(rt, user, CaseQuery())
    with rt.db.session() as session:
        token = session.get(Follow, follow_id).token
    assert len(token) >= 40
    with rt.unit_of_work() as uow, pytest.raises(NotFound):
        service.unsubscribe(uow=uow, token=token[:-1] + "x", kinds=rt.follow_kinds)
    with rt.db.session() as session:
        assert session.get(Follow, follow_id) is not None
    with rt.unit_of_work() as uow:
        service.unsubscribe(uow=uow, token=token, kinds=rt.follow_kinds)
    with rt.db.session() as session:
        assert session.get(Follow, follow_id) is None


def test_a_long_digest_lists_the_newest_and_counts_the_rest(rt, monkeypatch):
    monkeypatch.setattr(kb_follows, "DIGEST_LIMIT", 2)
    user = _user(rt, "many@example.org")
    _follow(rt, user, CaseQuery(country=["PL"]))
    for n in range(5):
        _put(rt, "published", START + timedelta(hours=n + 1), id=f"pl-{n}", country="PL")
    (sent,) = _send(rt, START + timedelta(days=1))
    assert sent.items == 3  # two cases and the count of the others
    plain = _text(_mails(rt)[0])[0]
    assert "/cases/pl-4" in plain and "/cases/pl-3" in plain and "/cases/pl-2" not in plain
    assert "and 3 more new case studies" in plain
    _put(rt, "published", START + timedelta(days=1, hours=1), id="pl-late", country="PL")
    (later,) = _send(rt, START + timedelta(days=2))  # the counted ones are not sent again
    assert later.items == 1 and "/cases/pl-late" in _text(_mails(rt)[1])[0]
