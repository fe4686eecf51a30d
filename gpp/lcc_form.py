"""The life-cycle cost calculator's form: a plain GET form (a calculation changes nothing, and its
address can be kept or shared), read into an `LccRequest` with a message beside each bad field.

Field names follow the API's (`options.0.replacements.1.year`); the discount rate is typed as a
percentage. An option whose fields are all empty is left out."""

from collections.abc import Callable, Mapping

from pydantic import BaseModel

from gpp import lcc
from replan.i18n import N_

OPTION_ROWS = 3  # options the page offers
REPLACEMENT_ROWS = 3  # replacements per option
NUMBERS = {  # field -> (min, max) as typed on the page
    "investment": (0, lcc.MAX_MONEY),
    "annual_costs": (0, lcc.MAX_MONEY),
    "end_of_life": (-lcc.MAX_MONEY, lcc.MAX_MONEY),
    "co2_tonnes_per_year": (0, lcc.MAX_TONNES),
    "co2_price": (0, lcc.MAX_CO2_PRICE),
}


class LccForm(BaseModel):
    """What the page prints back: the values as typed, and the messages by field."""

    values: dict[str, str]
    errors: dict[str, str]
    submitted: bool


def parse_number(text: str) -> float | None:
    """Return the number typed (a decimal comma too), or None when it is not a finite one."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as most of Europe writes it
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _check(
    values: Mapping[str, str],
    key: str,
    low: float,
    high: float,
    errors: dict[str, str],
    gettext: Callable[[str], str],
    *,
    whole: bool = False,
) -> float | None:
    text = values.get(key, "").strip()
    if not text:
        return None
    value = parse_number(text)
    if value is None or (whole and not value.is_integer()):
        errors[key] = gettext(N_("Enter a whole number.") if whole else N_("Enter a number."))
        return None
    if not low <= value <= high:
        errors[key] = gettext(N_("Enter a number from %(min)s to %(max)s.")) % {
            "min": f"{low:g}",
            "max": f"{high:g}",
        }
        return None
    return value


def read_form(
    values: Mapping[str, str], gettext: Callable[[str], str], *, rows: int = OPTION_ROWS
) -> tuple[LccForm, lcc.LccRequest | None]:
    """Read the form: the request when every field is sound, else the messages by field."""
    typed = {k: str(v) for k, v in values.items() if len(str(v)) <= 200}
    errors: dict[str, str] = {}
    submitted = any(k.startswith("options.") and v.strip() for k, v in typed.items())
    years = _check(typed, "period_years", 1, lcc.MAX_YEARS, errors, gettext, whole=True)
    rate = _check(typed, "discount_rate", 0, lcc.MAX_RATE * 100, errors, gettext)
    options = []
    for i in range(rows):
        prefix = f"options.{i}."
        if not any(v.strip() for k, v in typed.items() if k.startswith(prefix)):
            continue
        name = typed.get(prefix + "name", "").strip()
        if not name:
            errors[prefix + "name"] = gettext(N_("Name this option."))
        option: dict = {"name": name[:200], "replacements": []}
        for field, (low, high) in NUMBERS.items():
            option[field] = _check(typed, prefix + field, low, high, errors, gettext) or 0
        for j in range(REPLACEMENT_ROWS):
            at = f"{prefix}replacements.{j}."
            year = _check(typed, at + "year", 1, lcc.MAX_YEARS, errors, gettext, whole=True)
            cost = _check(typed, at + "cost", 0, lcc.MAX_MONEY, errors, gettext)
            if (year is None) != (cost is None) and not errors.get(at + "year"):
                if not errors.get(at + "cost"):
                    missing = at + ("year" if year is None else "cost")
                    errors[missing] = gettext(N_("Give both the year and the cost."))
            elif year is not None and cost is not None and year > (years or 20):
                errors[at + "year"] = lcc.after_period(year, years or 20).text(gettext)
            elif year is not None and cost is not None:
                option["replacements"].append({"year": int(year), "cost": cost})
        options.append(option)
    if submitted and not options:
        errors["options.0.name"] = gettext(N_("Name this option."))
    form = LccForm(values=typed, errors=errors, submitted=submitted)
    if not submitted or errors:
        return form, None
    request = lcc.LccRequest(
        period_years=int(years if years is not None else 20),
        discount_rate=(rate if rate is not None else 3.0) / 100,
        options=options,
    )
    return form, request


def calculate(
    values: Mapping[str, str], gettext: Callable[[str], str]
) -> tuple[LccForm, lcc.LccAnswer | None]:
    """Read the form and calculate (None until a sound form was sent)."""
    form, request = read_form(values, gettext)
    return form, lcc.calculate_lcc(request) if request is not None else None


def plain_text(value: float | int) -> str:
    """Return a number as a form field holds it: no grouping, no exponent, no lost digits."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def form_values(request: lcc.LccRequest | None, rows: list[int | None]) -> dict[str, str]:
    """Return the form's values of stored figures; `rows[i]` is which option fills row i."""
    if request is None:
        return {}
    values = {
        "period_years": str(request.period_years),
        "discount_rate": plain_text(round(request.discount_rate * 100, 10)),
    }
    for i, k in enumerate(rows):
        if k is None:
            continue
        option = request.options[k]
        for field in NUMBERS:
            values[f"options.{i}.{field}"] = plain_text(getattr(option, field))
        for j, r in enumerate(option.replacements[:REPLACEMENT_ROWS]):
            values[f"options.{i}.replacements.{j}.year"] = str(r.year)
            values[f"options.{i}.replacements.{j}.cost"] = plain_text(r.cost)
    return values
