"""Read services of the figures: SQL sums over the published cases a search matches, in all and
for each scope (one work, or a programme's total over many)."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, String, and_, case, cast, func, or_, select
from sqlalchemy.orm import Session

from kb import searching
from kb.codes import RTM_TYPES, SCOPES
from kb.models import Case
from kb.schemas import CaseQuery
from kb.stats.schemas import QUANTITIES, Figures, GroupFigures, ProgrammeCase, ScopeFigures
from kb.status import PUBLIC
from search.backend import SearchBackend

MATCH_LIMIT = 10_000  # a text search counts at most this many cases (as exports do)
PROGRAMME_LIST = 100  # the page lists at most this many programme cases
COLUMNS = {name: getattr(Case, name) for name in QUANTITIES}
# A group's raw row: its case count, the SUM of each quantity, the COUNT of cases declaring it.
Raw = tuple
WIDTH = 1 + 2 * len(QUANTITIES)


def uses_material(code: str) -> ColumnElement[bool]:
    """Whether a case lists this material: its JSON list, as text, holds the quoted code (the
    codes are fixed and hold no LIKE wildcard; the same on SQLite and PostgreSQL)."""
    return cast(Case.rtm_types, String).like(f'%"{code}"%')


def filters(query: CaseQuery, ids: list[str] | None = None) -> list[ColumnElement[bool]]:
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
    """Sum the declared quantities of every published case a search matches, in all and by
    application, material, country and year, and the same for each scope.

    Each query groups by scope too: a scope's figures are its rows, the whole the rows added
    (only the number of countries needs a query of its own)."""
    where = filters(query, ids)
    totals = _by_scope(
        session.execute(select(Case.scope, *_counted()).where(*where).group_by(Case.scope)).all()
    )
    countries = dict(
        session.execute(
            select(Case.scope, func.count(func.distinct(Case.country)))
            .where(*where)
            .group_by(Case.scope)
        ).all()
    )
    groups = {
        "application": _grouped(session, Case.application, where),
        "country": _grouped(session, Case.country, where),
        "year": _grouped(session, Case.year, [*where, Case.year.is_not(None)]),
        "rtm": _by_material(session, where),
    }
    undated = dict(
        session.execute(
            select(Case.scope, func.count()).where(*where, Case.year.is_(None)).group_by(Case.scope)
        ).all()
    )

    def figures_of(scopes: Sequence[str], n_countries: int) -> ScopeFigures:
        return ScopeFigures(
            **_group(_add(totals.get(s) for s in scopes)).model_dump(),
            countries=n_countries,
            groups={
                dimension: _merged([by_scope.get(s, {}) for s in scopes])
                for dimension, by_scope in groups.items()
            },
            undated=sum(undated.get(s, 0) for s in scopes),
        )

    every = figures_of(
        SCOPES, session.scalar(select(func.count(func.distinct(Case.country))).where(*where)) or 0
    )
    return Figures(
        **every.model_dump(),
        scopes={s: figures_of((s,), countries.get(s, 0)) for s in SCOPES},
        programmes=_programmes(session, [*where, Case.scope == "programme"]),
    )


def _counted(only: ColumnElement[bool] | None = None) -> list:
    """COUNT of the rows, SUM of each quantity and COUNT of the rows that declare it (of the
    rows where `only` holds)."""
    if only is None:
        return [
            func.count(),
            *(func.sum(column) for column in COLUMNS.values()),
            *(func.count(column) for column in COLUMNS.values()),
        ]
    return [
        func.count(case((only, 1))),
        *(func.sum(case((only, column))) for column in COLUMNS.values()),
        *(func.count(case((and_(only, column.is_not(None)), 1))) for column in COLUMNS.values()),
    ]


def _add(rows) -> Raw:
    """Add raw rows column by column (a SUM of nothing is NULL: nothing to add)."""
    total = [0] * WIDTH
    for row in rows:
        if row is not None:
            total = [a + (b or 0) for a, b in zip(total, row, strict=True)]
    return tuple(total)


def _by_scope(rows) -> dict[str, Raw]:
    return {row[0]: tuple(row[1:]) for row in rows}


def _group(row: Raw) -> GroupFigures:
    n = len(QUANTITIES)
    sums = {
        name: round(value or 0, 3) for name, value in zip(QUANTITIES, row[1 : 1 + n], strict=True)
    }
    sums["tyres_equivalent"] = int(sums["tyres_equivalent"])
    return GroupFigures(
        cases=row[0], **sums, declared=dict(zip(QUANTITIES, row[1 + n :], strict=True))
    )


def _merged(parts: list[dict[str, Raw]]) -> dict[str, GroupFigures]:
    """The groups of several scopes added up, biggest first (then by code)."""
    codes = {code for part in parts for code in part}
    rows = {code: _add(part.get(code) for part in parts) for code in codes}
    ordered = sorted(rows.items(), key=lambda item: (-item[1][0], item[0]))
    return {code: _group(row) for code, row in ordered if row[0]}


def _grouped(session: Session, key, where: list) -> dict[str, dict[str, Raw]]:
    rows = session.execute(
        select(Case.scope, key, *_counted()).where(*where).group_by(Case.scope, key)
    ).all()
    found: dict[str, dict[str, Raw]] = {}
    for row in rows:
        found.setdefault(row[0], {})[str(row[1])] = tuple(row[2:])
    return found


def _by_material(session: Session, where: list) -> dict[str, dict[str, Raw]]:
    """One row of conditional sums per material and scope (a case of several materials counts
    under each): one query, on any database, with no JSON function."""
    columns = [column for code in RTM_TYPES for column in _counted(uses_material(code))]
    rows = session.execute(select(Case.scope, *columns).where(*where).group_by(Case.scope)).all()
    return {
        row[0]: {
            code: tuple(row[1 + i * WIDTH : 1 + (i + 1) * WIDTH])
            for i, code in enumerate(RTM_TYPES)
        }
        for row in rows
    }


def _programmes(session: Session, where: list) -> list[ProgrammeCase]:
    fields = [Case.id, Case.title, Case.language, Case.application, Case.country, Case.year]
    rows = session.execute(
        select(*fields, *COLUMNS.values())
        .where(*where)
        .order_by(Case.country, Case.year.desc().nulls_last(), Case.id)
        .limit(PROGRAMME_LIST)
    ).all()
    return [ProgrammeCase.model_validate(row._asdict()) for row in rows]
