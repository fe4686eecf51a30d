"""Pages of GPP: the tender-spec wizard, the specification, a procurer's specs, adding bidders.

The wizard is one block (`gpp-wizard`) that replaces itself: a plain form post answers 303 to the
next step's URL; an htmx post gets the next step's block and `HX-Push-Url`, so the address bar, the
back button and sharing behave the same. Errors come back with 422 and the step's block re-rendered
with the messages beside the fields and the values kept. The draft's URL is its key: whoever has it
can continue it (that is how sharing works); a spec's URL is likewise the key to read and export it,
while its bidders are its procurer's alone (their evaluation pages: `gpp.web_bidders`)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from gpp import bidders, exporters, pages, service, wizard
from gpp.deps import LibraryDep, is_procurer
from gpp.export_cache import ExportCache
from gpp.models import Spec
from gpp.schemas import SpecOut
from kb.taxonomy import Taxonomy
from replan import auth, i18n, ratelimit
from replan.auth_models import User
from replan.deps import RuntimeDep
from replan.i18n import N_
from replan.web import is_htmx, redirect, render, see_other

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
ProcurerPage = Annotated[User, Depends(auth.require_roles("procurer"))]
WIZARD = "gpp/wizard.html"


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def _form(form: FormData) -> dict[str, list[str]]:
    return {key: [str(v) for v in form.getlist(key)] for key in form.keys()}


def _step_page(
    request: Request,
    runtime,
    library,
    *,
    draft_id: str | None,
    data: dict,
    step: str,
    status: int = 200,
    headers: dict | None = None,
    **extra,
) -> Response:
    evidence = None
    if step in ("evidence", "review") and data.get("application"):
        with runtime.db.session() as session:
            evidence = service.market_evidence(
                session,
                application=data["application"],
                country=data.get("country"),
                limit=runtime.settings.spec_evidence_cases,
            )
    ctx = pages.wizard_context(
        library=library,
        taxonomy=runtime.get(Taxonomy),
        locale=request.state.locale,
        _=pages.make_gettext(request.state.locale),
        draft_id=draft_id,
        data=data,
        step=step,
        evidence=evidence,
        on=date.today(),
        **extra,
    )
    ctx["hx"] = is_htmx(request)  # a swapped step takes the focus (autofocus), a full page not
    return render(request, WIZARD, ctx, block="gpp_wizard", status_code=status, headers=headers)


def _next(request: Request, runtime, library, *, draft_id: str, data: dict, step: str) -> Response:
    url = pages.draft_url(draft_id, step)
    if is_htmx(request):
        return _step_page(
            request,
            runtime,
            library,
            draft_id=draft_id,
            data=data,
            step=step,
            headers={"HX-Push-Url": url},
        )
    return see_other(url)


@router.get("/gpp")
def wizard_start(request: Request, runtime: RuntimeDep, library: LibraryDep) -> Response:
    data = {
        **wizard.blank(),
        "language": request.state.locale,
        **wizard.prefill(request.query_params, library=library),
    }
    return _step_page(request, runtime, library, draft_id=None, data=data, step="subject")


@router.post("/gpp/drafts", dependencies=[Depends(ratelimit.limit_specs)])
def draft_create(
    request: Request, runtime: RuntimeDep, library: LibraryDep, form: FormDep
) -> Response:
    _ = pages.make_gettext(request.state.locale)
    data = wizard.blank()
    changes, errors = wizard.parse_subject(_form(form), library=library, data=data, _=_)
    if errors:
        return _step_page(
            request,
            runtime,
            library,
            draft_id=None,
            data={**data, **changes},
            step="subject",
            status=422,
            errors=errors,
        )
    user = auth.current_user(request)
    with runtime.db.session() as session:
        draft = wizard.create_draft(session, data=data, owner_id=user.id if user else None)
        data = wizard.save_draft(session, draft=draft, changes=changes, step="subject")
        draft_id = draft.id
    return _next(request, runtime, library, draft_id=draft_id, data=data, step="ambition")


def _load_draft(runtime, draft_id: str) -> dict:
    with runtime.db.session() as session:
        try:
            return {**wizard.blank(), **wizard.get_draft(session, draft_id).data}
        except wizard.DraftNotFound as exc:
            raise HTTPException(404, N_("There is no draft at this address.")) from exc


@router.get("/gpp/drafts/{draft_id}")
def draft_resume(draft_id: str, runtime: RuntimeDep) -> Response:
    data = _load_draft(runtime, draft_id)
    return see_other(pages.draft_url(draft_id, wizard.STEPS[data["reached"]]))


@router.get("/gpp/drafts/{draft_id}/{step}")
def wizard_step(
    draft_id: str, step: str, request: Request, runtime: RuntimeDep, library: LibraryDep
) -> Response:
    if step not in wizard.STEPS:
        raise HTTPException(404, N_("There is no such step in the wizard."))
    data = _load_draft(runtime, draft_id)
    shown = wizard.allowed_step(data, step)
    if shown != step:
        return see_other(pages.draft_url(draft_id, shown))
    return _step_page(request, runtime, library, draft_id=draft_id, data=data, step=step)


@router.post("/gpp/drafts/{draft_id}/{step}")
def wizard_submit(
    draft_id: str,
    step: str,
    request: Request,
    runtime: RuntimeDep,
    library: LibraryDep,
    form: FormDep,
) -> Response:
    if step not in wizard.STEPS:
        raise HTTPException(404, N_("There is no such step in the wizard."))
    data = _load_draft(runtime, draft_id)
    if wizard.allowed_step(data, step) != step:
        return see_other(pages.draft_url(draft_id, wizard.allowed_step(data, step)))
    if step == "review":
        ratelimit.limit_specs(request)
        return _generate(request, runtime, library, draft_id=draft_id, data=data)
    _ = pages.make_gettext(request.state.locale)
    fields = _form(form)
    today = date.today()
    if step == "subject":
        changes, errors = wizard.parse_subject(fields, library=library, data=data, _=_)
    elif step == "ambition":
        changes, errors = wizard.parse_ambition(fields, data=data, _=_)
    elif step == "criteria":
        changes, errors = wizard.parse_criteria(fields, library=library, data=data, _=_, on=today)
    elif step == "award":
        changes, errors = wizard.parse_award(fields, library=library, data=data, _=_, on=today)
    else:
        changes, errors = {}, {}
    if errors:
        extra = {"raw": {k: wizard.one(fields, k) for k in fields}}
        if step == "criteria":
            extra["ticked"] = fields.get("criteria", [])
        shown = {**data, **changes} if step == "subject" else data
        return _step_page(
            request,
            runtime,
            library,
            draft_id=draft_id,
            data=shown,
            step=step,
            status=422,
            errors=errors,
            **extra,
        )
    with runtime.db.session() as session:
        data = wizard.save_draft(
            session, draft=wizard.get_draft(session, draft_id), changes=changes, step=step
        )
    if step == "award" and wizard.one(fields, "action") == "recalculate":
        return _step_page(request, runtime, library, draft_id=draft_id, data=data, step=step)
    following = wizard.STEPS[wizard.STEPS.index(step) + 1]
    return _next(request, runtime, library, draft_id=draft_id, data=data, step=following)


def _generate(request: Request, runtime, library, *, draft_id: str, data: dict) -> Response:
    user = auth.current_user(request)
    owner_id = user.id if user is not None and is_procurer(request) else None
    try:
        with runtime.db.session() as session:
            draft = wizard.get_draft(session, draft_id)
            previous = None
            if draft.source_spec_id and owner_id is not None:
                source = session.get(Spec, draft.source_spec_id)
                previous = source if source is not None and source.owner_id == owner_id else None
            spec = service.build_spec(
                session,
                library=library,
                request=wizard.spec_request(library, data),
                taxonomy=runtime.get(Taxonomy),
                owner_id=owner_id,
                previous=previous,
                evidence_limit=runtime.settings.spec_evidence_cases,
            )
            spec_id = spec.id
    except service.SpecInvalid as exc:
        errors = {".".join(str(p) for p in e["loc"][1:]): e["msg"] for e in exc.errors}
        return _step_page(
            request,
            runtime,
            library,
            draft_id=draft_id,
            data=data,
            step="review",
            status=422,
            errors=errors,
        )
    return redirect(request, f"/specs/{spec_id}")


# --- the specification ---------------------------------------------------------------------------


def _spec(runtime, spec_id: str) -> tuple[dict, int | None]:
    with runtime.db.session() as session:
        try:
            spec = service.get_spec(session, spec_id)
        except service.SpecNotFound as exc:
            raise HTTPException(404, N_("There is no specification at this address.")) from exc
        return service.spec_json(spec), spec.owner_id


@router.get("/specs")
def my_specs(request: Request, user: ProcurerPage, runtime: RuntimeDep) -> Response:
    with runtime.db.session() as session:
        model = service.spec_list(
            session, owner_id=user.id, url=lambda spec_id: f"/specs/{spec_id}"
        )
    return render(
        request,
        "gpp/specs.html",
        {"specs": model.specs, "taxonomy": runtime.get(Taxonomy)},
        model=model,
    )


@router.get("/specs/{spec_id}", name="spec_page")
def spec_page(spec_id: str, request: Request, runtime: RuntimeDep) -> Response:
    spec, owner_id = _spec(runtime, spec_id)
    return _spec_page(request, runtime, spec, owner_id)


def _spec_page(
    request: Request,
    runtime,
    spec: dict,
    owner_id: int | None,
    *,
    status: int = 200,
    error: str | None = None,
    name: str = "",
) -> Response:
    user = auth.current_user(request)
    procurer = is_procurer(request)
    mine = user is not None and owner_id == user.id
    listed = []
    if mine:
        with runtime.db.session() as session:
            row = session.get(Spec, spec["id"])
            listed = [bidders.bidder_json(row, b) for b in row.bidders]
    ctx = pages.spec_context(spec, locale=request.state.locale, taxonomy=runtime.get(Taxonomy))
    ctx.update(
        mine=mine,
        can_claim=procurer and owner_id is None,
        bidders=listed,
        bidder_error=error,
        bidder_name=name,
        can_copy=mine and procurer,
        status_labels=pages.status_labels(pages.make_gettext(request.state.locale)),
    )
    return render(
        request,
        "gpp/spec.html",
        ctx,
        block="gpp_bidders" if error else None,
        status_code=status,
        model=SpecOut.model_validate(spec),
    )


@router.post("/specs/{spec_id}/copy")
def spec_copy(spec_id: str, user: ProcurerPage, runtime: RuntimeDep, request: Request) -> Response:
    with runtime.db.session() as session:
        try:
            spec = bidders.owned_spec(session, spec_id, user_id=user.id)
        except service.SpecNotFound as exc:
            raise HTTPException(404, N_("There is no specification at this address.")) from exc
        draft = wizard.create_draft(
            session, data=wizard.draft_from_spec(spec), owner_id=user.id, source_spec_id=spec.id
        )
        draft_id = draft.id
    return redirect(request, pages.draft_url(draft_id, "subject"))


@router.get("/specs/{spec_id}/export.{fmt}", dependencies=[Depends(ratelimit.limit_exports)])
def spec_export(spec_id: str, fmt: str, request: Request, runtime: RuntimeDep) -> Response:
    if fmt not in exporters.DOWNLOADS:
        raise HTTPException(404, N_("There is no such export format."))
    spec, _owner = _spec(runtime, spec_id)
    gettext = i18n.translations(spec["language"]).gettext
    settings = runtime.settings
    cache = ExportCache(settings.data_path / "cache" / "exports" if settings.export_cache else None)
    try:
        content = cache.content(spec, fmt, lambda: exporters.export_spec(spec, fmt, gettext)[0])
        media_type, filename = exporters.MEDIA_TYPES[fmt], exporters.file_name(spec, fmt)
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
    spec_id: str, request: Request, user: ProcurerPage, runtime: RuntimeDep, form: FormDep
) -> Response:
    name = str(form.get("name", "")).strip()
    spec, owner_id = _spec(runtime, spec_id)
    if owner_id not in (None, user.id):
        raise HTTPException(404, N_("There is no specification at this address."))
    if not name or len(name) > 200:
        _ = pages.make_gettext(request.state.locale)
        return _spec_page(
            request,
            runtime,
            spec,
            owner_id,
            status=422,
            name=name[:200],
            error=_("Enter the bidder's name (at most 200 characters)."),
        )
    with runtime.db.session() as session:
        row = service.get_spec(session, spec_id)
        bidder = bidders.add_bidder(session, spec=row, user_id=user.id, name=name)
        bidder_id = bidder.id
    return redirect(request, f"/specs/{spec_id}/bidders/{bidder_id}")
