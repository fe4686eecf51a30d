"""The server's daily pass: a daemon thread that wakes every hour and, on the first wake of each
day, runs the daily jobs the composition root lists (milestone reminders, follow digests...).
Several server processes each keep the thread, but a pass runs only in the one that holds the
leader lock (the composition root hands in `search.sync.DrainLock(db, LOCK_NAME)`: `replan`
imports no `search`); each job marks what it
sent in its own commit, so it goes once. One failing job does not keep the others from running."""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from replan import metrics
from replan.runtime import Runtime

log = logging.getLogger(__name__)
LOCK_NAME = "gpp-reminders"  # the lock's first job's name, kept so that old processes agree
HOUR = 3600.0


class LeaderLock(Protocol):
    def hold(self) -> AbstractContextManager[bool]:
        """Take the lock if free; yield whether this process holds it."""
        ...


@dataclass(frozen=True)
class DailyJob:
    name: str  # for the logs and the metrics
    run: Callable[[Runtime, date], int]  # do the day's work; return how many things went


class DailyWorker:
    """Run the daily jobs once a day from the server, in one process at a time."""

    def __init__(
        self,
        runtime: Runtime,
        jobs: Sequence[DailyJob],
        *,
        lock: LeaderLock,
        interval: float = HOUR,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.runtime, self.jobs, self.interval, self.today = runtime, tuple(jobs), interval, today
        self.lock = lock
        self.last_day: date | None = None  # the day of the last pass this process ran
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int | None:
        """Run today's pass unless done today or led elsewhere; return how many things went."""
        day = self.today()
        if self.last_day == day:
            return None
        with self.lock.hold() as mine:
            if not mine:
                return None  # another process runs the pass; the next wake looks again
            total = 0
            for job in self.jobs:
                started, ok = time.perf_counter(), True
                try:
                    total += job.run(self.runtime, day)
                except Exception:  # noqa: BLE001 - the database or the mail failed; next day
                    log.exception("the daily job %s failed", job.name)
                    ok = False
                metrics.job_ran(job.name, time.perf_counter() - started, ok)
        self.last_day = day
        return total

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="daily-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the lock's database failed; try next hour
                log.exception("the daily pass could not run")
            self._stop.wait(self.interval)
