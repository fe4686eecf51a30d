"""The request dependencies every domain shares: the runtime, a read session, a unit of work.

Reads take `DbDep`, a session opened for the request and rolled back when it ends (a read never
writes by accident). Writes take `UowDep` and hand it to a write service, which commits once;
after-commit actions (waking the search worker, mail) run only when that commit went through."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from replan.runtime import Runtime
from replan.uow import UnitOfWork


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def read_session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.db.sessionmaker() as session:
        try:
            yield session
        finally:
            session.rollback()


def unit_of_work(runtime: RuntimeDep) -> Iterator[UnitOfWork]:
    with runtime.unit_of_work() as uow:
        yield uow


DbDep = Annotated[Session, Depends(read_session)]
UowDep = Annotated[UnitOfWork, Depends(unit_of_work)]
