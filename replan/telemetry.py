"""Every request gets a request id (`X-Request-ID`), counts in the metrics and writes one log line.

The log line holds the request id, method, route template (never the path: no ids, no query
strings, no tokens), status, duration and the user's numeric id; nothing personal. It is JSON when
the output is not a terminal (a collector reads it) and plain text when a person does. The
middleware is plain ASGI: no request object, no body buffering, a few microseconds a request."""

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from replan.metrics import REQUEST_SECONDS, REQUESTS
from replan.settings import Settings

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
access_log = logging.getLogger("replan.access")


def route_template(scope: Scope) -> str:
    """The matched route's template (`/cases/{case_id}`), never the concrete path."""
    path = getattr(scope.get("route"), "path", None)
    if path is not None:
        return path
    if "endpoint" in scope and "app_root_path" in scope:  # a mount (static files)
        return scope["root_path"][len(scope["app_root_path"]) :] + "/{path}"
    return "unmatched"  # 404s by scanners would otherwise make one label per address


class Telemetry:
    """Request id, metrics and the access log of every HTTP request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"")
        rid = incoming.decode("latin-1")
        if not SANE_ID.fullmatch(rid):
            rid = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id.set(rid)
        status = 500  # what the client gets when the app raised before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-request-id" for k, _ in headers):
                    headers.append((b"x-request-id", rid.encode()))
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route, method = route_template(scope), scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            REQUEST_SECONDS.labels(method, route).observe(seconds)
            if access_log.isEnabledFor(logging.INFO):
                user = scope.get("state", {}).get("user")
                access_log.info(
                    "%s %s %s",
                    method,
                    route,
                    status,
                    extra={
                        "request": {
                            "request_id": rid,
                            "method": method,
                            "route": route,
                            "status": status,
                            "duration_ms": round(seconds * 1000, 2),
                            "user_id": getattr(user, "id", None),
                        }
                    },
                )
            request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request id and request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = request_id.get()  # set while a request is served: its other log lines carry it
        if rid:
            entry["request_id"] = rid
        entry.update(getattr(record, "request", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """A line a person reads: time, level, message, duration and ids."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = getattr(record, "request", None)
        if fields:
            line += f" {fields['duration_ms']:.1f} ms"
            if fields.get("user_id") is not None:
                line += f" user={fields['user_id']}"
        rid = fields.get("request_id") if fields else request_id.get()
        return f"{line} [{rid}]" if rid else line


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Send every log line (the app's and the access log) to one handler, JSON or text."""
    stream = stream or sys.stderr
    as_json = settings.log_format == "json" or (
        settings.log_format == "auto" and not getattr(stream, "isatty", lambda: False)()
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter() if as_json else TextFormatter())
    handler.set_name("replan")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "replan"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    return handler
