"""Adding and removing the certificates of a profile (the change waits for a moderator), and
serving a certificate's file to whom may see it."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from kb.moderation import files
from kb.moderation.common import FormDep, SignedIn, flash
from kb.moderation.forms import message_for
from kb.moderation.web_files import limit_upload, stored_file
from kb.moderation.web_orgs import CERT_FIELDS, OwnedOrganisation, edit_page, edited_values
from kb.profiles import drafts
from kb.profiles.schemas import CertificateForm
from replan import auth
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Invalid
from replan.i18n import translator
from replan.web import redirect

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
# The size check comes before the CSRF check, which reads the whole form.
upload_router = APIRouter(
    include_in_schema=False, dependencies=[Depends(limit_upload), Depends(auth.csrf_protect)]
)
PREFIX = "certificate_"


def _message(field: str, error: dict, _) -> str:
    if not field:  # the only check across fields: the dates' order
        return _("The end of validity comes before its start.")
    if field in ("valid_from", "valid_to") and error["type"].startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if field == "registry_url" and error["type"] == "value_error":
        return _("Enter a full web address starting with https://.")
    return message_for(error, _)


def _parse(values: dict[str, str], _) -> tuple[CertificateForm | None, dict[str, str]]:
    data = {name: values[name] or None for name in CERT_FIELDS}
    try:
        return CertificateForm.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            errors.setdefault(PREFIX + (field or "valid_to"), _message(field, error, _))
        return None, errors


@upload_router.post("/organisations/{slug}/certificates")
def certificate_add(
    request: Request,
    runtime: RuntimeDep,
    user: SignedIn,
    org: OwnedOrganisation,
    uow: UowDep,
    db: DbDep,
    form: FormDep,
) -> Response:
    _ = translator(request.state.locale)
    values = {name: str(form.get(PREFIX + name, "")).strip()[:2000] for name in CERT_FIELDS}
    certificate, errors = _parse(values, _)
    upload = form.get(PREFIX + "file")
    data = filename = None
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read(files.MAX_UPLOAD_BYTES + 1)
        filename = upload.filename
    if certificate is not None:
        try:
            if data is not None and len(data) > files.MAX_UPLOAD_BYTES:
                raise files.UploadRejected(files.TOO_LARGE)
            drafts.add_certificate(
                uow=uow,
                user=user,
                upload_dir=runtime.settings.upload_dir,
                slug=org.slug,
                certificate=certificate,
                filename=filename,
                data=data,
            )
        except Invalid as exc:
            errors[PREFIX + (exc.field or "file")] = exc.text(_)
    if errors:
        db.expire_all()  # the page shows the stored profile, not a refused change
        return edit_page(
            request,
            runtime,
            org=org,
            values=edited_values(org),
            errors=errors,
            status=422,
            db=db,
            cert_values=values,
        )
    flash(request, _("The certificate was added: it waits for a moderator."))
    return redirect(request, f"/organisations/{org.slug}/edit#certificates")


@router.post("/organisations/{slug}/certificates/{certificate_id}/delete")
def certificate_remove(
    slug: str,
    certificate_id: int,
    request: Request,
    runtime: RuntimeDep,
    user: SignedIn,
    uow: UowDep,
) -> Response:
    drafts.remove_certificate(
        uow=uow,
        user=user,
        upload_dir=runtime.settings.upload_dir,
        slug=slug,
        certificate_id=certificate_id,
    )
    flash(request, translator(request.state.locale)("The removal waits for a moderator."))
    return redirect(request, f"/organisations/{slug}/edit#certificates")


@router.get("/organisations/{slug}/certificates/{certificate_id}/{filename}")
def certificate_file(
    slug: str,
    certificate_id: int,
    filename: str,
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
) -> Response:
    cert = drafts.certificate_file(
        db,
        slug=slug,
        certificate_id=certificate_id,
        filename=filename,
        user=auth.current_user(request),
    )
    path = files.path_of(runtime.settings.upload_dir, cert.stored_name)
    content_type = cert.content_type or "application/octet-stream"
    return stored_file(path, content_type, cert.filename, public=False)
