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
from gpp.library import load_library
from kb import api as kb_api
from kb import web as kb_web
from kb.moderation import routes as moderation_routes
from kb.service import CASE_INDEX
from kb.taxonomy import load_glossary, load_taxonomy
from replan import accounts, auth, auth_web, health, i18n, metrics, telemetry
from replan.auth_models import User
from replan.db import Database
from replan.runtime import Runtime
from replan.settings import Settings
from replan.web import make_environment, render, wants_json
from search import sync as search_sync
from search.service import make_backend
from search.sync import SyncWorker

log = logging.getLogger(__name__)


def build_runtime(settings: Settings) -> Runtime:
    """Open the database and the search engine and load the seed data files."""
    criteria = load_library(settings.seeds_dir / "criteria")  # a broken file stops the start
    db = Database(settings.db_url)
    backend = make_backend(settings)
    glossary_path = settings.seeds_dir / "glossary.yaml"
    taxonomy = load_taxonomy(settings.seeds_dir / "taxonomy.yaml", glossary_path)
    backend.configure(CASE_INDEX, load_glossary(glossary_path).groups)
    return Runtime(
        settings=settings, db=db, search=backend, taxonomy=taxonomy, extras={"criteria": criteria}
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: https://*.tile.openstreetmap.org; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
        "form-action 'self'"
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
        if settings.env != "test":  # a server's logs; the tests keep pytest's
            telemetry.configure_logging(settings)
        worker = None
        if settings.meili_url:
            worker = SyncWorker(runtime.db, runtime.search, CASE_INDEX.name)
            worker.start()
            runtime.extras["sync_worker"] = worker
        yield
        if worker is not None:
            worker.stop()
            runtime.extras.pop("sync_worker", None)

    app = FastAPI(
        title="RE-PLAN City Life",
        version="1.0.0",
        description="Case studies of recycled tyre materials and green procurement criteria.",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.templates = make_environment(settings.templates_dir, settings.static_dir)
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
        for name, value in SECURITY_HEADERS.items():
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
    app.include_router(gpp_api.router)
    app.include_router(accounts.router)
    for router in moderation_routes.ROUTERS:
        app.include_router(router)
    _install_errors(app)

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
        search_ok = runtime.search.health()
        ok = database == "ok"
        return JSONResponse(
            {
                "status": "ok" if ok else "error",
                "database": database,
                "search": "ok" if search_ok else "unavailable",
            },
            status_code=200 if ok else 503,
        )

    readiness = health.Readiness(
        settings=settings,
        db=runtime.db,
        search=lambda: _search_check(runtime),
        backlog=search_sync.backlog,
    )
    app.include_router(health.router(readiness))
    app.include_router(metrics.router(settings, runtime.db, _outbox_age))
    app.add_middleware(telemetry.Telemetry)  # outermost: it sees every answer, errors too
    return app


def _outbox_age(session) -> tuple[int, float]:
    waiting, oldest = search_sync.backlog(session)
    return waiting, health.age_seconds(oldest)


def _search_check(runtime: Runtime) -> health.Check:
    """Ask the search engine whether it answers, through its public interface only."""
    try:
        if runtime.search.health():
            return health.Check(True, f"answers, {runtime.search.count()} documents")
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure
        return health.Check(False, f"unavailable: {type(exc).__name__}")
    return health.Check(False, "unavailable")


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
        # Starlette answers this one outside the middleware: the reference header is set here.
        reference = getattr(request.state, "request_id", None)
        headers = {telemetry.HEADER: reference} if reference else None
        if is_api(request):
            body = {"detail": "internal error", "request_id": reference}
            return JSONResponse(body, status_code=500, headers=headers)
        return render(
            request,
            "replan/error.html",
            {"status": 500, "detail": None},
            status_code=500,
            headers=headers,
        )
