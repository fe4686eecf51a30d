"""Dependencies shared by the GPP pages and API: the library, the CSRF rule of the API, specs."""

from typing import Annotated

from fastapi import Depends, Request

from gpp.library import Library
from kb.web import RuntimeDep
from replan import auth


def get_library(runtime: RuntimeDep) -> Library:
    return runtime.extras["criteria"]


LibraryDep = Annotated[Library, Depends(get_library)]


async def api_csrf(request: Request) -> None:
    """Ask for the CSRF header only where a browser session is what authenticates the request.

    API clients with a token, and anonymous clients (who may build a spec without an account),
    carry no ambient credentials that a forged request could borrow."""
    if auth.current_user(request) is not None and not getattr(request.state, "via_token", False):
        await auth.csrf_protect(request)


def is_procurer(request: Request) -> bool:
    return auth.has_role(auth.current_user(request), "procurer")
