"""Pages of GPP: the tender-spec wizard, the specification, a procurer's specs, adding bidders.

The wizard is one block (`gpp-wizard`) that replaces itself: a plain form post answers 303 to the
next step's URL; an htmx post gets the next step's block and `HX-Push-Url`, so the address bar, the
back button and sharing behave the same. Errors come back with 422 and the step's block re-rendered
with the messages beside the fields and the values kept. The draft's URL is its key: whoever has it
can continue it (that is how sharing works); a spec's URL is likewise the key to read and export it,
while its bidders are its procurer's alone (their evaluation pages: `gpp.web_bidders`)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gpp import bidders, exporters, pages, service, steps, wizard
from gpp.deps import DraftDep, LibraryDep, OwnedSpecDep, SpecDep, StepDep
from gpp.export_cache import ExportCache
from gpp.library import Library
from gpp.schemas import DraftOut, IssuedSpec, SpecOut
from gpp.service import drafts
from kb.taxonomy import Taxonomy
from replan import auth, i18n, ratelimit
from replan.auth_models import User
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Invalid, NotFound
from replan.i18n import N_
from replan.runtime import Runtime
from replan.uow import UnitOfWork
from replan.web import is_htmx, redirect, render, see_other

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
ProcurerPage = Annotated[User, Depends(auth.require_roles("procurer"))]
WIZARD = "gpp/wizard.html"


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def _form(form: FormData) -> dict[str, list[str]]:
    return {key: [str(v) for v in form.getlist(key)] for key in form.keys()}


def _chosen(runtime: Runtime, data: dict) -> list[str]:
    """The criteria the wizard has chosen so far: those ticked, else the ambition's all."""
    if data.get("criteria") is not None:
        return list(data["criteria"])
    if not data.get("ambition"):
        return []
    library = runtime.get(Library)
    return [c.id for c in library.criteria_for(data["application"], data["ambition"])]


def _step_page(
    request: Request,
    runtime: Runtime,
    db: Session,
    *,
    draft_id: str | None,
    data: dict,
    step: steps.Step,
    status: int = 200,
    headers: dict | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, list[str]] | None = None,
) -> Response:
    """Render a step; a refused `form` comes back with its errors beside it, its values as typed."""
    evidence = None
    if step.needs_evidence and data.get("application"):
        evidence = service.market_evidence(
            db,
            application=data["application"],
            country=data.get("country"),
            limit=runtime.settings.spec_evidence_cases,
            rtm_types=service.materials_of(runtime.get(Library), _chosen(runtime, data)),
        )
    view = steps.View(
        library=runtime.get(Library),
        taxonomy=runtime.get(Taxonomy),
        locale=request.state.locale,
        _=i18n.translator(request.state.locale),
        data=data,
        errors=errors or {},
        raw={k: wizard.one(form, k) for k in form or {}},
        ticked=form.get("criteria", []) if form is not None and step.name == "criteria" else None,
        evidence=evidence,
        on=date.today(),
    )
    ctx = steps.wizard_context(view, step=step, draft_id=draft_id)
    ctx["hx"] = is_htmx(request)  # a swapped step takes the focus (autofocus), a full page not
    return render(request, WIZARD, ctx, block="gpp_wizard", status_code=status, headers=headers)


def _next(
    request: Request, runtime: Runtime, db: Session, *, draft: DraftOut, step: str
) -> Response:
    url = pages.draft_url(draft.id, step)
    if is_htmx(request):
        return _step_page(
            request,
            runtime,
            db,
            draft_id=draft.id,
            data=draft.data,
            step=steps.BY_NAME[step],
            headers={"HX-Push-Url": url},
        )
    return see_other(url)


@router.get("/gpp")
def wizard_start(request: Request, runtime: RuntimeDep, library: LibraryDep, db: DbDep) -> Response:
    data = {
        **wizard.blank(),
        "language": request.state.locale,
        **wizard.prefill(request.query_params, library=library),
    }
    return _step_page(request, runtime, db, draft_id=None, data=data, step=steps.STEPS[0])


@router.post("/gpp/drafts", dependencies=[Depends(ratelimit.limit_specs)])
def draft_create(
    request: Request,
    runtime: RuntimeDep,
    library: LibraryDep,
    db: DbDep,
    uow: UowDep,
    form: FormDep,
) -> Response:
    first = steps.STEPS[0]
    fields = _form(form)
    data = wizard.blank()
    _ = i18n.translator(request.state.locale)
    changes, errors = first.parse(fields, library=library, data=data, _=_, on=date.today())
    if errors:
        shown = {**data, **changes}
        return _step_page(
            request,
            runtime,
            db,
            draft_id=None,
            data=shown,
            step=first,
            status=422,
            errors=errors,
            form=fields,
        )
    draft = drafts.start_draft(uow=uow, user=auth.current_user(request), changes=changes)
    return _next(request, runtime, db, draft=draft, step=steps.following(first.name))


@router.get("/gpp/drafts/{draft_id}")
def draft_resume(draft: DraftDep) -> Response:
    return see_other(pages.draft_url(draft.id, steps.NAMES[draft.data["reached"]]))


@router.get("/gpp/drafts/{draft_id}/{step}")
def wizard_step(
    request: Request, runtime: RuntimeDep, db: DbDep, step: StepDep, draft: DraftDep
) -> Response:
    shown = steps.allowed_step(draft.data, step.name)
    if shown != step.name:
        return see_other(pages.draft_url(draft.id, shown))
    return _step_page(request, runtime, db, draft_id=draft.id, data=draft.data, step=step)


@router.post("/gpp/drafts/{draft_id}/{step}")
def wizard_submit(
    request: Request,
    runtime: RuntimeDep,
    library: LibraryDep,
    db: DbDep,
    uow: UowDep,
    step: StepDep,
    draft: DraftDep,
    form: FormDep,
) -> Response:
    data = draft.data
    shown = steps.allowed_step(data, step.name)
    if shown != step.name:
        return see_other(pages.draft_url(draft.id, shown))
    if step is steps.STEPS[-1]:  # the review step issues the spec
        ratelimit.limit_specs(request)
        return _generate(request, runtime, library, db, uow, draft=draft, step=step)
    fields = _form(form)
    changes, errors = {}, {}
    if step.parse is not None:
        _ = i18n.translator(request.state.locale)
        changes, errors = step.parse(fields, library=library, data=data, _=_, on=date.today())
    if errors:
        shown_data = {**data, **changes} if step is steps.STEPS[0] else data
        return _step_page(
            request,
            runtime,
            db,
            draft_id=draft.id,
            data=shown_data,
            step=step,
            status=422,
            errors=errors,
            form=fields,
        )
    user = auth.current_user(request)
    saved = drafts.save_step(uow=uow, user=user, draft_id=draft.id, step=step.name, changes=changes)
    if step.name == "award" and wizard.one(fields, "action") == "recalculate":
        return _step_page(request, runtime, db, draft_id=draft.id, data=saved.data, step=step)
    return _next(request, runtime, db, draft=saved, step=steps.following(step.name))


def _generate(
    request: Request,
    runtime: Runtime,
    library: Library,
    db: Session,
    uow: UnitOfWork,
    *,
    draft: DraftOut,
    step: steps.Step,
) -> Response:
    try:
        spec = drafts.generate_spec(
            uow=uow,
            user=auth.current_user(request),
            library=library,
            taxonomy=runtime.get(Taxonomy),
            draft_id=draft.id,
            evidence_limit=runtime.settings.spec_evidence_cases,
        )
    except Invalid as exc:
        _ = i18n.translator(request.state.locale)
        errors = {p.field or "": p.text(_) for p in exc.problems()}
        return _step_page(
            request,
            runtime,
            db,
            draft_id=draft.id,
            data=draft.data,
            step=step,
            status=422,
            errors=errors,
        )
    return redirect(request, f"/specs/{spec.id}")


# --- the specification ---------------------------------------------------------------------------


@router.get("/specs")
def my_specs(request: Request, user: ProcurerPage, runtime: RuntimeDep, db: DbDep) -> Response:
    model = service.spec_list(db, owner_id=user.id, url=lambda spec_id: f"/specs/{spec_id}")
    return render(
        request,
        "gpp/specs.html",
        {"specs": model.specs, "taxonomy": runtime.get(Taxonomy)},
        model=model,
    )


@router.get("/specs/{spec_id}", name="spec_page")
def spec_page(request: Request, runtime: RuntimeDep, db: DbDep, spec: SpecDep) -> Response:
    return _spec_page(request, runtime, db, spec)


def _spec_page(
    request: Request,
    runtime: Runtime,
    db: Session,
    spec: IssuedSpec,
    *,
    status: int = 200,
    error: str | None = None,
    name: str = "",
) -> Response:
    user = auth.current_user(request)
    procurer = auth.has_role(user, "procurer")
    mine = user is not None and spec.owner_id == user.id
    listed = bidders.list_bidders(db, spec_id=spec.id, user=user) if mine else []
    document = spec.document
    ctx = pages.spec_context(document, locale=request.state.locale, taxonomy=runtime.get(Taxonomy))
    ctx.update(
        mine=mine,
        can_claim=procurer and spec.owner_id is None,
        bidders=[b.model_dump(mode="json") for b in listed],
        bidder_error=error,
        bidder_name=name,
        can_copy=mine and procurer,
        status_labels=pages.status_labels(i18n.translator(request.state.locale)),
    )
    return render(
        request,
        "gpp/spec.html",
        ctx,
        block="gpp_bidders" if error else None,
        status_code=status,
        model=SpecOut.model_validate(document),
    )


@router.post("/specs/{spec_id}/copy")
def spec_copy(request: Request, user: ProcurerPage, spec: OwnedSpecDep, uow: UowDep) -> Response:
    draft = drafts.copy_to_draft(uow=uow, user=user, spec_id=spec.id)
    return redirect(request, pages.draft_url(draft.id, steps.NAMES[0]))


def export_format(fmt: str) -> str:
    """The export format the path names."""
    if fmt not in exporters.DOWNLOADS:
        raise NotFound(N_("There is no such export format."))
    return fmt


@router.get("/specs/{spec_id}/export.{fmt}", dependencies=[Depends(ratelimit.limit_exports)])
def spec_export(
    request: Request,
    runtime: RuntimeDep,
    fmt: Annotated[str, Depends(export_format)],
    spec: SpecDep,
    notes: bool = True,  # false: without the annex of notes for the buyer (for tenderers)
) -> Response:
    document = spec.document
    gettext = i18n.translations(document["language"]).gettext
    settings = runtime.settings
    cache = ExportCache(settings.data_path / "cache" / "exports" if settings.export_cache else None)
    try:
        content = cache.content(
            document,
            fmt if notes else f"tender.{fmt}",
            lambda: exporters.export_spec(document, fmt, gettext, buyer_notes=notes)[0],
        )
        media_type, filename = exporters.MEDIA_TYPES[fmt], exporters.file_name(document, fmt)
    except exporters.ExportUnavailable as exc:
        return render(
            request, "replan/error.html", {"status": 503, "detail": str(exc)}, status_code=503
        )
    return download(content, media_type, filename)


def download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- bidders -------------------------------------------------------------------------------------


@router.post("/specs/{spec_id}/bidders")
def bidder_add(
    request: Request,
    user: ProcurerPage,
    runtime: RuntimeDep,
    db: DbDep,
    uow: UowDep,
    spec: SpecDep,
    form: FormDep,
) -> Response:
    name = str(form.get("name", ""))
    try:
        bidder = bidders.add_bidder(uow=uow, user=user, spec_id=spec.id, name=name)
    except Invalid as exc:
        return _spec_page(
            request,
            runtime,
            db,
            spec,
            status=422,
            name=name.strip()[:200],
            error=exc.text(i18n.translator(request.state.locale)),
        )
    return redirect(request, f"/specs/{spec.id}/bidders/{bidder.id}")
