"""Dependencies shared by the GPP pages and API: the library and the procurer check."""

from typing import Annotated

from fastapi import Depends, Request

from gpp.library import Library
from kb.web import RuntimeDep
from replan import auth


def get_library(runtime: RuntimeDep) -> Library:
    return runtime.extras["criteria"]


LibraryDep = Annotated[Library, Depends(get_library)]


def is_procurer(request: Request) -> bool:
    return auth.has_role(auth.current_user(request), "procurer")
