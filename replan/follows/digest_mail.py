"""The digest e-mail of a follow: plain text and HTML in the follower's language, absolute links,
and the one-click unsubscribe of RFC 8058 (`List-Unsubscribe` with an HTTPS URL in production,
`List-Unsubscribe-Post`) besides a link in the body."""

from functools import cache
from pathlib import Path

from jinja2 import Environment

from replan import i18n
from replan.follows.kinds import Digest, FollowKind
from replan.follows.models import Follow
from replan.i18n import N_
from replan.mail import Message
from replan.settings import Settings
from replan.web import make_environment

TEMPLATE = "replan/mail/follow_digest.html"
SEE_ALL = N_("See it on the site: %(url)s")
WHY = N_("You receive this e-mail because you follow this on RE-PLAN City Life.")
STOP = N_("Stop these e-mails (no sign-in needed): %(url)s")
MANAGE = N_("Manage what you follow on your account page: %(url)s")


@cache
def _environment(templates_dir: Path, static_dir: Path) -> Environment:
    return make_environment(templates_dir, static_dir)


def unsubscribe_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/follows/unsubscribe/{token}"


def _plain(_, digest: Digest, absolute, intro: str, urls: dict[str, str]) -> str:
    lines = [intro, ""]
    for item in digest.items:
        lines += [item.title, absolute(item.url)]
        if item.text:
            lines.append(item.text)
        for label, path in item.links:
            lines.append(f"{label}: {absolute(path)}")
        for change in item.changes:
            lines.append(f"  {change.field}:")
            lines += [f"  {mark} {text}" for mark, text in change.lines]
        lines.append("")
    lines += [_(SEE_ALL, url=urls["see"]), "", "-- ", _(WHY)]
    lines += [_(STOP, url=urls["stop"]), _(MANAGE, url=urls["account"])]
    return "\n".join(lines) + "\n"


def compose_digest(
    *, settings: Settings, kind: FollowKind, follow: Follow, to: str, digest: Digest
) -> Message:
    """Return the digest of one follow, ready to send."""
    locale = follow.locale if follow.locale in i18n.LANGUAGES else i18n.DEFAULT
    _ = i18n.translator(locale)
    label = kind.describe(follow.query, locale)

    def absolute(path: str) -> str:
        return settings.base_url.rstrip("/") + path

    urls = {
        "see": absolute(kind.url(follow.query)),
        "stop": unsubscribe_url(settings, follow.token),
        "account": absolute("/account"),
    }
    intro = _(kind.intro, label=label)
    # A header never holds a line break, whatever the label holds.
    subject = " ".join(_(kind.subject, label=label, n=len(digest.items)).split())
    html = (
        _environment(settings.templates_dir, settings.static_dir)
        .get_template(TEMPLATE)
        .render(
            _=_,
            locale=locale,
            subject=subject,
            intro=intro,
            items=digest.items,
            absolute=absolute,
            urls=urls,
            why=WHY,
        )
    )
    return Message(
        to=to,
        subject=subject,
        body=_plain(_, digest, absolute, intro, urls),
        language=locale,
        html=html,
        headers=(
            ("List-Unsubscribe", f"<{urls['stop']}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
    )
