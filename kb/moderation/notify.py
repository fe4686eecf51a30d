"""The e-mails of the workflow, each in its recipient's language (sent after the commit)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.moderation.schemas import N_
from kb.status import CaseStatus
from replan.auth_models import User
from replan.i18n import translations
from replan.mail import Message, compose

AUTHOR_MESSAGES = {
    CaseStatus.SUBMITTED: (
        N_("Your case study “%(title)s” is waiting for review"),
        N_(
            "Hello,\n\nyour case study “%(title)s” is now waiting for review. You will get an "
            "e-mail when a moderator has decided.\n\nYour case studies: %(dashboard)s\n\n"
            "RE-PLAN City Life"
        ),
    ),
    CaseStatus.PUBLISHED: (
        N_("Your case study “%(title)s” is published"),
        N_(
            "Hello,\n\na moderator published your case study “%(title)s”. Everyone can read it "
            "at %(url)s\n\n%(comment)s\n\nRE-PLAN City Life"
        ),
    ),
    CaseStatus.CHANGES_REQUESTED: (
        N_("Changes requested for your case study “%(title)s”"),
        N_(
            "Hello,\n\na moderator asks for changes to your case study “%(title)s”:\n\n"
            "%(comment)s\n\nEdit it at %(edit)s and submit it again.\n\nRE-PLAN City Life"
        ),
    ),
    CaseStatus.REJECTED: (
        N_("Your case study “%(title)s” was not accepted"),
        N_(
            "Hello,\n\na moderator did not accept your case study “%(title)s”.\n\n%(comment)s"
            "\n\nYour case studies: %(dashboard)s\n\nRE-PLAN City Life"
        ),
    ),
}
MODERATOR_MESSAGE = (
    N_("Case study waiting for review: %(title)s"),
    N_(
        "Hello,\n\na case study waits for review: “%(title)s” (%(kind)s).\n\nReview it at "
        "%(review)s\n\nThe queue: %(queue)s\n\nRE-PLAN City Life"
    ),
)
KINDS = {"new": N_("a new case study"), "edit": N_("an edit of a published case study")}


def _one_line(text: str) -> str:
    """Keep user text on one line where it goes into a header (no header injection)."""
    return " ".join(text.split())


def _links(base_url: str, case_id: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    return {
        "url": f"{base}/cases/{case_id}",
        "edit": f"{base}/submit/{case_id}",
        "dashboard": f"{base}/my/cases",
        "review": f"{base}/moderation/{case_id}",
        "queue": f"{base}/moderation",
    }


def author_message(
    *,
    author: User | None,
    status: str,
    title: str,
    case_id: str,
    comment: str | None,
    base_url: str,
) -> list[Message]:
    """Return the e-mail telling the author about a new status (none without an author)."""
    if author is None or not author.is_active or status not in AUTHOR_MESSAGES:
        return []
    subject, body = AUTHOR_MESSAGES[status]
    return [
        compose(
            to=author.email,
            language=author.language,
            subject=subject,
            body=body,
            title=_one_line(title),
            comment=comment or "",
            **_links(base_url, case_id),
        )
    ]


def moderator_messages(
    session: Session,
    *,
    title: str,
    case_id: str,
    kind: str,
    base_url: str,
    exclude: int | None = None,
) -> list[Message]:
    """Return one e-mail per active moderator and admin about a case waiting for review."""
    moderators = session.scalars(
        select(User).where(User.role.in_(("moderator", "admin")), User.is_active.is_(True))
    ).all()
    messages = []
    for user in moderators:
        if user.id == exclude:
            continue
        kind_text = translations(user.language or "en").gettext(KINDS[kind])
        subject, body = MODERATOR_MESSAGE
        messages.append(
            compose(
                to=user.email,
                language=user.language,
                subject=subject,
                body=body,
                title=_one_line(title),
                kind=kind_text,
                **_links(base_url, case_id),
            )
        )
    return messages
