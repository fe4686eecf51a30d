"""Specifications in the seven languages: every criterion's text in the chosen language, and
the documents' headings too."""

import pytest

from replan.i18n import LANGUAGES

APPLICATIONS = ["road-pavement", "playground", "artificial-turf", "noise-barrier"]


def spec(client, application: str, language: str) -> dict:
    created = client.post(
        "/api/v1/specs",
        json={
            "application": application,
            "ambition": "comprehensive",
            "language": language,
            "country": "IT",
            "title": "Test",
        },
    )
    assert created.status_code == 201, created.text
    return client.get(f"/api/v1/specs/{created.json()['id']}").json()


def texts(document: dict) -> dict[str, tuple[str, str]]:
    return {c["id"]: (c["title"], c["text"]) for s in document["sections"] for c in s["criteria"]}


@pytest.mark.parametrize("application", APPLICATIONS)
@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_criterion_differs_from_english(seeded_client, application, language):
    english = texts(spec(seeded_client, application, "en"))
    other = texts(spec(seeded_client, application, language))
    assert english.keys() == other.keys()
    same = [
        cid
        for cid in english
        if english[cid][0] == other[cid][0] or english[cid][1] == other[cid][1]
    ]
    assert same == []


@pytest.mark.parametrize("language", ["pl", "el"])
def test_exported_markdown_headings_are_translated(seeded_client, language):
    document = spec(seeded_client, "road-pavement", language)
    english = spec(seeded_client, "road-pavement", "en")
    md = seeded_client.get(f"/specs/{document['id']}/export.md").text
    md_en = seeded_client.get(f"/specs/{english['id']}/export.md").text
    heading = [line for line in md.splitlines() if line.startswith("## ")]
    heading_en = [line for line in md_en.splitlines() if line.startswith("## ")]
    assert heading and len(heading) == len(heading_en)
    assert not set(heading) & set(heading_en)
