"""Following from /cases, the account page's list (run, how often, remove), and the unsubscribe
link: its GET only asks, its POST needs no sign-in and no CSRF token (the secret token is the
credential), and a wrong token answers 404 and changes nothing."""

import re
from datetime import timedelta

from sqlalchemy import select

from replan.clock import utcnow
from replan.follows import service
from replan.follows.models import Follow
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import anonymous, mails

people = support.people  # the fixture, shared


def _rows(runtime) -> list[Follow]:
    with runtime.db.session() as session:
        rows = session.scalars(select(Follow).order_by(Follow.id)).all()
        session.expunge_all()
        return rows


def _follow(person, **fields):
    data = {"q": "asphalt", "country": ["IT", "FR"], "gpp": "true", "frequency": "daily"}
    return person.post("/cases/follow", {**data, **fields})


def test_the_cases_page_offers_the_follow_form_with_the_search(people):
    page = people["submitter"].get("/cases?q=asphalt&country=IT&sort=year_desc&page=2").text
    form = re.search(r'<form id="kb-follow".*?</form>', page, re.S).group(0)
    assert 'action="/cases/follow"' in form and 'name="csrf_token"' in form
    assert 'name="q" value="asphalt"' in form and 'name="country" value="IT"' in form
    assert 'name="sort"' not in form and 'name="page"' not in form
    shown = people["anonymous"].get("/cases?q=asphalt").text
    assert 'id="kb-follow"' not in shown
    assert "/login?next=%2Fcases%3Fq%3Dasphalt" in shown


def test_following_lists_the_search_on_the_account_page(people, runtime):
    person = people["submitter"]
    answer = _follow(person, lang="it")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/account")
    (row,) = _rows(runtime)
    assert row.query == {"q": "asphalt", "country": ["IT", "FR"], "gpp": True}
    assert row.frequency == "daily" and row.locale == "en" and row.last_sent_at is None
    assert row.watermark is not None and len(row.token) >= 40
    page = person.get("/account").text
    assert 'href="/cases?q=asphalt&amp;country=IT&amp;country=FR&amp;gpp=true"' in page
    assert f'action="/account/follows/{row.id}"' in page
    assert f'action="/account/follows/{row.id}/delete"' in page
    assert people["moderator"].get("/account").text.count("/account/follows/") == 0
    (kept,) = person.get("/account/data.json").json()["follows"]
    assert kept["query"] == row.query and "token" not in kept

    assert person.post(f"/account/follows/{row.id}", {"frequency": "weekly"}).status_code == 303
    assert _rows(runtime)[0].frequency == "weekly"
    assert person.post(f"/account/follows/{row.id}", {"frequency": "hourly"}).status_code == 422
    assert _rows(runtime)[0].frequency == "weekly"
    # Someone else's follow does not exist for them.
    other = people["procurer"]
    assert other.post(f"/account/follows/{row.id}", {"frequency": "daily"}).status_code == 404
    assert other.post(f"/account/follows/{row.id}/delete").status_code == 404
    assert person.post(f"/account/follows/{row.id}/delete").status_code == 303
    assert _rows(runtime) == []


def test_following_needs_a_sign_in_and_a_csrf_token(people, runtime):
    answer = _follow(people["anonymous"])
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    person = people["submitter"]
    forged = person.client.post(
        "/cases/follow", data={"q": "x", "frequency": "daily"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert _follow(person, frequency="hourly").status_code == 422
    assert _rows(runtime) == []


def test_the_unsubscribe_link_asks_then_stops_without_a_sign_in(people, runtime, app):
    assert _follow(people["submitter"]).status_code == 303
    (row,) = _rows(runtime)
    stranger = anonymous(app)  # the mail client: no session, no CSRF token
    url = f"/follows/unsubscribe/{row.token}"
    page = stranger.get(url)
    assert page.status_code == 200 and f'action="{url}"' in page.text
    assert "csrf_token" not in page.text.split('action="/follows')[1].split("</form>")[0]
    assert len(_rows(runtime)) == 1  # a scanner fetching the link unsubscribes nobody
    for wrong in (row.token[:-1] + "A", "x", "a" * 64, row.token + "a" * 100):
        assert stranger.get(f"/follows/unsubscribe/{wrong}").status_code == 404
        answer = stranger.client.post(
            f"/follows/unsubscribe/{wrong}", data={"List-Unsubscribe": "One-Click"}
        )
        assert answer.status_code == 404
    assert len(_rows(runtime)) == 1  # a wrong token changes nothing
    done = stranger.client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "asphalt" in done.text
    assert _rows(runtime) == []
    assert stranger.client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 404


def test_the_digest_links_to_a_working_unsubscribe(people, runtime, app):
    from kb import importing
    from kb.schemas import CaseRecord
    from kb.taxonomy import Taxonomy
    from search.service import GuardedBackend
    from tests.builders import record

    assert _follow(people["submitter"], q="", country=["IT"], gpp="").status_code == 303
    importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=[CaseRecord.model_validate(record(id="fresh-case", country="IT"))],
    )
    with runtime.unit_of_work() as uow:
        sent = service.send_digests(
            uow=uow,
            settings=runtime.settings,
            kinds=runtime.follow_kinds,
            now=utcnow() + timedelta(days=1),
        )
    assert len(sent) == 1
    (message,) = mails(runtime.settings)
    link = message["List-Unsubscribe"].strip("<>")
    path = link.removeprefix(runtime.settings.base_url)
    assert path.startswith("/follows/unsubscribe/")
    assert "/cases/fresh-case" in message.get_body(("plain",)).get_content()
    answer = anonymous(app).client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200 and _rows(runtime) == []
