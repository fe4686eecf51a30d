"""National legal terms (issue 17, items 3-9): the variants a procurement officer would have to
correct are absent from every criterion as the spec builder reads it and from the catalogues.

The official term each rejected variant gives way to, with its source, is listed in each
language's `replan/translations/<lang>/TRANSLATORS.md`."""

import re

import pytest
from babel.messages.pofile import read_po

from replan import PROJECT_ROOT

CATALOGUES = PROJECT_ROOT / "replan" / "translations"

# language -> (rejected variant, official term) over every criterion text of that language.
REJECTED = {
    "pl": [
        (r"\b[zZ]\s+zużyt", "ze zużytych opon"),
        (r"asfalt-gum", "lepiszcze gumowo-asfaltowe"),
    ],
    "sl": [
        (r"meril\w*\s+za\s+izbir", "merila za oddajo naročila"),
        (r"recikliranih\s+gum\b|\brabljenih\s+gum\b", "izrabljene gume"),
    ],
    "it": [(r"end\s+of\s+waste", "cessazione della qualifica di rifiuto")],
    "fr": [
        (r"\bfin\s+du\s+statut\s+de\s+déchet", "sortie du statut de déchet"),
        (r"réception\s+définitive", "réception"),
        (r"\bmanagement\s+environnemental", "gestion environnementale"),  # eForms, Annex XII
    ],
    "es": [
        (r"especificaci(ón|ones)\s+técnicas?", "prescripciones técnicas"),
        (r"criterios?\s+de\s+selección", "criterios de solvencia"),
        (r"cláusulas?", "condiciones especiales de ejecución"),
        (r"compra\s+pública\s+verde", "contratación pública ecológica"),
    ],
}
# D.Lgs. 36/2023: the "direttore dell'esecuzione" is for services and supplies; in works
# contracts the checks fall to the "direttore dei lavori" (art. 114). Street furniture is the
# one group bought as a supply.
SUPPLY_GROUPS = {"street_furniture"}


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


@pytest.mark.parametrize("lang", sorted(REJECTED))
def test_rejected_variants_are_absent_from_the_criteria(library, lang):
    found = [
        f"{c.id}: '{m.group(0)}' (use '{official}')"
        for c in library.criteria.values()
        for rejected, official in REJECTED[lang]
        if (m := re.search(rejected, wording(library.localised(c, lang)), re.IGNORECASE))
    ]
    assert found == []


def test_italian_works_contracts_name_the_direttore_dei_lavori(library):
    found = [
        c.id
        for c in library.criteria.values()
        if c.group not in SUPPLY_GROUPS
        and re.search(r"direttore\s+dell.esecuzione", wording(library.localised(c, "it")), re.I)
    ]
    assert found == []


def catalogue(lang: str):
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def msgstrs(lang: str) -> str:
    return "\n".join(m.string for m in catalogue(lang) if m.id and isinstance(m.string, str))


@pytest.mark.parametrize(
    ("lang", "rejected"),
    [
        ("es", r"especificaciones\s+técnicas|criterios\s+de\s+selección|compra\s+pública\s+verde"),
        ("es", r"(?<!especiales )de\s+ejecución del contrato"),  # LCSP art. 202
        ("el", r"μονάδ(ες|ων)(?! μέτρησης)"),  # points are βαθμοί, as in the criteria
        ("fr", r"offre[^.]*n'est pas conforme|rend non conforme"),  # CCP L2152-2: irrégulière
        ("pl", r"dowody(?! z rynku)"),  # Pzp: środki dowodowe
    ],
)
def test_rejected_variants_are_absent_from_the_catalogue(lang, rejected):
    assert re.findall(rejected, msgstrs(lang), re.IGNORECASE) == []


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
