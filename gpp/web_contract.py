"""Pages of a spec after its tender: the life-cycle cost calculator, status moves and award, the
contract's milestones, the delivery report. The calculator is open to anyone; the rest answers
only the spec's owning procurer, moderators and admins (others: 404)."""

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gpp import award, bid_lcc, contract, delivery, lcc, lcc_form, lifecycle, pages
from gpp.case_draft import CaseDraftCreate, draft_case
from gpp.contract_deps import OwnedSpecPage, PageUser
from gpp.contract_schemas import MILESTONE_STATUSES, AwardCreate, MilestoneUpdate, StatusMove
from gpp.library import Library
from kb.codes import RTM_TYPES
from kb.taxonomy import Taxonomy
from replan import auth, i18n, ratelimit
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Conflict, DomainError, Invalid, NotFound
from replan.guards import DB_INT_MAX
from replan.i18n import N_
from replan.web import render, see_other

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


@router.get("/lcc")
def lcc_page(request: Request) -> Response:
    """The calculator: a GET form, so that a result can be kept and shared by its address."""
    gettext = i18n.gettext_for(request.state.locale)
    form, answer = lcc_form.calculate(request.query_params, gettext)
    ctx = {
        "form": form,
        "answer": answer,
        "method": answer and lcc.method_text(answer.period_years, answer.discount_rate, gettext),
        "option_rows": range(lcc_form.OPTION_ROWS),
        "replacement_rows": range(lcc_form.REPLACEMENT_ROWS),
    }
    status = 422 if form.errors else 200
    return render(request, "gpp/lcc.html", ctx, block="gpp_lcc", status_code=status)


def page_response(
    request: Request,
    session,
    spec_id: str,
    user: User,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    message: str = "",
    lcc_state: lcc_form.LccForm | None = None,
    kept: dict[str, str] | None = None,
) -> Response:
    page = contract.contract_page(session, spec_id=spec_id, user=user)
    if lcc_state is None:
        lcc_state = _stored_figures(page)
    gettext = i18n.gettext_for(request.state.locale)
    ui = i18n.translator(request.state.locale)
    locale = request.state.locale
    ctx = {
        "spec_id": spec_id,
        "errors": errors or {},
        "message": message,
        "saved": request.query_params.get("saved", ""),
        "status_label": {s.value: gettext(label) for s, label in lifecycle.LABELS.items()},
        "milestone_statuses": MILESTONE_STATUSES,
        "milestone_labels": _milestone_labels(gettext),
        "phase_labels": pages.phase_labels(ui),
        "verdict_labels": pages.status_labels(ui),
        "form": lcc_state,
        "lcc_method": lcc.method_text(page.lcc.period_years, page.lcc.discount_rate, gettext),
        "plain_text": lcc_form.plain_text,
        "rtm_choices": [
            (code, request.app.state.runtime.get(Taxonomy).label("rtm_types", code, locale))
            for code in RTM_TYPES
        ],
        "kept": kept or {},  # what a refused form sent, shown again
        "lcc_rank": {b.bidder_id: b.rank for b in page.lcc.bids},
    }
    return render(
        request,
        "gpp/contract.html",
        ctx,
        block="gpp_contract",
        model=page,
        status_code=status,
    )


def _stored_figures(page) -> lcc_form.LccForm:
    """The bids' figures as the form shows them, one row per bidder."""
    figures = page.lcc.figures
    at = {f.bidder_id: k for k, f in enumerate(figures)}
    request = bid_lcc.as_request(page.lcc.period_years, page.lcc.discount_rate, figures)
    rows = [at.get(b.id) for b in page.bidders]
    return lcc_form.LccForm(
        values=lcc_form.form_values(request, rows), errors={}, submitted=bool(figures)
    )


def _milestone_labels(gettext) -> dict[str, str]:
    return {
        "pending": gettext(N_("Pending")),
        "met": gettext(N_("Met")),
        "not_met": gettext(N_("Not met")),
        "waived": gettext(N_("Waived")),
    }


def _refused(
    request: Request,
    session,
    spec_id: str,
    user: User,
    exc: DomainError,
    kept: dict[str, str] | None = None,
) -> Response:
    """Show the contract again with the refusal beside its field, or at the top."""
    session.rollback()  # nothing of the refused write stays
    text = exc.text(i18n.gettext_for(request.state.locale))
    errors = {exc.field: text} if exc.field else {}
    return page_response(
        request, session, spec_id, user, status=exc.status, errors=errors, message=text, kept=kept
    )


def _attempt(
    request: Request,
    session: Session,
    spec_id: str,
    user: User,
    act: Callable[[], None],
    *,
    bad: Invalid,
    saved: str,
    kept: dict[str, str] | None = None,
) -> Response:
    """Run a form's write: back to the contract when done, else the page with the refusal
    (`bad` when the form's input did not even make a request)."""
    try:
        act()
    except ValidationError:
        return _refused(request, session, spec_id, user, bad, kept)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, spec_id, user, exc, kept)
    return see_other(f"/specs/{spec_id}/contract?saved={saved}")


@router.get("/specs/{spec_id}/contract")
def contract_detail(
    spec_id: OwnedSpecPage, request: Request, user: PageUser, session: DbDep
) -> Response:
    return page_response(request, session, spec_id, user)


@router.get(
    "/specs/{spec_id}/delivery-report.{fmt}",
    dependencies=[Depends(ratelimit.limit_exports)],
)
def delivery_report(
    spec_id: OwnedSpecPage, fmt: str, request: Request, user: PageUser, session: DbDep
) -> Response:
    """Promised against delivered, for the file: PDF or DOCX in the spec's language."""
    if fmt not in delivery.REPORT_FORMATS:
        raise NotFound(N_("There is no such export format."))
    spec = lifecycle.reachable_spec(session, spec_id, user)
    facts = {k: getattr(spec, k) for k in ("id", "title", "authority", "language")}
    view = contract.contract_view(session, spec=spec)
    gettext = i18n.translations(spec.language).gettext
    try:
        content, media_type, name = delivery.delivery_report(facts, view, fmt, gettext)
    except delivery.ExportUnavailable as exc:
        return render(
            request, "replan/error.html", {"status": 503, "detail": str(exc)}, status_code=503
        )
    disposition = f'attachment; filename="{name}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


@router.post("/specs/{spec_id}/status")
def status_move(
    spec_id: OwnedSpecPage,
    request: Request,
    user: PageUser,
    uow: UowDep,
    session: DbDep,
    status: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    def act() -> None:
        move = StatusMove.model_validate({"status": status})
        award.change_status(uow=uow, user=user, spec_id=spec_id, status=move.status)

    bad = Invalid(N_("Choose the next status."), field="status")
    return _attempt(request, session, spec_id, user, act, bad=bad, saved="status")


@router.post("/specs/{spec_id}/award")
def award_form(
    spec_id: OwnedSpecPage,
    request: Request,
    user: PageUser,
    uow: UowDep,
    session: DbDep,
    bidder_id: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    def act() -> None:
        choice = AwardCreate.model_validate({"bidder_id": bidder_id or 0, "reason": reason})
        award.award_spec(uow=uow, user=user, spec_id=spec_id, request=choice)

    bad = Invalid(N_("Choose a bidder."), field="bidder_id")
    kept = {"bidder_id": bidder_id, "reason": reason}
    return _attempt(request, session, spec_id, user, act, bad=bad, saved="award", kept=kept)


@router.post("/specs/{spec_id}/contract/milestones/{n}")
def milestone_form(
    spec_id: OwnedSpecPage,
    n: Annotated[int, Path(ge=0, le=DB_INT_MAX)],
    request: Request,
    user: PageUser,
    uow: UowDep,
    session: DbDep,
    status: Annotated[str, Form(max_length=20)] = "",
    value: Annotated[str, Form(max_length=40)] = "",
    unit: Annotated[str, Form(max_length=40)] = "",
    limit: Annotated[str, Form(max_length=40)] = "",
    limit_kind: Annotated[str, Form(max_length=3)] = "max",
    penalty_rate: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    due: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Save one milestone; an empty status lets the measured value and the limit decide."""
    gettext = i18n.gettext_for(request.state.locale)
    errors: dict[str, str] = {}
    fields: dict = {
        "status": status or None,
        "note": note,
        "unit": unit,
        "due": due.strip() or None,
    }
    fields["limit_kind"] = limit_kind
    for name, typed in (("value", value), ("limit", limit), ("penalty_rate", penalty_rate)):
        fields[name] = lcc_form.parse_number(typed) if typed.strip() else None
        if typed.strip() and fields[name] is None:
            errors[f"{n}.{name}"] = gettext(N_("Enter a number."))
    try:
        change = MilestoneUpdate.model_validate(fields)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0])
            errors.setdefault(
                f"{n}.{name}", gettext(_FORM_MESSAGES.get(name, N_("Check this field.")))
            )
    kept = {"n": str(n), "status": status, "value": value, "unit": unit, "limit": limit}
    kept.update(limit_kind=limit_kind, penalty_rate=penalty_rate, note=note, due=due)
    if errors:
        return page_response(request, session, spec_id, user, status=422, errors=errors, kept=kept)
    try:
        contract.update_milestone(uow=uow, user=user, spec_id=spec_id, n=n, change=change)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, spec_id, user, exc, kept)
    return see_other(f"/specs/{spec_id}/contract?saved={n}#milestone-{n}")


_FORM_MESSAGES = {
    "status": N_("Choose a status."),
    "limit_kind": N_("Choose whether the limit is a maximum or a minimum."),
    "penalty_rate": N_("Enter a number from 0 upwards."),
    "value": N_("Enter a number."),
    "due": N_("Enter a date between 2000 and 2200."),
    "note": N_("Use at most 4000 characters."),
}


async def _form_values(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


@router.post("/specs/{spec_id}/lcc")
def bids_lcc_form(
    spec_id: OwnedSpecPage,
    request: Request,
    user: PageUser,
    uow: UowDep,
    session: DbDep,
    typed: Annotated[dict[str, str], Depends(_form_values)],
) -> Response:
    """Enter the bids' life-cycle cost figures: one row per bidder, blank rows left out."""
    gettext = i18n.gettext_for(request.state.locale)
    page = contract.contract_page(session, spec_id=spec_id, user=user)
    included = []
    for i, bidder in enumerate(page.bidders):
        if any(v.strip() for k, v in typed.items() if k.startswith(f"options.{i}.")):
            typed[f"options.{i}.name"] = bidder.name
            included.append(bidder.id)
    state, parsed = lcc_form.read_form(typed, gettext, rows=len(page.bidders))
    state.submitted = True
    if parsed is None and not state.errors:  # every row blank: the figures are cleared
        parsed = lcc.LccRequest.model_construct(period_years=20, discount_rate=0.03, options=[])
    if state.errors:
        return page_response(request, session, spec_id, user, status=422, lcc_state=state)
    update = bid_lcc.BidsLccUpdate(
        period_years=parsed.period_years,
        discount_rate=parsed.discount_rate,
        bids=[
            bid_lcc.BidFigures(bidder_id=b, **o.model_dump(exclude={"name"}))
            for b, o in zip(included, parsed.options, strict=True)
        ],
    )
    bid_lcc.set_bids_lcc(uow=uow, user=user, spec_id=spec_id, request=update)
    return see_other(f"/specs/{spec_id}/contract?saved=lcc#lcc-h")


@router.post("/specs/{spec_id}/case-draft")
def case_draft_form(
    spec_id: OwnedSpecPage,
    request: Request,
    user: PageUser,
    runtime: RuntimeDep,
    uow: UowDep,
    session: DbDep,
    rtm_types: Annotated[list[str], Form(max_length=20)] = [],  # noqa: B006 - FastAPI copies it
    rtm_tonnes: Annotated[str, Form(max_length=40)] = "",
    tyres_equivalent: Annotated[str, Form(max_length=40)] = "",
    city: Annotated[str, Form(max_length=200)] = "",
    country: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    """Send the closed contract to the catalogue as a draft case study."""
    tonnes = lcc_form.parse_number(rtm_tonnes) if rtm_tonnes.strip() else None
    tyres = lcc_form.parse_number(tyres_equivalent) if tyres_equivalent.strip() else None
    kept = {"rtm_tonnes": rtm_tonnes, "tyres_equivalent": tyres_equivalent, "city": city}
    kept["country"] = country
    kept["rtm_types"] = ",".join(rtm_types)
    try:
        if (rtm_tonnes.strip() and tonnes is None) or (
            tyres is not None and not tyres.is_integer()
        ):
            field = "rtm_tonnes" if rtm_tonnes.strip() and tonnes is None else "tyres_equivalent"
            raise Invalid(N_("Enter a number."), field=field)
        draft = CaseDraftCreate.model_validate(
            {
                "rtm_types": rtm_types,
                "rtm_tonnes": tonnes,
                "tyres_equivalent": int(tyres) if tyres is not None else None,
                "city": city or None,
                "country": country.strip().upper() or None,
            }
        )
        draft_case(
            uow=uow,
            user=user,
            settings=runtime.settings,
            library=runtime.get(Library),
            spec_id=spec_id,
            request=draft,
        )
    except ValidationError as exc:
        field = str(exc.errors()[0]["loc"][0])
        refusal = Invalid(N_("Enter a number from 0 upwards."), field=field)
        return _refused(request, session, spec_id, user, refusal, kept)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, spec_id, user, exc, kept)
    return see_other(f"/specs/{spec_id}/contract?saved=case#case-h")
