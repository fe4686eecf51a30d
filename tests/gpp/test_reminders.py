"""Milestone reminders: 14 days before the due date and once overdue, each sent once, to the
owning procurer; a dry run lists them and sends nothing; `replan reminders` runs them."""

from datetime import date, timedelta

from typer.testing import CliRunner

from gpp import contract
from gpp.contract_schemas import MilestoneUpdate
from gpp.reminders import send_reminders
from replan.cli import app
from replan.mail import mail_dir
from tests.gpp.contract_support import award_to, move

TODAY = date(2027, 3, 1)


def _due(runtime, world, dues: list[date]) -> list[int]:
    move(runtime, world, "tendering")
    numbers = [m.n for m in award_to(runtime, world, "good").milestones]
    for n, due in zip(numbers, dues, strict=False):
        _update(runtime, world, n, due=due)
    return numbers


def _update(runtime, world, n: int, **change) -> None:
    with runtime.unit_of_work() as uow:
        contract.update_milestone(
            uow=uow,
            user=world["owner"],
            spec_id=world["spec"],
            n=n,
            change=MilestoneUpdate(**change),
        )


def _run(runtime, **kw):
    with runtime.unit_of_work() as uow:
        return send_reminders(uow=uow, settings=runtime.settings, today=TODAY, **kw)


def test_due_soon_and_overdue_are_told_once(runtime, contract_world):
    soon, late, later = TODAY + timedelta(days=14), TODAY - timedelta(days=1), TODAY + timedelta(30)
    numbers = _due(runtime, contract_world, [soon, late, later])
    assert len(numbers) >= 3
    planned = _run(runtime, dry_run=True)
    assert [(r.kind, r.due, r.to) for r in planned] == [
        ("overdue", late, "owner@example.org"),
        ("soon", soon, "owner@example.org"),
    ]
    assert not mail_dir(runtime.settings).exists() or not any(mail_dir(runtime.settings).iterdir())
    assert len(_run(runtime)) == 2
    mails = sorted(p.read_text() for p in mail_dir(runtime.settings).glob("*.eml"))
    assert len(mails) == 2 and all("Via Roma" in m for m in mails)
    assert _run(runtime) == []  # each once
    assert [r.kind for r in _run(runtime, dry_run=True)] == []


def test_a_met_milestone_is_not_reminded(runtime, contract_world):
    (n, *_) = _due(runtime, contract_world, [TODAY - timedelta(days=3)])
    _update(runtime, contract_world, n, status="met")
    assert _run(runtime, dry_run=True) == []


def test_the_command_has_a_dry_run(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPLAN_SECRET_KEY", "s" * 40)
    monkeypatch.delenv("REPLAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("REPLAN_MEILI_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--no-seed"], catch_exceptions=False).exit_code == 0
    result = runner.invoke(app, ["reminders", "--dry-run"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "would send 0 reminders" in result.output


def test_the_server_sends_them_once_a_day_from_the_leader_only(runtime, contract_world):
    import time

    from gpp.reminder_worker import LOCK_NAME, ReminderWorker
    from search.sync import DrainLock

    _due(runtime, contract_world, [TODAY - timedelta(days=1), TODAY + timedelta(days=3)])
    day = {"today": TODAY}
    worker = ReminderWorker(runtime, interval=0.01, today=lambda: day["today"])
    with DrainLock(runtime.db, LOCK_NAME).hold() as other:  # another process leads
        assert other
        assert worker.run_once() is None and worker.last_day is None
    assert not mail_dir(runtime.settings).exists() or not any(mail_dir(runtime.settings).iterdir())
    assert worker.run_once() == 2
    assert worker.run_once() is None  # done today
    day["today"] = TODAY + timedelta(days=1)
    assert worker.run_once() == 0  # the next day: each reminder went once
    assert len(list(mail_dir(runtime.settings).glob("*.eml"))) == 2
    threaded = ReminderWorker(runtime, interval=0.01, today=lambda: TODAY + timedelta(days=2))
    threaded.start()
    deadline = time.monotonic() + 5
    while threaded.last_day is None and time.monotonic() < deadline:
        time.sleep(0.01)
    threaded.stop()
    assert threaded.last_day == TODAY + timedelta(days=2)
