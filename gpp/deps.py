"""Dependencies shared by the GPP pages and API: the library and the procurer check."""

from typing import Annotated

from fastapi import Depends, Request

from gpp.library import Library
from replan import auth
from replan.deps import RuntimeDep


def get_library(runtime: RuntimeDep) -> Library:
    return runtime.get(Library)


LibraryDep = Annotated[Library, Depends(get_library)]


def is_procurer(request: Request) -> bool:
    return auth.has_role(auth.current_user(request), "procurer")
