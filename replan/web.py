"""Templates and the one `render()` that answers every page as HTML, an htmx fragment or JSON.

How htmx gets answers (pinned: htmx 2.x, see scripts/vendor.sh):
- A request with `HX-Request` gets only the block named by the handler (`<domain>-<block>` ids,
  swapped with outerHTML); `HX-History-Restore-Request` gets the full page.
- Form errors come back with status 422 and the form's block re-rendered with the messages beside
  the fields and the values kept; htmx is configured (static/js/app.js) to swap 422 answers.
- `Vary: HX-Request` is on every answer so caches keep the two shapes apart."""

import hashlib
from functools import cache
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block
from pydantic import BaseModel

from replan import i18n
from replan.markdown import render_markdown


def wants_json(request: Request) -> bool:
    """True when the client asked for JSON (Accept header or ?format=json)."""
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def safe_path(target: str | None, default: str = "/") -> str:
    """Return the target when it is a path on this site, else the default.

    The one check of every redirect (`next=`, `Location`, `HX-Redirect`): a path starting with a
    single `/`, no scheme, no host, no backslash (browsers read `/\\x` as `//x`) and no control
    character (browsers drop tabs and newlines, so `/\t/x` would become `//x`)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def public_url(request: Request, path: str) -> str:
    """Return the absolute URL of a path of this site, from the configured base URL (never from
    the request's Host header)."""
    return request.app.state.settings.base_url.rstrip("/") + safe_path(path)


def embeddable(request: Request) -> None:
    """Dependency of a route whose answers any site may show in a frame (an embeddable figure):
    the app then sends `frame-ancestors *` in its Content-Security-Policy and no X-Frame-Options,
    for this route's answers only (`replan.guards.security_headers`)."""
    request.state.embeddable = True


def see_other(url: str) -> Response:
    """Send the browser to a page of this site after a POST (303)."""
    return RedirectResponse(safe_path(url), status_code=303)


def redirect(request: Request, url: str, *, htmx_status: int = 200) -> Response:
    """Go to a page of this site after a POST; htmx is told with HX-Redirect.

    An XMLHttpRequest follows a 303 silently, so htmx must be told to load the page itself."""
    if is_htmx(request):
        return Response(status_code=htmx_status, headers={"HX-Redirect": safe_path(url)})
    return see_other(url)


def is_htmx(request: Request) -> bool:
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


@cache
def _static_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def make_environment(templates_dir: Path, static_dir: Path) -> Environment:
    """Create the Jinja environment shared by every domain's templates."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)
    env.filters["markdown"] = render_markdown

    def static_url(name: str) -> str:
        return f"/static/{name}?v={_static_hash(static_dir / name)}"

    env.globals["static_url"] = static_url
    env.globals["LANGUAGES"] = i18n.LANGUAGES
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    return env


def page_context(request: Request, **extra: Any) -> dict[str, Any]:
    """Return what every template may print: request, locale, gettext, user, CSRF token."""
    locale = getattr(request.state, "locale", i18n.DEFAULT)
    trans = i18n.translations(locale)
    gettext = i18n.translator(locale)

    def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
        text = trans.ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    def fmt_number(value: float | int | None, digits: int = 2) -> str:
        if value is None:
            return ""
        return format_decimal(
            value, format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=locale
        )

    def lang_url(lang: str) -> str:
        url = request.url.include_query_params(lang=lang)  # a path: never the Host header
        return f"{url.path}?{url.query}"

    ctx = {
        "request": request,
        "locale": locale,
        "gettext": gettext,
        "ngettext": ngettext,
        "_": gettext,
        "fmt_number": fmt_number,
        "fmt_date": lambda d, lang=None: i18n.format_day(d, lang or locale),
        "fmt_datetime": lambda d: i18n.format_moment(d, locale),
        "fmt_size": lambda n: i18n.format_size(n, locale),
        "lang_url": lang_url,
        "current_user": getattr(request.state, "user", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }
    ctx.update(extra)
    return ctx


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    model: BaseModel | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Answer with JSON (when asked and a model is given), one block (htmx) or the full page."""
    all_headers = {"Vary": "HX-Request, Accept", **(headers or {})}
    if model is not None and wants_json(request):
        return JSONResponse(
            model.model_dump(mode="json"), status_code=status_code, headers=all_headers
        )
    env: Environment = request.app.state.templates
    ctx = page_context(request, **(context or {}))
    if model is not None:
        ctx.setdefault("page", model)
    if block and is_htmx(request):
        html = render_block(env, template, block, ctx)
    else:
        html = env.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code, headers=all_headers)


def page_detail(status: int, detail: object) -> object:
    """Drop Starlette's English reason phrase ("Not Found"): the translated heading says it."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = None
    return None if detail == phrase else detail
