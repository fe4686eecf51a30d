"""Pages of the figures: /stats, a chart (SVG) and a table (CSV) per figure, and the figure other
sites embed (/embed/stats)."""

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kb.linked_data import licence_of
from kb.schemas import CaseQuery
from kb.stats import charts
from kb.stats.deps import matched_figures
from kb.stats.pages import (
    Figure,
    StatsPage,
    build_stats_page,
    chart_rows,
    formatter,
)
from kb.stats.schemas import QUANTITIES, Dimension, Figures, Measure
from kb.taxonomy import Taxonomy
from replan import auth, ratelimit
from replan.deps import RuntimeDep
from replan.web import embeddable, public_url, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
# An SVG opened on its own is a document: its inline style (pygal's) may apply, nothing runs.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *"
FiguresDep = Annotated[Figures, Depends(matched_figures)]
QueryDep = Annotated[CaseQuery, Query()]


def stats_page(
    request: Request,
    runtime: RuntimeDep,
    query: QueryDep,
    figures: FiguresDep,
    measure: Annotated[Measure, Query()] = "cases",
) -> StatsPage:
    return build_stats_page(
        query=query,
        measure=measure,
        figures=figures,
        taxonomy=runtime.get(Taxonomy),
        locale=request.state.locale,
    )


PageDep = Annotated[StatsPage, Depends(stats_page)]


def figure_of(page: StatsPage, dimension: str) -> Figure:
    return next(chart for chart in page.charts if chart.dimension == dimension)


@router.get("/stats")
def stats(request: Request, page: PageDep) -> Response:
    context = {"page": page, "embed_src": public_url(request, page.embed_url)}
    return render(request, "kb/stats.html", context, block="kb_stats", model=page)


@router.get("/stats/{dimension}.svg", dependencies=[Depends(embeddable)])
def stats_chart(dimension: Dimension, request: Request, page: PageDep) -> Response:
    figure = figure_of(page, dimension)
    labels, values = chart_rows(figure, page.measure)
    svg = charts.bar_chart(
        title=figure.chart_title,
        description=figure.declared_text,
        labels=labels,
        values=values,
        formatter=formatter(page.measure, request.state.locale),
        horizontal=dimension != "year",
    )
    headers = {"Content-Security-Policy": SVG_POLICY, "Vary": "Accept-Language, Cookie"}
    return Response(svg, media_type="image/svg+xml", headers=headers)


@router.get("/stats/{dimension}.csv", dependencies=[Depends(ratelimit.limit_exports)])
def stats_csv(dimension: Dimension, page: PageDep) -> Response:
    """Answer one figure's table: each quantity's sum and how many cases declare it, then the
    part of them that programme totals make (`programme_*`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [f"{q}{s}" for q in QUANTITIES for s in ("", "_declared")]
    writer.writerow(
        [dimension, "label", "cases", *columns, "programme_cases"]
        + [f"programme_{c}" for c in columns]
    )
    for row in figure_of(page, dimension).rows:
        cells = [row.code, row.label]
        for f in (row.figures, row.programme):
            values = [(getattr(f, q), f.declared.get(q, 0)) for q in QUANTITIES]
            cells += [f.cases, *(v for pair in values for v in pair)]
        writer.writerow(cells)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="stats-{dimension}.csv"'},
    )


@router.get("/embed/stats", dependencies=[Depends(embeddable)])
def embed_stats(request: Request, page: PageDep, by: Dimension = "country") -> Response:
    """A small page for another site's frame: the headline figures, one chart, the licence."""
    context = {
        "page": page,
        "figure": figure_of(page, by),
        "back_url": public_url(request, page.embed_url.replace("/embed/stats", "/stats", 1)),
        "licence": licence_of(request.app.state.settings),
    }
    return render(request, "kb/embed_stats.html", context)
