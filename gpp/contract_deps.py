"""Loaders of the contract routes: the spec a signed-in user may follow, else 404.

They run before the body is read, so that whoever may not follow a spec learns nothing from a
422 about it. Anonymous callers are asked to sign in (pages) or answered 401 (API)."""

from typing import Annotated

from fastapi import Depends

from gpp import lifecycle
from replan import auth
from replan.auth_models import User
from replan.deps import DbDep

ApiUser = Annotated[User, Depends(auth.require_roles(api=True))]
PageUser = Annotated[User, Depends(auth.require_roles())]


def owned_spec_api(spec_id: str, user: ApiUser, session: DbDep) -> str:
    """Return the id of a spec the API caller may follow, else raise NotFound."""
    return lifecycle.reachable_spec(session, spec_id, user).id


def owned_spec_page(spec_id: str, user: PageUser, session: DbDep) -> str:
    """Return the id of a spec the signed-in reader may follow, else raise NotFound."""
    return lifecycle.reachable_spec(session, spec_id, user).id


OwnedSpecApi = Annotated[str, Depends(owned_spec_api)]
OwnedSpecPage = Annotated[str, Depends(owned_spec_page)]
