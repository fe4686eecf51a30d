"""Read services of the figures: SQL sums over the published cases a search matches."""

from sqlalchemy import ColumnElement, String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from kb import searching
from kb.codes import RTM_TYPES
from kb.models import Case
from kb.schemas import CaseQuery
from kb.stats.rollups import ROLLUP_IDS
from kb.stats.schemas import QUANTITIES, Figures, GroupFigures, Rollup
from kb.status import PUBLIC
from search.backend import SearchBackend

MATCH_LIMIT = 10_000  # a text search counts at most this many cases (as exports do)
COLUMNS = {name: getattr(Case, name) for name in QUANTITIES}


def uses_material(code: str) -> ColumnElement[bool]:
    """Whether a case lists this material: its JSON list, as text, holds the quoted code (the
    codes are fixed and hold no LIKE wildcard; the same on SQLite and PostgreSQL)."""
    return cast(Case.rtm_types, String).like(f'%"{code}"%')


def scope(query: CaseQuery, ids: list[str] | None = None) -> list[ColumnElement[bool]]:
    """Return the SQL conditions of the published cases a search's filters keep.

    The database decides what is public; `ids` (from the search engine, for a text query)
    narrows further."""
    where: list[ColumnElement[bool]] = [Case.status == PUBLIC]
    if query.application:
        where.append(Case.application.in_(query.application))
    if query.country:
        where.append(Case.country.in_(query.country))
    if query.rtm:
        where.append(or_(*(uses_material(code) for code in query.rtm)))
    if query.year_min is not None:
        where.append(Case.year >= query.year_min)
    if query.year_max is not None:
        where.append(Case.year <= query.year_max)
    if query.gpp is not None:
        where.append(Case.gpp.is_(query.gpp))
    if ids is not None:
        where.append(Case.id.in_(ids))
    return where


def matched_ids(*, backend: SearchBackend, query: CaseQuery) -> list[str] | None:
    """Ask the search engine which cases a text query matches; None when there is no text."""
    if not query.q.strip():
        return None
    return searching.matching_ids(backend=backend, query=query, limit=MATCH_LIMIT)


def case_figures(*, session: Session, query: CaseQuery, ids: list[str] | None = None) -> Figures:
    """Sum the declared quantities of the published project cases a search matches, in all and
    by application, material, country and year; list the national totals apart."""
    where = scope(query, ids)
    projects = [*where, Case.id.not_in(sorted(ROLLUP_IDS))]
    totals = session.execute(
        select(
            func.count(),
            func.count(func.distinct(Case.country)),
            *_sums(),
            *(func.count(column) for column in COLUMNS.values()),
        ).where(*projects)
    ).one()
    groups = {
        "application": _grouped(session, Case.application, projects),
        "country": _grouped(session, Case.country, projects),
        "year": _grouped(session, Case.year, [*projects, Case.year.is_not(None)]),
        "rtm": _by_material(session, projects),
    }
    undated = session.scalar(
        select(func.count()).select_from(Case).where(*projects, Case.year.is_(None))
    )
    n = len(QUANTITIES)
    return Figures(
        cases=totals[0],
        countries=totals[1],
        **_quantities(totals[2 : 2 + n]),
        declared=dict(zip(QUANTITIES, totals[2 + n :], strict=True)),
        groups=groups,
        undated=undated or 0,
        rollups=_rollups(session, [*where, Case.id.in_(sorted(ROLLUP_IDS))]),
    )


def _sums(only: ColumnElement[bool] | None = None) -> list:
    """SUM of each quantity (of the rows where `only` holds)."""
    if only is None:
        return [func.sum(column) for column in COLUMNS.values()]
    return [func.sum(case((only, column))) for column in COLUMNS.values()]


def _declared(only: ColumnElement[bool] | None = None) -> list:
    """COUNT of the rows that declare each quantity (and where `only` holds)."""
    if only is None:
        return [func.count(column) for column in COLUMNS.values()]
    return [func.count(case((and_(only, column.is_not(None)), 1))) for column in COLUMNS.values()]


def _quantities(values) -> dict:
    rounded = {name: round(value or 0, 3) for name, value in zip(QUANTITIES, values, strict=True)}
    rounded["tyres_equivalent"] = int(rounded["tyres_equivalent"])
    return rounded


def _group(row) -> GroupFigures:
    n = len(QUANTITIES)
    return GroupFigures(
        cases=row[0],
        **_quantities(row[1 : 1 + n]),
        declared=dict(zip(QUANTITIES, row[1 + n :], strict=True)),
    )


def _grouped(session: Session, key, where: list) -> dict[str, GroupFigures]:
    rows = session.execute(
        select(key, func.count(), *_sums(), *_declared()).where(*where).group_by(key)
    ).all()
    ordered = sorted(rows, key=lambda row: (-row[1], str(row[0])))
    return {str(row[0]): _group(row[1:]) for row in ordered}


def _by_material(session: Session, where: list) -> dict[str, GroupFigures]:
    """One row of conditional sums per material (a case of several materials counts under each):
    one query, on any database, with no JSON function."""
    columns = []
    for code in RTM_TYPES:
        uses = uses_material(code)
        columns += [func.count(case((uses, 1))), *_sums(uses), *_declared(uses)]
    row = session.execute(select(*columns).where(*where)).one()
    width = 1 + 2 * len(QUANTITIES)
    groups = {code: _group(row[i * width : (i + 1) * width]) for i, code in enumerate(RTM_TYPES)}
    kept = {code: g for code, g in groups.items() if g.cases}
    return dict(sorted(kept.items(), key=lambda item: (-item[1].cases, item[0])))


def _rollups(session: Session, where: list) -> list[Rollup]:
    fields = [Case.id, Case.title, Case.language, Case.application, Case.country, Case.year]
    rows = session.execute(
        select(*fields, *COLUMNS.values())
        .where(*where)
        .order_by(Case.country, Case.year.desc().nulls_last(), Case.id)
    ).all()
    return [Rollup.model_validate(row._asdict()) for row in rows]
