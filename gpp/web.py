"""Pages of the tender-spec wizard."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from replan.web import render

router = APIRouter(include_in_schema=False)


@router.get("/gpp")
def wizard(request: Request) -> Response:
    return render(request, "gpp/wizard.html")
