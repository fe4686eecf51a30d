"""The app factory: the only module that composes every domain."""

import logging
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from gpp import account as gpp_account
from gpp import api as gpp_api
from gpp import api_contract as gpp_api_contract
from gpp import contract_models as gpp_contract_models
from gpp import criteria_follow as gpp_criteria_follow
from gpp import models as gpp_models
from gpp import reminder_worker as gpp_reminder_worker
from gpp import web as gpp_web
from gpp import web_bidders as gpp_web_bidders
from gpp import web_catalog as gpp_web_catalog
from gpp import web_contract as gpp_web_contract
from gpp import web_milestone_files as gpp_web_milestone_files
from gpp.library import load_library
from kb import api as kb_api
from kb import follows as kb_follows
from kb import indexing as kb_indexing
from kb import models as kb_models
from kb import web as kb_web
from kb import web_feeds as kb_web_feeds
from kb.directory import web as directory_web
from kb.indexing import CASE_INDEX
from kb.moderation import account as kb_account
from kb.moderation import models as moderation_models
from kb.moderation import routes as moderation_routes
from kb.profiles import web as profiles_web
from kb.profiles import web_certificates as profiles_web_certificates
from kb.stats import api as stats_api
from kb.stats import web as stats_web
from kb.taxonomy import load_glossary, load_taxonomy
from replan import (
    accounts,
    admin,
    app_errors,
    auth_models,
    auth_web,
    guards,
    health,
    i18n,
    metrics,
    ratelimit,
    telemetry,
)
from replan.daily import LOCK_NAME as DAILY_LOCK
from replan.daily import DailyWorker
from replan.db import Database
from replan.follows import jobs as follow_jobs
from replan.follows import models as follow_models
from replan.follows import web as follow_web
from replan.request_state import RequestState
from replan.runtime import Runtime
from replan.settings import Settings
from replan.web import make_environment, render
from search import models as search_models
from search import sync as search_sync
from search.service import GuardedBackend, make_backend
from search.sync import DrainLock, SyncWorker

log = logging.getLogger(__name__)

# Every domain's tables (importing a module registers them with `Base.metadata`), for Alembic's
# env and the checks that compare the models with the migrations.
MODEL_MODULES = (
    auth_models,
    follow_models,
    kb_models,
    moderation_models,
    gpp_models,
    gpp_contract_models,
    search_models,
)


def build_runtime(settings: Settings) -> Runtime:
    """Open the database and the search engine and load the seed data files."""
    criteria = load_library(settings.seeds_dir / "criteria")  # a broken file stops the start
    db = Database(settings.db_url, busy_timeout_ms=settings.db_busy_timeout_ms)
    backend = GuardedBackend(make_backend(settings))
    glossary_path = settings.seeds_dir / "glossary.yaml"
    taxonomy = load_taxonomy(settings.seeds_dir / "taxonomy.yaml", glossary_path)
    backend.refill = lambda engine: kb_indexing.reindex(db=db, backend=engine, taxonomy=taxonomy)
    backend.configure(CASE_INDEX, load_glossary(glossary_path).groups)  # damage: a state
    runtime = Runtime(
        settings=settings,
        db=db,
        parts=(backend, taxonomy, criteria),
        account_hooks=(kb_account.HOOK, gpp_account.account_hook(upload_dir=settings.upload_dir)),
        model_modules=MODEL_MODULES,
        follow_kinds=(
            kb_follows.kind(backend=backend, taxonomy=taxonomy),
            gpp_criteria_follow.kind(library=criteria),
        ),
    )
    runtime.on_close(backend.close)
    return runtime


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the web app from a settings object (nothing is read at import time)."""
    settings = settings or Settings()
    runtime = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.env != "test":  # a server's logs; the tests keep pytest's
            telemetry.configure_logging(settings)
        # Every engine's outbox is drained here, off the requests, from start-up on.
        search = runtime.get(GuardedBackend)
        worker = SyncWorker(runtime.db, search, CASE_INDEX.name, maintain=search.repair)
        search.on_damage = worker.wake
        forget = runtime.on_index_changed(worker.wake)
        worker.start()
        # Once a day, in one process (leader lock): milestone reminders, then follow digests.
        daily = DailyWorker(
            runtime,
            (gpp_reminder_worker.JOB, follow_jobs.JOB),
            lock=DrainLock(runtime.db, DAILY_LOCK),
        )
        if settings.env != "test":  # the tests run the daily jobs themselves, on a fixed day
            daily.start()
        yield
        daily.stop()
        worker.stop()
        search.on_damage = None
        forget()

    app = FastAPI(
        title="RE-PLAN City Life",
        version="1.0.0",
        description="Case studies of recycled tyre materials and green procurement criteria.",
        lifespan=lifespan,
        docs_url=None,  # served below from vendored files, under the app's own CSP
        redoc_url=None,
        dependencies=[Depends(guards.reject_unstorable)],
        max_body_size=settings.max_body_kb * 1024,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.limiter = ratelimit.Limiter(settings)
    app.state.templates = make_environment(settings.templates_dir, settings.static_dir)
    # Maps read their tiles from data attributes (static/js/maps.js): the CSP allows the same URL.
    app.state.templates.globals.update(
        map_tiles=settings.map_tiles, map_attribution=settings.map_attribution
    )
    i18n.check_catalogues()  # a language without a catalogue is logged loudly at start
    app.add_middleware(
        RequestState, runtime=runtime, settings=settings
    )  # inside the session: it reads the user
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret,
        session_cookie="replan_session",
        max_age=settings.session_max_days * 86400,
        same_site="lax",
        https_only=settings.env == "production",
    )
    # Before the session and the routes: a request naming another host is refused unread.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)

    # Outermost: every error is answered here (the keep-alive connection stays open).
    app.add_middleware(guards.CatchAll, handler=app_errors.install(app))

    api_limit = [Depends(ratelimit.limit_api)]
    upload_limit = settings.max_upload_mb * 1024 * 1024 + 64 * 1024  # room for the form
    app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")

    @app.get("/healthz", tags=["ops"], summary="Check the database and the search engine")
    def healthz() -> JSONResponse:
        try:
            with runtime.db.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            database = "ok"
        except Exception as exc:  # noqa: BLE001 - health reports any failure
            log.exception("database health check failed")
            database = f"error: {type(exc).__name__}"
        search = runtime.get(GuardedBackend).report()
        ok = database == "ok"
        body = {"status": "ok" if ok else "error", "database": database, "search": search["state"]}
        if search["reason"]:
            body.update(search_reason=search["reason"], search_since=search["since"])
        return JSONResponse(body, status_code=200 if ok else 503)

    readiness = health.Readiness(
        settings=settings,
        db=runtime.db,
        search=lambda: _search_check(runtime),
        backlog=search_sync.backlog,
    )
    app.include_router(health.router(readiness))
    app.include_router(metrics.router(settings, runtime.db, _outbox_age))
    # Each domain's API under the API rate limit, then the pages. Routes are tried in order, so
    # the busiest answers (/healthz, the API) come first; no page path is theirs (/healthz,
    # /readyz, /metrics, /api/v1/...). kb_web_feeds comes before kb_web: /cases/{case_id} would
    # take /cases/feed.atom.
    for api_module in (kb_api, stats_api, gpp_api, gpp_api_contract):
        app.include_router(api_module.router, dependencies=api_limit)
    for page_module in (
        auth_web,
        kb_web_feeds,
        kb_web,
        stats_web,
        directory_web,
        profiles_web,
        profiles_web_certificates,
        gpp_web,
        gpp_web_bidders,
        gpp_web_catalog,
        gpp_web_contract,
        gpp_web_milestone_files,
        accounts,
        follow_web,
        admin,
    ):
        app.include_router(page_module.router)
    # The one form route without CSRF protection: its secret token is the credential.
    app.include_router(follow_web.unsubscribe_router)
    # Certificates of profiles and evidence files of contract milestones: uploads bounded as the
    # case attachments are.
    app.include_router(profiles_web_certificates.upload_router, max_body_size=upload_limit)
    app.include_router(gpp_web_milestone_files.upload_router, max_body_size=upload_limit)
    app.include_router(
        gpp_web_milestone_files.api_upload_router,
        dependencies=api_limit,
        max_body_size=upload_limit,
    )
    for router in moderation_routes.ROUTERS:
        api = router is moderation_routes.api.router
        app.include_router(
            router,
            dependencies=api_limit if api else None,
            # Bodies are bounded (413, read no further) by max_body_size; uploads may be larger.
            max_body_size=upload_limit
            if router is moderation_routes.web_files.upload_router
            else None,
        )

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        return render(request, "replan/api_docs.html", {"openapi_url": app.openapi_url})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        return FileResponse(settings.static_dir / "favicon.ico", media_type="image/x-icon")

    app.add_middleware(telemetry.Telemetry)  # outermost: it sees every answer, errors too
    return app


def _outbox_age(session) -> tuple[int, float]:
    waiting, oldest = search_sync.backlog(session)
    return waiting, health.age_seconds(oldest)


def _search_check(runtime: Runtime) -> health.Check:
    """Ask the search engine for its state (the same report as /healthz's)."""
    report = runtime.get(GuardedBackend).report()
    ready = report["state"] in ("ok", "recovered")
    return health.Check(
        ready, report["state"] + (f": {report['reason']}" if report["reason"] else "")
    )


def serve_app() -> FastAPI:
    """Build the app from the environment: the factory each `replan serve --workers N` process
    imports (the parent process has already migrated the database and checked the index)."""
    return create_app(Settings())
