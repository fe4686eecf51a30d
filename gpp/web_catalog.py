"""The open-data catalogue (DCAT-AP 3) at /catalog.ttl and /catalog.jsonld."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gpp import catalog
from gpp.deps import LibraryDep
from kb import opendata as kb_opendata
from replan.deps import DbDep

router = APIRouter(include_in_schema=False)


def _catalogue(request: Request, session: DbDep, library: LibraryDep):
    return catalog.build_catalogue(
        facts=kb_opendata.catalogue_facts(session),
        library=library,
        settings=request.app.state.settings,
        openapi_version=request.app.openapi()["openapi"],
    )


@router.get("/catalog.ttl")
def catalog_turtle(request: Request, session: DbDep, library: LibraryDep) -> Response:
    graph = _catalogue(request, session, library)
    return Response(catalog.turtle(graph), media_type="text/turtle; charset=utf-8")


@router.get("/catalog.jsonld")
def catalog_json_ld(request: Request, session: DbDep, library: LibraryDep) -> Response:
    graph = _catalogue(request, session, library)
    return Response(catalog.json_ld(graph), media_type="application/ld+json")
