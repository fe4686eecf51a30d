"""Shapes of the figures: the API's answer and the groups the page draws."""

from typing import Literal

from pydantic import BaseModel, Field

from kb.codes import SCOPES

QUANTITIES = ("rtm_tonnes", "tyres_equivalent", "length_km", "area_m2")
MEASURES = ("cases", *QUANTITIES)
DIMENSIONS = ("application", "rtm", "country", "year")

Measure = Literal[MEASURES]  # type: ignore[valid-type]
Dimension = Literal[DIMENSIONS]  # type: ignore[valid-type]
Scope = Literal[SCOPES]  # type: ignore[valid-type]


class GroupFigures(BaseModel):
    """One application, material, country or year: its cases and every declared quantity."""

    cases: int = 0
    rtm_tonnes: float = 0.0
    tyres_equivalent: int = 0
    length_km: float = 0.0
    area_m2: float = 0.0
    declared: dict[str, int] = Field(default_factory=dict)


class ProgrammeCase(BaseModel):
    """A case whose figures are a scheme's, region's or country's total over many works."""

    id: str
    title: str
    language: str
    application: str
    country: str
    year: int | None
    rtm_tonnes: float | None
    tyres_equivalent: int | None
    length_km: float | None
    area_m2: float | None


class Totals(BaseModel):
    """The sums over every case counted, and how many cases declare each quantity."""

    cases: int
    countries: int
    rtm_tonnes: float
    tyres_equivalent: int
    length_km: float
    area_m2: float
    declared: dict[str, int]


class ScopeFigures(Totals):
    """The figures of a set of cases: in all and by application, material, country and year."""

    groups: dict[str, dict[str, GroupFigures]]  # dimension -> code -> figures
    undated: int  # cases without a year (not in the year groups)


class Figures(ScopeFigures):
    """Everything the figures page prints, computed once (the API answers a part of it): the
    sums over every matched case, the same for each scope, and the programme cases matched."""

    scopes: dict[Scope, ScopeFigures]
    programmes: list[ProgrammeCase]  # the first PROGRAMME_LIST of them (scopes says how many)


class GroupStats(BaseModel):
    cases: int
    rtm_tonnes: float
    tyres_equivalent: int


class StatsFigures(Totals):
    by_application: dict[str, GroupStats]
    by_country: dict[str, GroupStats]
    by_year: dict[str, GroupStats]
    by_rtm: dict[str, GroupStats]

    @classmethod
    def of(cls, figures: ScopeFigures) -> "StatsFigures":
        def part(dimension: str) -> dict[str, GroupStats]:
            return {
                code: GroupStats(
                    cases=g.cases, rtm_tonnes=g.rtm_tonnes, tyres_equivalent=g.tyres_equivalent
                )
                for code, g in figures.groups[dimension].items()
            }

        return cls(
            **figures.model_dump(include=set(Totals.model_fields)),
            by_application=part("application"),
            by_country=part("country"),
            by_year=part("year"),
            by_rtm=part("rtm"),
        )


class Stats(StatsFigures):
    """`GET /api/v1/stats`: the sums of the declared values of every published case a search
    matches (`cases` is the search's total); `declared` says how many of them declare each
    quantity. `by_scope` splits the same figures into one-work cases (`project`) and a scheme's,
    region's or country's totals (`programme`), which may count works also listed on their own."""

    by_scope: dict[Scope, StatsFigures]

    @classmethod
    def of(cls, figures: Figures) -> "Stats":  # type: ignore[override]
        return cls(
            **StatsFigures.of(figures).model_dump(),
            by_scope={name: StatsFigures.of(part) for name, part in figures.scopes.items()},
        )
