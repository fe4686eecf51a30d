"""The follow digests from the command line (`replan follows send [--dry-run]`) and from the
server's daily pass (`replan.daily`), which also runs the milestone reminders."""

from datetime import date, timedelta

from sqlalchemy import update

from kb import follows as kb_follows
from kb import importing
from kb.schemas import CaseRecord
from kb.taxonomy import Taxonomy
from replan import auth
from replan.app import build_runtime
from replan.clock import utcnow
from replan.daily import LOCK_NAME, DailyJob, DailyWorker
from replan.follows import jobs
from replan.follows import service as follows
from replan.follows.models import Follow
from replan.mail import mail_dir
from replan.settings import Settings
from search.service import GuardedBackend
from search.sync import DrainLock
from tests.builders import record
from tests.replan import test_cli

cli = test_cli.cli  # the fixture, shared


def _a_follow_with_news(runtime, email_address="cli@example.org") -> None:
    """A follow begun a day ago, and a case published since: one digest is due."""
    with runtime.db.session() as session:
        user = auth.create_user(session, email=email_address, password="p" * 12, role="submitter")
        session.expunge(user)
    kind = next(k for k in runtime.follow_kinds if k.name == kb_follows.NAME)
    with runtime.unit_of_work() as uow:
        follows.follow(uow=uow, user=user, kind=kind, query={}, frequency="daily", locale="en")
    with runtime.db.session() as session:
        before = utcnow() - timedelta(days=1)
        session.execute(update(Follow).values(created_at=before, watermark=before))
    importing.upsert_records(
        db=runtime.db,
        backend=runtime.get(GuardedBackend),
        taxonomy=runtime.get(Taxonomy),
        records=[CaseRecord.model_validate(record())],
    )


def test_the_command_sends_the_due_digests_and_has_a_dry_run(cli, tmp_path):
    runtime = build_runtime(Settings())  # the command's data dir (the `cli` fixture's)
    try:
        _a_follow_with_news(runtime)
    finally:
        runtime.close()
    dry = cli("follows", "send", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would send 1 digests" in dry.output and "cli@example.org" in dry.output
    folder = tmp_path / "data" / "mail"
    assert not folder.exists() or not any(folder.iterdir())
    sent = cli("follows", "send")
    assert sent.exit_code == 0 and "sent 1 digests" in sent.output, sent.output
    assert len(list(folder.glob("*.eml"))) == 1
    again = cli("follows", "send")
    assert "sent 0 digests" in again.output


def test_the_daily_pass_runs_every_job_once_a_day(runtime):
    _a_follow_with_news(runtime)
    ran = []

    def broken(_runtime, day: date) -> int:
        ran.append(day)
        raise OSError("the mail server is down")

    day = {"today": utcnow().date()}
    worker = DailyWorker(
        runtime,
        (DailyJob("broken", broken), jobs.JOB),
        lock=DrainLock(runtime.db, LOCK_NAME),
        today=lambda: day["today"],
    )
    with DrainLock(runtime.db, LOCK_NAME).hold() as other:  # another process leads
        assert other and worker.run_once() is None
    assert worker.run_once() == 1  # the broken job did not keep the digest from going
    assert ran == [day["today"]]
    assert worker.run_once() is None  # done today
    day["today"] += timedelta(days=1)
    assert worker.run_once() == 0  # nothing new the next day
    assert len(list(mail_dir(runtime.settings).glob("*.eml"))) == 1
