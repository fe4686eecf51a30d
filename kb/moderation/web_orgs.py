"""Pages of organisation profiles: editing one, claiming one (a submitter without any), and the
moderators' decision on claims."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from kb.models import Organisation
from kb.moderation import organisations
from kb.moderation.common import FormDep, Moderator, SignedIn, choices, flash, pop_flash
from replan import auth
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Forbidden, Invalid
from replan.i18n import N_, translator
from replan.runtime import Runtime
from replan.web import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
TEMPLATE = "kb/moderation/organisation_form.html"


def _page(
    request: Request,
    runtime: Runtime,
    *,
    org: Organisation | None,
    values: dict,
    errors: dict | None = None,
    status: int = 200,
    claimed: Organisation | None = None,
) -> Response:
    return render(
        request,
        TEMPLATE,
        {
            "org": org,
            "values": values,
            "errors": errors or {},
            "choices": choices(runtime, request.state.locale),
            "action_url": f"/organisations/{org.slug}/edit" if org else "/account/organisation",
            "claimed": claimed,
            "flash": pop_flash(request),
        },
        block="moderation_org_form",
        status_code=status,
    )


def owned_organisation(slug: str, user: SignedIn, db: DbDep) -> Organisation:
    """Load the organisation whose profile the user may edit (404, or 403 for a non-member)."""
    return organisations.editable_organisation(db, slug=slug, user=user)


OwnedOrganisation = Annotated[Organisation, Depends(owned_organisation)]


@router.get("/organisations/{slug}/edit")
def organisation_edit(request: Request, runtime: RuntimeDep, org: OwnedOrganisation) -> Response:
    return _page(request, runtime, org=org, values=organisations.form_values(org))


def _values(form) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in organisations.FIELDS}


@router.post("/organisations/{slug}/edit")
def organisation_save(
    request: Request,
    runtime: RuntimeDep,
    user: SignedIn,
    org: OwnedOrganisation,
    uow: UowDep,
    form: FormDep,
) -> Response:
    _ = translator(request.state.locale)
    values = _values(form)
    profile, errors = organisations.parse_profile(values, gettext=_)
    if profile is not None:
        try:
            organisations.save_profile(uow=uow, user=user, slug=org.slug, profile=profile)
        except Invalid as exc:
            errors[exc.field or "name"] = exc.text(_)
    if errors:
        return _page(request, runtime, org=org, values=values, errors=errors, status=422)
    return redirect(request, f"/organisations/{org.slug}")


@router.get("/account/organisation")
def own_organisation(request: Request, runtime: RuntimeDep, user: SignedIn, db: DbDep) -> Response:
    org = db.get(Organisation, user.organisation_id) if user.organisation_id else None
    if org is not None:
        return redirect(request, f"/organisations/{org.slug}/edit")
    if not auth.has_role(user, "submitter"):
        raise Forbidden(N_("Organisation profiles are for submitters."))
    claimed = organisations.claim_of(db, user_id=user.id)
    return _page(
        request, runtime, org=None, values=organisations.form_values(None), claimed=claimed
    )


@router.post("/account/organisation")
def own_organisation_create(
    request: Request, runtime: RuntimeDep, user: SignedIn, uow: UowDep, form: FormDep
) -> Response:
    organisations.check_may_claim(user)  # before the form is read
    _ = translator(request.state.locale)
    values = _values(form)
    profile, errors = organisations.parse_profile(values, gettext=_)
    if profile is None:
        return _page(request, runtime, org=None, values=values, errors=errors, status=422)
    claimed = organisations.claim(uow=uow, user=user, profile=profile)
    if claimed.joined:
        return redirect(request, f"/organisations/{claimed.slug}")
    flash(request, _("Your claim was sent to the moderators."))
    return redirect(request, "/account/organisation")


@router.post("/moderation/claims/{claim_id}")
def claim_decide(
    claim_id: int, request: Request, user: Moderator, uow: UowDep, form: FormDep
) -> Response:
    _ = translator(request.state.locale)
    decision = str(form.get("decision", ""))
    if decision not in ("approve", "reject"):
        raise Invalid(N_("Choose to approve or to reject."), field="decision")
    organisations.decide_claim(uow=uow, user=user, claim_id=claim_id, approve=decision == "approve")
    flash(
        request,
        _("The claim was approved.") if decision == "approve" else _("The claim was rejected."),
    )
    return redirect(request, "/moderation")
