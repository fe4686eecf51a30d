"""Rules a published tender must meet, checked over every criterion and every language.

Each test reads the library as the spec builder does (`Library.localised`), so a translation that
drops a legal phrase fails here, not in a procurer's tender. The seed YAML is also read raw where
the loader's own validation would hide what the file says."""

import json
import re
from datetime import date

import pytest
import yaml

from gpp import service, sources
from gpp.eforms import codelists
from gpp.exporters import export_spec, spec_view
from gpp.exporters.labels import translator
from gpp.exporters.sample import sample_spec
from gpp.schemas import SpecCreate
from replan import PROJECT_ROOT
from replan.i18n import LANGUAGES

CRITERIA_DIR = PROJECT_ROOT / "seeds" / "criteria"

# A cited standard (EN, EN ISO, EN ISO/IEC, ISO, CEN/TS, CEN/TR, prEN, UNI, UNI/PdR) and number.
STANDARD = re.compile(
    r"(?<![\w/])(?:(?:Fpr|pr)?EN(?: ISO(?:/IEC)?)?|ISO(?:/IEC|/TS)?|CEN/T[SR]|UNI(?: EN|/PdR)?)"
    r"\s\d+(?:-\d+)*(?::\d{4}(?:\+A\d+:\d{4})?)?(?!\d)"
)
# Directive 2014/24/EU Art. 42(3)(b) in each language version: "or equivalent".
OR_EQUIVALENT = {
    "en": "or equivalent",
    "it": "o equivalente",
    "es": "o equivalente",
    "fr": "ou équivalent",
    "pl": "lub równoważne",
    "el": "ή ισοδύναμο",
    "sl": "ali enakovredno",
}
# Arts. 43, 44(2) and 62: "for reasons not attributable to" the tenderer, in each language.
NOT_ATTRIBUTABLE = {
    "en": "not attributable to it",
    "it": "non imputabili",
    "es": "no le sean imputables",
    "fr": "ne lui sont pas imputables",
    "pl": "nie leżą po jego stronie",
    "el": "δεν του καταλογίζονται",
    "sl": "ni mogoče pripisati njemu",
}
CERTIFICATE_PROOF = re.compile(
    r"certificat|ecolabel|Type I label|EMAS|ISO 14001|ISO 9001|ReMade", re.IGNORECASE
)
ANNEX_2 = {
    "en": r"Annex 2\b",
    "it": r"Allegato 2\b",
    "es": r"anexo 2\b",
    "fr": r"annexe 2\b",
    "pl": r"załącznik\w* 2\b",
    "el": r"Παράρτημα 2\b",
    "sl": r"Prilog\w 2\b",
}
WITHDRAWN = ("CEN/TS 17308", "FprEN 14388")  # replaced by EN 17308:2024; revision deleted 2025


def localised(library):
    """Yield (language, criterion) for every criterion in every language of the app."""
    for lang in LANGUAGES:
        for c in library.criteria.values():
            yield lang, library.localised(c, lang)


def raw_criteria() -> list[dict]:
    return [
        c
        for path in sorted(CRITERIA_DIR.glob("*.yaml"))
        for c in yaml.safe_load(path.read_text("utf-8"))["criteria"]
    ]


# --- 1. loose rubber granules: REACH Annex XVII entry 78 ---------------------------------------


def granulate_criteria(library):
    """The criteria on granules, mulches or infill as supplied (the entry 50 PAH criteria)."""
    pattern = re.compile(r"entry 50|granular infill", re.IGNORECASE)
    return [
        c
        for c in library.criteria.values()
        if c.type == "technical_specification" and pattern.search(c.text)
    ]


def test_every_granulate_criterion_asks_for_an_entry_78_declaration(library):
    found = granulate_criteria(library)
    assert len(found) >= 5
    for lang in LANGUAGES:
        for c in found:
            text = library.localised(c, lang).text
            assert "2023/2055" in text and "78" in text, (lang, c.id)


def test_play_and_fitness_areas_get_bound_surfaces_and_loose_infill_ends_in_2031(library):
    for c in granulate_criteria(library):
        assert "in loose form" not in c.text, c.id  # the wording that accepted loose granules
        for lang in LANGUAGES:
            text = library.localised(c, lang).text
            if {"playground", "street-furniture"} & set(c.applications):
                if "loose" not in c.text:
                    continue  # granulate bound inside products: nothing loose to exclude
                # bound only: the 5 mm prohibition in force since 17 October 2023 is stated
                assert "5 mm" in text and "2023" in text, (lang, c.id)
            else:
                assert "2031" in text, (lang, c.id)


# --- 2. "or equivalent" after every standard in a technical specification ---------------------


def test_every_standard_in_a_technical_specification_says_or_equivalent(library):
    checked = 0
    for lang, c in localised(library):
        if c.type != "technical_specification":
            continue
        for m in STANDARD.finditer(c.text):
            checked += 1
            after = c.text[m.end() : m.end() + 1 + len(OR_EQUIVALENT[lang])]
            assert after == " " + OR_EQUIVALENT[lang], (lang, c.id, m.group(0), after)
    assert checked > 100


# --- 3. other means of proof when certificates could not be obtained in time -----------------


def test_a_certificate_or_label_as_proof_comes_with_the_fallback(library):
    concerned = [
        c
        for c in library.criteria.values()
        if CERTIFICATE_PROOF.search(c.text + " " + " ".join(v.evidence for v in c.verification))
    ]
    assert {"play-ac-recycled-content", "road-sc-environmental-management"} <= {
        c.id for c in concerned
    }
    for lang in LANGUAGES:
        for c in concerned:
            text = library.localised(c, lang).text
            assert NOT_ATTRIBUTABLE[lang] in text and "2014/24" in text, (lang, c.id)


# --- 4. the uses DM 78/2020 Annex 2 allows in Italy ---------------------------------------------


def test_italian_end_of_waste_rubber_in_play_sport_and_turf_names_its_allowed_uses(library):
    surfaces = {"playground", "sports-surface", "artificial-turf"}
    concerned = [
        c
        for c in library.criteria.values()
        if "78/2020" in c.text.replace("78 of 31 March 2020", "78/2020")
        and surfaces & set(c.applications)
    ]
    assert len(concerned) >= 3
    for lang in LANGUAGES:
        for c in concerned:
            text = library.localised(c, lang).text
            assert re.search(ANNEX_2[lang], text, re.IGNORECASE), (lang, c.id)


# --- 5. eForms codes: official lists, BT-809, BT-805 by country, BT-774 --------------------------


def test_every_eforms_code_in_the_seed_files_is_in_the_official_lists():
    for c in raw_criteria():
        codes = c["eforms"]
        assert codes["bt_805"] in codelists.codes(codelists.GPP_CRITERIA), c["id"]
        assert codes["bt_805"] != "national", c["id"]  # national depends on the buyer's country
        for code in codes.get("bt_774") or []:
            assert code in codelists.codes(codelists.ENVIRONMENTAL_IMPACT), c["id"]
        if c["type"] == "selection":
            assert codes.get("bt_809") in codelists.codes(codelists.SELECTION_CRITERION), c["id"]
        else:
            assert "bt_809" not in codes, c["id"]


def test_the_copied_code_lists_are_the_official_ones():
    assert "other" not in codelists.codes(codelists.SELECTION_CRITERION)
    assert {"slc-abil-ref-work", "slc-abil-ref-supply", "slc-abil-mgmt-env"} <= codelists.codes(
        codelists.SELECTION_CRITERION
    )
    assert codelists.codes(codelists.GPP_CRITERIA) == {"eu", "national", "other", "none"}
    assert (codelists.DIRECTORY / "LICENSE").read_text().startswith("Attribution 4.0")


def test_bt_805_is_national_only_in_the_country_whose_rule_it_is(library):
    national = [c for c in library.criteria.values() if c.eforms.national_rule_of]
    assert national and all(c.eforms.national_rule_of == "IT" for c in national)
    for c in national:
        assert service.spec_eforms(c, "IT")["bt_805"] == "national"
        for country in ("FR", "ES", "PL", "GR", "SI", None):
            assert service.spec_eforms(c, country)["bt_805"] == c.eforms.bt_805 != "national"


def test_the_playground_safety_criterion_carries_no_environmental_code(library):
    assert library.get("play-ts-impact-attenuation").eforms.bt_774 == []
    spec = sample_spec(product_group="playgrounds", application="playground", ambition="core")
    safety = [c for s in spec["sections"] for c in s["criteria"] if "EN 1177" in c["title"]]
    assert safety and all(c["eforms"]["bt_774"] == [] for c in safety)


def exported_codes(document: dict) -> dict[str, set[str]]:
    """Collect every eForms code an exported spec carries, by code list."""
    eforms = document["eforms"]
    found = {
        codelists.GPP_CRITERIA: set(eforms["bt_805"]) | set(eforms["lot"]["BT-805-Lot"]),
        codelists.ENVIRONMENTAL_IMPACT: set(eforms["bt_774"]) | set(eforms["lot"]["BT-774-Lot"]),
        codelists.SELECTION_CRITERION: {s["BT-809"] for s in eforms["selection_criteria"]},
        codelists.AWARD_CRITERION_TYPE: {a["BT-539"] for a in eforms["award_criteria"]},
    }
    for section in document["sections"]:
        for crit in section["criteria"]:
            found[codelists.GPP_CRITERIA].add(crit["eforms"]["bt_805"])
            found[codelists.ENVIRONMENTAL_IMPACT] |= set(crit["eforms"]["bt_774"])
    return found


@pytest.mark.parametrize("country", ["IT", "FR"])
def test_every_code_of_every_export_is_in_the_official_lists(db, library, country):
    applications = library.applications()
    with db.session() as session:
        for application in applications:
            spec = service.build_spec(
                session,
                library=library,
                request=SpecCreate(
                    application=application, ambition="comprehensive", country=country
                ),
            )
            data = service.spec_json(spec)
            document = json.loads(export_spec(data, "json", lambda m: m)[0])
            for name, codes in exported_codes(document).items():
                assert codes <= codelists.codes(name), (application, name, codes)
            selection = [
                c for s in data["sections"] if s["type"] == "selection" for c in s["criteria"]
            ]
            assert len(document["eforms"]["selection_criteria"]) == len(selection)
            assert all("BT-809" in s for s in document["eforms"]["selection_criteria"])
            national = "national" in document["eforms"]["bt_805"]
            assert national == (
                country == "IT"
                and any(
                    library.get(c["id"]).eforms.national_rule_of == "IT"
                    for s in data["sections"]
                    for c in s["criteria"]
                )
            ), application


# --- 6. stale references ---------------------------------------------------------------------


def test_no_text_requires_a_withdrawn_or_replaced_standard(library):
    for lang, c in localised(library):
        requirement = " ".join([c.title, c.text, *(v.evidence for v in c.verification)])
        for withdrawn in WITHDRAWN:
            assert withdrawn not in requirement, (lang, c.id, withdrawn)


def test_the_construction_products_regulation_is_cited_with_its_successor(library):
    for c in library.criteria.values():
        titles = " ".join(r.title for r in c.references)
        if "305/2011" in titles:
            assert "2024/3110" in titles, c.id


def test_standard_titles_are_the_catalogue_titles(library):
    titles = {r.title for c in library.criteria.values() for r in c.references}
    shockpad = [t for t in titles if t.startswith("EN 15330-4")]
    assert shockpad and all("Part 4: Specification for shockpads" in t for t in shockpad)
    assert not any(t.startswith("CEN/TS 17308") for t in titles)


def test_reference_periods_stay_within_annex_xii(library):
    limits = {"slc-abil-ref-supply": 3, "slc-abil-ref-work": 5}  # Annex XII Part II (a)
    found = 0
    for c in library.criteria.values():
        limit = limits.get(c.eforms.bt_809 or "")
        if limit is None:
            continue
        found += 1
        assert c.parameters["reference_years"].default <= limit, c.id
    assert found >= 2


# --- 7. references printed in a spec come from official publishers ---------------------------


def test_every_printed_reference_has_an_official_host(library):
    for c in library.criteria.values():
        assert c.printed_references(), c.id
        for ref in c.printed_references():
            assert sources.is_official(ref.url), (c.id, ref.url)


def test_secondary_sources_are_never_printed(library):
    for lang, c in localised(library):
        printed = " ".join([c.title, c.text, c.rationale])
        assert "morellid" not in printed and "github.com" not in printed, (lang, c.id)
    spec = sample_spec(product_group="buildings", application="flooring", ambition="comprehensive")
    view = spec_view(spec, translator(lambda m: m))
    urls = [r.url for s in view.sections for c in s.criteria for r in c.references]
    assert urls and all(sources.is_official(u) for u in urls)
    stale = {**spec["sections"][0]["criteria"][0]}
    stale["references"] = [{"title": "A transcription", "url": "https://github.com/x/y"}]
    spec["sections"][0]["criteria"][0] = stale
    view = spec_view(spec, translator(lambda m: m))
    assert "https://github.com/x/y" not in [
        r.url for c in view.sections[0].criteria for r in c.references
    ]


def test_official_hosts():
    assert sources.is_official("https://eur-lex.europa.eu/eli/reg/2023/2055/oj")
    assert sources.is_official("https://www.gazzettaufficiale.it/eli/id/2020/07/21/20G00094/sg")
    assert sources.is_official("https://github.com/OP-TED/eForms-SDK")
    assert sources.is_official(None)
    assert not sources.is_official("https://github.com/morellid/skill-per-ingegneri")
    assert not sources.is_official("https://standards.iteh.ai/catalog/x")
    assert not sources.is_official("https://eur-lex.europa.eu.example.org/x")


# --- 8. review dates ---------------------------------------------------------------------------


def test_every_criterion_has_review_dates_in_order():
    for c in raw_criteria():
        reviewed, due = date.fromisoformat(c["reviewed_on"]), date.fromisoformat(c["next_review"])
        assert reviewed < due, c["id"]


def test_overdue_criteria_are_listed_and_warned(library):
    late = library.get("play-ts-impact-attenuation").next_review
    assert library.overdue(late) == []
    overdue = library.overdue(date(late.year + 5, 1, 1))
    assert overdue and overdue == sorted(overdue, key=lambda c: (c.next_review, c.id))
    spec = sample_spec(product_group="playgrounds", application="playground", ambition="core")
    crit = spec["sections"][0]["criteria"][0]
    assert spec_view(spec, translator(lambda m: m)).sections[0].criteria[0].warning == ""
    crit["next_review"] = "2020-01-01"
    warning = spec_view(spec, translator(lambda m: m)).sections[0].criteria[0].warning
    assert "Review overdue" in warning
    markdown = export_spec(spec, "md", lambda m: m)[0].decode()
    assert "Review overdue" in markdown
