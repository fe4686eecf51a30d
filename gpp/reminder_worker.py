"""The server's daily pass of the milestone reminders (`gpp.reminders`), besides `replan
reminders`: a daemon thread that wakes every hour and, on the first wake of each day, sends the
reminders that are due. Several server processes each keep the thread, but a pass runs only in
the one that holds the leader lock (`search.sync.DrainLock`, keyed apart from the search
indexes); and each reminder is marked as sent in the same commit, so it goes once."""

import logging
import threading
import time
from collections.abc import Callable
from datetime import date

from gpp.reminders import send_reminders
from replan import metrics
from replan.runtime import Runtime
from search.sync import DrainLock

log = logging.getLogger(__name__)
LOCK_NAME = "gpp-reminders"
HOUR = 3600.0


class ReminderWorker:
    """Send the due reminders once a day from the server, in one process at a time."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        interval: float = HOUR,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.runtime, self.interval, self.today = runtime, interval, today
        self.lock = DrainLock(runtime.db, LOCK_NAME)
        self.last_day: date | None = None  # the day of the last pass this process ran
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int | None:
        """Run today's pass unless done today or led elsewhere; return the reminders sent."""
        day = self.today()
        if self.last_day == day:
            return None
        with self.lock.hold() as mine:
            if not mine:
                return None  # another process is sending; the next wake looks again
            with self.runtime.unit_of_work() as uow:
                sent = send_reminders(uow=uow, settings=self.runtime.settings, today=day)
        self.last_day = day
        return len(sent)

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="gpp-reminders", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            started, ok = time.perf_counter(), True
            try:
                self.run_once()
            except Exception:  # noqa: BLE001 - the database or the mail failed; try next hour
                log.exception("the milestone reminders could not be sent")
                ok = False
            metrics.job_ran("gpp_reminders", time.perf_counter() - started, ok)
            self._stop.wait(self.interval)
