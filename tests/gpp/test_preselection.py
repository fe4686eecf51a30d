"""Which criteria the wizard ticks before the procurer chooses, by the buyer's country."""

from gpp import wizard


def _ticked(library, application: str, country: str | None) -> set[str]:
    data = {"application": application, "ambition": "core", "country": country}
    return {c.id for c in wizard.selected(library, data)}


def test_another_countrys_national_rule_is_offered_not_ticked(library):
    offered = {
        c.id
        for c in wizard.available(library, {"application": "road-pavement", "ambition": "core"})
    }
    italian = "road-ts-cam-recycled-content-layers"
    assert italian in offered
    assert italian in _ticked(library, "road-pavement", "IT")
    assert italian not in _ticked(library, "road-pavement", "PL")
    assert italian in _ticked(library, "road-pavement", None)  # no country yet: as before


def test_a_foreign_rule_can_still_be_chosen(library):
    data = {
        "application": "road-pavement",
        "ambition": "core",
        "country": "FR",
        "criteria": ["road-ts-cam-recycled-content-layers"],
    }
    assert [c.id for c in wizard.selected(library, data)] == ["road-ts-cam-recycled-content-layers"]


def test_every_ticked_criterion_is_the_buyers_own_or_general(library):
    for application in library.applications():
        for country in ("FR", "ES", "PL", "GR", "SI", "BE"):
            data = {"application": application, "ambition": "comprehensive", "country": country}
            for criterion in wizard.selected(library, data):
                assert criterion.eforms.national_rule_of in (None, country), criterion.id
