"""Pages of moderation: the queue, the review of one case, and the public history of versions."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from kb import service as kb_service
from kb.codes import country_name, language_name
from kb.models import Case
from kb.moderation import attachments, organisations, queries, service
from kb.moderation.common import (
    FormDep,
    Moderator,
    flash,
    pop_flash,
    translate,
    workflow_error,
)
from kb.moderation.schemas import DECISION_STATUS, MAX_COMMENT, N_
from kb.taxonomy import Taxonomy
from kb.web import valid_case
from replan import auth
from replan.auth_models import User
from replan.deps import RuntimeDep
from replan.runtime import Runtime
from replan.web import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


@router.get("/moderation")
def moderation_queue(request: Request, runtime: RuntimeDep, user: Moderator) -> Response:
    with runtime.db.session() as session:
        queue = queries.moderation_queue(session)
        claims = organisations.pending_claims(session)
    return render(
        request,
        "kb/moderation/queue.html",
        {"flash": pop_flash(request), "claims": claims},
        model=queue,
    )


def _review_page(
    request: Request,
    runtime: Runtime,
    *,
    user: User,
    case_id: str,
    errors: dict | None = None,
    message: str | None = None,
    decision: str = "",
    comment: str = "",
    status: int = 200,
) -> Response:
    with runtime.db.session() as session:
        case = session.get(Case, case_id)
        if case is None:
            raise HTTPException(404, N_("There is no case study with this address."))
        review = queries.review(session, case)
        listed = attachments.list_attachments(session, user=user, case=case, case_visible=True)
        session.expunge(case)
    locale = request.state.locale
    return render(
        request,
        "kb/moderation/review.html",
        {
            "review": review,
            "case": review.case,
            "record": review.record,
            "attachments": listed,
            "taxonomy": runtime.get(Taxonomy),
            "errors": errors or {},
            "message": message,
            "decision": decision,
            "comment": comment,
            "country_label": country_name(review.record.country, locale),
            "language_label": language_name(review.record.language, locale),
            "waiting": review.status == "submitted",
            "flash": pop_flash(request),
            "can_unpublish": review.case.status == kb_service.PUBLIC,
        },
        block="moderation_decision",
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/moderation/{case_id}")
def review_page(case_id: str, request: Request, runtime: RuntimeDep, user: Moderator) -> Response:
    return _review_page(request, runtime, user=user, case_id=case_id)


def _int(text: object) -> int | None:
    try:
        return int(str(text))
    except ValueError:
        return None


@router.post("/moderation/{case_id}")
def review_decide(
    case_id: str, request: Request, runtime: RuntimeDep, user: Moderator, form: FormDep
) -> Response:
    _ = translate(request)
    decision = str(form.get("decision", ""))
    comment = str(form.get("comment", "")).strip()
    keep = {"decision": decision, "comment": comment}
    errors = {}
    if decision not in DECISION_STATUS:
        errors["decision"] = _("Choose a decision.")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("Enter at most %(n)s characters.", n=MAX_COMMENT)
    elif decision == "request_changes" and not comment:
        errors["comment"] = _("Say what should change: your comment goes to the author.")
    if errors:
        return _review_page(
            request, runtime, user=user, case_id=case_id, errors=errors, status=422, **keep
        )
    try:
        outcome = service.review(
            runtime,
            moderator=user,
            case_id=case_id,
            decision=decision,
            comment=comment,
            version=_int(form.get("version")),
        )
    except service.NotFound as exc:
        raise HTTPException(404, workflow_error(request, exc)) from exc
    except service.WorkflowError as exc:
        return _review_page(
            request,
            runtime,
            user=user,
            case_id=case_id,
            status=exc.status,
            message=workflow_error(request, exc),
            **keep,
        )
    labels = {
        "published": _("Published."),
        "rejected": _("Rejected."),
        "changes_requested": _("Changes requested: the author was told."),
    }
    flash(request, labels[outcome.status])
    return redirect(request, "/moderation")


@router.get("/cases/{case_id}/history")
def case_history(
    request: Request, runtime: RuntimeDep, case: Annotated[Case, Depends(valid_case)]
) -> Response:
    user = auth.current_user(request)
    insider = service.is_author(user, case) or service.is_moderator(user)
    with runtime.db.session() as session:
        page = queries.history(
            session,
            session.merge(case, load=True),
            with_events=insider,
            name_moderators=service.is_moderator(user),
        )
    return render(request, "kb/moderation/history.html", {"insider": insider}, model=page)
