"""The moderation workflow on SQLite and PostgreSQL: transitions, versions, the audit log,
pending edits of published cases, the search index, conflicts and notifications."""

import time

import pytest
from sqlalchemy import select

from kb import importing, indexing
from kb.models import Case, Organisation
from kb.moderation import queries, service
from kb.moderation.models import CaseEvent, CaseRevision, CaseVersion
from kb.schemas import CaseQuery, CaseRecord
from kb.taxonomy import Taxonomy
from replan import auth
from replan.account_hooks import delete_account
from replan.app import build_runtime
from replan.auth_models import ApiToken, User
from replan.errors import Conflict, Forbidden, Invalid, NotFound
from replan.migrations import upgrade
from search import sync as search_sync
from search.service import GuardedBackend
from search.sync import SyncWorker
from tests.builders import record, review_case, save_case, search
from tests.conftest import make_settings
from tests.kb.test_moderation_support import PASSWORD, mails


@pytest.fixture
def rt(db_url, tmp_path):
    upgrade(db_url)
    runtime = build_runtime(make_settings(tmp_path, database_url=db_url))
    yield runtime
    runtime.close()


def _user(rt, role, email, **kw) -> User:
    with rt.db.session() as session:
        user = auth.create_user(session, email=email, password=PASSWORD, role=role, **kw)
        session.expunge(user)
        return user


@pytest.fixture
def author(rt):
    with rt.db.session() as session:
        org = importing.organisation_named(session, "Gomma Riciclata Srl")
        org_id = org.id
    return _user(rt, "submitter", "author@example.org", organisation_id=org_id)


@pytest.fixture
def moderator(rt):
    return _user(rt, "moderator", "moderator@example.org")


def _save(rt, user, submit=True, case_id=None, version=None, revision_version=None, **overrides):
    rec = CaseRecord.model_validate(record(**overrides))
    return save_case(
        rt,
        user=user,
        record=rec,
        submit=submit,
        case_id=case_id,
        version=version,
        revision_version=revision_version,
    )


def _submit(rt, **kwargs):
    with rt.unit_of_work() as uow:
        return service.submit_record(uow=uow, settings=rt.settings, **kwargs)


def _found(rt, words: str) -> list[str]:
    indexing.index_pending(
        db=rt.db, backend=rt.get(GuardedBackend)
    )  # what the server's worker does
    return [h.id for h in search(rt, CaseQuery(q=words)).hits]


def _case(rt, case_id) -> Case:
    with rt.db.session() as session:
        case = session.get(Case, case_id)
        session.expunge(case)
        return case


def _actions(rt, case_id) -> list[tuple[str, str | None]]:
    with rt.db.session() as session:
        rows = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        ).all()
        return [(e.action, e.to_status) for e in rows]


def test_draft_submit_publish_makes_a_case_public_and_searchable(rt, author, moderator):
    outcome = _save(rt, author, submit=False, id="vulcan-path", title="Vulcanised walkway")
    assert (outcome.status, _case(rt, "vulcan-path").status) == ("draft", "draft")
    assert mails(rt.settings) == []
    assert _found(rt, "vulcanised walkway") == []

    case = _case(rt, "vulcan-path")
    assert case.created_by == author.id and case.organisation_id == author.organisation_id
    _save(
        rt,
        author,
        id="vulcan-path",
        title="Vulcanised walkway",
        case_id="vulcan-path",
        version=case.version,
    )
    assert _case(rt, "vulcan-path").status == "submitted"
    assert _found(rt, "vulcanised walkway") == []
    to = sorted(m["To"] for m in mails(rt.settings))
    assert to == ["author@example.org", "moderator@example.org"]

    done = review_case(
        rt, user=moderator, case_id="vulcan-path", decision="publish", comment="Thank you"
    )
    assert (done.status, done.target, done.case_status) == ("published", "case", "published")
    assert _found(rt, "vulcanised walkway") == ["vulcan-path"]
    published = _case(rt, "vulcan-path")
    assert published.published_at is not None
    with rt.db.session() as session:
        versions = session.scalars(
            select(CaseVersion).where(CaseVersion.case_id == "vulcan-path")
        ).all()
        assert [(v.number, v.published_by, v.record["title"]) for v in versions] == [
            (1, moderator.id, "Vulcanised walkway")
        ]
    assert _actions(rt, "vulcan-path") == [
        ("created", "draft"),
        ("submitted", "submitted"),
        ("published", "published"),
    ]
    last = mails(rt.settings)[-1]
    assert last["To"] == "author@example.org" and "published" in last["Subject"]


def test_request_changes_needs_a_comment_and_goes_back_to_the_author(rt, author, moderator):
    case_id = _save(rt, author, id="needs-work").case_id
    with pytest.raises(Invalid) as err:
        review_case(rt, user=moderator, case_id=case_id, decision="request_changes")
    assert err.value.status == 422
    review_case(
        rt,
        user=moderator,
        case_id=case_id,
        decision="request_changes",
        comment="Please cite the municipal report.",
    )
    assert _case(rt, case_id).status == "changes_requested"
    mail = mails(rt.settings)[-1]
    assert mail["To"] == "author@example.org"
    assert "Please cite the municipal report." in mail.get_content()
    # Saving without submitting keeps the request open; submitting sends it back to review.
    version = _case(rt, case_id).version
    _save(rt, author, submit=False, id=case_id, case_id=case_id, version=version)
    assert _case(rt, case_id).status == "changes_requested"
    _save(rt, author, id=case_id, case_id=case_id, version=_case(rt, case_id).version)
    assert _case(rt, case_id).status == "submitted"
    with rt.db.session() as session:
        assert [i.id for i in queries.moderation_queue(session).items] == [case_id]


def test_an_edit_of_a_published_case_waits_while_the_published_version_stays(rt, author, moderator):
    case_id = _save(rt, author, id="pista", title="Pista ciclabile Zorblaxian").case_id
    review_case(rt, user=moderator, case_id=case_id, decision="publish")
    version = _case(rt, case_id).version
    outcome = _save(
        rt,
        author,
        id=case_id,
        case_id=case_id,
        version=version,
        revision_version=0,
        title="Pista ciclabile Quintrelo",
        summary="Resurfaced in 2022.",
    )
    assert (outcome.status, outcome.target, outcome.revision) == ("submitted", "revision", True)
    public = _case(rt, case_id)
    assert (public.status, public.title) == ("published", "Pista ciclabile Zorblaxian")
    assert _found(rt, "zorblaxian") == [case_id]

    with rt.db.session() as session:
        queue = queries.moderation_queue(session)
        assert [(i.id, i.kind, i.title) for i in queue.items] == [
            (case_id, "edit", "Pista ciclabile Quintrelo")
        ]
        review = queries.review(session, session.get(Case, case_id))
        assert review.kind == "edit"
        changed = {c.field: c.lines for c in review.changes}
        assert set(changed) == {"title", "summary"}
        assert [(line.op, line.text) for line in changed["title"]] == [
            ("removed", "Pista ciclabile Zorblaxian"),
            ("added", "Pista ciclabile Quintrelo"),
        ]

    review_case(rt, user=moderator, case_id=case_id, decision="publish", version=review.version)
    assert _case(rt, case_id).title == "Pista ciclabile Quintrelo"
    assert _found(rt, "quintrelo") == [case_id]
    assert _found(rt, "zorblaxian") == []
    with rt.db.session() as session:
        assert session.scalar(select(CaseRevision).where(CaseRevision.case_id == case_id)) is None
        history = queries.history(session, session.get(Case, case_id), with_events=False)
    assert [v.number for v in history.versions] == [2, 1]
    assert {c.field for c in history.versions[0].changes} == {"title", "summary"}


def test_a_rejected_edit_leaves_the_published_case_alone(rt, author, moderator):
    case_id = _save(rt, author, id="kept").case_id
    review_case(rt, user=moderator, case_id=case_id, decision="publish")
    _save(rt, author, id=case_id, case_id=case_id, title="A rejected edit")
    done = review_case(rt, user=moderator, case_id=case_id, decision="reject", comment="No source")
    assert (done.status, done.target, done.case_status) == ("rejected", "revision", "published")
    assert _case(rt, case_id).status == "published"
    # The author can fix the rejected edit and submit it again.
    again = _save(rt, author, id=case_id, case_id=case_id, title="A better edit")
    assert again.status == "submitted"


def test_taking_a_case_down_removes_it_from_the_index(rt, author, moderator):
    case_id = _save(rt, author, id="takedown", title="Granulato antitrauma").case_id
    review_case(rt, user=moderator, case_id=case_id, decision="publish")
    assert _found(rt, "antitrauma") == [case_id]
    review_case(rt, user=moderator, case_id=case_id, decision="reject", comment="Duplicate")
    assert _case(rt, case_id).status == "rejected"
    assert _found(rt, "antitrauma") == []
    assert _actions(rt, case_id)[-1] == ("unpublished", "rejected")
    with pytest.raises(Conflict):
        _save(rt, author, id=case_id, case_id=case_id)


def test_publishing_leaves_indexing_to_the_worker_not_the_request(rt, author, moderator):
    case_id = _save(rt, author, id="later", title="Granulato ritardato").case_id
    review_case(rt, user=moderator, case_id=case_id, decision="publish")
    with rt.db.session() as session:
        assert search_sync.pending(session, indexing.CASE_INDEX.name) >= 1
    assert rt.get(GuardedBackend).count() == 0  # the request applied nothing to the index
    worker = SyncWorker(rt.db, rt.get(GuardedBackend), indexing.CASE_INDEX.name, interval=5)
    forget = rt.on_index_changed(worker.wake)
    worker.start()
    try:
        started = time.monotonic()
        while rt.get(GuardedBackend).count() == 0 and time.monotonic() - started < 5:
            time.sleep(0.02)
        assert rt.get(GuardedBackend).count() == 1
        assert time.monotonic() - started < 1.0  # searchable within about a second
        _save(rt, author, id="later", case_id=case_id, title="Granulato modificato")
        review_case(rt, user=moderator, case_id=case_id, decision="publish")
        woken = time.monotonic()
        while not _search(rt, "modificato") and time.monotonic() - woken < 5:
            time.sleep(0.02)
        assert time.monotonic() - woken < 1.0  # woken by the write, not by the 5 s tick
    finally:
        worker.stop()
        forget()


def _search(rt, words: str) -> list[str]:
    result = search(rt, CaseQuery(q=words))
    return [hit.id for hit in result.hits]


def test_an_imported_case_keeps_its_first_version_when_edited(rt, author, moderator):
    importing.upsert_records(
        db=rt.db,
        backend=rt.get(GuardedBackend),
        taxonomy=rt.get(Taxonomy),
        records=[CaseRecord.model_validate(record(id="seeded"))],
        user_id=author.id,
    )
    _save(rt, author, id="seeded", case_id="seeded", title="Seeded and edited")
    review_case(rt, user=moderator, case_id="seeded", decision="publish")
    with rt.db.session() as session:
        numbers = session.scalars(
            select(CaseVersion.number).where(CaseVersion.case_id == "seeded")
        ).all()
    assert sorted(numbers) == [1, 2]


def test_a_stale_form_is_refused_and_nothing_is_overwritten(rt, author):
    case_id = _save(rt, author, submit=False, id="locked", title="First title").case_id
    seen = _case(rt, case_id).version
    _save(
        rt,
        author,
        submit=False,
        id=case_id,
        case_id=case_id,
        version=seen,
        title="Saved in the other tab",
    )
    with pytest.raises(Conflict) as err:
        _save(
            rt, author, submit=False, id=case_id, case_id=case_id, version=seen, title="Stale tab"
        )
    assert err.value.status == 409
    assert _case(rt, case_id).title == "Saved in the other tab"


def test_a_write_between_read_and_save_is_caught_by_the_version_column(rt, author, monkeypatch):
    case_id = _save(rt, author, submit=False, id="race", title="Before the race").case_id
    original = importing.apply_record

    def someone_else_saves_first(session, case, rec, orgs):
        with rt.db.session() as other:
            other.get(Case, case_id).title = "The other writer won"
        original(session, case, rec, orgs)

    monkeypatch.setattr(importing, "apply_record", someone_else_saves_first)
    with pytest.raises(Conflict):
        _save(rt, author, submit=False, id=case_id, case_id=case_id, title="Lost update")
    assert _case(rt, case_id).title == "The other writer won"


def test_only_authors_edit_and_only_moderators_review(rt, author, moderator):
    case_id = _save(rt, author, id="mine").case_id
    other = _user(rt, "submitter", "other@example.org")
    with pytest.raises(Forbidden):
        _save(rt, other, id=case_id, case_id=case_id)
    with pytest.raises(Forbidden):
        review_case(rt, user=author, case_id=case_id, decision="publish")
    with pytest.raises(NotFound):
        review_case(rt, user=moderator, case_id="nope", decision="publish")
    review_case(rt, user=moderator, case_id=case_id, decision="publish")
    with pytest.raises(Conflict):  # nothing waits for review any more
        review_case(rt, user=moderator, case_id=case_id, decision="publish")


def test_a_refused_step_writes_nothing_and_sends_no_mail(rt, author, moderator):
    case_id = _save(rt, author, id="once").case_id
    review_case(rt, user=moderator, case_id=case_id, decision="reject", comment="Out of scope")
    sent = len(mails(rt.settings))
    with pytest.raises(Conflict):  # a rejected case is not edited again
        _save(rt, author, id=case_id, case_id=case_id, title="Second try")
    with pytest.raises(Conflict):  # and it waits for no review
        review_case(rt, user=moderator, case_id=case_id, decision="publish")
    assert len(mails(rt.settings)) == sent
    assert _case(rt, case_id).status == "rejected"
    assert _actions(rt, case_id)[-1] == ("rejected", "rejected")


def test_the_api_record_of_another_submitters_case_gets_an_id_of_its_own(rt, author):
    _save(rt, author, id="taken")
    other = _user(rt, "submitter", "other@example.org")
    theirs = _submit(rt, user=other, record=CaseRecord.model_validate(record(id="taken")))
    assert theirs.case_id != "taken" and _case(rt, theirs.case_id).created_by == other.id
    mine = _submit(rt, user=author, record=CaseRecord.model_validate(record(id="taken")))
    assert (mine.case_id, mine.status) == ("taken", "submitted")


def test_each_message_is_written_in_its_recipients_language(rt, author, monkeypatch):
    _user(rt, "moderator", "moderatore@example.org", language="it")
    seen = []

    class Marked:
        def __init__(self, lang):
            self.lang = lang

        def gettext(self, message):
            seen.append(self.lang)
            return f"[{self.lang}] {message}"

    monkeypatch.setattr("replan.mail.i18n.translations", lambda lang: Marked(lang))
    monkeypatch.setattr("kb.moderation.notify.translations", lambda lang: Marked(lang))
    _save(rt, author, id="lingua")
    by_recipient = {m["To"]: m for m in mails(rt.settings)}
    assert by_recipient["moderatore@example.org"]["Subject"].startswith("[it]")
    assert by_recipient["moderatore@example.org"]["Content-Language"] == "it"
    assert by_recipient["author@example.org"]["Subject"].startswith("[en]")


def test_deleting_an_account_keeps_the_cases_with_the_organisation(rt, author):
    case_id = _save(rt, author, id="orphan").case_id
    with rt.db.session() as session:
        auth.create_token(session, user=session.get(User, author.id), name="script")
        # A case made before organisations were recorded still ends up attributed.
        session.get(Case, case_id).organisation_id = None
    with rt.unit_of_work() as uow:
        delete_account(uow, user_id=author.id, hooks=rt.account_hooks)
    case = _case(rt, case_id)
    assert case.created_by is None
    assert case.organisation_id == author.organisation_id
    with rt.db.session() as session:
        assert session.get(User, author.id) is None
        assert session.scalars(select(ApiToken)).all() == []
        assert session.get(Organisation, author.organisation_id) is not None
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
        assert events and all(e.actor_id is None for e in events)


@pytest.mark.parametrize(
    ("settings", "base"),
    [
        ({"port": 8123}, "http://127.0.0.1:8123"),
        ({"host": "0.0.0.0", "port": 9001}, "http://127.0.0.1:9001"),
        ({"port": 8123, "base_url": "https://replan.example.org/"}, "https://replan.example.org"),
    ],
)
def test_mail_links_follow_the_host_and_port_unless_a_base_url_is_set(tmp_path, settings, base):
    db_url = f"sqlite:///{tmp_path / 'replan.db'}"
    upgrade(db_url)
    rt = build_runtime(make_settings(tmp_path, database_url=db_url, **settings))
    try:
        author = _user(rt, "submitter", "author@example.org")
        _user(rt, "moderator", "moderator@example.org")
        _save(rt, author, id="linked-path")
        to_moderator = next(m for m in mails(rt.settings) if m["To"] == "moderator@example.org")
        assert f"{base}/moderation/linked-path" in to_moderator.get_content()
    finally:
        rt.close()
