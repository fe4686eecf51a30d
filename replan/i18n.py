"""Interface languages: the locale of a request and its gettext catalogue (Babel)."""

from functools import cache

from babel.support import NullTranslations, Translations
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


@cache
def translations(locale: str) -> NullTranslations:
    """Return the compiled catalogue of a locale (English and unknown: no translation)."""
    if locale == DEFAULT or locale not in LANGUAGES:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [locale], domain="messages")


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


def ngettext_for(locale: str):
    return translations(locale).ngettext


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown (`_(message)`)."""
    return message
