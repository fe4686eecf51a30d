"""The submit form's state and the differences between versions (pure functions)."""

from kb.moderation import diff, forms
from kb.schemas import CaseRecord
from tests.builders import record


def _gettext(message: str) -> str:
    return message


def test_a_record_survives_the_form_both_ways():
    original = CaseRecord.model_validate(record(id="round", gpp=False, year=2019))
    form = forms.form_from_record(original, version=3)
    assert form.value("gpp") == "no" and form.version == 3
    back, errors = forms.form_record(form, case_id="round", gettext=_gettext)
    assert errors == {} and back == original


def test_the_scope_survives_the_form_and_defaults_to_a_project():
    original = CaseRecord.model_validate(record(id="scheme", scope="programme"))
    form = forms.form_from_record(original, version=1)
    assert form.value("scope") == "programme"
    back, errors = forms.form_record(form, case_id="scheme", gettext=_gettext)
    assert errors == {} and back.scope == "programme"
    posted = forms.form_from_post({**_values()}, ["rubber-powder"])  # no scope sent
    rec, errors = forms.form_record(posted, case_id=None, gettext=_gettext)
    assert errors == {} and rec.scope == "project"
    posted = forms.form_from_post({**_values(), "scope": "galaxy"}, ["rubber-powder"])
    _, errors = forms.form_record(posted, case_id=None, gettext=_gettext)
    assert errors == {"scope": "Choose one of the options."}


def test_numbers_accept_a_decimal_comma_and_refuse_words():
    form = forms.CaseForm(
        values={
            **{k: v for k, v in _values().items()},
            "rtm_tonnes": "12,5",
            "area_m2": "1,200.5",
            "tyres_equivalent": "1 500",
        },
        rtm_types=["rubber-powder"],
    )
    rec, errors = forms.form_record(form, case_id=None, gettext=_gettext)
    assert errors == {}
    assert (rec.rtm_tonnes, rec.area_m2, rec.tyres_equivalent) == (12.5, 1200.5, 1500)
    form.values["year"] = "twenty"
    form.values["lat"] = "45,1"
    _, errors = forms.form_record(form, case_id=None, gettext=_gettext)
    assert set(errors) == {"year", "lon"}  # lat without lon, and a year in words


def _values() -> dict:
    return {
        "title": "Crumb rubber playground",
        "summary": "Safety surface.",
        "language": "en",
        "application": "playground",
        "country": "ES",
    }


def test_row_actions_add_remove_and_ignore_the_rest():
    form = forms.blank_form(language="en")
    assert [len(form.rows[k]) for k in ("organisations", "benefits", "sources")] == [1, 1, 1]
    assert forms.apply_row_action(form, "add-benefits")
    assert len(form.rows["benefits"]) == 2 and form.focus == "benefits-1-metric"
    form.rows["benefits"][0]["metric"] = "first"
    assert forms.apply_row_action(form, "remove-benefits-0")
    assert form.rows["benefits"] == [{"metric": "", "value": "", "unit": ""}]
    assert forms.apply_row_action(form, "remove-benefits-0")  # never fewer than one row
    assert len(form.rows["benefits"]) == 1
    for action in ("submit", "draft", "add-users", "remove-sources-x", ""):
        assert not forms.apply_row_action(form, action)
    for _ in range(forms.MAX_ROWS + 5):
        forms.apply_row_action(form, "add-sources")
    assert len(form.rows["sources"]) == forms.MAX_ROWS


def test_posted_rows_keep_their_order_and_blank_rows_are_dropped():
    post = {
        **_values(),
        "sources-10-url": "https://b.example",
        "sources-2-url": "https://a.example",
        "sources-3-url": "  ",
        "organisations-0-name": "X",
        "organisations-0-role": "recycler",
        "organisations-0-evil": "ignored",
        "version": "7",
    }
    form = forms.form_from_post(post, ["rubber-granulate"])
    assert form.version == 7
    rec, errors = forms.form_record(form, case_id=None, gettext=_gettext)
    assert errors == {}
    assert rec.sources == ["https://a.example", "https://b.example"]
    assert [o.name for o in rec.organisations] == ["X"]


def test_errors_are_keyed_by_input_name():
    post = {
        **_values(),
        "title": "ab",
        "sources-0-url": "ftp://x",
        "organisations-0-name": "Y",
        "organisations-0-role": "boss",
        "benefits-0-metric": "noise",
        "benefits-0-value": "",
    }
    form = forms.form_from_post(post, [])
    rec, errors = forms.form_record(form, case_id=None, gettext=_gettext)
    assert rec is None
    assert set(errors) == {
        "title",
        "rtm_types",
        "sources-0-url",
        "organisations-0-role",
        "benefits-0-value",
    }
    assert errors["title"] == "Enter at least 3 characters."


def test_differences_are_per_field_and_per_line():
    old = record(description="line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7")
    new = {
        **old,
        "description": old["description"].replace("line 6", "line six"),
        "rtm_types": ["rubber-powder", "steel-fibre"],
        "gpp": None,
    }
    changes = {c.field: c.lines for c in diff.diff_records(old, new)}
    assert set(changes) == {"description", "rtm_types", "gpp"}
    ops = [(line.op, line.text) for line in changes["description"]]
    assert ops == [
        ("skipped", ""),
        ("same", "line 4"),
        ("same", "line 5"),
        ("removed", "line 6"),
        ("added", "line six"),
        ("same", "line 7"),
    ]
    assert [(x.op, x.text) for x in changes["rtm_types"]] == [
        ("same", "rubber-powder"),
        ("added", "steel-fibre"),
    ]
    assert [(x.op, x.text) for x in changes["gpp"]] == [("removed", "yes")]
    assert diff.diff_records(old, dict(old)) == []
    first = {c.field for c in diff.diff_records(None, old)}
    assert {"title", "summary", "organisations", "benefits"} <= first
