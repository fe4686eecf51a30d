"""Pages of submission: the submit form (new and edit), the author's dashboard, attachments.

The form works without JavaScript: "add another row" and "remove" are submit buttons that
re-render the form; with htmx the same buttons swap only the rows' fieldset. Errors come back
with 422 and the form re-rendered with the values kept; a conflicting save answers 409."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kb import service as kb_service
from kb.deps import ValidCase
from kb.models import Case
from kb.moderation import attachments, forms, queries, service, workflow
from kb.moderation.common import Author, FormDep, SignedIn, choices, flash, pop_flash
from kb.moderation.lifecycle import may_edit
from kb.schemas import CaseRecord
from kb.status import CaseStatus
from replan import auth
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Conflict, Forbidden, Invalid
from replan.i18n import N_, translator
from replan.runtime import Runtime
from replan.uow import UnitOfWork
from replan.web import is_htmx, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
TEMPLATE = "kb/moderation/submit.html"


def owned_case(case_id: str, user: SignedIn, db: DbDep) -> Case:
    """Load a case its author edits: 404 when it is not visible, 403 for anyone else.

    Any signed-in author, whatever the role: a procurer completes the case study drafted from
    their closed contract (`gpp.case_draft`)."""
    case = kb_service.visible_case(db, case_id, user=user)
    if not workflow.is_author(user, case):
        raise Forbidden(N_("Only the author of a case study can edit it."))
    return case


OwnedCase = Annotated[Case, Depends(owned_case)]


def _edit_state(db: Session, case: Case) -> tuple[forms.CaseForm, dict]:
    """Return the form of a case as its author edits it, and what the page shows beside it."""
    revision = workflow.pending_revision(db, case.id)
    if case.status == CaseStatus.PUBLISHED:
        record = (
            CaseRecord.model_validate(revision.record) if revision else kb_service.record_of(case)
        )
        form = forms.form_from_record(
            record, version=case.version, revision_version=revision.version if revision else 0
        )
    else:
        form = forms.form_from_record(kb_service.record_of(case), version=case.version)
    extra = {
        "revision_status": revision.status if revision else None,
        "comment": queries.last_comment(db, case.id),
    }
    return form, extra


def _page(
    request: Request,
    runtime: Runtime,
    db: Session,
    *,
    user: User,
    form: forms.CaseForm,
    case: Case | None = None,
    errors: dict | None = None,
    message: str | None = None,
    status: int = 200,
    block: str = "moderation_form",
    extra: dict | None = None,
) -> Response:
    listed = []
    if case is not None:
        listed = attachments.list_attachments(db, user=user, case=case, case_visible=True)
    context = {
        "form": form,
        "errors": errors or {},
        "case": case,
        "message": message,
        "choices": choices(runtime, request.state.locale),
        "attachments": listed,
        "action_url": f"/submit/{case.id}" if case else "/submit",
        "editable": case is None or may_edit(case.status),
        "revision_status": None,
        "comment": None,
        "flash": pop_flash(request),
        "upload_error": None,
        "caption": "",
        **(extra or {}),
    }
    return render(
        request,
        TEMPLATE,
        context,
        block=block,
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/submit")
def submit_page(request: Request, runtime: RuntimeDep, db: DbDep, user: Author) -> Response:
    form = forms.blank_form(language=request.state.locale)
    return _page(request, runtime, db, user=user, form=form)


def edit_response(
    request: Request,
    runtime: Runtime,
    db: Session,
    *,
    user: User,
    case: Case,
    status: int = 200,
    upload_error: str | None = None,
    caption: str = "",
) -> Response:
    """Answer the edit page of a case as stored (after an upload too)."""
    form, extra = _edit_state(db, case)
    extra.update(upload_error=upload_error, caption=caption)
    return _page(
        request,
        runtime,
        db,
        user=user,
        form=form,
        case=case,
        extra=extra,
        status=status,
        block="moderation_attachments" if upload_error else "moderation_form",
    )


@router.get("/submit/{case_id}")
def edit_page(
    request: Request, runtime: RuntimeDep, db: DbDep, user: SignedIn, case: OwnedCase
) -> Response:
    return edit_response(request, runtime, db, user=user, case=case)


def _posted(form_data: FormData) -> tuple[forms.CaseForm, str]:
    rtm = [str(v) for v in form_data.getlist("rtm_types")]
    return forms.form_from_post(form_data, rtm), str(form_data.get("action", "draft"))


def _save(
    request: Request,
    runtime: Runtime,
    db: Session,
    uow: UnitOfWork,
    *,
    user: User,
    form_data: FormData,
    case: Case | None,
) -> Response:
    form, action = _posted(form_data)
    extra = None
    if case is not None:
        extra = _edit_state(db, case)[1]
    if forms.apply_row_action(form, action):
        name = action.split("-")[1]
        return _page(
            request,
            runtime,
            db,
            user=user,
            form=form,
            case=case,
            extra=extra,
            block=f"moderation_{name}" if is_htmx(request) else "moderation_form",
        )
    record, errors = forms.form_record(
        form, case_id=case.id if case else None, gettext=translator(request.state.locale)
    )
    if errors:
        return _page(
            request,
            runtime,
            db,
            user=user,
            form=form,
            case=case,
            errors=errors,
            status=422,
            extra=extra,
        )
    submit = action == "submit"
    try:
        outcome = service.save(
            uow=uow,
            user=user,
            settings=runtime.settings,
            record=record,
            submit=submit,
            case_id=case.id if case else None,
            version=form.version,
            revision_version=form.revision_version,
        )
    except (Conflict, Invalid) as exc:  # the form again, with its values and the reason
        return _page(
            request,
            runtime,
            db,
            user=user,
            form=form,
            case=case,
            status=exc.status,
            message=exc.text(translator(request.state.locale)),
            extra=extra,
        )
    _ = translator(request.state.locale)
    if submit:
        flash(
            request,
            _(
                "Submitted for review: a moderator will look at it. You will get an "
                "e-mail when they decide."
            ),
        )
        return redirect(request, "/my/cases")
    flash(
        request,
        _(
            "Saved as a draft. You can add photos and reports below, and submit it "
            "for review when it is ready."
        ),
    )
    # "Save as draft and add files" lands on the form for files of the saved draft.
    anchor = "#attachments" if action == "files" else ""
    return redirect(request, f"/submit/{outcome.case_id}{anchor}")


@router.post("/submit")
def submit_new(
    request: Request, runtime: RuntimeDep, db: DbDep, uow: UowDep, user: Author, form_data: FormDep
) -> Response:
    return _save(request, runtime, db, uow, user=user, form_data=form_data, case=None)


@router.post("/submit/{case_id}")
def submit_edit(
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
    uow: UowDep,
    user: SignedIn,
    case: OwnedCase,
    form_data: FormDep,
) -> Response:
    return _save(request, runtime, db, uow, user=user, form_data=form_data, case=case)


@router.get("/my/cases")
def my_cases(request: Request, db: DbDep, user: SignedIn) -> Response:
    page = queries.my_cases(db, user_id=user.id)
    return render(request, "kb/moderation/my_cases.html", {"flash": pop_flash(request)}, model=page)


# --- attachments ------------------------------------------------------------------------------


@router.post("/submit/{case_id}/attachments/{attachment_id}/delete")
def attachment_delete(
    attachment_id: int,
    request: Request,
    runtime: RuntimeDep,
    uow: UowDep,
    user: Author,
    case: ValidCase,
) -> Response:
    attachments.remove_attachment(
        uow=uow,
        user=user,
        upload_dir=runtime.settings.upload_dir,
        case_id=case.id,
        attachment_id=attachment_id,
    )
    flash(request, translator(request.state.locale)("The file was removed."))
    mine = workflow.is_author(user, case)
    target = f"/submit/{case.id}" if mine else f"/moderation/{case.id}"
    return redirect(request, target + "#attachments")
