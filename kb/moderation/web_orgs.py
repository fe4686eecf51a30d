"""Pages of organisation profiles: editing one and its certificates (the changes wait for a
moderator: kb.profiles.drafts), claiming one (a submitter without any), and the moderators'
decision on claims."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kb.models import Organisation
from kb.moderation import organisations
from kb.moderation.common import FormDep, Moderator, SignedIn, choices, flash, pop_flash
from kb.profiles import drafts
from kb.profiles import service as profile_service
from kb.profiles.schemas import CertificateState
from replan import auth
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Forbidden, Invalid
from replan.i18n import N_, translator
from replan.runtime import Runtime
from replan.web import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])
TEMPLATE = "kb/moderation/organisation_form.html"
CERT_FIELDS = ("name", "issuer", "number", "valid_from", "valid_to", "registry_url")


def edit_page(
    request: Request,
    runtime: Runtime,
    *,
    org: Organisation | None,
    values: dict,
    errors: dict | None = None,
    status: int = 200,
    claimed: Organisation | None = None,
    flash: str | None = None,
    db: Session | None = None,
    cert_values: dict | None = None,
) -> Response:
    certificates: list = []
    removed: list = []
    if org is not None and db is not None:
        edited = profile_service.certificates_of(
            db, [org], states=profile_service.EDITED_STATES
        ).get(org.id, [])
        gone = profile_service.certificates_of(db, [org], states=(CertificateState.REMOVED,))
        certificates, removed = edited, gone.get(org.id, [])
    return render(
        request,
        TEMPLATE,
        {
            "org": org,
            "values": values,
            "errors": errors or {},
            "certificate_form": cert_values is not None,
            "cert_values": cert_values or dict.fromkeys(CERT_FIELDS, ""),
            "certificates": certificates,
            "removed": removed,
            "choices": choices(runtime, request.state.locale),
            "action_url": f"/organisations/{org.slug}/edit" if org else "/account/organisation",
            "claimed": claimed,
            "flash": flash,
        },
        block="moderation_org_form",
        status_code=status,
    )


def owned_organisation(slug: str, user: SignedIn, db: DbDep) -> Organisation:
    """Load the organisation whose profile the user may edit (404, or 403 for a non-member)."""
    return organisations.editable_organisation(db, slug=slug, user=user)


OwnedOrganisation = Annotated[Organisation, Depends(owned_organisation)]


def edited_values(org: Organisation) -> dict:
    """The form's values: the waiting edit, else the public profile."""
    return organisations.form_values(org.pending_profile or organisations.profile_of(org))


@router.get("/organisations/{slug}/edit")
def organisation_edit(
    request: Request, runtime: RuntimeDep, org: OwnedOrganisation, db: DbDep
) -> Response:
    values = edited_values(org)
    return edit_page(request, runtime, org=org, values=values, db=db, flash=pop_flash(request))


def _values(form) -> dict:
    values: dict = {name: str(form.get(name, "")) for name in organisations.TEXT_FIELDS}
    values["regions_served"] = str(form.get("regions_served", ""))
    values["products"] = str(form.get("products", ""))
    values["rtm_offered"] = [str(v) for v in form.getlist("rtm_offered")][:20]
    return values


@router.post("/organisations/{slug}/edit")
def organisation_save(
    request: Request,
    runtime: RuntimeDep,
    user: SignedIn,
    org: OwnedOrganisation,
    uow: UowDep,
    db: DbDep,
    form: FormDep,
) -> Response:
    _ = translator(request.state.locale)
    values = _values(form)
    profile, errors = organisations.parse_profile(values, gettext=_)
    if profile is not None:
        try:
            drafts.propose_profile(uow=uow, user=user, slug=org.slug, profile=profile)
        except Invalid as exc:
            errors[exc.field or "name"] = exc.text(_)
    if errors:
        return edit_page(request, runtime, org=org, values=values, errors=errors, status=422, db=db)
    flash(request, _("Your changes were sent to a moderator."))
    return redirect(request, f"/organisations/{org.slug}/edit")


@router.get("/account/organisation")
def own_organisation(request: Request, runtime: RuntimeDep, user: SignedIn, db: DbDep) -> Response:
    org = db.get(Organisation, user.organisation_id) if user.organisation_id else None
    if org is not None:
        return redirect(request, f"/organisations/{org.slug}/edit")
    if not auth.has_role(user, "submitter"):
        raise Forbidden(N_("Organisation profiles are for submitters."))
    claimed = organisations.claim_of(db, user_id=user.id)
    values = organisations.form_values(None)
    return edit_page(
        request, runtime, org=None, values=values, claimed=claimed, flash=pop_flash(request)
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
        return edit_page(request, runtime, org=None, values=values, errors=errors, status=422)
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
