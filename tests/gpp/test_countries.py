"""Country profiles: every fact carries its source, and the rules they set over the library."""

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
