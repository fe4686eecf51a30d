"""The figures page model: every number, sentence and link the page, its charts, CSV files and
the embeddable figure print, made once here in the reader's language."""

from collections.abc import Callable
from urllib.parse import urlencode

from babel.numbers import format_decimal
from pydantic import BaseModel

from kb.pages import facet_label, query_params
from kb.schemas import CaseQuery
from kb.stats.schemas import (
    DIMENSIONS,
    MEASURES,
    Figures,
    GroupFigures,
    ProgrammeCase,
    ScopeFigures,
)
from kb.taxonomy import Taxonomy
from replan import i18n
from replan.i18n import N_

# What each measure is called (its unit), and the search parameter of each dimension.
MEASURE_NAMES = {
    "cases": N_("Case studies"),
    "rtm_tonnes": N_("Tonnes of recycled tyre material"),
    "tyres_equivalent": N_("End-of-life tyres recycled"),
    "length_km": N_("Kilometres"),
    "area_m2": N_("Square metres"),
}
DIMENSION_NAMES = {
    "application": N_("By application"),
    "rtm": N_("By material"),
    "country": N_("By country"),
    "year": N_("By year"),
}
CHART_TITLES = {
    "application": N_("%(measure)s by application"),
    "rtm": N_("%(measure)s by material"),
    "country": N_("%(measure)s by country"),
    "year": N_("%(measure)s by year"),
}
PARAMS = {"application": "application", "rtm": "rtm", "country": "country"}
FACETS = {"rtm": "rtm_types"}  # the search's facet of a dimension, where its name differs


class Row(BaseModel):
    code: str
    label: str
    cases_url: str  # the published cases behind this row (the search page, this filter added)
    figures: GroupFigures
    programme: GroupFigures  # the part of `figures` that programme totals make


class Figure(BaseModel):
    dimension: str
    heading: str
    chart_title: str
    declared_text: str  # "3 of 95 case studies declare the tonnes used"
    chart_url: str
    csv_url: str
    drawn: bool  # at least one row has a value of the measure drawn
    rows: list[Row]


class Headline(BaseModel):
    measure: str
    label: str
    value: str
    declared_text: str


class ScopeLine(BaseModel):
    """One measure: the headline figure, and what the projects and the programmes make of it."""

    measure: str
    label: str
    every: str
    project: str
    programme: str


class ScopeSplit(BaseModel):
    """How much of the headline figures comes from programme totals (`note` says it plainly)."""

    programme_cases: int
    note: str
    lines: list[ScopeLine]


class MeasureLink(BaseModel):
    measure: str
    label: str
    url: str
    current: bool


class StatsPage(BaseModel):
    query: CaseQuery
    measure: str
    figures: Figures
    headlines: list[Headline]
    charts: list[Figure]
    measure_links: list[MeasureLink]
    split: ScopeSplit
    programmes: list[ProgrammeCase]
    cases_url: str
    api_url: str
    embed_url: str
    clear_url: str
    filtered: bool


def filter_pairs(query: CaseQuery, **changes) -> list[tuple[str, str]]:
    """The search's filter parameters (no page, size or sort: figures count every match)."""
    pairs = query_params(query, **changes)
    return [(k, v) for k, v in pairs if k not in ("page", "per_page", "sort")]


def link(path: str, pairs: list[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(pairs)}" if pairs else path


def number(value: float, locale: str, digits: int = 1) -> str:
    pattern = f"#,##0.{'#' * digits}" if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=locale)


def declared_text(measure: str, figures: Figures, locale: str) -> str:
    """Say how many of the cases declare a quantity (every case counts itself)."""
    ngettext = i18n.ngettext_for(locale)
    total = figures.cases
    if measure == "cases":
        text = ngettext("%(num)s published case study", "%(num)s published case studies", total)
        return text % {"num": total}
    n = figures.declared[measure]
    messages = {
        "rtm_tonnes": ngettext(
            "%(num)s of %(total)s case studies declares the tonnes used",
            "%(num)s of %(total)s case studies declare the tonnes used",
            n,
        ),
        "tyres_equivalent": ngettext(
            "%(num)s of %(total)s case studies declares the tyres recycled",
            "%(num)s of %(total)s case studies declare the tyres recycled",
            n,
        ),
        "length_km": ngettext(
            "%(num)s of %(total)s case studies declares a length in km",
            "%(num)s of %(total)s case studies declare a length in km",
            n,
        ),
        "area_m2": ngettext(
            "%(num)s of %(total)s case studies declares an area in m²",
            "%(num)s of %(total)s case studies declare an area in m²",
            n,
        ),
    }
    return messages[measure] % {"num": n, "total": total}


def programme_note(figures: Figures, locale: str) -> str:
    """Say how many of the cases counted are programme totals, and what that means."""
    ngettext = i18n.ngettext_for(locale)
    n, total = figures.scopes["programme"].cases, figures.cases
    if not n:
        return i18n.gettext_for(locale)(
            "Every case study counted here reports one work: no programme total is in the sums."
        )
    text = ngettext(
        "%(num)s of these %(total)s case studies is a programme total (a scheme's, region's or "
        "country's figures over many works, some of which may also be listed on their own): the "
        "sums include it, so they may count the same work twice.",
        "%(num)s of these %(total)s case studies are programme totals (a scheme's, region's or "
        "country's figures over many works, some of which may also be listed on their own): the "
        "sums include them, so they may count the same work twice.",
        n,
    )
    return text % {"num": n, "total": total}


def scope_split(figures: Figures, locale: str) -> ScopeSplit:
    gettext = i18n.gettext_for(locale)
    lines = []
    for name in MEASURES:
        show = formatter(name, locale)
        lines.append(
            ScopeLine(
                measure=name,
                label=gettext(MEASURE_NAMES[name]),
                every=show(value_of(figures, name)),
                project=show(value_of(figures.scopes["project"], name)),
                programme=show(value_of(figures.scopes["programme"], name)),
            )
        )
    return ScopeSplit(
        programme_cases=figures.scopes["programme"].cases,
        note=programme_note(figures, locale),
        lines=lines,
    )


def value_of(figures: GroupFigures | ScopeFigures, measure: str) -> float:
    return getattr(figures, measure)


def formatter(measure: str, locale: str) -> Callable[[float], str]:
    digits = 0 if measure in ("cases", "tyres_equivalent") else 1
    return lambda value: number(value, locale, digits)


def label_of(taxonomy: Taxonomy, dimension: str, code: str, locale: str) -> str:
    return facet_label(taxonomy, FACETS.get(dimension, dimension), code, locale)


def _cases_url(query: CaseQuery, dimension: str, code: str) -> str:
    if dimension == "year":
        changes: dict = {"year_min": int(code), "year_max": int(code)}
    else:
        values = getattr(query, PARAMS[dimension])
        changes = {PARAMS[dimension]: values if code in values else [*values, code]}
    return link("/cases", query_params(query, page=1, **changes))


def rows_of(
    figures: Figures, dimension: str, *, query: CaseQuery, taxonomy: Taxonomy, locale: str
) -> list[Row]:
    groups = figures.groups[dimension]
    programmes = figures.scopes["programme"].groups[dimension]
    codes = sorted(groups) if dimension == "year" else list(groups)
    return [
        Row(
            code=code,
            label=label_of(taxonomy, dimension, code, locale),
            cases_url=_cases_url(query, dimension, code),
            figures=groups[code],
            programme=programmes.get(code, GroupFigures()),
        )
        for code in codes
    ]


def chart_title(dimension: str, measure: str, locale: str) -> str:
    gettext = i18n.gettext_for(locale)
    return gettext(CHART_TITLES[dimension]) % {"measure": gettext(MEASURE_NAMES[measure])}


def build_stats_page(
    *, query: CaseQuery, measure: str, figures: Figures, taxonomy: Taxonomy, locale: str
) -> StatsPage:
    """Turn the figures into the page: headline numbers, a chart and table per dimension."""
    gettext = i18n.gettext_for(locale)
    pairs = filter_pairs(query)
    drawn_by = [("measure", measure)] if measure != "cases" else []
    headlines = [
        Headline(
            measure=name,
            label=gettext(MEASURE_NAMES[name]),
            value=formatter(name, locale)(value_of(figures, name)),
            declared_text=declared_text(name, figures, locale),
        )
        for name in MEASURES
    ]
    charts = []
    for dimension in DIMENSIONS:
        rows = rows_of(figures, dimension, query=query, taxonomy=taxonomy, locale=locale)
        charts.append(
            Figure(
                dimension=dimension,
                heading=gettext(DIMENSION_NAMES[dimension]),
                chart_title=chart_title(dimension, measure, locale),
                declared_text=declared_text(measure, figures, locale),
                chart_url=link(f"/stats/{dimension}.svg", pairs + drawn_by),
                csv_url=link(f"/stats/{dimension}.csv", pairs),
                drawn=any(value_of(r.figures, measure) for r in rows),
                rows=rows,
            )
        )
    return StatsPage(
        query=query,
        measure=measure,
        figures=figures,
        headlines=headlines,
        charts=charts,
        measure_links=[
            MeasureLink(
                measure=name,
                label=gettext(MEASURE_NAMES[name]),
                url=link("/stats", pairs + ([("measure", name)] if name != "cases" else [])),
                current=name == measure,
            )
            for name in MEASURES
        ],
        split=scope_split(figures, locale),
        programmes=figures.programmes,
        cases_url=link("/cases", pairs),
        api_url=link("/api/v1/stats", pairs),
        embed_url=link("/embed/stats", pairs + drawn_by),
        clear_url=link("/stats", drawn_by),
        filtered=bool(pairs),
    )


def chart_rows(page_figures: Figure, measure: str) -> tuple[list[str], list[float]]:
    """The bars of a chart: the rows with a value of the measure (biggest first, years in
    order)."""
    rows = [r for r in page_figures.rows if value_of(r.figures, measure)]
    if page_figures.dimension != "year":
        rows.sort(key=lambda r: -value_of(r.figures, measure))
    return [r.label for r in rows], [value_of(r.figures, measure) for r in rows]
