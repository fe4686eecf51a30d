"""Readiness: may this instance take traffic? Each check answers ok or not with a reason.

`/healthz` (in `app.py`) only says the process is alive and the database answers; `/readyz` also
checks the search index, the outbox lag, the mail and the schema. The composition root hands in
what only the domains know (the search engine's state, the outbox backlog)."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from replan import mail
from replan.clock import utcnow
from replan.db import Database
from replan.migrations import alembic_config
from replan.settings import Settings


@dataclass(frozen=True)
class Check:
    ok: bool
    reason: str


# (rows waiting, creation time of the oldest) of the search outbox, read in the given session
Backlog = Callable[[Session], tuple[int, datetime | None]]
SearchState = Callable[[], Check]


def age_seconds(moment: datetime | None, now: datetime | None = None) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:  # SQLite hands back naive times; they are stored in UTC
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, ((now or utcnow()) - moment).total_seconds())


class Readiness:
    """Run every readiness check of one instance."""

    def __init__(
        self, *, settings: Settings, db: Database, search: SearchState, backlog: Backlog
    ) -> None:
        self.settings, self.db, self.search, self.backlog = settings, db, search, backlog
        self._heads: set[str] | None = None
        self._lock = threading.Lock()

    def heads(self) -> set[str]:
        """The schema revisions this code knows as newest (read once: they ship with the code)."""
        with self._lock:
            if self._heads is None:
                script = ScriptDirectory.from_config(alembic_config(self.settings.db_url))
                self._heads = set(script.get_heads())
            return self._heads

    def database(self) -> tuple[Check, Check, Check]:
        """Check the database, the schema revision and the outbox lag in one session."""
        with self.db.session() as session:
            try:
                session.execute(text("SELECT 1"))
                current = set(MigrationContext.configure(session.connection()).get_current_heads())
            except Exception as exc:  # noqa: BLE001 - readiness reports any failure
                down = Check(False, f"the database does not answer: {type(exc).__name__}")
                return down, Check(False, "unknown"), Check(False, "unknown")
            schema = self.schema(current)
            try:
                outbox = self.outbox(*self.backlog(session))
            except Exception as exc:  # noqa: BLE001 - a missing table, a failed query
                session.rollback()
                outbox = Check(False, f"cannot read the outbox: {type(exc).__name__}")
        return Check(True, "answers"), schema, outbox

    def schema(self, current: set[str]) -> Check:
        heads = self.heads()
        if current == heads:
            return Check(True, f"at {', '.join(sorted(heads))}")
        if current - heads:
            return Check(
                False, f"the database ({', '.join(sorted(current))}) is newer than the code"
            )
        return Check(
            False,
            f"at {', '.join(sorted(current)) or 'no schema'}, the code is at "
            f"{', '.join(sorted(heads))}: run `replan init`",
        )

    def outbox(self, waiting: int, oldest: datetime | None) -> Check:
        age, limit = age_seconds(oldest), self.settings.ready_outbox_lag_seconds
        return Check(
            age <= limit, f"{waiting} changes waiting, the oldest for {age:.0f} s (limit {limit} s)"
        )

    def mail(self) -> Check:
        stats = mail.STATS
        limit = self.settings.ready_mail_failures
        if stats.consecutive_failures >= limit:
            return Check(
                False,
                f"the last {stats.consecutive_failures} e-mails failed (limit {limit}): "
                f"{stats.last_error}",
            )
        if not self.settings.smtp_host:
            folder = mail.mail_dir(self.settings)
            waiting = sum(1 for _ in folder.glob("*.eml")) if folder.is_dir() else 0
            return Check(True, f"no SMTP server: {waiting} messages written to data/mail")
        return Check(True, f"{stats.sent} sent, {stats.failed} failed since start")

    def run(self) -> dict[str, Check]:
        database, schema, outbox = self.database()
        return {
            "database": database,
            "migrations": schema,
            "search": self.search(),
            "outbox": outbox,
            "mail": self.mail(),
        }


def router(readiness: Readiness) -> APIRouter:
    """The `/readyz` route: 200 when every check passes, else 503; each check with its reason."""
    api = APIRouter(tags=["ops"])

    @api.get("/readyz", summary="Check that this instance is ready for traffic")
    def readyz() -> JSONResponse:
        started = time.perf_counter()
        checks = readiness.run()
        ready = all(c.ok for c in checks.values())
        return JSONResponse(
            {
                "status": "ready" if ready else "not ready",
                "checks": {n: {"ok": c.ok, "reason": c.reason} for n, c in checks.items()},
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
            status_code=200 if ready else 503,
            headers={"Cache-Control": "no-store"},
        )

    return api
