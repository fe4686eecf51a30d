"""The knowledge base's loader dependencies: each loads a thing or raises `NotFound`."""

from typing import Annotated

from fastapi import Depends, Request

from kb import service
from kb.models import Case
from replan import auth
from replan.deps import DbDep


def valid_case(case_id: str, request: Request, db: DbDep) -> Case:
    """Load a case the current user may see (in the request's read session), or raise NotFound."""
    return service.visible_case(db, case_id, user=auth.current_user(request))


ValidCase = Annotated[Case, Depends(valid_case)]
