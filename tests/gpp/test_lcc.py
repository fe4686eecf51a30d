"""The life-cycle cost calculator: figures computed by hand, the bounds, the API and the page."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from gpp import lcc
from gpp.lcc_form import calculate
from replan.errors import Invalid

# Two options over 20 years at 3 %, worked out by hand with the closed forms:
# annuity factor (1 - 1.03**-20) / 0.03 = 14.8774749; 1.03**8 = 1.2667701; 1.03**20 = 1.8061112.
TWO_OPTIONS = {
    "period_years": 20,
    "discount_rate": 0.03,
    "options": [
        {
            "name": "Rubberised asphalt",
            "investment": 100_000,
            "annual_costs": 2_000,
            "replacements": [{"year": 8, "cost": 10_000}],
            "end_of_life": 5_000,
            "co2_tonnes_per_year": 10,
            "co2_price": 80,
        },
        {
            "name": "Conventional asphalt",
            "investment": 120_000,
            "annual_costs": 1_000,
            "replacements": [],
            "end_of_life": 2_000,
            "co2_tonnes_per_year": 5,
            "co2_price": 80,
        },
    ],
}


def test_two_options_over_twenty_years_match_the_hand_figures():
    answer = lcc.calculate_lcc(lcc.LccRequest.model_validate(TWO_OPTIONS))
    first, second = answer.options
    # 2000 x 14.8774749 = 29754.95; 10000 / 1.2667701 = 7894.09; 5000 / 1.8061112 = 2768.38
    assert first.breakdown.model_dump() == {
        "investment": 100_000,
        "operation": 29_754.95,
        "replacements": 7_894.09,
        "end_of_life": 2_768.38,
        "co2": 11_901.98,  # 10 t x 80 EUR x 14.8774749
    }
    assert first.npv == 140_417.42
    assert first.npv_co2 == 152_319.40
    # 120000 + 1000 x 14.8774749 + 2000 / 1.8061112; CO2 5 x 80 x 14.8774749 = 5950.99
    assert second.npv == 135_984.83
    assert second.npv_co2 == 141_935.82
    assert (first.rank, second.rank) == (2, 1)
    assert "20 years" in answer.method and "3 %" in answer.method


def test_at_a_zero_rate_nothing_is_discounted():
    request = lcc.LccRequest(
        period_years=10,
        discount_rate=0,
        options=[
            lcc.LccOption(
                name="A",
                investment=1000,
                annual_costs=100,
                replacements=[lcc.Replacement(year=5, cost=300)],
                end_of_life=-200,
                co2_tonnes_per_year=2,
                co2_price=50,
            )
        ],
    )
    (option,) = lcc.calculate_lcc(request).options
    assert option.npv == 1000 + 10 * 100 + 300 - 200
    assert option.npv_co2 == option.npv + 10 * 2 * 50


def test_the_investment_is_undiscounted_and_the_end_of_life_falls_at_the_end():
    request = lcc.LccRequest(
        period_years=2,
        discount_rate=0.1,
        options=[lcc.LccOption(name="A", investment=500, end_of_life=121)],
    )
    (option,) = lcc.calculate_lcc(request).options
    assert option.breakdown.investment == 500
    assert option.breakdown.end_of_life == 100  # 121 / 1.1**2
    assert option.npv == option.npv_co2 == 600


def test_a_replacement_after_the_period_is_refused_naming_its_field():
    request = lcc.LccRequest.model_validate(
        {**TWO_OPTIONS, "period_years": 5}  # the first option replaces in year 8
    )
    with pytest.raises(Invalid) as caught:
        lcc.calculate_lcc(request)
    assert caught.value.field == "options.0.replacements.0.year"


@settings(max_examples=60, deadline=None)
@given(
    rate=st.one_of(
        st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
        st.floats(min_value=lcc.MAX_RATE + 1e-9, allow_nan=False),
    ),
    years=st.one_of(st.integers(max_value=0), st.integers(min_value=lcc.MAX_YEARS + 1)),
)
def test_inputs_outside_the_bounds_are_refused(rate, years):
    option = {"name": "A"}
    with pytest.raises(ValidationError, match="discount_rate"):
        lcc.LccRequest.model_validate({"discount_rate": rate, "options": [option]})
    with pytest.raises(ValidationError, match="period_years"):
        lcc.LccRequest.model_validate({"period_years": years, "options": [option]})


@settings(max_examples=60, deadline=None)
@given(
    years=st.integers(min_value=1, max_value=lcc.MAX_YEARS),
    rate=st.floats(min_value=0, max_value=lcc.MAX_RATE),
    investment=st.floats(min_value=0, max_value=lcc.MAX_MONEY),
    annual=st.floats(min_value=0, max_value=lcc.MAX_MONEY),
)
def test_within_the_bounds_every_figure_is_finite_and_co2_only_adds(
    years, rate, investment, annual
):
    request = lcc.LccRequest(
        period_years=years,
        discount_rate=rate,
        options=[
            lcc.LccOption(
                name="A",
                investment=investment,
                annual_costs=annual,
                co2_tonnes_per_year=1,
                co2_price=1,
            )
        ],
    )
    (option,) = lcc.calculate_lcc(request).options
    assert math.isfinite(option.npv_co2)
    assert option.npv >= investment - 0.01
    assert option.npv_co2 >= option.npv
    assert option.breakdown.operation <= annual * years + 0.01


def _gettext(message: str) -> str:
    return message


def test_the_form_reads_percentages_and_decimal_commas():
    form, answer = calculate(
        {
            "period_years": "20",
            "discount_rate": "3",
            "options.0.name": "Rubberised asphalt",
            "options.0.investment": "100000",
            "options.0.annual_costs": "2000",
            "options.0.replacements.0.year": "8",
            "options.0.replacements.0.cost": "10000",
            "options.0.end_of_life": "5000",
            "options.0.co2_tonnes_per_year": "10",
            "options.0.co2_price": "80,0",
        },
        _gettext,
    )
    assert form.errors == {}
    assert answer is not None
    assert answer.options[0].npv_co2 == 152_319.40


def test_the_form_names_each_bad_field():
    form, answer = calculate(
        {
            "period_years": "2.5",
            "discount_rate": "40",
            "options.1.investment": "lots",
            "options.1.replacements.0.year": "3",
            "options.2.name": "C",
            "options.2.replacements.0.year": "30",
            "options.2.replacements.0.cost": "1",
        },
        _gettext,
    )
    assert answer is None
    assert set(form.errors) == {
        "period_years",
        "discount_rate",
        "options.1.name",
        "options.1.investment",
        "options.1.replacements.0.cost",
        "options.2.replacements.0.year",
    }


def test_an_empty_form_is_no_error():
    form, answer = calculate({}, _gettext)
    assert (form.errors, form.submitted, answer) == ({}, False, None)


def test_the_api_answers_the_contract_shape_without_an_account(client):
    answer = client.post("/api/v1/lcc", json=TWO_OPTIONS)
    assert answer.status_code == 200
    body = answer.json()
    assert [o["name"] for o in body["options"]] == ["Rubberised asphalt", "Conventional asphalt"]
    assert body["options"][0]["npv"] == 140_417.42
    assert set(body["options"][0]["breakdown"]) == {
        "investment",
        "operation",
        "replacements",
        "end_of_life",
        "co2",
    }
    assert body["method"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"discount_rate": 0.9}, "discount_rate"),
        ({"period_years": 0}, "period_years"),
        ({"period_years": 5}, "options.0.replacements.0.year"),
        ({"options": []}, "options"),
    ],
)
def test_the_api_answers_422_naming_the_field(client, change, field):
    answer = client.post("/api/v1/lcc", json={**TWO_OPTIONS, **change})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["detail"]] == [field]


def test_the_page_works_without_javascript_and_as_a_fragment(client):
    page = client.get("/lcc")
    assert page.status_code == 200
    assert 'action="/lcc"' in page.text and "<html" in page.text
    query = {
        "period_years": "20",
        "discount_rate": "3",
        "options.0.name": "Rubberised asphalt",
        "options.0.investment": "100000",
    }
    result = client.get("/lcc", params=query)
    assert result.status_code == 200
    assert "100,000" in result.text and "Rubberised asphalt" in result.text
    fragment = client.get("/lcc", params=query, headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="gpp-lcc">')
    bad = client.get("/lcc", params={**query, "discount_rate": "99"})
    assert bad.status_code == 422
    assert 'id="discount_rate-error"' in bad.text


def test_stored_figures_come_back_into_the_form_without_losing_digits():
    from gpp.lcc_form import form_values, plain_text

    assert [plain_text(v) for v in (1500.0, 1_234_567.0, 2.5, 0.1)] == [
        "1500",
        "1234567",
        "2.5",
        "0.1",
    ]
    request = lcc.LccRequest(
        period_years=20,
        discount_rate=0.035,
        options=[lcc.LccOption(name="A", investment=1_234_567.89, co2_price=80)],
    )
    values = form_values(request, [None, 0])
    assert values["discount_rate"] == "3.5"
    assert values["options.1.investment"] == "1234567.89"
    form, again = calculate({**values, "options.1.name": "A"}, _gettext)
    assert form.errors == {} and again.options[0].breakdown.investment == 1_234_567.89
