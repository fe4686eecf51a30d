"""Uploading attachments, and serving them with the visibility of their case."""

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile as StarletteUpload

from kb import service as kb_service
from kb.models import Case
from kb.moderation import attachments, files
from kb.moderation.common import FormDep, SignedIn, flash
from kb.moderation.models import Attachment
from kb.moderation.schemas import N_
from kb.moderation.web import OwnedCase, edit_response
from kb.status import PUBLIC
from replan import auth
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Invalid, NotFound
from replan.i18n import translator
from replan.web import redirect

BODY_SLACK = 64 * 1024  # room for the form's other fields and the multipart framing


def limit_upload(request: Request) -> None:
    """Refuse an announced body larger than any accepted file before reading it (413)."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > files.MAX_UPLOAD_BYTES + BODY_SLACK:
        raise files.UploadTooLarge(files.TOO_LARGE)


# The size check comes before the CSRF check, which reads the whole form.
upload_router = APIRouter(
    include_in_schema=False, dependencies=[Depends(limit_upload), Depends(auth.csrf_protect)]
)
router = APIRouter(include_in_schema=False)
NO_FILE = N_("There is no file at this address.")


@upload_router.post("/submit/{case_id}/attachments")
def attachment_upload(
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
    uow: UowDep,
    user: SignedIn,
    case: OwnedCase,
    form: FormDep,
) -> Response:
    # The form is read by a dependency, after `limit_upload`: declaring File() parameters
    # would make FastAPI read the whole body before any check.
    upload = form.get("file")
    caption = str(form.get("caption") or "")[:1000]
    _ = translator(request.state.locale)
    if not isinstance(upload, StarletteUpload):
        return edit_response(
            request,
            runtime,
            db,
            user=user,
            case=case,
            status=422,
            upload_error=_("Choose a file."),
            caption=caption,
        )
    data = upload.file.read(files.MAX_UPLOAD_BYTES + 1)
    try:
        if len(data) > files.MAX_UPLOAD_BYTES:
            raise files.UploadRejected(files.TOO_LARGE)
        added = attachments.add_attachment(
            uow=uow,
            user=user,
            upload_dir=runtime.settings.upload_dir,
            case_id=case.id,
            filename=upload.filename,
            data=data,
            caption=caption,
        )
    except Invalid as exc:  # the upload form shows why, beside the file
        return edit_response(
            request,
            runtime,
            db,
            user=user,
            case=case,
            status=422,
            upload_error=exc.text(_),
            caption=caption,
        )
    flash(request, _("Added %(name)s.", name=added.filename))
    return redirect(request, f"/submit/{case.id}#attachments")


@router.get("/attachments/{attachment_id}/{filename}")
def attachment_file(
    attachment_id: int, filename: str, request: Request, runtime: RuntimeDep, db: DbDep
) -> Response:
    user = auth.current_user(request)
    attachment = db.get(Attachment, attachment_id)
    case = db.get(Case, attachment.case_id) if attachment else None
    visible = case is not None and kb_service.can_view(user, case)
    if (
        attachment is None
        or case is None
        or attachment.filename != filename
        or not attachments.may_see(user, case, attachment, visible)
    ):
        raise NotFound(NO_FILE)
    public = case.status == PUBLIC and not attachment.pending
    path = attachments.file_path(runtime, attachment)
    return stored_file(path, attachment.content_type, attachment.filename, public=public)


def stored_file(path, content_type: str, name: str, *, public: bool) -> FileResponse:
    """Answer an uploaded file: photos inline, anything else as a download, never sniffed or
    run (its own sandbox), cached only when public."""
    if not path.is_file():
        raise NotFound(NO_FILE)
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    return FileResponse(
        path,
        media_type=content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "public, max-age=3600" if public else "private, no-store",
        },
    )
