"""The app factory: the only module that composes every domain."""

import logging
from contextlib import asynccontextmanager
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from gpp import api as gpp_api
from gpp import web as gpp_web
from gpp import web_bidders as gpp_web_bidders
from gpp.library import load_library
from kb import api as kb_api
from kb import service as kb_service
from kb import web as kb_web
from kb.moderation import routes as moderation_routes
from kb.service import CASE_INDEX
from kb.taxonomy import load_glossary, load_taxonomy
from replan import accounts, auth, auth_web, i18n
from replan.auth_models import User
from replan.db import Database
from replan.i18n import N_
from replan.runtime import Runtime
from replan.settings import Settings
from replan.web import make_environment, render, wants_json
from search.backend import SearchUnavailable
from search.service import GuardedBackend, SearchRebuilding, make_backend
from search.sync import SyncWorker

log = logging.getLogger(__name__)


def build_runtime(settings: Settings) -> Runtime:
    """Open the database and the search engine and load the seed data files."""
    criteria = load_library(settings.seeds_dir / "criteria")  # a broken file stops the start
    db = Database(settings.db_url)
    backend = GuardedBackend(make_backend(settings))
    glossary_path = settings.seeds_dir / "glossary.yaml"
    taxonomy = load_taxonomy(settings.seeds_dir / "taxonomy.yaml", glossary_path)
    backend.refill = lambda engine: kb_service.reindex(db=db, backend=engine, taxonomy=taxonomy)
    backend.configure(CASE_INDEX, load_glossary(glossary_path).groups)  # damage: a state
    return Runtime(
        settings=settings, db=db, search=backend, taxonomy=taxonomy, extras={"criteria": criteria}
    )


def security_headers(settings: Settings) -> dict[str, str]:
    """Return the headers of every answer; images may come from the map tiles' origin."""
    images = " ".join(filter(None, ["'self' data:", settings.map_tiles_origin]))
    return {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": (
            f"default-src 'self'; img-src {images}; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        ),
    }


def _identify(runtime: Runtime, request: Request, header: str) -> None:
    """Set the request's user from its API token or its signed session."""
    with runtime.db.session() as session:
        if header.lower().startswith("bearer "):
            request.state.user = auth.user_for_token(session, header[7:].strip())
            request.state.via_token = request.state.user is not None
            return
        user = session.get(User, request.session["uid"])
        if user is not None and user.is_active:
            request.state.user = user
        else:
            request.session.clear()


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the web app from a settings object (nothing is read at import time)."""
    settings = settings or Settings()
    runtime = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Every engine's outbox is drained here, off the requests, from start-up on.
        search = runtime.search
        worker = SyncWorker(runtime.db, search, CASE_INDEX.name, maintain=search.repair)
        search.on_damage = worker.wake
        runtime.indexer = worker
        worker.start()
        yield
        worker.stop()
        search.on_damage = None
        runtime.indexer = None

    app = FastAPI(
        title="RE-PLAN City Life",
        version="1.0.0",
        description="Case studies of recycled tyre materials and green procurement criteria.",
        lifespan=lifespan,
        docs_url=None,  # served below from vendored files, under the app's own CSP
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.templates = make_environment(settings.templates_dir, settings.static_dir)
    # Maps read their tiles from data attributes (static/js/maps.js): the CSP allows the same URL.
    app.state.templates.globals.update(
        map_tiles=settings.map_tiles, map_attribution=settings.map_attribution
    )
    headers = security_headers(settings)
    i18n.check_catalogues()  # a language without a catalogue is logged loudly at start

    @app.middleware("http")
    async def request_state(request: Request, call_next) -> Response:
        request.state.locale = i18n.request_locale(request)
        request.state.user = None
        request.state.via_token = False
        if not request.url.path.startswith("/static/"):
            header = request.headers.get("authorization", "")
            if header.lower().startswith("bearer ") or request.session.get("uid"):
                # A database look-up: off the event loop, and only when a user is named.
                await run_in_threadpool(_identify, runtime, request, header)
            request.state.csrf_token = auth.csrf_token(request)
        response = await call_next(request)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        lang = request.query_params.get("lang")
        if lang in i18n.LANGUAGES and request.cookies.get(i18n.COOKIE) != lang:
            response.set_cookie(
                i18n.COOKIE,
                lang,
                max_age=365 * 86400,
                samesite="lax",
                secure=settings.env == "production",
            )
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret,
        session_cookie="replan_session",
        max_age=14 * 86400,
        same_site="lax",
        https_only=settings.env == "production",
    )

    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    app.include_router(auth_web.router)
    app.include_router(kb_web.router)
    app.include_router(kb_api.router)
    app.include_router(gpp_web.router)
    app.include_router(gpp_web_bidders.router)
    app.include_router(gpp_api.router)
    app.include_router(accounts.router)
    for router in moderation_routes.ROUTERS:
        app.include_router(router)
    _install_errors(app)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return render(request, "replan/api_docs.html", {"openapi_url": app.openapi_url})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(settings.static_dir / "favicon.ico", media_type="image/x-icon")

    @app.get("/healthz", tags=["ops"], summary="Check the database and the search engine")
    def healthz() -> JSONResponse:
        try:
            with runtime.db.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            database = "ok"
        except Exception as exc:  # noqa: BLE001 - health reports any failure
            log.exception("database health check failed")
            database = f"error: {type(exc).__name__}"
        search = runtime.search.report()
        ok = database == "ok"
        body = {"status": "ok" if ok else "error", "database": database, "search": search["state"]}
        if search["reason"]:
            body.update(search_reason=search["reason"], search_since=search["since"])
        return JSONResponse(body, status_code=200 if ok else 503)

    return app


def _page_detail(status: int, detail):
    """Drop Starlette's English reason phrase ("Not Found"): the translated heading says it."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = None
    return None if detail == phrase else detail


def _install_errors(app: FastAPI) -> None:
    """Map errors to answers once: JSON for the API, pages in the layout for the rest."""

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/") or wants_json(request)

    @app.exception_handler(auth.LoginRequired)
    async def login_required(request: Request, _exc: auth.LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render(
            request,
            "replan/error.html",
            {"status": exc.status_code, "detail": _page_detail(exc.status_code, exc.detail)},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        detail = getattr(exc, "detail", "Not Found")
        if is_api(request):
            return JSONResponse({"detail": detail}, status_code=404)
        return render(
            request,
            "replan/error.html",
            {"status": 404, "detail": _page_detail(404, detail)},
            status_code=404,
        )

    @app.exception_handler(SearchUnavailable)
    async def search_unavailable(request: Request, exc: SearchUnavailable) -> Response:
        log.warning("search unavailable on %s: %s", request.url.path, exc)
        if isinstance(exc, SearchRebuilding):
            detail = N_("The search index is being rebuilt. Please try again in a minute.")
        else:
            detail = N_("Search is unavailable for a moment. Please try again shortly.")
        headers = {"Retry-After": "30"}
        if is_api(request):
            return JSONResponse({"detail": detail}, status_code=503, headers=headers)
        context = {"status": 503, "detail": detail}
        return render(request, "replan/error.html", context, status_code=503, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "loc": list(e["loc"]),
                "field": ".".join(str(p) for p in e["loc"][1:]) or e["loc"][0],
                "msg": e["msg"].removeprefix("Value error, "),
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        if is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        return render(
            request, "replan/error.html", {"status": 422, "detail": errors}, status_code=422
        )

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        if is_api(request):
            return JSONResponse({"detail": "internal error"}, status_code=500)
        return render(
            request, "replan/error.html", {"status": 500, "detail": None}, status_code=500
        )


def serve_app() -> FastAPI:
    """Build the app from the environment: the factory each `replan serve --workers N` process
    imports (the parent process has already migrated the database and checked the index)."""
    return create_app(Settings())
