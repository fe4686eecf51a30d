"""Interface languages: the locale of a request and its gettext catalogue (Babel)."""

import io
import logging
from collections.abc import Callable
from datetime import date, datetime
from functools import cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from babel.units import format_unit
from starlette.requests import Request

from replan import PROJECT_ROOT

LANGUAGES = ("en", "it", "pl", "es", "fr", "el", "sl")
DEFAULT = "en"
COOKIE = "replan_lang"
TRANSLATIONS_DIR = PROJECT_ROOT / "replan" / "translations"
LANGUAGE_NAMES = {
    "en": "English",
    "it": "Italiano",
    "pl": "Polski",
    "es": "Español",
    "fr": "Français",
    "el": "Ελληνικά",
    "sl": "Slovenščina",
}


log = logging.getLogger(__name__)


@cache
def translations(locale: str) -> NullTranslations:
    """Return the catalogue of a locale (English and unknown: no translation).

    The compiled `.mo` is used when it is at least as new as its `.po`; otherwise the `.po` is
    compiled in memory, so that no install step (`pybabel compile`) can be skipped by mistake."""
    if locale == DEFAULT or locale not in LANGUAGES:
        return NullTranslations()
    folder = TRANSLATIONS_DIR / locale / "LC_MESSAGES"
    po, mo = folder / "messages.po", folder / "messages.mo"
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return Translations(fh, domain="messages")
    if not po.is_file():
        log.error("no catalogue for language %r in %s: it is served in English", locale, folder)
        return NullTranslations()
    with po.open("rb") as fh:
        catalogue = read_po(fh, locale=locale, domain="messages")
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def check_catalogues() -> list[str]:
    """Load every language's catalogue at start; return those that have none (each is logged)."""
    return [
        lang
        for lang in LANGUAGES
        if lang != DEFAULT and not isinstance(translations(lang), Translations)
    ]


def parse_accept_language(header: str | None) -> str | None:
    """Return the best supported language of an Accept-Language header."""
    if not header:
        return None
    choices = []
    for i, part in enumerate(header.split(",")):
        lang, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        base = lang.strip().lower().split("-")[0]
        if base in LANGUAGES and q > 0:
            choices.append((-q, i, base))
    return min(choices)[2] if choices else None


def request_locale(request: Request) -> str:
    """Pick the locale: ?lang=, then the cookie, then Accept-Language, then English."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return parse_accept_language(request.headers.get("accept-language")) or DEFAULT


def gettext_for(locale: str):
    return translations(locale).gettext


def translator(locale: str) -> Callable[..., str]:
    """Return the gettext of a locale that fills `%(name)s` variables: `_(message, **variables)`,
    as templates call it."""
    gettext = translations(locale).gettext

    def translate(message: str, /, **variables: object) -> str:
        text = gettext(message)
        return text % variables if variables else text

    return translate


def ngettext_for(locale: str):
    return translations(locale).ngettext


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown (`_(message)`)."""
    return message


# One way to write a day and a moment per language, for pages, e-mails and documents alike: the
# locale's long format, with what CLDR leaves out of it.
DATE_FORMAT = "long"
# The first of the month is an ordinal in French ("1er janvier") and Italian ("1° gennaio").
FIRST_OF_MONTH = {"fr": "d'er' MMMM y", "it": "d'°' MMMM y"}
# Slovenian dates stand in the genitive ("velja od 1. januarja 2026", as the Official Gazette
# writes them); CLDR has only the nominative ("1. januar 2026").
GENITIVE_MONTHS = {
    "sl": (
        "januarja",
        "februarja",
        "marca",
        "aprila",
        "maja",
        "junija",
        "julija",
        "avgusta",
        "septembra",
        "oktobra",
        "novembra",
        "decembra",
    )
}


def format_day(value: date | datetime | str | None, locale: str) -> str:
    """Write a date (or the day of a date-time, or of an ISO string) in the locale's words."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    lang = str(locale).replace("-", "_").split("_")[0]
    if lang in GENITIVE_MONTHS:
        return f"{value.day}. {GENITIVE_MONTHS[lang][value.month - 1]} {value.year}"
    if value.day == 1 and lang in FIRST_OF_MONTH:
        return format_date(value, format=FIRST_OF_MONTH[lang], locale=locale)
    return format_date(value, format=DATE_FORMAT, locale=locale)


def format_moment(value: datetime | None, locale: str) -> str:
    """Write a date-time as the day (as `format_day`) and the time to the minute, in UTC."""
    if not value:
        return ""
    pattern = Locale.parse(locale).datetime_formats[DATE_FORMAT]
    time = format_time(value, format="short", locale=locale)
    return pattern.format(time, format_day(value, locale)).replace("'", "")


def format_size(size: int, locale: str) -> str:
    """Write a file size in kilobytes, or in megabytes from one megabyte on."""
    if size >= 1024 * 1024:
        return format_unit(
            size / 1024 / 1024, "digital-megabyte", "short", "#,##0.#", locale=locale
        )
    return format_unit(max(1, round(size / 1024)), "digital-kilobyte", "short", locale=locale)
