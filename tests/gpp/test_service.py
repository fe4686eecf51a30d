"""Specs built from the library, stored as snapshots, copied; bidders, checks and verdicts."""

from datetime import date

import pytest

from gpp import bidders, service, steps, wizard
from gpp.library import TYPES
from gpp.schemas import SpecCreate
from gpp.service import drafts
from replan.errors import Invalid, Invalids, NotFound
from replan.uow import UnitOfWork
from tests.gpp.conftest import add_case, add_user


def request(**values) -> SpecCreate:
    return SpecCreate.model_validate({"application": "road-pavement", "ambition": "core", **values})


def errors_of(library, on=None, **values) -> list[dict]:
    """Return the problems as the API names them: the field's path, and the English message."""
    with pytest.raises(Invalids) as info:
        service.choose_criteria(library=library, request=request(**values), on=on or date.today())
    return [
        {
            "loc": ("body", *(int(p) if p.isdigit() else p for p in e.field.split("."))),
            "msg": e.text(),
        }
        for e in info.value.problems()
    ]


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
        cost = {c.id for c in chosen if c.cost_basis}  # the life-cycle cost: the price's share
        assert sum(p for cid, p in award.items() if cid not in cost) <= 40
        assert sum(award.values()) <= 100
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
    assert "no criterion 'no-such-criterion'" in errors[2]["msg"]


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
    assert locs[("body", "parameters", criterion.id, name)]["msg"].startswith("Enter a value from")
    assert "has no parameter 'nope'" in locs[("body", "parameters", criterion.id, "nope")]["msg"]
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
        bidders.new_bidder(session, spec=first, user_id=alice.id, name="Bidder A")
        alice_id = alice.id
    with db.session() as session:
        rows = service.list_specs(session, owner_id=alice_id)
    assert [(s.id, n) for s, n in rows] == [(first.id, 1)]


def test_bidders_checks_and_ownership(db, library):
    with db.session() as session:
        alice = add_user(session, "alice@example.org")
        bob = add_user(session, "bob@example.org")
        spec_id = service.build_spec(session, library=library, request=request()).id
    with UnitOfWork(db) as uow:
        bidder_id = bidders.add_bidder(uow=uow, user=alice, spec_id=spec_id, name=" Asfalti ").id
    with db.session() as session:
        assert service.read_spec(session, spec_id).owner_id == alice.id  # claimed
    with UnitOfWork(db) as uow, pytest.raises(NotFound):
        bidders.add_bidder(uow=uow, user=bob, spec_id=spec_id, name="Intruder")
    with UnitOfWork(db) as uow, pytest.raises(Invalid) as refused:
        bidders.add_bidder(uow=uow, user=alice, spec_id=spec_id, name="   ")
    assert refused.value.field == "name"
    with db.session() as session:
        with pytest.raises(NotFound):
            bidders.read_bidder(session, spec_id=spec_id, bidder_id=bidder_id, user=bob)
        data = bidders.read_bidder(session, spec_id=spec_id, bidder_id=bidder_id, user=alice)
    assert data.bidder.name == "Asfalti" and data.bidder.verdict == "pending"
    assert len(data.bidder.checks) == len(data.spec.document["checklist"])
    ids = {"spec_id": spec_id, "bidder_id": bidder_id}
    with UnitOfWork(db) as uow:
        for n in range(len(data.bidder.checks)):
            out = bidders.update_check(uow=uow, user=alice, n=n, status="compliant", **ids)
    assert out.verdict == "compliant"
    with UnitOfWork(db) as uow:
        bidders.update_check(uow=uow, user=alice, n=0, note="Certificate expired", **ids)
    with UnitOfWork(db) as uow:
        bidders.update_check(uow=uow, user=alice, n=1, status="missing", **ids)
    with UnitOfWork(db) as uow, pytest.raises(NotFound):
        bidders.update_check(uow=uow, user=bob, n=0, status="missing", **ids)
    with db.session() as session:
        data = bidders.read_bidder(session, user=alice, **ids).bidder
    assert data.verdict == "non_compliant"
    assert (data.checks[0].note, data.checks[0].status) == ("Certificate expired", "compliant")
    assert data.summary["missing"] == 1
    with UnitOfWork(db) as uow, pytest.raises(NotFound, match="no checklist item 999"):
        bidders.update_check(uow=uow, user=alice, n=999, status="compliant", **ids)


def test_a_draft_round_trip(db, library):
    changes, errors = steps.parse_subject(
        {
            "application": ["playground"],
            "procurement_type": ["supply"],
            "country": ["si"],
            "language": ["sl"],
            "title": ["Igrišče"],
            "authority": [""],
        },
        library=library,
        data={},
        _=lambda m, **v: m % v if v else m,
    )
    assert errors == {}
    with UnitOfWork(db) as uow:
        draft = drafts.start_draft(uow=uow, user=None, changes=changes)
    with UnitOfWork(db) as uow:
        saved = drafts.save_step(
            uow=uow, user=None, draft_id=draft.id, step="ambition", changes={"ambition": "core"}
        )
    with db.session() as session:
        stored = drafts.read_draft(session, draft.id).data
    assert stored == saved.data and stored["country"] == "SI" and stored["reached"] == 2
    spec_request = wizard.spec_request(library, stored)
    assert spec_request.application == "playground" and spec_request.criteria
    with db.session() as session, pytest.raises(NotFound):
        drafts.read_draft(session, "no-such-draft")


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
