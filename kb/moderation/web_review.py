"""Pages of moderation: the queue, the review of one case, and the public history of versions."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kb.codes import country_name, language_name
from kb.deps import ValidCase
from kb.models import Case
from kb.moderation import attachments, decisions, organisations, queries, workflow
from kb.moderation.common import FormDep, Moderator, flash, pop_flash
from kb.moderation.lifecycle import DECISIONS, Move
from kb.moderation.schemas import MAX_COMMENT
from kb.profiles import service as profile_service
from kb.status import CaseStatus
from kb.taxonomy import Taxonomy
from replan import auth
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Conflict, Invalid, NotFound
from replan.i18n import N_, translator
from replan.runtime import Runtime
from replan.web import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


@router.get("/moderation")
def moderation_queue(request: Request, db: DbDep, user: Moderator) -> Response:
    queue = queries.moderation_queue(db)
    claims = organisations.pending_claims(db)
    profiles = profile_service.pending_reviews(db)
    return render(
        request,
        "kb/moderation/queue.html",
        {"flash": pop_flash(request), "claims": claims, "profiles": profiles},
        model=queue,
    )


def _review_page(
    request: Request,
    runtime: Runtime,
    db: Session,
    *,
    user: User,
    case_id: str,
    errors: dict | None = None,
    message: str | None = None,
    decision: str = "",
    comment: str = "",
    status: int = 200,
) -> Response:
    case = db.get(Case, case_id)
    if case is None:
        raise NotFound(N_("There is no case study with this address."))
    review = queries.review(db, case)
    listed = attachments.list_attachments(db, user=user, case=case, case_visible=True)
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
            "waiting": review.status == CaseStatus.SUBMITTED,
            "flash": pop_flash(request),
            "can_unpublish": review.case.status == CaseStatus.PUBLISHED,
        },
        block="moderation_decision",
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/moderation/{case_id}")
def review_page(
    case_id: str, request: Request, runtime: RuntimeDep, db: DbDep, user: Moderator
) -> Response:
    return _review_page(request, runtime, db, user=user, case_id=case_id)


def _int(text: object) -> int | None:
    try:
        return int(str(text))
    except ValueError:
        return None


@router.post("/moderation/{case_id}")
def review_decide(
    case_id: str,
    request: Request,
    runtime: RuntimeDep,
    db: DbDep,
    uow: UowDep,
    user: Moderator,
    form: FormDep,
) -> Response:
    _ = translator(request.state.locale)
    decision = str(form.get("decision", ""))
    comment = str(form.get("comment", "")).strip()
    keep = {"decision": decision, "comment": comment}
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = _("Choose a decision.")
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("Enter at most %(n)s characters.", n=MAX_COMMENT)
    elif decision == Move.REQUEST_CHANGES and not comment:
        errors["comment"] = _("Say what should change: your comment goes to the author.")
    if errors:
        return _review_page(
            request, runtime, db, user=user, case_id=case_id, errors=errors, status=422, **keep
        )
    try:
        outcome = decisions.review(
            uow=uow,
            user=user,
            settings=runtime.settings,
            taxonomy=runtime.get(Taxonomy),
            case_id=case_id,
            decision=decision,
            comment=comment,
            version=_int(form.get("version")),
        )
    except (Conflict, Invalid) as exc:
        return _review_page(
            request,
            runtime,
            db,
            user=user,
            case_id=case_id,
            status=exc.status,
            message=exc.text(_),
            **keep,
        )
    labels = {
        CaseStatus.PUBLISHED: _("Published."),
        CaseStatus.REJECTED: _("Rejected."),
        CaseStatus.CHANGES_REQUESTED: _("Changes requested: the author was told."),
    }
    flash(request, labels[outcome.status])
    return redirect(request, "/moderation")


@router.get("/cases/{case_id}/history")
def case_history(request: Request, db: DbDep, case: ValidCase) -> Response:
    user = auth.current_user(request)
    insider = workflow.is_author(user, case) or workflow.is_moderator(user)
    page = queries.history(
        db, case, with_events=insider, name_moderators=workflow.is_moderator(user)
    )
    return render(request, "kb/moderation/history.html", {"insider": insider}, model=page)
