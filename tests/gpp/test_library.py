"""The criteria library: the seed files are complete and consistent, and a broken file is named."""

import copy
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from gpp.library import (
    AMBITIONS,
    MAX_AWARD_TOTAL,
    PHASES,
    TYPES,
    LibraryError,
    load_library,
    placeholders,
)
from kb.codes import APPLICATIONS
from kb.taxonomy import load_taxonomy
from replan import PROJECT_ROOT

CRITERIA_DIR = PROJECT_ROOT / "seeds" / "criteria"


@pytest.fixture(scope="module")
def library():
    return load_library(CRITERIA_DIR)


def raw_files() -> dict[str, dict]:
    paths = sorted(CRITERIA_DIR.glob("*.yaml"))
    return {p.name: yaml.safe_load(p.read_text("utf-8")) for p in paths}


def test_seed_library_loads(library):
    assert library.version == "2026.1"
    assert len(library.groups) == len(raw_files()) >= 8
    assert len(library.criteria) == sum(len(f["criteria"]) for f in raw_files().values())


def test_ids_are_unique_across_files():
    ids = Counter(c["id"] for f in raw_files().values() for c in f["criteria"])
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_criterion_is_complete(library):
    for c in library.criteria.values():
        assert c.title and c.text and c.rationale, c.id
        assert c.type in TYPES and c.ambition in AMBITIONS, c.id
        assert c.version >= 1 and c.valid_from, c.id
        assert c.verification, c.id
        for v in c.verification:
            assert v.evidence and v.how_to_check and v.who and v.phase in PHASES, c.id
        assert c.eforms.bt_805 and c.reviewed_on < c.next_review, c.id
        assert (c.award_points is not None) == (c.type == "award"), c.id


def test_every_reference_is_present(library):
    for c in library.criteria.values():
        assert c.references, c.id
        for ref in c.references:
            assert len(ref.title) > 5, c.id
            assert ref.url is None or ref.url.startswith(("https://", "http://")), c.id


def test_defaults_are_within_bounds_and_placeholders_match(library):
    for c in library.criteria.values():
        assert set(placeholders(c.text)) == set(c.parameters), c.id
        for name, p in c.parameters.items():
            assert p.min <= p.default <= p.max, f"{c.id}.{name}"
            assert p.label, f"{c.id}.{name}"


def test_every_application_is_in_the_taxonomy(library):
    taxonomy = load_taxonomy(PROJECT_ROOT / "seeds" / "taxonomy.yaml")
    for c in library.criteria.values():
        for code in c.applications:
            assert code in APPLICATIONS and code in taxonomy.applications, (c.id, code)


def test_coverage_of_applications_levels_and_types(library):
    apps = library.applications()
    assert len(apps) >= 8
    for required in (
        "road-pavement",
        "playground",
        "artificial-turf",
        "sports-surface",
        "rail-vibration",
        "noise-barrier",
        "concrete",
        "street-furniture",
    ):
        assert required in apps
    today = date.today()
    for app in apps:
        core = library.criteria_for(app, "core", on=today)
        full = library.criteria_for(app, "comprehensive", on=today)
        assert core and len(full) > len(core), app
        assert {c.type for c in full} >= {"technical_specification", "award"}, app
        award = sum(c.award_points or 0 for c in full if c.type == "award" and not c.cost_basis)
        assert award <= MAX_AWARD_TOTAL, app


def test_comprehensive_is_core_plus_more(library):
    core = library.criteria_for("road-pavement", "core")
    full = library.criteria_for("road-pavement", "comprehensive")
    assert {c.id for c in core} < {c.id for c in full}
    assert all(c.ambition == "comprehensive" for c in full if c not in core)
    assert [TYPES.index(c.type) for c in full] == sorted(TYPES.index(c.type) for c in full)


# --- a small library on disk, to break -----------------------------------------------------------

CRITERION = {
    "id": "test-ts-rubber-share",
    "version": 1,
    "valid_from": "2024-01-01",
    "valid_to": None,
    "applications": ["playground"],
    "type": "technical_specification",
    "ambition": "core",
    "title": "Share of rubber",
    "text": "The surface shall contain at least {share} % of rubber.",
    "parameters": {"share": {"label": "Share", "default": 10, "min": 0, "max": 30, "unit": "%"}},
    "rationale": "Rubber from tyres keeps material in use (test source).",
    "verification": [
        {"evidence": "Declaration", "phase": "tender", "how_to_check": "Read it", "who": "Buyer"}
    ],
    "references": [{"title": "A test reference", "url": "https://eur-lex.europa.eu/eli/x"}],
    "eforms": {"bt_805": "other", "bt_774": ["circ-econ"]},
    "reviewed_on": "2026-01-01",
    "next_review": "2027-01-01",
}
AWARD = {
    **copy.deepcopy(CRITERION),
    "id": "test-ac-more-rubber",
    "type": "award",
    "ambition": "comprehensive",
    "award_points": 10,
    "text": "Points for each {step} % of rubber above the minimum.",
    "parameters": {"step": {"label": "Step", "default": 5, "min": 1, "max": 10, "unit": "%"}},
}


def write_group(directory: Path, name: str, criteria: list[dict], **header) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    data = {
        "product_group": name,
        "library_version": "t1",
        "title": f"Group {name}",
        "criteria": criteria,
        **header,
    }
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def broken(tmp_path: Path, **changes) -> str:
    criterion = {**copy.deepcopy(CRITERION), **changes}
    write_group(tmp_path, "tests", [criterion])
    with pytest.raises(LibraryError) as info:
        load_library(tmp_path)
    return str(info.value)


def test_small_library_loads_and_answers_queries(tmp_path):
    write_group(tmp_path, "tests", [CRITERION, AWARD])
    library = load_library(tmp_path)
    assert library.version == "t1"
    assert [c.id for c in library.criteria_for("playground", "core")] == ["test-ts-rubber-share"]
    assert len(library.criteria_for("playground", "comprehensive")) == 2
    assert library.criteria_for("road-pavement", "comprehensive") == []
    assert library.get("test-ac-more-rubber").group == "tests"


def test_validity_dates(tmp_path):
    old = {**copy.deepcopy(CRITERION), "id": "test-ts-old", "valid_to": "2024-12-31"}
    new = {**copy.deepcopy(CRITERION), "valid_from": "2025-01-01"}
    write_group(tmp_path, "tests", [old, new])
    library = load_library(tmp_path)

    def ids(day: date) -> list[str]:
        return [c.id for c in library.criteria_for("playground", "core", on=day)]

    assert ids(date(2023, 6, 1)) == []
    assert ids(date(2024, 6, 1)) == ["test-ts-old"]
    assert ids(date(2024, 12, 31)) == ["test-ts-old"]
    assert ids(date(2025, 1, 1)) == ["test-ts-rubber-share"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {
                "parameters": {
                    "share": {"label": "S", "default": 40, "min": 0, "max": 30, "unit": "%"}
                }
            },
            "parameters.share",
            "outside",
        ),
        (
            {"text": "The surface shall contain {share} % and {other} % of rubber."},
            "(the criterion)",
            "{other}",
        ),
        (
            {"text": "The surface shall contain rubber without any figure."},
            "(the criterion)",
            "share",
        ),
        ({"applications": ["moon-base"]}, "applications", "moon-base"),
        ({"award_points": 5}, "(the criterion)", "only for award"),
        (
            {
                "verification": [
                    {"evidence": "E", "phase": "someday", "how_to_check": "H", "who": "W"}
                ]
            },
            "verification.0.phase",
            "someday",
        ),
        ({"ambition": "heroic"}, "ambition", "heroic"),
        ({"type": "award", "award_points": 10}, "(the criterion)", "'ts'"),
        ({"references": []}, "references", "at least 1"),
        ({"eforms": {"bt_805": "galactic", "bt_774": ["circ-econ"]}}, "eforms.bt_805", "galactic"),
    ],
)
def test_a_broken_criterion_is_named(tmp_path, changes, field, words):
    message = broken(tmp_path, **changes)
    assert "criteria/tests.yaml" in message.replace(tmp_path.name, "criteria")
    assert "criterion test-ts-rubber-share" in message
    assert f"field {field}" in message
    assert words in message


def test_duplicate_ids_across_files_are_named(tmp_path):
    write_group(tmp_path, "one", [CRITERION])
    write_group(tmp_path, "two", [CRITERION])
    with pytest.raises(
        LibraryError,
        match=r"two\.yaml: criterion test-ts-rubber-share: field id: "
        r"already used in .*one\.yaml",
    ):
        load_library(tmp_path)


def test_library_version_and_group_name_must_agree(tmp_path):
    write_group(tmp_path, "one", [CRITERION])
    write_group(tmp_path, "two", [AWARD], library_version="t2", product_group="three")
    with pytest.raises(LibraryError) as info:
        load_library(tmp_path)
    assert "library_version differs" in str(info.value)
    assert "two.yaml: field product_group: 'three'" in str(info.value)


def test_award_points_of_an_application_must_leave_room_for_price(tmp_path):
    heavy = [
        {**copy.deepcopy(AWARD), "id": f"test-ac-heavy-{i}", "award_points": 25} for i in range(2)
    ]
    write_group(tmp_path, "tests", [CRITERION, *heavy])
    with pytest.raises(LibraryError, match="sum to 50 points"):
        load_library(tmp_path)


def test_unreadable_yaml_is_named(tmp_path):
    (tmp_path / "bad.yaml").write_text("criteria: [unclosed", "utf-8")
    with pytest.raises(LibraryError, match="bad.yaml: not readable YAML"):
        load_library(tmp_path)


# --- translation overlays ------------------------------------------------------------------------


def write_overlay(root: Path, lang: str, group: str, data: dict) -> None:
    directory = root / "i18n" / lang
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{group}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def test_overlay_translates_and_missing_means_english(tmp_path):
    write_group(tmp_path, "tests", [CRITERION, AWARD])
    write_overlay(
        tmp_path,
        "it",
        "tests",
        {
            "test-ts-rubber-share": {
                "title": "Quota di gomma",
                "text": "La superficie deve contenere almeno {share} % di gomma.",
                "parameters": {"share": {"label": "Quota"}},
                "verification": [{"evidence": "Dichiarazione"}],
            }
        },
    )
    library = load_library(tmp_path)
    it = library.localised(library.get("test-ts-rubber-share"), "it")
    assert it.title == "Quota di gomma"
    assert it.text.startswith("La superficie")
    assert it.parameters["share"].label == "Quota"
    assert it.parameters["share"].max == 30  # bounds are not translated
    assert it.verification[0].evidence == "Dichiarazione"
    assert it.verification[0].how_to_check == "Read it"  # left out: English
    assert it.rationale == CRITERION["rationale"]
    assert library.localised(library.get("test-ac-more-rubber"), "it").title == AWARD["title"]
    assert library.localised(library.get("test-ts-rubber-share"), "pl").title == "Share of rubber"


@pytest.mark.parametrize(
    ("overlay", "words"),
    [
        (
            {"test-ts-rubber-share": {"text": "La superficie deve contenere gomma {quota} %."}},
            "criterion test-ts-rubber-share: field text",
        ),
        (
            {"test-ts-rubber-share": {"parameters": {"nope": {"label": "X"}}}},
            "field parameters.nope",
        ),
        ({"test-ts-nothing": {"title": "Niente da fare"}}, "criterion test-ts-nothing: field id"),
        (
            {"test-ts-rubber-share": {"verification": [{"who": "A"}, {"who": "B"}]}},
            "field verification: 2 item(s)",
        ),
        ({"test-ts-rubber-share": {"titel": "Tippfehler"}}, "field titel"),
    ],
)
def test_a_broken_overlay_is_named(tmp_path, overlay, words):
    write_group(tmp_path, "tests", [CRITERION])
    write_overlay(tmp_path, "it", "tests", overlay)
    with pytest.raises(LibraryError) as info:
        load_library(tmp_path)
    assert "i18n/it/tests.yaml" in str(info.value)
    assert words in str(info.value)


def test_overlay_of_an_unknown_language_or_group_is_refused(tmp_path):
    write_group(tmp_path, "tests", [CRITERION])
    write_overlay(tmp_path, "xx", "tests", {})
    write_overlay(tmp_path, "it", "nogroup", {})
    with pytest.raises(LibraryError) as info:
        load_library(tmp_path)
    assert "i18n/xx" in str(info.value)
    assert "no product group 'nogroup'" in str(info.value)


def test_every_award_section_offers_the_lowest_life_cycle_cost(library):
    lcc = library.get("lcc-ac-lowest-life-cycle-cost")
    assert lcc.type == "award" and lcc.cost_basis and lcc.ambition == "comprehensive"
    assert set(lcc.parameters) == {"period_years", "discount_rate", "co2_price"}
    assert all("set by the procurer" in p.label for p in lcc.parameters.values())
    assert "Article 68" in lcc.printed_references()[0].title
    for app in library.applications():
        full = library.criteria_for(app, "comprehensive")
        if any(c.type == "award" and not c.cost_basis for c in full):
            assert lcc in full, app
        quality = sum(c.award_points or 0 for c in full if c.type == "award" and not c.cost_basis)
        assert quality + lcc.award_points <= 100, app  # the cost takes the price's share


def test_only_an_award_criterion_is_the_cost_basis(tmp_path):
    from gpp.library import Criterion

    with pytest.raises(ValueError, match="cost_basis is only for award criteria"):
        Criterion.model_validate({**CRITERION, "cost_basis": True})
    with pytest.raises(ValueError, match="unknown RTM type code"):
        Criterion.model_validate({**CRITERION, "rtm_types": ["tyre-soup"]})
