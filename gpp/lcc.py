"""Life-cycle cost (Directive 2014/24/EU Art. 68; the EU GPP LCC method): a stateless calculator.

Every cost is brought to its present value by dividing it by `(1 + rate) ** year`: the
investment at year 0 (so undiscounted), the annual costs and the CO2 (tonnes x price) at the end
of each year 1..period, each replacement at its year, the end of life (a cost, or a negative
figure for a residual value) at the end of the period. `npv` leaves the CO2 out, `npv_co2` adds
it. The bounds below keep the figures sane: a discount rate is a fraction (0.03 for 3 %)."""

from collections.abc import Callable
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from replan.errors import Invalid
from replan.i18n import N_

MAX_YEARS = 100
MAX_MONEY = 1e12  # euros: beyond any single public works contract
MAX_TONNES = 1e9
MAX_CO2_PRICE = 10_000.0  # euros per tonne
MAX_RATE = 0.2
MAX_OPTIONS = 20
MAX_REPLACEMENTS = 50

Money = Annotated[float, Field(ge=0, le=MAX_MONEY, allow_inf_nan=False)]
METHOD = N_(
    "Net present value over %(years)s years at a discount rate of %(rate)s %%: the investment at "
    "year 0 (undiscounted); the annual costs and the CO2 emissions (tonnes x price) at the end of "
    "each year from 1 to %(years)s; each replacement in its year; the end of life at the end of "
    "year %(years)s. Each cost is divided by (1 + rate) to the power of its year. The life-cycle "
    "cost leaves the CO2 out; the cost with CO2 adds it."
)


class Replacement(BaseModel):
    year: Annotated[int, Field(ge=1, le=MAX_YEARS)]
    cost: Money


class LccOption(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    investment: Money = 0
    annual_costs: Money = 0
    replacements: Annotated[list[Replacement], Field(max_length=MAX_REPLACEMENTS)] = []
    # Negative: a residual value recovered at the end of the period.
    end_of_life: Annotated[float, Field(ge=-MAX_MONEY, le=MAX_MONEY, allow_inf_nan=False)] = 0
    co2_tonnes_per_year: Annotated[float, Field(ge=0, le=MAX_TONNES, allow_inf_nan=False)] = 0
    co2_price: Annotated[float, Field(ge=0, le=MAX_CO2_PRICE, allow_inf_nan=False)] = 0


class LccRequest(BaseModel):
    period_years: Annotated[int, Field(ge=1, le=MAX_YEARS)] = 20
    discount_rate: Annotated[float, Field(ge=0, le=MAX_RATE, allow_inf_nan=False)] = 0.03
    options: Annotated[list[LccOption], Field(min_length=1, max_length=MAX_OPTIONS)]


class Breakdown(BaseModel):
    investment: float
    operation: float
    replacements: float
    end_of_life: float
    co2: float


class LccResult(BaseModel):
    name: str
    npv: float
    npv_co2: float
    rank: int  # 1 for the lowest cost with CO2 (ties share a rank)
    breakdown: Breakdown


class LccAnswer(BaseModel):
    period_years: int
    discount_rate: float
    method: str
    options: list[LccResult]


def present_value(cost: float, year: int, rate: float) -> float:
    """Return the value today of a cost paid at the end of `year`."""
    return cost / (1 + rate) ** year


def annuity_factor(years: int, rate: float) -> float:
    """Return the present value of 1 paid at the end of each year 1..years."""
    return sum(present_value(1.0, t, rate) for t in range(1, years + 1))


def _option(option: LccOption, years: int, rate: float) -> tuple[str, Breakdown]:
    factor = annuity_factor(years, rate)
    return option.name, Breakdown(
        investment=option.investment,
        operation=option.annual_costs * factor,
        replacements=sum(present_value(r.cost, r.year, rate) for r in option.replacements),
        end_of_life=present_value(option.end_of_life, years, rate),
        co2=option.co2_tonnes_per_year * option.co2_price * factor,
    )


def after_period(year: float, years: float, *, field: str | None = None) -> Invalid:
    """Return the error of a replacement that falls after the period."""
    return Invalid(
        N_("A replacement in year %(year)s falls after the period of %(years)s years."),
        field=field,
        year=f"{year:g}",
        years=f"{years:g}",
    )


def calculate_lcc(request: LccRequest) -> LccAnswer:
    """Return each option's life-cycle cost, without and with CO2, ranked, with the method."""
    for i, option in enumerate(request.options):
        for j, replacement in enumerate(option.replacements):
            if replacement.year > request.period_years:
                field = f"options.{i}.replacements.{j}.year"
                raise after_period(replacement.year, request.period_years, field=field)
    rows = []
    for option in request.options:
        name, parts = _option(option, request.period_years, request.discount_rate)
        npv = parts.investment + parts.operation + parts.replacements + parts.end_of_life
        rows.append((name, round(npv, 2), round(npv + parts.co2, 2), parts))
    ordered = sorted({row[2] for row in rows})
    return LccAnswer(
        period_years=request.period_years,
        discount_rate=request.discount_rate,
        method=method_text(request.period_years, request.discount_rate),
        options=[
            LccResult(
                name=name,
                npv=npv,
                npv_co2=npv_co2,
                rank=ordered.index(npv_co2) + 1,
                breakdown=Breakdown(
                    **{k: round(v, 2) for k, v in parts.model_dump().items()},
                ),
            )
            for name, npv, npv_co2, parts in rows
        ],
    )


def method_text(years: int, rate: float, gettext: Callable[[str], str] | None = None) -> str:
    """Return the method printed with a result, translated when `gettext` is given."""
    template = gettext(METHOD) if gettext else METHOD
    return template % {"years": years, "rate": f"{rate * 100:g}"}
