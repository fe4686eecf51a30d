"""The one dependency every figure route shares: the search's parameters to figures."""

from typing import Annotated

from fastapi import Query

from kb.schemas import CaseQuery
from kb.stats import service
from kb.stats.schemas import Figures
from replan.deps import DbDep, RuntimeDep
from search.service import GuardedBackend


def matched_figures(
    query: Annotated[CaseQuery, Query()], session: DbDep, runtime: RuntimeDep
) -> Figures:
    """Count the published cases the search's filters keep (the engine only for the words)."""
    ids = service.matched_ids(backend=runtime.get(GuardedBackend), query=query)
    return service.case_figures(session=session, query=query, ids=ids)
