"""One set of rules for a spec request: the wizard's steps and `POST /api/v1/specs` accept and
refuse the same input, with the same words (the page in the user's language, the API in English).
And the wizard's steps are objects, each with its name, label, form, page and template."""

from datetime import date

import pytest

from gpp import rules, steps
from gpp.library import Library
from kb.taxonomy import Taxonomy
from replan import PROJECT_ROOT
from replan.i18n import translator

EN = translator("en")


def api_errors(client, **body) -> dict[str, str]:
    answer = client.post("/api/v1/specs", json={"application": "road-pavement", **body})
    assert answer.status_code == 422, answer.text
    return {e["field"]: e["msg"] for e in answer.json()["detail"]}


def draft(**data) -> dict:
    return {"application": "road-pavement", "ambition": "core", "language": "en", **data}


def test_a_value_outside_its_bounds_reads_the_same_in_the_wizard_and_the_api(client, runtime):
    library = runtime.get(Library)
    criterion = next(c for c in library.criteria_for("road-pavement", "core") if c.parameters)
    name, p = next(iter(criterion.parameters.items()))
    key = f"param.{criterion.id}.{name}"
    form = {"criteria": [criterion.id], key: [str(p.max + 1)]}
    _changes, wizard = steps.parse_criteria(form, library=library, data=draft(), _=EN)
    api = api_errors(client, criteria=[criterion.id], parameters={criterion.id: {name: p.max + 1}})
    assert wizard[key] == api[f"parameters.{criterion.id}.{name}"]
    assert wizard[key].startswith("Enter a value from")


def test_a_criterion_the_draft_does_not_offer_is_refused_as_the_api_refuses_it(client, runtime):
    """The wizard used to drop such a tick silently; now it says what the API says."""
    library = runtime.get(Library)
    offered = library.criteria_for("road-pavement", "core")
    form = {"criteria": [offered[0].id, "play-ts-impact-attenuation"]}
    changes, wizard = steps.parse_criteria(form, library=library, data=draft(), _=EN)
    api = api_errors(client, ambition="core", criteria=["play-ts-impact-attenuation"])
    assert wizard["criteria"] == api["criteria.0"]
    assert "not road-pavement" in wizard["criteria"]
    assert changes["criteria"] == [offered[0].id]


@pytest.mark.parametrize(
    ("field", "value"), [("country", "QQ"), ("application", "moon-base"), ("language", "xx")]
)
def test_the_subject_is_checked_by_one_rule(client, runtime, field, value):
    library = runtime.get(Library)
    form = {
        "application": ["road-pavement"],
        "procurement_type": ["works"],
        "country": ["IT"],
        "language": ["en"],
        "title": [""],
        "authority": [""],
        field: [value],
    }
    _changes, wizard = steps.parse_subject(form, library=library, data={}, _=EN)
    assert set(wizard) == {field}
    assert wizard[field] == api_errors(client, **{field: value})[field]
    assert value in wizard[field]


def test_award_points_over_the_total_read_the_same(client, runtime):
    library = runtime.get(Library)
    data = draft(ambition="comprehensive")
    awards = [
        c for c in library.criteria_for("road-pavement", "comprehensive") if c.type == "award"
    ]
    assert len(awards) > 1
    form = {f"points.{c.id}": ["60"] for c in awards}
    _changes, wizard = steps.parse_award(form, library=library, data=data, _=EN)
    api = api_errors(client, ambition="comprehensive", award_points={c.id: 60 for c in awards})
    assert wizard["total"] == api["award_points"]
    assert f"Total: {60 * len(awards)} of 100 points" in wizard["total"]
    one = steps.parse_award(
        {**form, f"points.{awards[0].id}": ["0"]}, library=library, data=data, _=EN
    )
    api = api_errors(client, ambition="comprehensive", award_points={awards[0].id: 0})
    assert one[1][f"points.{awards[0].id}"] == api[f"award_points.{awards[0].id}"]


def test_the_rules_answer_in_the_users_language(runtime):
    library = runtime.get(Library)
    [problem] = rules.subject_problems(
        library, {"application": "", "procurement_type": "works", "language": "en"}
    )
    assert problem.field == "application"
    assert problem.text() == "Choose what you are buying."
    assert problem.text(translator("it")) != problem.text()


def test_every_step_is_one_object_with_its_template_and_label():
    assert steps.NAMES == tuple(s.name for s in steps.STEPS)
    assert len(set(steps.NAMES)) == len(steps.STEPS)
    for step in steps.STEPS:
        assert (PROJECT_ROOT / "templates" / step.template).is_file(), step.template
        assert step.label and step.context is not None
        assert steps.BY_NAME[step.name] is step
    assert [s.name for s in steps.STEPS if s.parse is None] == ["evidence", "review"]
    assert steps.allowed_step({"reached": 1}, "review") == "ambition"
    assert steps.allowed_step({"reached": 5}, "criteria") == "criteria"
    assert steps.following("award") == "evidence"


def test_a_step_page_is_built_from_its_object(runtime):
    library = runtime.get(Library)
    view = steps.View(
        library=library,
        taxonomy=runtime.get(Taxonomy),
        locale="en",
        _=EN,
        data=draft(reached=2),
        errors={},
        raw={},
        ticked=None,
        evidence=None,
        on=date.today(),
    )
    ctx = steps.wizard_context(view, step=steps.BY_NAME["criteria"], draft_id="d")
    assert ctx["step_template"] == "gpp/_step_criteria.html" and ctx["step_label"] == "Criteria"
    assert [s["url"] is not None for s in ctx["steps"]] == [True, True, True, False, False, False]
    assert ctx["groups"] and ctx["back_url"] == "/gpp/drafts/d/ambition"
