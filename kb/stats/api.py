"""The figures' JSON API under /api/v1."""

from typing import Annotated

from fastapi import APIRouter, Depends

from kb.stats.deps import matched_figures
from kb.stats.schemas import Figures, Stats
from replan.api import ERRORS

router = APIRouter(prefix="/api/v1", tags=["cases"])


@router.get(
    "/stats",
    response_model=Stats,
    responses=ERRORS,
    summary="Figures of the published case studies (the search's filters apply)",
)
def stats(figures: Annotated[Figures, Depends(matched_figures)]) -> Stats:
    return Stats.of(figures)
