"""Country profiles: every fact carries its source, and the rules they set over the library."""

import re
from datetime import date

import pytest

from gpp import countries, sources
from gpp.countries import Profile, ProfileError, load_profiles
from gpp.eforms import codelists

REQUIRED = ("IT", "FR", "ES", "PL", "GR", "SI")
ON = date(2026, 12, 1)


@pytest.fixture(scope="module")
def profiles():
    return countries.load_profiles()


def test_every_required_country_has_a_profile_and_others_get_the_default(profiles):
    for code in REQUIRED:
        assert profiles.get(code).country == code
    assert profiles.get("EL").country == "GR"  # the EU's code for Greece
    assert profiles.get("de").country is None and profiles.get(None).country is None


def test_every_fact_carries_its_source_and_an_unconfirmed_one_a_placeholder(profiles):
    for profile in profiles:
        topics = {f.topic for f in profile.facts}
        assert "procurement_law" in topics, profile.country
        for fact in profile.facts:
            assert len(fact.source.title) >= 3, (profile.country, fact.text["en"])
            assert fact.source.url is None or sources.is_official(fact.source.url)
            if not fact.confirmed:
                assert fact.buyer_sets and fact.buyer_sets["en"].startswith("[")
            # the buyer's own language has the text, not only English
            assert profile.language in fact.text, (profile.country, fact.topic)


def test_profile_codes_are_official_and_unconfirmed_rules_are_said(profiles):
    for profile in profiles:
        if profile.bt_805:
            assert profile.bt_805 in codelists.codes(codelists.GPP_CRITERIA)
    # The legal review confirmed nothing mandatory for Poland, Greece and Slovenia: nothing is.
    for code in ("PL", "GR", "SI"):
        p = profiles.get(code)
        assert not p.mandatory.national_rule_types and not p.required_sections
        assert any(not f.confirmed for f in p.facts)


def test_a_fact_without_source_or_from_an_unofficial_host_is_refused(tmp_path):
    base = {
        "country": None,
        "names": {"en": "EU"},
        "language": "en",
        "facts": [{"topic": "procurement_law", "text": {"en": "Directive."}}],
    }
    with pytest.raises(ValueError, match="source"):
        Profile.model_validate(base)
    fact = {**base["facts"][0], "source": {"title": "A blog", "url": "https://example.com/x"}}
    with pytest.raises(ValueError, match="not an official publisher"):
        Profile.model_validate({**base, "facts": [fact]})
    unconfirmed = {**fact, "source": {"title": "Directive"}, "confirmed": False}
    with pytest.raises(ValueError, match="buyer_sets"):
        Profile.model_validate({**base, "facts": [unconfirmed]})
    (tmp_path / "IT.yaml").write_text("country: FR\nnames: {en: x}\nlanguage: fr\nfacts: []\n")
    with pytest.raises(ProfileError, match=r"IT.yaml: field facts"):
        load_profiles(tmp_path)


def test_italian_cam_criteria_are_mandatory_and_national_only_in_italy(library, profiles):
    italy = profiles.get("IT")
    cam = [c for c in library.criteria.values() if c.eforms.national_rule_of == "IT"]
    mandatory = [c for c in cam if italy.is_mandatory(c)]
    assert mandatory and all(
        c.type in ("technical_specification", "contract_clause") for c in mandatory
    )
    assert not any(italy.is_mandatory(c) for c in cam if c.type == "award")
    for c in cam:
        assert italy.bt_805_of(c) == "national"
        for code in ("FR", "ES", "PL", "GR", "SI", None):
            other = profiles.get(code)
            assert not other.is_mandatory(c)
            assert other.bt_805_of(c) == c.eforms.bt_805 == c.eforms.bt_805_for(code)


def test_check_refuses_a_missing_cam_criterion_and_a_lower_cam_minimum(library, profiles):
    italy = profiles.get("IT")
    available = library.criteria_for("playground", "core", on=ON)
    cam = next(c for c in available if italy.is_mandatory(c) and c.parameters)
    values = {c.id: {n: p.default for n, p in c.parameters.items()} for c in available}
    assert countries.check(italy, available=available, chosen=available, values=values) == []
    without = [c for c in available if c.id != cam.id]
    problems = countries.check(italy, available=available, chosen=without, values=values)
    assert [p.field for p in problems] == ["criteria"]
    assert cam.id in problems[0].text() and "57(2)" in problems[0].text()
    name = next(n for n in cam.parameters if n.startswith("min_"))
    lower = {**values, cam.id: {**values[cam.id], name: cam.parameters[name].default - 1}}
    problems = countries.check(italy, available=available, chosen=available, values=lower)
    assert [p.field for p in problems] == [f"parameters.{cam.id}.{name}"]
    assert "mandatory minimum" in problems[0].text()
    # elsewhere the same choices are free
    france = profiles.get("FR")
    assert countries.check(france, available=available, chosen=without, values=lower) == []


def test_a_spanish_spec_needs_a_contract_clause(library, profiles):
    spain = profiles.get("ES")
    available = library.criteria_for("road-pavement", "core", on=ON)
    no_clause = [c for c in available if c.type != "contract_clause"]
    problems = countries.check(spain, available=available, chosen=no_clause, values={})
    assert [p.field for p in problems] == ["criteria"]
    assert "contract performance clause" in problems[0].text() and "202.1" in problems[0].text()
    assert countries.check(spain, available=available, chosen=available, values={}) == []


def test_legal_basis_is_in_the_spec_language_with_english_as_fallback(profiles):
    basis = profiles.get("ES").legal_basis("es")
    assert basis["name"] == "España" and "Ley 9/2017" in basis["facts"][0]["text"]
    assert "LCSP" in profiles.get("ES").legal_basis("de")["facts"][0]["text"]
    french = profiles.get("FR").legal_basis("fr")
    assert french["reminders"] and "2021-1104" in french["reminders"][0]
    assert any(f["buyer_sets"] for f in french["facts"])


# CAM Strade 2.2.4 and 2.3.1 (DM 5 August 2024 no. 279 as amended on 11 September 2025) and the
# CAM Edilizia 2025 for works with no CAM of their own; each with what its text must name.
NEW_CAM = {
    "road-ts-cam-wearing-course-noise": ("road-pavement", ("279", "2.2.4", "447/1995")),
    "road-ts-cam-recycled-content-layers": ("road-pavement", ("279", "2.3.1", "2.1.2")),
    "sport-cpc-cam-edilizia-report": ("sports-surface", ("2025", "3.1.1")),
    "bld-ts-rubber-flooring-recycled": ("sports-surface", ()),
}
LANGUAGES = ("en", "it", "es", "fr", "pl", "el", "sl")


@pytest.mark.parametrize("criterion_id", sorted(NEW_CAM))
def test_the_cam_strade_and_edilizia_criteria_are_mandatory_in_an_italian_spec(
    library, profiles, criterion_id
):
    italy = profiles.get("IT")
    application, named = NEW_CAM[criterion_id]
    offered = library.criteria_for(application, "core", on=ON)
    cam = library.get(criterion_id)
    assert cam in offered and italy.is_mandatory(cam) and italy.bt_805_of(cam) == "national"
    assert not profiles.get("FR").is_mandatory(cam)
    values = {c.id: {n: p.default for n, p in c.parameters.items()} for c in offered}
    without = [c for c in offered if c.id != criterion_id]
    problems = countries.check(italy, available=offered, chosen=without, values=values)
    assert [p.field for p in problems] == ["criteria"] and criterion_id in problems[0].text()
    for language in LANGUAGES:  # the text names the decree and its paragraph in every language
        text = library.localised(cam, language).text
        assert all(word in text for word in named), (criterion_id, language)


def test_an_unconfirmed_cam_minimum_names_its_decree_and_is_the_procurers_to_enter(
    library, profiles
):
    italy = profiles.get("IT")
    unconfirmed = [
        (c, name)
        for c in library.criteria.values()
        for name, p in c.parameters.items()
        if not p.confirmed
    ]
    layers = library.get("road-ts-cam-recycled-content-layers")
    assert {(layers.id, n) for n in layers.parameters} <= {(c.id, n) for c, n in unconfirmed}
    for c, name in unconfirmed:
        assert c.eforms.national_rule_of == "IT" and italy.is_mandatory(c)
        for language in LANGUAGES:  # the label names the decree's paragraph in every language
            label = library.localised(c, language).parameters[name].label
            assert re.search(r"\b2\.(3\.1|4\.7|4\.10)\b", label), (c.id, name, language)
            assert "CAM" in label and "DM" in label, (c.id, name, language)
        # the library does not know the decree's value: a lower entry is not refused
        offered = [c]
        lower = {c.id: {n: p.default for n, p in c.parameters.items()} | {name: 0}}
        assert countries.check(italy, available=offered, chosen=offered, values=lower) == []
    # a confirmed CAM minimum (CAM Arredo urbano 2023) is still held at the decree's value
    confirmed = library.get("sport-ts-recycled-rubber")
    assert all(p.confirmed for p in confirmed.parameters.values())
    lower = {confirmed.id: {"min_recycled_multilayer": 29}}
    problems = countries.check(italy, available=[confirmed], chosen=[confirmed], values=lower)
    assert [p.field for p in problems] == [f"parameters.{confirmed.id}.min_recycled_multilayer"]
