"""Evidence files of a contract's milestones: the upload on the contract page, its API twin
(`POST /api/v1/specs/{id}/contract/milestones/{n}/attachments`, multipart) and the download.

Only the spec's owning procurer, moderators and admins reach them (others: 404). The size of an
announced body is refused before the CSRF check reads the form, as for a case's attachments."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from gpp import milestone_files
from gpp.contract_deps import ApiUser, OwnedSpecApi, OwnedSpecPage, PageUser
from gpp.milestone_files import MilestoneFileOut
from gpp.web_contract import page_response
from kb.moderation import files
from kb.moderation.common import FormDep
from kb.moderation.web_files import limit_upload
from replan import auth, i18n
from replan.api import ERRORS
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Invalid
from replan.guards import DB_INT_MAX
from replan.i18n import N_
from replan.runtime import Runtime
from replan.uow import UnitOfWork
from replan.web import see_other

upload_router = APIRouter(
    include_in_schema=False, dependencies=[Depends(limit_upload), Depends(auth.csrf_protect)]
)
api_upload_router = APIRouter(
    prefix="/api/v1",
    tags=["contract"],
    dependencies=[Depends(limit_upload), Depends(auth.api_csrf_protect)],
)
router = APIRouter(include_in_schema=False)
Milestone = Annotated[int, Path(ge=0, le=DB_INT_MAX)]
CHOOSE = N_("Choose a file.")


def _add(runtime: Runtime, uow: UnitOfWork, user: User, spec_id: str, n: int, form):
    upload = form.get("file")
    if not isinstance(upload, StarletteUpload):
        raise Invalid(CHOOSE, field="file")
    return milestone_files.add_file(
        uow=uow,
        user=user,
        upload_dir=runtime.settings.upload_dir,
        spec_id=spec_id,
        n=n,
        filename=upload.filename,
        data=upload.file.read(files.MAX_UPLOAD_BYTES + 1),
    )


@upload_router.post("/specs/{spec_id}/contract/milestones/{n}/files")
def upload_form(
    spec_id: OwnedSpecPage,
    n: Milestone,
    request: Request,
    runtime: RuntimeDep,
    user: PageUser,
    uow: UowDep,
    session: DbDep,
    form: FormDep,
) -> Response:
    """Add an evidence file to a milestone; a refused file is named beside the upload."""
    try:
        _add(runtime, uow, user, spec_id, n, form)
    except Invalid as exc:
        message = exc.text(i18n.gettext_for(request.state.locale))
        errors = {f"{n}.file": message}
        return page_response(request, session, spec_id, user, status=422, errors=errors)
    return see_other(f"/specs/{spec_id}/contract?saved=file#milestone-{n}")


@api_upload_router.post(
    "/specs/{spec_id}/contract/milestones/{n}/attachments",
    status_code=201,
    response_model=MilestoneFileOut,
    responses=ERRORS,
    summary="Add an evidence file (a PDF report or a photo) to a milestone (multipart, 'file')",
)
def upload_api(
    spec_id: OwnedSpecApi,
    n: Milestone,
    runtime: RuntimeDep,
    user: ApiUser,
    uow: UowDep,
    form: FormDep,
) -> MilestoneFileOut:
    return _add(runtime, uow, user, spec_id, n, form)


@router.get("/specs/{spec_id}/contract/milestones/{n}/files/{file_id}/{filename}")
def download(
    spec_id: OwnedSpecPage,
    n: Milestone,
    file_id: Annotated[int, Path(ge=1, le=DB_INT_MAX)],
    filename: str,
    runtime: RuntimeDep,
    user: PageUser,
    session: DbDep,
) -> Response:
    path, row = milestone_files.evidence_file(
        session,
        user=user,
        upload_dir=runtime.settings.upload_dir,
        spec_id=spec_id,
        n=n,
        file_id=file_id,
        filename=filename,
    )
    disposition = "inline" if row.content_type.startswith("image/") else "attachment"
    return FileResponse(
        path,
        media_type=row.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(row.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )
