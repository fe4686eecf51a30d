"""Official eForms labels (issue 17, items 1-2): every business term, code and CPV code that a
document or the spec page prints reads as the eForms SDK names it in the spec's language."""

import io
import json
import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx import Document

from gpp.eforms import codelists
from gpp.eforms import labels as eforms_labels
from gpp.exporters import export_spec
from gpp.exporters.sample import sample_spec
from replan import PROJECT_ROOT
from replan.i18n import LANGUAGES, gettext_for

COPY = PROJECT_ROOT / "gpp" / "eforms" / "translations"
CPV = ["45233140-2", "45233000", "37535200"]


def sdk_directory() -> Path | None:
    """The unpacked eForms SDK the labels were copied from, when this machine has it."""
    if os.environ.get("EFORMS_SDK"):
        return Path(os.environ["EFORMS_SDK"])
    for parent in PROJECT_ROOT.parents:
        candidate = parent / "shared" / "reference" / "eforms-sdk-1.15.1"
        if candidate.is_dir():
            return candidate
    return None


def copied(lang: str) -> dict:
    return json.loads((COPY / f"{lang}.json").read_text("utf-8"))


def copied_cpv(lang: str) -> dict[str, str]:
    return json.loads((COPY / "cpv" / f"{lang}.json").read_text("utf-8"))


# Labels as the SDK gives them, seen in the SDK files: the wordings the reviews found wrong.
@pytest.mark.parametrize(
    ("lang", "kind", "key", "official"),
    [
        ("pl", "business-term", "BT-805", "Zielone zamówienia - Kryteria"),
        ("pl", "gpp-criteria", "eu", "Unijne kryteria zielonych zamówień publicznych"),
        ("pl", "gpp-criteria", "national", "Krajowe kryteria zielonych zamówień publicznych"),
        ("sl", "business-term", "BT-805", "Merila za zeleno javno naročanje"),
        ("sl", "gpp-criteria", "eu", "Merila za zelena javna naročila EU"),
        (
            "fr",
            "business-term",
            "BT-774",
            "Méthode utilisée pour réduire l’incidence environnementale",
        ),
        ("fr", "business-term", "BT-06", "Objectif du marché public stratégique"),
        ("el", "business-term", "BT-06", "Στόχος των στρατηγικών δημοσίων συμβάσεων"),
        ("it", "gpp-criteria", "eu", "Criteri dell'UE degli appalti pubblici verdi"),
        ("it", "strategic-procurement", "env-imp", "Riduzione degli impatti ambientali"),
        ("es", "business-term", "BT-805", "Contratación ecológica: criterios"),
        ("en", "contract-nature", "supplies", "Supplies"),
    ],
)
def test_labels_are_the_sdk_wording(lang, kind, key, official):
    if kind == "business-term":
        assert eforms_labels.term_label(key, lang) == official
    else:
        assert eforms_labels.code_label(kind, key, lang) == official


def test_cpv_labels_with_or_without_check_digit():
    assert eforms_labels.cpv_label("45233140", "it") == "Lavori stradali"
    assert eforms_labels.cpv_label("45233140-2", "sl") == "Cestna dela"
    assert eforms_labels.cpv_label("45233140-2", "pl") == "Roboty drogowe"
    assert eforms_labels.cpv_label("99999999", "pl") == ""
    assert eforms_labels.cpv_label("4523314", "pl") == ""
    assert eforms_labels.is_cpv("37535200") and not eforms_labels.is_cpv("road")
    both = eforms_labels.cpv_text(["45233140", "00000000"], "en")
    assert both == "45233140 (Roadworks), 00000000"


def test_unknown_language_term_and_code_never_invent_a_label():
    assert eforms_labels.term_label("BT-805", "xx") == "Green Procurement Criteria"
    assert eforms_labels.term_label("BT-805", "../translations/pl") == "Green Procurement Criteria"
    assert eforms_labels.term_label("BT-99999", "pl") == "BT-99999"
    assert eforms_labels.code_label("gpp-criteria", "made-up", "pl") == "made-up"
    assert eforms_labels.contract_nature("works", "sl") == "Gradnje"
    assert eforms_labels.contract_nature("barter", "sl") == "barter"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_code_of_the_checked_lists_has_a_label(lang):
    labels = copied(lang)
    for name in (codelists.GPP_CRITERIA, codelists.ENVIRONMENTAL_IMPACT):
        assert set(labels["code"][name]) == codelists.codes(name)
    for _key, term, name in eforms_labels.SPEC_FIELDS:
        assert labels["business-term"][term] and labels["code"][name]
    assert len(copied_cpv(lang)) == len(copied_cpv("en")) > 9000


def sdk_entries(path: Path) -> dict[str, str]:
    root = ElementTree.parse(path).getroot()
    return {e.get("key"): e.text or "" for e in root.iter("entry")}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_copy_equals_the_sdk(lang):
    sdk = sdk_directory()
    if sdk is None:
        pytest.skip("the eForms SDK is not on this machine (set EFORMS_SDK)")
    terms = sdk_entries(sdk / "translations" / f"business-term_{lang}.xml")
    codes = sdk_entries(sdk / "translations" / f"code_{lang}.xml")
    labels = copied(lang)
    for term, label in labels["business-term"].items():
        assert terms[f"business-term|name|{term}"] == label
    for name, values in labels["code"].items():
        sdk_codes = {k.split(".", 1)[1] for k in codes if k.startswith(f"code|name|{name}.")}
        assert set(values) == sdk_codes
        for code, label in values.items():
            assert codes[f"code|name|{name}.{code}"] == label
    cpv = copied_cpv(lang)
    assert cpv == {k[14:]: v for k, v in codes.items() if k.startswith("code|name|cpv.")}
    assert (COPY / "LICENSE").read_bytes() == (sdk / "LICENSE").read_bytes()


# ----------------------------------------------------------------- generated documents and page


def spec_in(lang: str) -> dict:
    spec = sample_spec()
    spec.update(language=lang, cpv=CPV)
    return spec


def expected(spec: dict, lang: str) -> dict[str, str]:
    """Each eForms fact a document must print, label -> value, from the copied SDK labels."""
    labels = copied(lang)
    cpv = copied_cpv(lang)

    def code_list(name: str, codes) -> str:
        codes = [codes] if isinstance(codes, str) else codes
        return ", ".join(f"{c} ({labels['code'][name][c]})" for c in codes)

    facts = {
        f"{term} {labels['business-term'][term]}": code_list(name, spec["eforms"][key])
        for key, term, name in eforms_labels.SPEC_FIELDS
    }
    facts[labels["business-term"]["BT-262"]] = f"{CPV[0]} ({cpv[CPV[0][:8]]})"
    facts[labels["business-term"]["BT-263"]] = ", ".join(f"{c} ({cpv[c]})" for c in CPV[1:])
    return facts


def docx_facts(content: bytes) -> dict[str, str]:
    doc = Document(io.BytesIO(content))
    return {
        row.cells[0].text: row.cells[1].text
        for table in doc.tables
        if len(table.columns) == 2
        for row in table.rows
    }


def markdown_facts(text: str) -> dict[str, str]:
    plain = text.replace("\\", "")
    return dict(re.findall(r"^- \*\*(.+?):\*\* (.*)$", plain, re.MULTILINE))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_documents_print_the_official_labels(lang):
    spec = spec_in(lang)
    want = expected(spec, lang)
    docx = docx_facts(export_spec(spec, "docx", gettext_for(lang))[0])
    md = markdown_facts(export_spec(spec, "md", gettext_for(lang))[0].decode("utf-8"))
    for facts in (docx, md):
        assert {label: facts.get(label) for label in want} == want
    nature = copied(lang)["code"]["contract-nature"]["works"]
    assert nature in docx.values() and nature in md.values()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_criterion_names_its_codes_with_their_labels(lang):
    spec = spec_in(lang)
    text = export_spec(spec, "md", gettext_for(lang))[0].decode("utf-8").replace("\\", "")
    labels = copied(lang)["code"]
    for section in spec["sections"]:
        for crit in section["criteria"]:
            code = crit["eforms"]["bt_805"]
            assert f"BT-805 {code} ({labels['gpp-criteria'][code]})" in text
            for code in crit["eforms"]["bt_774"]:
                assert f"{code} ({labels['environmental-impact'][code]})" in text


def test_no_old_translation_of_an_eforms_label_is_left():
    """The interface's own renderings of the eForms labels are gone from the documents."""
    text = export_spec(spec_in("pl"), "md", gettext_for("pl"))[0].decode("utf-8")
    for old in ("Unijne kryteria GPP", "Krajowe kryteria GPP", "Zamówienia strategiczne"):
        assert old not in text


@pytest.mark.parametrize("lang", ["pl", "sl", "fr"])
def test_the_spec_page_prints_the_official_labels(client, lang):
    created = client.post(
        "/api/v1/specs",
        json={"application": "road-pavement", "ambition": "core", "language": lang},
    )
    assert created.status_code == 201, created.text
    spec = client.get(f"/api/v1/specs/{created.json()['id']}").json()
    page = client.get(f"/specs/{spec['id']}").text
    labels = copied(lang)
    for _key, term, _name in eforms_labels.SPEC_FIELDS:
        assert f"{term} {labels['business-term'][term]}".replace("'", "&#39;") in page
    for code in spec["eforms"]["bt_805"]:
        assert f"<code>{code}</code> ({labels['code']['gpp-criteria'][code]})" in page
    assert labels["code"]["contract-nature"]["works"] in page
