"""Outgoing e-mail: SMTP when `smtp_host` is set, else one .eml file per message under
`<data_dir>/mail/` (development and tests need no mail server). Messages are written in the
recipient's language: `compose()` translates with that language's catalogue."""

import logging
import secrets
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from replan import i18n, metrics
from replan.clock import utcnow
from replan.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class MailStats:
    """What this process sent since it started (for readiness and metrics)."""

    sent: int = 0
    failed: int = 0
    consecutive_failures: int = 0
    last_error: str = ""

    def record(self, error: BaseException | None) -> None:
        metrics.MAILS.labels("failed" if error else "sent").inc()
        if error is None:
            self.sent += 1
            self.consecutive_failures = 0
        else:
            self.failed += 1
            self.consecutive_failures += 1
            self.last_error = f"{type(error).__name__}: {error}"[:200]


STATS = MailStats()


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str
    language: str = i18n.DEFAULT
    html: str = ""  # an HTML alternative of the body, when there is one
    headers: tuple[tuple[str, str], ...] = ()  # further headers (List-Unsubscribe...)
    reply_to: str | None = None  # who wrote, for a message sent through a contact form


def compose(*, to: str, language: str | None, subject: str, body: str, **variables: Any) -> Message:
    """Return a message whose subject and body are translated into the recipient's language.

    `subject` and `body` are English msgids with %(name)s placeholders filled from `variables`."""
    lang = language if language in i18n.LANGUAGES else i18n.DEFAULT
    gettext = i18n.translations(lang).gettext
    # A header never holds a line break, whatever the variables hold.
    subject_text = " ".join((gettext(subject) % variables).split())
    return Message(to=to, subject=subject_text, body=gettext(body) % variables, language=lang)


def mail_dir(settings: Settings) -> Path:
    return settings.data_path / "mail"


def _email(settings: Settings, message: Message) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.smtp_from
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or "localhost")
    email["Auto-Submitted"] = "auto-generated"
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    for name, value in message.headers:
        email[name] = value
    email.set_content(message.body)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    email["Content-Language"] = message.language  # after set_content, which resets Content-*
    return email


def send(settings: Settings, message: Message) -> None:
    """Send one message (or write it to the mail dir when no SMTP server is configured)."""
    email = _email(settings, message)
    if not settings.smtp_host:
        folder = mail_dir(settings)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        path.write_bytes(email.as_bytes())
        log.info("mail to %s: %s (written to %s)", message.to, message.subject, path.name)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
            smtp.login(settings.smtp_user, password)
        smtp.send_message(email)
    log.info("mail to %s: %s (sent)", message.to, message.subject)


def send_all(settings: Settings, messages: list[Message]) -> int:
    """Send messages one by one; a failure is logged and never undoes the action that caused it."""
    sent = 0
    for message in messages:
        try:
            send(settings, message)
            sent += 1
            STATS.record(None)
        except (OSError, smtplib.SMTPException) as exc:
            STATS.record(exc)
            log.exception("could not send the mail to %s: %s", message.to, message.subject)
    return sent
