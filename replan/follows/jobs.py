"""The follow digests as one of the server's daily jobs (`replan.daily`)."""

from datetime import date, datetime

from replan.clock import utcnow
from replan.daily import DailyJob
from replan.follows.service import send_digests
from replan.runtime import Runtime


def _run(runtime: Runtime, day: date) -> int:
    now = datetime.combine(day, utcnow().timetz())
    with runtime.unit_of_work() as uow:
        sent = send_digests(uow=uow, settings=runtime.settings, kinds=runtime.follow_kinds, now=now)
    return len(sent)


JOB = DailyJob("follow_digests", _run)
