"""Reminders of the contract milestones: the owning procurer is told once when a pending milestone
falls due within 14 days, and once when it is overdue: the server's daily pass
(`gpp.reminder_worker`), or `replan reminders` from a scheduler (`--dry-run` only lists what
would go)."""

from datetime import date, timedelta

from pydantic import BaseModel
from sqlalchemy import select

from gpp.contract_models import Contract, Milestone
from gpp.lifecycle import FOLLOWED
from gpp.models import Spec
from replan import i18n, mail
from replan.auth_models import User
from replan.clock import utcnow
from replan.i18n import N_
from replan.settings import Settings
from replan.uow import UnitOfWork

SOON_DAYS = 14
SUBJECTS = {
    "soon": N_("Milestone due on %(due)s: %(title)s"),
    "overdue": N_("Milestone overdue since %(due)s: %(title)s"),
}
BODY = N_(
    'The contract of the specification "%(title)s" has a milestone that is %(state)s:\n\n'
    "%(evidence)s\nDue: %(due)s\n\nRecord it on the contract page: %(url)s\n"
)
STATES = {"soon": N_("due soon"), "overdue": N_("overdue")}


class Reminder(BaseModel):
    kind: str  # soon, overdue
    to: str
    language: str
    spec_id: str
    title: str
    n: int
    evidence: str
    due: date


def _kind(milestone: Milestone, today: date) -> str | None:
    if milestone.due < today:
        return "overdue" if milestone.reminded_overdue_at is None else None
    if milestone.due <= today + timedelta(days=SOON_DAYS) and milestone.reminded_soon_at is None:
        return "soon"
    return None


def send_reminders(
    *, uow: UnitOfWork, settings: Settings, today: date | None = None, dry_run: bool = False
) -> list[Reminder]:
    """Send the reminders that are due today (each once), or only list them on a dry run."""
    today = today or date.today()
    rows = uow.session.execute(
        select(Milestone, Spec, User)
        .join(Spec, Spec.id == Milestone.spec_id)
        .join(Contract, Contract.spec_id == Spec.id)
        .join(User, User.id == Spec.owner_id)
        .where(
            Milestone.status == "pending",
            Milestone.due.is_not(None),
            Contract.status.in_([s.value for s in FOLLOWED]),
            User.is_active.is_(True),
        )
        .order_by(Milestone.due, Spec.id, Milestone.n)
    ).all()
    found, messages = [], []
    now = utcnow()
    for milestone, spec, user in rows:
        kind = _kind(milestone, today)
        if kind is None:
            continue
        items = spec.content["checklist"]
        evidence = items[milestone.n]["evidence"] if milestone.n < len(items) else ""
        reminder = Reminder(
            kind=kind,
            to=user.email,
            language=user.language,
            spec_id=spec.id,
            title=spec.title,
            n=milestone.n,
            evidence=evidence,
            due=milestone.due,
        )
        found.append(reminder)
        if dry_run:
            continue
        language = user.language if user.language in i18n.LANGUAGES else i18n.DEFAULT
        state = i18n.translations(language).gettext(STATES[kind])
        messages.append(
            mail.compose(
                to=user.email,
                language=user.language,
                subject=SUBJECTS[kind],
                body=BODY,
                title=spec.title,
                due=milestone.due.isoformat(),
                evidence=evidence,
                state=state,
                url=f"{settings.base_url}/specs/{spec.id}/contract",
            )
        )
        if kind == "soon":
            milestone.reminded_soon_at = now
        else:
            milestone.reminded_overdue_at = now
    if not dry_run and messages:
        uow.after_commit(lambda: mail.send_all(settings, messages))
        uow.commit()
    return found
