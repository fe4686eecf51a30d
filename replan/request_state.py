"""Who is asking, in which language, and the headers every answer carries: a plain ASGI middleware
(Starlette's `BaseHTTPMiddleware` runs the app in a task of its own and costs a request a good part
of a millisecond).

Before the app: the request's locale, its user (from an API token or the server-side session) and
its CSRF token, in `request.state`. After it, on the answer: the security headers (the framed set
when a route made the page embeddable), HSTS in production, and the language cookie when `?lang=`
chose another language than the cookie's."""

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from replan import auth, guards, i18n, sessions
from replan.runtime import Runtime
from replan.settings import Settings


def _identify(runtime: Runtime, request: Request, header: str) -> None:
    """Set the request's user from its API token or its server-side session."""
    with runtime.db.session() as session:
        if header.lower().startswith("bearer "):
            request.state.user = auth.user_for_token(session, header[7:].strip())
            request.state.via_token = request.state.user is not None
            return
        found = sessions.user_for_key(
            session,
            str(request.session[sessions.COOKIE_KEY]),
            limits=sessions.limits_of(runtime.settings),
        )
        if found is None:
            request.session.clear()  # ended, expired, or its user is gone
            return
        request.state.user, request.state.session_id = found


class RequestState:
    """Set the request's locale, user and CSRF token; add the security headers to its answer."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime, settings: Settings) -> None:
        self.app, self.runtime = app, runtime
        self.production = settings.env == "production"
        self.headers = guards.security_headers(settings)
        self.framed = guards.security_headers(settings, embeddable=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        state = request.state
        state.locale = i18n.request_locale(request)
        state.user = None
        state.via_token = False
        state.session_id = None
        state.embeddable = False  # set by the routes that depend on web.embeddable
        if not scope["path"].startswith("/static/"):
            header = request.headers.get("authorization", "")
            if header.lower().startswith("bearer ") or request.session.get(sessions.COOKIE_KEY):
                # A database look-up: off the event loop, and only when a user is named.
                await run_in_threadpool(_identify, self.runtime, request, header)
            state.csrf_token = auth.csrf_token(request)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (self.framed if state.embeddable else self.headers).items():
                    headers.setdefault(name, value)
                if self.production:
                    headers.setdefault("Strict-Transport-Security", guards.HSTS)
                lang = request.query_params.get("lang")
                if lang in i18n.LANGUAGES and request.cookies.get(i18n.COOKIE) != lang:
                    headers.append("set-cookie", self._language_cookie(lang))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _language_cookie(self, lang: str) -> str:
        cookie = Response()
        cookie.set_cookie(
            i18n.COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=self.production
        )
        return cookie.headers["set-cookie"]
