"""Languages: every catalogue complete and faithful; every page renders in every language."""

import re

import pytest
from babel.messages.pofile import read_po

from replan import PROJECT_ROOT
from replan.i18n import LANGUAGES, parse_accept_language, translator

TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
CATALOGUES = PROJECT_ROOT / "replan" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def catalogue(lang: str):
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def template_ids() -> set[str]:
    with (CATALOGUES / "messages.pot").open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_faithfully(lang):
    problems = []
    cat = catalogue(lang)
    ids = set()
    for message in cat:
        if not message.id:
            continue
        singular = message.id if isinstance(message.id, str) else message.id[0]
        ids.add(singular)
        originals = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {singular!r}")
        if not all(strings):
            problems.append(f"empty: {singular!r}")
            continue
        wanted = set().union(*(set(PLACEHOLDER.findall(o)) for o in originals))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) - wanted:
                problems.append(f"placeholders changed: {singular!r} -> {text!r}")
            if len(TAG.findall(text)) > max(len(TAG.findall(o)) for o in originals):
                problems.append(f"markup added: {singular!r} -> {text!r}")
        if isinstance(message.id, str) and set(PLACEHOLDER.findall(strings[0])) != wanted:
            problems.append(f"placeholders differ: {singular!r} -> {strings[0]!r}")
    missing = template_ids() - ids
    assert not missing, f"not in the {lang} catalogue (run make messages): {sorted(missing)[:10]}"
    assert problems == [], "\n".join(problems[:40])


def test_a_translator_fills_the_variables_of_the_translated_message():
    english = translator("en")("Use at most %(n)s characters.", n=200)
    assert english == "Use at most 200 characters."
    italian = translator("it")("Use at most %(n)s characters.", n=200)
    assert "200" in italian and italian != english
    assert translator("it")("Criteria") == translator("it")("Criteria") != "Criteria"


def test_accept_language_picks_the_best_supported_language():
    assert parse_accept_language("de-DE,de;q=0.9,pl;q=0.8,en;q=0.5") == "pl"
    assert parse_accept_language("el-GR") == "el"
    assert parse_accept_language("de, ja") is None
    assert parse_accept_language("fr;q=bad, it;q=0.1") == "it"


PAGES = [
    "/",
    "/cases",
    "/cases?q=gomma&application=road-pavement",
    "/gpp",
    "/login",
    "/cases/it-olbia-via-roma",
    "/api/docs",
]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_renders_in_every_language(seeded_client, lang):
    for path in PAGES:
        sep = "&" if "?" in path else "?"
        r = seeded_client.get(f"{path}{sep}lang={lang}")
        assert r.status_code == 200, (path, lang)
        assert f'<html lang="{lang}">' in r.text, (path, lang)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_interface_is_in_the_chosen_language(seeded_client, lang):
    english = seeded_client.get("/?lang=en").text
    other = seeded_client.get(f"/?lang={lang}").text
    assert "Skip to main content" in english
    assert "Skip to main content" not in other


def test_numbers_follow_the_locale(seeded_client):
    it = seeded_client.get("/cases/it-olbia-via-roma?lang=it").text
    en = seeded_client.get("/cases/it-olbia-via-roma?lang=en").text
    assert "8.000 m²" in it and "8,000 m²" in en


def test_error_pages_are_in_the_visitor_language_and_the_favicon_is_served(client):
    answer = client.get("/no-such-page?lang=pl")
    assert answer.status_code == 404
    assert "Not Found" not in answer.text
    assert "Nie znaleziono strony" in answer.text
    assert client.post("/cases?lang=pl").status_code == 405
    assert "Method Not Allowed" not in client.post("/cases?lang=pl").text
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert 'rel="icon"' in client.get("/").text


def test_one_way_to_write_dates_and_sizes_per_language():
    from datetime import UTC, datetime

    from replan.i18n import format_day, format_moment, format_size

    moment = datetime(2026, 12, 7, 18, 0, 15, tzinfo=UTC)
    for lang in LANGUAGES:
        day = format_day(moment, lang)
        assert (
            format_day("2026-12-07T18:00:15+00:00", lang) == day == format_day(moment.date(), lang)
        )
        assert day in format_moment(moment, lang) and ":15" not in format_moment(moment, lang)
        assert "2026-12-07" not in day
    assert format_day(moment, "it") == "7 dicembre 2026"
    assert format_size(300, "en") == "1 kB" and format_size(40_000, "en") == "39 kB"
    assert format_size(5_300_000, "it") == "5,1 MB"


def test_first_of_the_month_and_slovenian_genitive():
    """Issue 17 item 11: "1er janvier", "1° gennaio", "velja od 1. januarja" (CLDR: nominative)."""
    from datetime import date

    from replan.i18n import format_day

    assert format_day("2026-01-01", "fr") == "1er janvier 2026"
    assert format_day("2026-01-01", "it") == "1° gennaio 2026"
    assert format_day("2026-01-01", "sl") == "1. januarja 2026"
    assert format_day("2026-03-15", "fr") == "15 mars 2026"
    assert format_day("2026-03-15", "it") == "15 marzo 2026"
    months = [format_day(date(2026, m, 2), "sl").split()[1] for m in range(1, 13)]
    assert all(m.endswith("a") for m in months) and months[2] == "marca"
