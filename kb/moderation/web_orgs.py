"""Pages of organisation profiles: editing one, claiming one (a submitter without any), and the
moderators' decision on claims."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from kb import service as kb_service
from kb.models import Organisation
from kb.moderation import organisations
from kb.moderation.common import (
    FormDep,
    Moderator,
    SignedIn,
    choices,
    flash,
    pop_flash,
    translate,
)
from kb.moderation.schemas import N_
from replan import auth
from replan.auth_models import User
from replan.deps import RuntimeDep
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


def _editable(runtime: Runtime, slug: str, user: User) -> Organisation:
    with runtime.db.session() as session:
        org = kb_service.get_organisation(session, slug)
        if org is None:
            raise HTTPException(404, N_("There is no organisation with this address."))
        if not organisations.may_edit(user, org):
            raise HTTPException(403, N_("Only members of this organisation can edit its profile."))
        session.expunge(org)
        return org


@router.get("/organisations/{slug}/edit")
def organisation_edit(slug: str, request: Request, runtime: RuntimeDep, user: SignedIn) -> Response:
    org = _editable(runtime, slug, user)
    return _page(request, runtime, org=org, values=organisations.form_values(org))


def _values(form) -> dict[str, str]:
    return {name: str(form.get(name, "")) for name in organisations.FIELDS}


@router.post("/organisations/{slug}/edit")
def organisation_save(
    slug: str, request: Request, runtime: RuntimeDep, user: SignedIn, form: FormDep
) -> Response:
    org = _editable(runtime, slug, user)
    _ = translate(request)
    values = _values(form)
    profile, errors = organisations.parse_profile(values, gettext=_)
    if profile is not None:
        with runtime.db.session() as session:
            if organisations.name_taken(session, profile.name, other_than=org.id):
                errors["name"] = _("Another organisation already has this name.")
            else:
                organisations.save_profile(
                    session, org=session.get(Organisation, org.id), profile=profile
                )
    if errors:
        return _page(request, runtime, org=org, values=values, errors=errors, status=422)
    return redirect(request, f"/organisations/{org.slug}")


@router.get("/account/organisation")
def own_organisation(request: Request, runtime: RuntimeDep, user: SignedIn) -> Response:
    with runtime.db.session() as session:
        org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
        claimed = organisations.claim_of(session, user_id=user.id)
    if org is not None:
        return redirect(request, f"/organisations/{org.slug}/edit")
    if not auth.has_role(user, "submitter"):
        raise HTTPException(403, N_("Organisation profiles are for submitters."))
    return _page(
        request, runtime, org=None, values=organisations.form_values(None), claimed=claimed
    )


@router.post("/account/organisation")
def own_organisation_create(
    request: Request, runtime: RuntimeDep, user: SignedIn, form: FormDep
) -> Response:
    if user.organisation_id or not auth.has_role(user, "submitter"):
        raise HTTPException(403, N_("You already belong to an organisation."))
    _ = translate(request)
    values = _values(form)
    profile, errors = organisations.parse_profile(values, gettext=_)
    if profile is None:
        return _page(request, runtime, org=None, values=values, errors=errors, status=422)
    with runtime.db.session() as session:
        org = organisations.claim(session, user=user, profile=profile)
        joined = session.get(User, user.id).organisation_id == org.id
        slug = org.slug
    if joined:
        return redirect(request, f"/organisations/{slug}")
    flash(request, _("Your claim was sent to the moderators."))
    return redirect(request, "/account/organisation")


@router.post("/moderation/claims/{claim_id}")
def claim_decide(
    claim_id: int, request: Request, runtime: RuntimeDep, user: Moderator, form: FormDep
) -> Response:
    _ = translate(request)
    decision = str(form.get("decision", ""))
    if decision not in ("approve", "reject"):
        raise HTTPException(422, N_("Choose to approve or to reject."))
    with runtime.db.session() as session:
        done = organisations.decide_claim(session, claim_id=claim_id, approve=decision == "approve")
    if not done:
        raise HTTPException(404, N_("There is no such claim."))
    flash(
        request,
        _("The claim was approved.") if decision == "approve" else _("The claim was rejected."),
    )
    return redirect(request, "/moderation")
