"""Dependencies shared by the GPP pages and API: the library, the procurer check, and the loaders
(`valid_<thing>`, `owned_<thing>`) that hand a handler what its path names or raise `NotFound`.

A loader that needs the user reads the request's: a handler names its role dependency (`Procurer`,
`ProcurerPage`) before the loader, so that 401/403 come before 404."""

from typing import Annotated

from fastapi import Depends, Request

from gpp import bidders, service, steps
from gpp.library import Library
from gpp.schemas import DraftOut, Evaluation, IssuedSpec
from gpp.service import drafts
from replan import auth
from replan.deps import DbDep, RuntimeDep
from replan.errors import NotFound
from replan.i18n import N_


def get_library(runtime: RuntimeDep) -> Library:
    return runtime.get(Library)


LibraryDep = Annotated[Library, Depends(get_library)]


def _user(request: Request):
    user = auth.current_user(request)
    if user is None:  # a handler without a role dependency before its loader
        raise NotFound(service.NO_SPEC)
    return user


def valid_spec(spec_id: str, db: DbDep) -> IssuedSpec:
    """The spec at this address, as anyone holding the address reads it."""
    return service.read_spec(db, spec_id)


def owned_spec(spec_id: str, db: DbDep, request: Request) -> IssuedSpec:
    """One of the signed-in user's specs (someone else's does not exist for them)."""
    user = _user(request)
    spec = service.read_spec(db, spec_id, viewer_id=user.id)
    if spec.owner_id != user.id:
        raise NotFound(service.NO_SPEC)
    return spec


def valid_bidder(spec_id: str, bidder_id: int, db: DbDep, request: Request) -> Evaluation:
    """A bidder of one of the signed-in user's specs, with the spec."""
    return bidders.read_bidder(db, spec_id=spec_id, bidder_id=bidder_id, user=_user(request))


def valid_draft(draft_id: str, db: DbDep) -> DraftOut:
    """The wizard's draft at this address (its address is its key)."""
    return drafts.read_draft(db, draft_id)


def valid_step(step: str) -> steps.Step:
    """A step of the wizard."""
    if step not in steps.BY_NAME:
        raise NotFound(N_("There is no such step in the wizard."))
    return steps.BY_NAME[step]


SpecDep = Annotated[IssuedSpec, Depends(valid_spec)]
OwnedSpecDep = Annotated[IssuedSpec, Depends(owned_spec)]
BidderDep = Annotated[Evaluation, Depends(valid_bidder)]
DraftDep = Annotated[DraftOut, Depends(valid_draft)]
StepDep = Annotated[steps.Step, Depends(valid_step)]
