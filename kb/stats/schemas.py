"""Shapes of the figures: the API's answer and the groups the page draws."""

from typing import Literal

from pydantic import BaseModel, Field

QUANTITIES = ("rtm_tonnes", "tyres_equivalent", "length_km", "area_m2")
MEASURES = ("cases", *QUANTITIES)
DIMENSIONS = ("application", "rtm", "country", "year")

Measure = Literal[MEASURES]  # type: ignore[valid-type]
Dimension = Literal[DIMENSIONS]  # type: ignore[valid-type]


class GroupFigures(BaseModel):
    """One application, material, country or year: its cases and every declared quantity."""

    cases: int = 0
    rtm_tonnes: float = 0
    tyres_equivalent: int = 0
    length_km: float = 0
    area_m2: float = 0
    declared: dict[str, int] = Field(default_factory=dict)


class Rollup(BaseModel):
    """A national or regional total: shown apart, never added to the projects' sums."""

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


class Figures(Totals):
    """Everything the figures page prints, computed once (the API answers a part of it)."""

    groups: dict[str, dict[str, GroupFigures]]  # dimension -> code -> figures
    undated: int  # cases without a year (not in the year groups)
    rollups: list[Rollup]


class GroupStats(BaseModel):
    cases: int
    rtm_tonnes: float
    tyres_equivalent: int


class Stats(Totals):
    """`GET /api/v1/stats`: sums of the declared values of the published project cases a search
    matches; `declared` says how many of them declare each quantity. National and regional
    totals are not added in (they would count the same works twice)."""

    by_application: dict[str, GroupStats]
    by_country: dict[str, GroupStats]
    by_year: dict[str, GroupStats]
    by_rtm: dict[str, GroupStats]

    @classmethod
    def of(cls, figures: Figures) -> "Stats":
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
