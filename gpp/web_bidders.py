"""Pages of a bidder's evaluation: the checklist (one form for every item, so that no edit is
lost), its summary and verdict, and its exports. A bidder is its spec's procurer's alone."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from gpp import bidders, exporters, pages, service
from gpp.schemas import CHECK_STATUSES, BidderOut
from gpp.web import FormDep, ProcurerPage, download
from kb.taxonomy import Taxonomy
from replan import auth, i18n, ratelimit
from replan.auth_models import User
from replan.deps import RuntimeDep
from replan.i18n import N_
from replan.web import is_htmx, render, see_other

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


def _bidder(runtime, spec_id: str, bidder_id: int, user: User) -> tuple[dict, dict]:
    with runtime.db.session() as session:
        try:
            spec = bidders.owned_spec(session, spec_id, user_id=user.id)
            bidder = bidders.get_bidder(session, spec=spec, bidder_id=bidder_id)
        except (service.SpecNotFound, bidders.BidderNotFound) as exc:
            raise HTTPException(404, N_("There is no bidder at this address.")) from exc
        return service.spec_json(spec), bidders.bidder_json(spec, bidder)


def _bidder_page(
    request: Request,
    spec: dict,
    bidder: dict,
    *,
    status: int = 200,
    errors: dict | None = None,
    saved: str = "",
) -> Response:
    ui = pages.make_gettext(request.state.locale)
    taxonomy = request.app.state.runtime.get(Taxonomy)
    ctx = pages.spec_context(spec, locale=request.state.locale, taxonomy=taxonomy)
    ctx.update(
        bidder=bidder,
        errors=errors or {},
        # Which Save button saved ("all", or an item's index): "Saved" is said beside it.
        saved=saved or request.query_params.get("saved", ""),
        statuses=CHECK_STATUSES,
        status_labels=pages.status_labels(ui),
        phase_labels=pages.phase_labels(ui),
        exports=[
            (fmt, f"/specs/{spec['id']}/bidders/{bidder['id']}/export.{fmt}")
            for fmt in exporters.EVALUATION_FORMATS
        ],
    )
    return render(
        request,
        "gpp/bidder.html",
        ctx,
        block="gpp_evaluation",
        status_code=status,
        model=BidderOut.model_validate(bidder),
    )


@router.get("/specs/{spec_id}/bidders/{bidder_id}")
def bidder_page(
    spec_id: str, bidder_id: int, request: Request, user: ProcurerPage, runtime: RuntimeDep
) -> Response:
    spec, bidder = _bidder(runtime, spec_id, bidder_id, user)
    return _bidder_page(request, spec, bidder)


@router.post("/specs/{spec_id}/bidders/{bidder_id}/checks")
def checks_update(
    spec_id: str,
    bidder_id: int,
    request: Request,
    user: ProcurerPage,
    runtime: RuntimeDep,
    form: FormDep,
) -> Response:
    """Save the whole checklist at once (one form), so that no item's edits are lost."""
    spec, bidder = _bidder(runtime, spec_id, bidder_id, user)
    _ = pages.make_gettext(request.state.locale)
    changes, errors = {}, {}
    for check in bidder["checks"]:
        n = check["n"]
        status = str(form.get(f"status.{n}", check["status"]))
        note = str(form.get(f"note.{n}", check["note"]))
        if status not in CHECK_STATUSES:
            errors[n] = _("Choose a status.")
        elif len(note) > 4000:
            errors[n] = _("Use at most %(n)s characters.", n=4000)
        check.update(status=status if status in CHECK_STATUSES else check["status"], note=note)
        changes[n] = (status, note)
    if errors:  # nothing is saved; every edit comes back beside its item
        return _bidder_page(request, spec, bidder, status=422, errors=errors)
    with runtime.db.session() as session:
        row = bidders.owned_spec(session, spec_id, user_id=user.id)
        found = bidders.get_bidder(session, spec=row, bidder_id=bidder_id)
        bidders.update_checks(session, bidder=found, changes=changes)
        bidder = bidders.bidder_json(row, found)
    pressed = str(form.get("saved", ""))
    pressed = pressed if pressed.isdigit() else "all"
    if is_htmx(request):
        return _bidder_page(request, spec, bidder, saved=pressed)
    anchor = f"#check-{pressed}" if pressed.isdigit() else "#checklist-save"
    return see_other(f"/specs/{spec_id}/bidders/{bidder_id}?saved={pressed}{anchor}")


@router.get(
    "/specs/{spec_id}/bidders/{bidder_id}/export.{fmt}",
    dependencies=[Depends(ratelimit.limit_exports)],
)
def bidder_export(
    spec_id: str,
    bidder_id: int,
    fmt: str,
    request: Request,
    user: ProcurerPage,
    runtime: RuntimeDep,
) -> Response:
    if fmt not in exporters.EVALUATION_FORMATS:
        raise HTTPException(404, N_("There is no such export format."))
    spec, bidder = _bidder(runtime, spec_id, bidder_id, user)
    gettext = i18n.translations(spec["language"]).gettext
    try:
        content, media_type, filename = exporters.export_evaluation(spec, bidder, fmt, gettext)
    except exporters.ExportUnavailable as exc:
        return render(
            request, "replan/error.html", {"status": 503, "detail": str(exc)}, status_code=503
        )
    return download(content, media_type, filename)
