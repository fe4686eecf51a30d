"""Prometheus metrics (prometheus_client) and the `/metrics` route that exposes them.

Counters and histograms are recorded where things happen (requests, searches, e-mails,
background jobs); gauges that describe the present (the outbox, the database pool) are read when
scraped. With several worker processes each one writes its figures under
`PROMETHEUS_MULTIPROC_DIR` and a scrape adds them up (prometheus_client's multiprocess mode):
`use_multiprocess_dir` sets it up before the workers start."""

import ipaddress
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session

from replan.db import Database
from replan.settings import Settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("replan_http_requests", "HTTP requests answered", ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "replan_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=LATENCY,
)
SEARCH_SECONDS = Histogram(
    "replan_search_duration_seconds", "Time of one search", ["engine"], buckets=LATENCY
)
MAILS = Counter("replan_mail", "E-mails handed to the mail server or file", ["outcome"])
JOBS = Counter("replan_background_jobs", "Background job runs", ["job", "outcome"])
JOB_SECONDS = Histogram(
    "replan_background_job_duration_seconds", "Time of one background job run", ["job"]
)


def engine_name(backend: object) -> str:
    """Name a search engine for a label: `embedded`, `meili`, ... (a wrapper is looked through)."""
    inner = getattr(backend, "engine", backend)
    return type(inner).__name__.removesuffix("Backend").lower() or "unknown"


@contextmanager
def timed_search(backend: object) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        SEARCH_SECONDS.labels(engine_name(backend)).observe(time.perf_counter() - started)


def job_ran(job: str, seconds: float, ok: bool) -> None:
    JOBS.labels(job, "ok" if ok else "error").inc()
    JOB_SECONDS.labels(job).observe(seconds)


# (rows waiting, age in seconds of the oldest) of the search outbox
Backlog = Callable[[Session], tuple[int, float]]


class StateCollector(Collector):
    """Gauges read at scrape time: the search outbox and this process's database pool."""

    def __init__(self, db: Database, backlog: Backlog) -> None:
        self.db, self.backlog = db, backlog

    def collect(self):
        depth = GaugeMetricFamily("replan_outbox_depth", "Search changes waiting to be applied")
        age = GaugeMetricFamily(
            "replan_outbox_oldest_age_seconds", "Age of the oldest search change waiting"
        )
        try:
            with self.db.session() as session:
                waiting, oldest = self.backlog(session)
            depth.add_metric([], waiting)
            age.add_metric([], oldest)
        except Exception:  # noqa: BLE001 - a scrape never fails for the database: /readyz says it
            pass
        yield depth
        yield age
        pool = self.db.engine.pool
        for name, help_text, reader in (
            ("replan_db_pool_size", "Connections the pool keeps", "size"),
            ("replan_db_pool_checked_out", "Connections in use", "checkedout"),
            ("replan_db_pool_overflow", "Connections beyond the pool size", "overflow"),
        ):
            if hasattr(pool, reader):
                gauge = GaugeMetricFamily(name, help_text + " (the process that answered)")
                gauge.add_metric([], getattr(pool, reader)())
                yield gauge


def use_multiprocess_dir(settings: Settings) -> Path:
    """Prepare an empty folder for the workers' figures and name it in the environment.

    Call before the workers start (they inherit the environment); a previous run's files go."""
    folder = settings.data_path / "prometheus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def _registry(state: Collector) -> CollectorRegistry:
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Default())
    registry.register(state)
    return registry


class _Default(Collector):
    """This process's own metrics (the default registry), beside the scrape-time gauges."""

    def collect(self):
        yield from REGISTRY.collect()


def _loopback(request: Request) -> bool:
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def router(settings: Settings, db: Database, backlog: Backlog) -> APIRouter:
    """The `/metrics` route: loopback only, or anyone with the bearer token when one is set."""
    api = APIRouter(tags=["ops"])
    state = StateCollector(db, backlog)
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None

    @api.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if token:
            given = request.headers.get("authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not secrets.compare_digest(
                value.strip().encode(), token.encode()
            ):
                return PlainTextResponse(
                    "a bearer token is required\n",
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        elif not _loopback(request):
            return PlainTextResponse(
                "/metrics answers on the loopback address only (or set REPLAN_METRICS_TOKEN)\n",
                status_code=403,
            )
        body = generate_latest(_registry(state))
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return api
