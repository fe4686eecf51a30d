"""The terminology of every language (issue 17, item 10): in the DOCX and Markdown of a
comprehensive spec for every application, the rejected variants of each terminology file are
absent and its required official terms present; dates stand in each language's long format
(item 11)."""

import io
from datetime import date

import pytest
from docx import Document

from gpp.exporters import export_spec
from replan.i18n import LANGUAGES, format_day, gettext_for
from tests.gpp.terminology import DIRECTORY, missing_in, no_longer_pending, rejected_in, terms


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def documents(client, library, lang: str) -> dict[str, str]:
    """The Markdown and DOCX text of a comprehensive spec of every application, by name."""
    gettext = gettext_for(lang)
    found = {}
    for application in library.applications():
        created = client.post(
            "/api/v1/specs",
            json={"application": application, "ambition": "comprehensive", "language": lang},
        )
        assert created.status_code == 201, created.text
        spec = client.get(f"/api/v1/specs/{created.json()['id']}").json()
        spec["cpv"] = ["45233140"]
        md = export_spec(spec, "md", gettext)[0].decode("utf-8").replace("\\", "")
        found[f"{application}.md"] = md
        found[f"{application}.docx"] = docx_text(export_spec(spec, "docx", gettext)[0])
    return found


def test_every_language_has_a_terminology_file_with_sources():
    assert sorted(p.stem for p in DIRECTORY.glob("*.yaml")) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        assert terms(lang) and all(t.source for t in terms(lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_documents_use_the_official_terms(client, library, lang):
    texts = documents(client, library, lang)
    problems = {
        name: found
        for name, text in texts.items()
        if (found := rejected_in(lang, text, "documents") + missing_in(lang, text))
    }
    assert problems == {}
    assert no_longer_pending(lang, "\n".join(texts.values()), "documents") == []


def test_a_rejected_variant_is_found():
    """The check itself: an old label or a nominative Slovenian date is caught."""
    assert rejected_in("pl", "BT-805 Kryteria zielonych zamówień: eu", "documents")
    assert rejected_in("sl", "velja od 1. januar 2026", "documents")
    assert not rejected_in("sl", "velja od 1. januarja 2026", "documents")
    assert missing_in("es", "Especificaciones técnicas") == [
        t.term for t in terms("es") if t.required
    ]


FIRST_OF_JANUARY = {
    "en": "January 1, 2026",
    "it": "1° gennaio 2026",
    "pl": "1 stycznia 2026",
    "es": "1 de enero de 2026",
    "fr": "1er janvier 2026",
    "el": "1 Ιανουαρίου 2026",
    "sl": "1. januarja 2026",
}
VALID_FROM = {
    "it": "valido dal 1° gennaio 2026",
    "fr": "à partir du 1er janvier 2026",
    "sl": "velja od 1. januarja 2026",
    "pl": "od 1 stycznia 2026",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_documents_write_dates_in_the_long_format_of_their_language(lang):
    from gpp.exporters.sample import sample_spec

    spec = sample_spec(ambition="core")
    spec.update(language=lang, created_at="2026-01-01T09:00:00+00:00")
    for section in spec["sections"]:
        for crit in section["criteria"]:
            crit["valid_from"] = "2026-01-01"
    md = export_spec(spec, "md", gettext_for(lang))[0].decode("utf-8")
    assert format_day(date(2026, 1, 1), lang) == FIRST_OF_JANUARY[lang]
    assert FIRST_OF_JANUARY[lang] in md and "2026-01-01" not in md
    if lang in VALID_FROM:
        assert VALID_FROM[lang] in md
