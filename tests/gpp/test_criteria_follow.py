"""Procurers follow the criteria of their specs: a new version of a criterion one of their specs
was issued with is told once, in the next digest, as a diff of the spec's text (old against
new) with the follower's labels; they may turn it off; others are not told."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gpp import criteria_follow, service
from gpp.library import Library
from gpp.schemas import SpecCreate
from replan import auth
from replan.follows import service as follows
from replan.follows.models import OFF, Follow
from tests.kb.test_moderation_support import mails

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CHANGED = "road-ts-rubber-content"
ADDED = "The share is checked again on a core sample of the finished layer."


@pytest.fixture
def rt(storage_runtime):
    return storage_runtime


def _newer(library: Library) -> Library:
    """The library with a version 4 of CHANGED: a sentence added, a verification rewritten."""
    old = library.get(CHANGED)
    verification = [old.verification[0].model_copy(update={"how_to_check": "Lab report."})]
    new = old.model_copy(
        update={
            "version": old.version + 1,
            "text": f"{old.text} {ADDED}",
            "verification": verification + old.verification[1:],
        }
    )
    return replace(library, criteria={**library.criteria, CHANGED: new}, overlays={})


def _world(rt):
    with rt.db.session() as session:
        owner = auth.create_user(
            session, email="owner@example.org", password="p" * 12, role="procurer", language="it"
        )
        auth.create_user(session, email="idle@example.org", password="p" * 12, role="procurer")
        spec = service.build_spec(
            session,
            library=rt.get(Library),
            request=SpecCreate(application="road-pavement", ambition="core", title="Via Roma"),
            owner_id=owner.id,
        )
        service.build_spec(  # nobody's: nobody is told
            session,
            library=rt.get(Library),
            request=SpecCreate(application="road-pavement", ambition="core", title="Anon"),
        )
        return spec.id


def _send(rt, library: Library, now: datetime):
    with rt.unit_of_work() as uow:
        return follows.send_digests(
            uow=uow,
            settings=rt.settings,
            kinds=(criteria_follow.kind(library=library),),
            now=now,
        )


def _mails(rt):
    return mails(rt.settings)


def test_a_new_version_is_told_once_with_what_changed(rt):
    spec_id = _world(rt)
    library = rt.get(Library)
    assert _send(rt, library, START) == []  # the owner now follows automatically; nothing new
    with rt.db.session() as session:
        (row,) = session.scalars(select(Follow)).all()
        assert (row.kind, row.frequency, row.locale) == ("criteria", "daily", "it")
    assert _send(rt, library, START + timedelta(days=1)) == []  # same versions: nothing
    newer = _newer(library)
    sent = _send(rt, newer, START + timedelta(days=2))
    assert [(s.to, s.items) for s in sent] == [("owner@example.org", 1)]
    (message,) = _mails(rt)
    assert message["Content-Language"] == "it"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    old = library.get(CHANGED)
    assert f"{old.version} → {old.version + 1}" in plain
    assert f"+ {ADDED}" in plain and "<ins" in html and ADDED in html
    assert "- " + old.verification[0].evidence in plain and "+ " in plain
    assert f"{rt.settings.base_url}/specs/{spec_id}" in plain
    for other in ("road-ts-binder-mix-conformity", "road-sc-environmental-management"):
        assert library.get(other).title not in plain  # unchanged criteria are not told
    assert _send(rt, newer, START + timedelta(days=3)) == []  # told once


def test_turned_off_it_stays_off(rt):
    _world(rt)
    library = rt.get(Library)
    _send(rt, library, START)
    with rt.db.session() as session:
        row = session.scalars(select(Follow)).one()
        token, owner_id = row.token, row.user_id
    kinds = (criteria_follow.kind(library=library),)
    with rt.unit_of_work() as uow:
        follows.unsubscribe(uow=uow, token=token, kinds=kinds)
    with rt.db.session() as session:
        assert session.scalars(select(Follow.frequency)).all() == [OFF]  # kept, turned off
        owner = session.get(auth.User, owner_id)
        views = follows.follows_of(session, user_id=owner.id, kinds=kinds, locale="en")
        assert [(v.frequency, v.automatic) for v in views] == [(OFF, True)]
        assert OFF in views[0].frequencies
    assert _send(rt, _newer(library), START + timedelta(days=2)) == []
    assert _mails(rt) == []
    with rt.db.session() as session:
        assert session.scalar(select(Follow.frequency)) == OFF  # not made again
