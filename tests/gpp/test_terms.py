"""National legal terms (issue 17, items 3-9): the variants a procurement officer would have to
correct are absent from every criterion as the spec builder reads it and from the catalogues.

The rejected variants, the official term each gives way to and its source are the terminology
files `replan/translations/terminology/<lang>.yaml` (the generated documents are checked against
them in `test_terminology.py`)."""

import pytest
from babel.messages.pofile import read_po

from replan import PROJECT_ROOT
from replan.i18n import LANGUAGES
from tests.gpp.terminology import no_longer_pending, rejected_in

CATALOGUES = PROJECT_ROOT / "replan" / "translations"


def wording(criterion) -> str:
    """Every text of a criterion that is printed in a tender."""
    parts = [criterion.title, criterion.text, criterion.rationale or ""]
    parts += [p.label for p in criterion.parameters.values()]
    parts += [
        getattr(v, field) or ""
        for v in criterion.verification
        for field in ("evidence", "how_to_check", "who")
    ]
    return " ".join(parts)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rejected_variants_are_absent_from_the_criteria(library, lang):
    found = [
        f"{c.id}: {problem}"
        for c in library.criteria.values()
        for problem in rejected_in(lang, wording(library.localised(c, lang)), "criteria", c.group)
    ]
    assert found == []


def catalogue(lang: str):
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def msgstrs(lang: str) -> str:
    return "\n".join(m.string for m in catalogue(lang) if m.id and isinstance(m.string, str))


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_rejected_variants_are_absent_from_the_catalogue(lang):
    text = msgstrs(lang)
    assert rejected_in(lang, text, "catalogue") == []
    assert no_longer_pending(lang, text, "catalogue") == []


@pytest.mark.parametrize(
    ("lang", "msgid", "official"),
    [
        ("es", "Technical specifications", "Prescripciones técnicas"),
        ("es", "Selection criteria", "Criterios de solvencia"),
        ("es", "Contract performance clauses", "Condiciones especiales de ejecución"),
        ("fr", "Evidence", "Moyen de preuve"),
        ("pl", "Evidence", "Środki dowodowe"),
    ],
)
def test_the_catalogue_uses_the_national_term(lang, msgid, official):
    assert catalogue(lang)[msgid].string.startswith(official)


@pytest.mark.parametrize("lang", ["en", "el", "es", "fr", "it", "pl", "sl"])
def test_the_award_score_reads_as_a_maximum(lang):
    """Item 9: "maximum score: N points", not "award points: N"."""
    if lang == "en":
        template = (CATALOGUES / "messages.pot").read_text("utf-8")
        assert 'msgid "Maximum score: %(points)s points"' in template
        assert "Award points" not in template
        return
    message = catalogue(lang)["Maximum score: %(points)s points"]
    assert message is not None and "%(points)s" in message.string
