"""The milestone reminders (`gpp.reminders`) as one of the server's daily jobs (`replan.daily`),
besides `replan reminders`. `ReminderWorker` is a daily worker with this job alone."""

from datetime import date

from gpp.reminders import send_reminders
from replan.daily import HOUR, LOCK_NAME, DailyJob, DailyWorker
from replan.runtime import Runtime
from search.sync import DrainLock

__all__ = ["HOUR", "JOB", "LOCK_NAME", "ReminderWorker"]


def _run(runtime: Runtime, day: date) -> int:
    with runtime.unit_of_work() as uow:
        return len(send_reminders(uow=uow, settings=runtime.settings, today=day))


JOB = DailyJob("gpp_reminders", _run)


def ReminderWorker(runtime: Runtime, **kwargs) -> DailyWorker:  # noqa: N802 - kept as a class name
    """Return a daily worker that sends the milestone reminders only."""
    return DailyWorker(runtime, (JOB,), lock=DrainLock(runtime.db, LOCK_NAME), **kwargs)
