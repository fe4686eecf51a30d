"""Pages of submission: the submit form (new and edit), the author's dashboard, attachments.

The form works without JavaScript: "add another row" and "remove" are submit buttons that
re-render the form; with htmx the same buttons swap only the rows' fieldset. Errors come back
with 422 and the form re-rendered with the values kept; a conflicting save answers 409."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from kb import service as kb_service
from kb.models import Case
from kb.moderation import attachments, forms, queries, service
from kb.moderation.common import (
    Author,
    FormDep,
    choices,
    flash,
    pop_flash,
    translate,
    workflow_error,
)
from kb.moderation.schemas import EDITABLE, N_
from kb.schemas import CaseRecord
from replan import auth
from replan.auth_models import User
from replan.deps import RuntimeDep
from replan.runtime import Runtime
from replan.web import is_htmx, redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
TEMPLATE = "kb/moderation/submit.html"


def author_case(runtime: Runtime, case_id: str, user: User) -> Case:
    """Load a case its author edits: 404 when it is not visible, 403 for anyone else."""
    with runtime.db.session() as session:
        case = session.get(Case, case_id)
        if case is None or not kb_service.can_view(user, case):
            raise HTTPException(404, N_("There is no case study with this address."))
        if not service.is_author(user, case):
            raise HTTPException(403, N_("Only the author of a case study can edit it."))
        session.expunge(case)
        return case


def _edit_state(runtime: Runtime, case: Case) -> tuple[forms.CaseForm, dict]:
    """Return the form of a case as its author edits it, and what the page shows beside it."""
    with runtime.db.session() as session:
        case = session.merge(case, load=True)
        revision = service.pending_revision(session, case.id)
        if case.status == kb_service.PUBLIC:
            record = (
                CaseRecord.model_validate(revision.record)
                if revision
                else kb_service.record_of(case)
            )
            form = forms.form_from_record(
                record, version=case.version, revision_version=revision.version if revision else 0
            )
        else:
            form = forms.form_from_record(kb_service.record_of(case), version=case.version)
        extra = {
            "revision_status": revision.status if revision else None,
            "comment": queries.last_comment(session, case.id),
        }
        return form, extra


def _page(
    request: Request,
    runtime: Runtime,
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
        with runtime.db.session() as session:
            listed = attachments.list_attachments(session, user=user, case=case, case_visible=True)
    context = {
        "form": form,
        "errors": errors or {},
        "case": case,
        "message": message,
        "choices": choices(runtime, request.state.locale),
        "attachments": listed,
        "action_url": f"/submit/{case.id}" if case else "/submit",
        "editable": case is None or case.status in (*EDITABLE, kb_service.PUBLIC),
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
def submit_page(request: Request, runtime: RuntimeDep, user: Author) -> Response:
    return _page(request, runtime, user=user, form=forms.blank_form(language=request.state.locale))


def edit_response(
    request: Request,
    runtime: Runtime,
    *,
    user: User,
    case: Case,
    status: int = 200,
    upload_error: str | None = None,
    caption: str = "",
) -> Response:
    """Answer the edit page of a case as stored (after an upload too)."""
    form, extra = _edit_state(runtime, case)
    extra.update(upload_error=upload_error, caption=caption)
    return _page(
        request,
        runtime,
        user=user,
        form=form,
        case=case,
        extra=extra,
        status=status,
        block="moderation_attachments" if upload_error else "moderation_form",
    )


@router.get("/submit/{case_id}")
def edit_page(case_id: str, request: Request, runtime: RuntimeDep, user: Author) -> Response:
    return edit_response(request, runtime, user=user, case=author_case(runtime, case_id, user))


def _posted(form_data: FormData) -> tuple[forms.CaseForm, str]:
    rtm = [str(v) for v in form_data.getlist("rtm_types")]
    return forms.form_from_post(form_data, rtm), str(form_data.get("action", "draft"))


def _save(
    request: Request, runtime: Runtime, *, user: User, form_data: FormData, case: Case | None
) -> Response:
    form, action = _posted(form_data)
    extra = None
    if case is not None:
        extra = _edit_state(runtime, case)[1]
    if forms.apply_row_action(form, action):
        name = action.split("-")[1]
        return _page(
            request,
            runtime,
            user=user,
            form=form,
            case=case,
            extra=extra,
            block=f"moderation_{name}" if is_htmx(request) else "moderation_form",
        )
    record, errors = forms.form_record(
        form, case_id=case.id if case else None, gettext=translate(request)
    )
    if errors:
        return _page(
            request,
            runtime,
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
            runtime,
            user=user,
            record=record,
            submit=submit,
            case_id=case.id if case else None,
            version=form.version,
            revision_version=form.revision_version,
        )
    except service.WorkflowError as exc:
        return _page(
            request,
            runtime,
            user=user,
            form=form,
            case=case,
            status=exc.status,
            message=workflow_error(request, exc),
            extra=extra,
        )
    _ = translate(request)
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
def submit_new(request: Request, runtime: RuntimeDep, user: Author, form_data: FormDep) -> Response:
    return _save(request, runtime, user=user, form_data=form_data, case=None)


@router.post("/submit/{case_id}")
def submit_edit(
    case_id: str, request: Request, runtime: RuntimeDep, user: Author, form_data: FormDep
) -> Response:
    case = author_case(runtime, case_id, user)
    return _save(request, runtime, user=user, form_data=form_data, case=case)


@router.get("/my/cases")
def my_cases(request: Request, runtime: RuntimeDep, user: Author) -> Response:
    with runtime.db.session() as session:
        page = queries.my_cases(session, user_id=user.id)
    return render(request, "kb/moderation/my_cases.html", {"flash": pop_flash(request)}, model=page)


# --- attachments ------------------------------------------------------------------------------


@router.post("/submit/{case_id}/attachments/{attachment_id}/delete")
def attachment_delete(
    case_id: str, attachment_id: int, request: Request, runtime: RuntimeDep, user: Author
) -> Response:
    with runtime.db.session() as session:
        case = session.get(Case, case_id)
        if case is None or not kb_service.can_view(user, case):
            raise HTTPException(404, N_("There is no case study with this address."))
    try:
        attachments.remove_attachment(
            runtime, user=user, case_id=case_id, attachment_id=attachment_id
        )
    except service.WorkflowError as exc:
        raise HTTPException(exc.status, workflow_error(request, exc)) from exc
    flash(request, translate(request)("The file was removed."))
    target = f"/moderation/{case_id}" if not service.is_author(user, case) else f"/submit/{case_id}"
    return redirect(request, target + "#attachments")
