"""Pages of a bidder's evaluation: the checklist (one form for every item, so that no edit is
lost), its summary and verdict, and its exports. A bidder is its spec's procurer's alone."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from gpp import bidders, exporters, pages
from gpp.deps import BidderDep
from gpp.schemas import CHECK_STATUSES, BidderOut
from gpp.web import FormDep, ProcurerPage, download
from kb.taxonomy import Taxonomy
from replan import auth, i18n, ratelimit
from replan.deps import UowDep
from replan.errors import NotFound
from replan.i18n import N_
from replan.web import is_htmx, render, see_other

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


def _bidder_page(
    request: Request,
    spec: dict,
    bidder: dict,
    *,
    status: int = 200,
    errors: dict | None = None,
    saved: str = "",
) -> Response:
    ui = i18n.translator(request.state.locale)
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
def bidder_page(request: Request, user: ProcurerPage, evaluation: BidderDep) -> Response:
    bidder = evaluation.bidder.model_dump(mode="json")
    return _bidder_page(request, evaluation.spec.document, bidder)


@router.post("/specs/{spec_id}/bidders/{bidder_id}/checks")
def checks_update(
    request: Request, user: ProcurerPage, evaluation: BidderDep, uow: UowDep, form: FormDep
) -> Response:
    """Save the whole checklist at once (one form), so that no item's edits are lost."""
    spec, bidder = evaluation.spec.document, evaluation.bidder.model_dump(mode="json")
    _ = i18n.translator(request.state.locale)
    changes, errors = {}, {}
    for check in bidder["checks"]:
        n = check["n"]
        status = str(form.get(f"status.{n}", check["status"]))
        note = str(form.get(f"note.{n}", check["note"]))
        if status not in CHECK_STATUSES:
            errors[n] = _("Choose a status.")
        elif len(note) > bidders.MAX_NOTE:
            errors[n] = _("Use at most %(n)s characters.", n=bidders.MAX_NOTE)
        check.update(status=status if status in CHECK_STATUSES else check["status"], note=note)
        changes[n] = (status, note)
    if errors:  # nothing is saved; every edit comes back beside its item
        return _bidder_page(request, spec, bidder, status=422, errors=errors)
    saved = bidders.update_checks(
        uow=uow, user=user, spec_id=spec["id"], bidder_id=bidder["id"], changes=changes
    )
    pressed = str(form.get("saved", ""))
    pressed = pressed if pressed.isdigit() else "all"
    if is_htmx(request):
        return _bidder_page(request, spec, saved.model_dump(mode="json"), saved=pressed)
    anchor = f"#check-{pressed}" if pressed.isdigit() else "#checklist-save"
    return see_other(f"/specs/{spec['id']}/bidders/{bidder['id']}?saved={pressed}{anchor}")


def evaluation_format(fmt: str) -> str:
    """The evaluation's export format the path names."""
    if fmt not in exporters.EVALUATION_FORMATS:
        raise NotFound(N_("There is no such export format."))
    return fmt


@router.get(
    "/specs/{spec_id}/bidders/{bidder_id}/export.{fmt}",
    dependencies=[Depends(ratelimit.limit_exports)],
)
def bidder_export(
    request: Request,
    user: ProcurerPage,
    fmt: Annotated[str, Depends(evaluation_format)],
    evaluation: BidderDep,
) -> Response:
    spec, bidder = evaluation.spec.document, evaluation.bidder.model_dump(mode="json")
    gettext = i18n.translations(spec["language"]).gettext
    try:
        content, media_type, filename = exporters.export_evaluation(spec, bidder, fmt, gettext)
    except exporters.ExportUnavailable as exc:
        return render(
            request, "replan/error.html", {"status": 503, "detail": str(exc)}, status_code=503
        )
    return download(content, media_type, filename)
