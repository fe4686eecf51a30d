"""Specs built from the library, stored as snapshots, copied; bidders, checks and verdicts."""

from datetime import date

import pytest

from gpp import bidders, service, wizard
from gpp.library import TYPES
from gpp.models import Spec
from gpp.schemas import SpecCreate
from tests.gpp.conftest import add_case, add_user


def request(**values) -> SpecCreate:
    return SpecCreate.model_validate({"application": "road-pavement", "ambition": "core", **values})


def errors_of(library, on=None, **values) -> list[dict]:
    with pytest.raises(service.SpecInvalid) as info:
        service.choose_criteria(library=library, request=request(**values), on=on or date.today())
    return info.value.errors


# --- pure rules ----------------------------------------------------------------------------------


def test_verdict_logic():
    assert bidders.verdict(["compliant", "compliant"]) == "compliant"
    assert bidders.verdict(["compliant", "pending"]) == "pending"
    assert bidders.verdict(["compliant", "missing"]) == "non_compliant"
    assert bidders.verdict(["pending", "non_compliant", "compliant"]) == "non_compliant"
    assert bidders.verdict(["pending"]) == "pending"
    assert bidders.verdict([]) == "pending"
    assert bidders.summary(["compliant", "missing", "compliant"]) == {
        "pending": 0,
        "compliant": 2,
        "non_compliant": 0,
        "missing": 1,
    }


def test_fill_writes_numbers_as_the_language_does():
    text = "At least {share} % and {years} years."
    assert service.fill(text, {"share": 12.5, "years": 5.0}, "en") == "At least 12.5 % and 5 years."
    assert service.fill(text, {"share": 12.5, "years": 5}, "it") == "At least 12,5 % and 5 years."


@pytest.mark.parametrize("ambition", ["core", "comprehensive"])
def test_every_application_and_ambition_can_be_chosen(library, ambition):
    for application in library.applications():
        chosen, values, award = service.choose_criteria(
            library=library,
            request=request(application=application, ambition=ambition),
            on=date.today(),
        )
        assert chosen, application
        assert set(values) == {c.id for c in chosen}
        assert sum(award.values()) <= 40
        if ambition == "core":
            assert all(c.ambition == "core" for c in chosen)


def test_unknown_application_ambition_language_and_country_are_named(library):
    errors = errors_of(
        library, application="moon-base", ambition="heroic", language="xx", country="QQ"
    )
    fields = {e["loc"][1]: e["msg"] for e in errors}
    assert "moon-base" in fields["application"]
    assert "heroic" in fields["ambition"]
    assert "xx" in fields["language"]
    assert "QQ" in fields["country"]


def test_an_application_without_criteria_is_refused(library):
    errors = errors_of(library, application="other")
    assert errors[0]["loc"] == ("body", "application")
    assert "no criteria" in errors[0]["msg"]


def test_criteria_of_another_application_or_level_or_unknown_are_named(library):
    errors = errors_of(
        library, criteria=["play-ts-impact-attenuation", "road-ac-lca", "no-such-criterion"]
    )
    assert [e["loc"] for e in errors] == [("body", "criteria", i) for i in range(3)]
    assert "'play-ts-impact-attenuation'" in errors[0]["msg"]
    assert "not road-pavement" in errors[0]["msg"]
    assert "comprehensive" in errors[1]["msg"]
    assert "unknown criterion 'no-such-criterion'" in errors[2]["msg"]


def test_a_superseded_criterion_is_refused(library):
    old = next(c for c in library.criteria.values() if c.valid_to is not None)
    errors = errors_of(
        library,
        application=old.applications[0],
        criteria=[old.id],
        on=date(old.valid_to.year + 1, 1, 1),
    )
    assert "not valid" in errors[0]["msg"]


def test_parameters_outside_bounds_or_unknown_are_named(library):
    criterion = next(c for c in library.criteria_for("road-pavement", "core") if c.parameters)
    name, p = next(iter(criterion.parameters.items()))
    errors = errors_of(
        library, parameters={criterion.id: {name: p.max + 1, "nope": 1}, "road-ac-lca": {"x": 1}}
    )
    locs = {e["loc"]: e for e in errors}
    assert locs[("body", "parameters", criterion.id, name)]["type"] == "out_of_range"
    assert locs[("body", "parameters", criterion.id, "nope")]["type"] == "unknown_parameter"
    assert ("body", "parameters", "road-ac-lca") in locs  # not in a core selection


def test_award_points_are_checked(library):
    errors = errors_of(
        library,
        ambition="comprehensive",
        award_points={"road-ac-lca": 101, "road-ts-rubber-content": 5},
    )
    assert {e["loc"][2] for e in errors} == {"road-ac-lca", "road-ts-rubber-content"}
    errors = errors_of(
        library, ambition="comprehensive", award_points={"road-ac-lca": 90, "road-ac-low-noise": 20}
    )
    assert errors[0]["loc"] == ("body", "award_points")


# --- storage -------------------------------------------------------------------------------------


def test_build_spec_snapshot_and_market_evidence(db, library):
    with db.session() as session:
        add_case(
            session,
            id="road-it",
            country="IT",
            year=2020,
            organisations=[
                {"name": "Rubber Recycler", "role": "recycler"},
                {"name": "Asphalt Co", "role": "contractor"},
            ],
        )
        add_case(
            session,
            id="road-es",
            country="ES",
            year=2022,
            organisations=[{"name": "Rubber Recycler", "role": "recycler"}],
        )
        add_case(session, id="road-draft", country="FR", status="submitted")
        add_case(session, id="play-pl", application="playground", country="PL")
    criterion = next(
        c for c in library.criteria_for("road-pavement", "comprehensive") if c.parameters
    )
    name, p = next(iter(criterion.parameters.items()))
    with db.session() as session:
        spec = service.build_spec(
            session,
            library=library,
            request=request(
                ambition="comprehensive",
                language="it",
                country="it",
                title="Via Roma",
                parameters={criterion.id: {name: p.min}},
            ),
        )
        spec_id = spec.id
    with db.session() as session:
        data = service.spec_json(service.get_spec(session, spec_id))
    assert len(spec_id) >= 20
    assert data["country"] == "IT" and data["title"] == "Via Roma" and data["version"] == 1
    assert [s["type"] for s in data["sections"]] == [
        t for t in TYPES if any(s["type"] == t for s in data["sections"])
    ]
    ids = [c["id"] for s in data["sections"] for c in s["criteria"]]
    assert set(ids) == {c.id for c in library.criteria_for("road-pavement", "comprehensive")}
    filled = next(c for s in data["sections"] for c in s["criteria"] if c["id"] == criterion.id)
    assert filled["parameters"][name] == service.plain(p.min)
    assert "{" not in filled["text"]
    assert len(data["checklist"]) == sum(
        len(c["verification"]) for s in data["sections"] for c in s["criteria"]
    )
    assert [i["n"] for i in data["checklist"]] == list(range(len(data["checklist"])))
    evidence = data["market_evidence"]
    assert evidence["cases"] == 2 and evidence["countries"] == ["ES", "IT"]
    # The buyer's country first (road-es is newer), with counts for it and the rest.
    assert evidence["case_ids"] == ["road-it", "road-es"]
    assert [c["id"] for c in evidence["case_list"]] == evidence["case_ids"]
    assert (evidence["country"], evidence["in_country"], evidence["elsewhere"]) == ("IT", 1, 1)
    assert evidence["organisations"] == [
        {"name": "Rubber Recycler", "slug": "rubber-recycler", "role": "recycler"}
    ]
    assert data["eforms"]["bt_06"] == "env-imp" and "circ-econ" in data["eforms"]["bt_774"]
    assert data["award_total"] == sum(
        c["award_points"] or 0 for s in data["sections"] for c in s["criteria"]
    )


def test_an_issued_spec_keeps_its_texts(db, library):
    with db.session() as session:
        spec_id = service.build_spec(session, library=library, request=request()).id
    before = library.criteria_for("road-pavement", "core")[0]
    changed = before.model_copy(update={"text": "Something else entirely, changed later."})
    later = type(library)(
        version="2099.1", groups=library.groups, criteria={**library.criteria, before.id: changed}
    )
    with db.session() as session:
        spec = service.get_spec(session, spec_id)
        texts = [c["text"] for s in spec.content["sections"] for c in s["criteria"]]
        assert changed.text not in texts and spec.library_version == library.version
        copy = service.copy_spec(session, library=later, spec=spec, owner_id=None)
        assert copy.version == 2 and copy.previous_id == spec_id
        assert copy.library_version == "2099.1"
        assert changed.text in [c["text"] for s in copy.content["sections"] for c in s["criteria"]]


def test_list_specs_of_a_procurer(db, library):
    with db.session() as session:
        alice = add_user(session, "alice@example.org")
        bob = add_user(session, "bob@example.org")
        first = service.build_spec(session, library=library, request=request(), owner_id=alice.id)
        service.build_spec(session, library=library, request=request(), owner_id=bob.id)
        bidders.add_bidder(session, spec=first, user_id=alice.id, name="Bidder A")
        alice_id = alice.id
    with db.session() as session:
        rows = service.list_specs(session, owner_id=alice_id)
    assert [(s.id, n) for s, n in rows] == [(first.id, 1)]


def test_bidders_checks_and_ownership(db, library):
    with db.session() as session:
        alice = add_user(session, "alice@example.org")
        bob = add_user(session, "bob@example.org")
        spec = service.build_spec(session, library=library, request=request())
        assert spec.owner_id is None
        bidder = bidders.add_bidder(session, spec=spec, user_id=alice.id, name="Asfalti Srl")
        assert spec.owner_id == alice.id  # the anonymous spec is claimed
        with pytest.raises(service.SpecNotFound):
            bidders.add_bidder(session, spec=spec, user_id=bob.id, name="Intruder")
        with pytest.raises(service.SpecNotFound):
            bidders.owned_spec(session, spec.id, user_id=bob.id)
        ids = (spec.id, bidder.id, alice.id)
    with db.session() as session:
        spec = bidders.owned_spec(session, ids[0], user_id=ids[2])
        bidder = bidders.get_bidder(session, spec=spec, bidder_id=ids[1])
        data = bidders.bidder_json(spec, bidder)
        assert data["verdict"] == "pending" and len(data["checks"]) == len(
            spec.content["checklist"]
        )
        for n in range(len(bidder.checks)):
            bidders.update_check(session, bidder=bidder, n=n, status="compliant")
        assert bidders.bidder_json(spec, bidder)["verdict"] == "compliant"
        bidders.update_check(session, bidder=bidder, n=0, note="Certificate expired")
        bidders.update_check(session, bidder=bidder, n=1, status="missing")
    with db.session() as session:
        spec = session.get(Spec, ids[0])
        data = bidders.bidder_json(spec, bidders.get_bidder(session, spec=spec, bidder_id=ids[1]))
        assert data["verdict"] == "non_compliant"
        assert data["checks"][0]["note"] == "Certificate expired"
        assert data["checks"][0]["status"] == "compliant"
        assert data["summary"]["missing"] == 1
        with pytest.raises(bidders.BidderNotFound):
            bidders.update_check(session, bidder=spec.bidders[0], n=999, status="compliant")


def test_a_draft_round_trip(db, library):
    with db.session() as session:
        draft = wizard.create_draft(session, data=wizard.blank())
        changes, errors = wizard.parse_subject(
            {
                "application": ["playground"],
                "procurement_type": ["supply"],
                "country": ["si"],
                "language": ["sl"],
                "title": ["Igrišče"],
                "authority": [""],
            },
            library=library,
            data=draft.data,
            _=lambda m, **v: m % v if v else m,
        )
        assert errors == {}
        data = wizard.save_draft(session, draft=draft, changes=changes, step="subject")
        data = wizard.save_draft(
            session, draft=draft, changes={"ambition": "core"}, step="ambition"
        )
        draft_id = draft.id
    with db.session() as session:
        stored = wizard.get_draft(session, draft_id).data
    assert stored == data and stored["country"] == "SI" and stored["reached"] == 2
    spec_request = wizard.spec_request(library, stored)
    assert spec_request.application == "playground" and spec_request.criteria


def test_market_evidence_is_a_bounded_summary(db, library):
    """Issue 9, item 5: a spec counts every case but lists only the best few."""
    countries = ["IT", "ES", "FR", "PL", "SI", "GR"]
    with db.session() as session:
        for n in range(12):
            add_case(
                session,
                id=f"road-{n:02d}",
                country=countries[n % 6],
                year=2010 + n,
                organisations=[{"name": f"Recycler {n}", "role": "recycler"}],
            )
    with db.session() as session:
        spec = service.build_spec(session, library=library, request=request(), evidence_limit=3)
        evidence = spec.content["market_evidence"]
    assert evidence["cases"] == 12
    assert evidence["countries"] == sorted(countries)
    assert evidence["case_ids"] == ["road-11", "road-10", "road-09"]  # the newest
    assert [c["id"] for c in evidence["case_list"]] == evidence["case_ids"]
    assert {o["name"] for o in evidence["organisations"]} == {
        "Recycler 11",
        "Recycler 10",
        "Recycler 9",
    }
