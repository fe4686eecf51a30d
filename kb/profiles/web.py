"""The public page of an organisation (its approved profile, certificates flagged when expired
or expiring, its contact form) and the moderators' decision on a waiting profile edit."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kb import service
from kb.codes import country_name
from kb.models import Organisation
from kb.moderation import organisations
from kb.moderation import queries as moderation_queries
from kb.moderation.common import FormDep, Moderator, flash, pop_flash
from kb.moderation.forms import message_for
from kb.profiles import contact, drafts
from kb.profiles import service as profile_service
from kb.taxonomy import Taxonomy
from replan import auth, ratelimit
from replan.deps import DbDep, RuntimeDep, UowDep
from replan.errors import Invalid, NotFound
from replan.i18n import N_, translator
from replan.runtime import Runtime
from replan.web import redirect, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(auth.csrf_protect)])


def _visible(db: Session, request: Request, slug: str) -> tuple[Organisation, bool]:
    org = service.get_organisation(db, slug)
    # Its members and moderators see it before it is public (never say that it exists).
    public = org is not None and service.is_public_organisation(db, org.id)
    if org is None or not (public or organisations.may_edit(auth.current_user(request), org)):
        raise NotFound(N_("There is no organisation with this address."))
    return org, public


def organisation_page(
    request: Request,
    runtime: Runtime,
    db: Session,
    org: Organisation,
    *,
    public: bool,
    contact_values: dict | None = None,
    errors: dict | None = None,
    status: int = 200,
) -> Response:
    cases = service.organisation_cases(db, org.id)
    locale = request.state.locale
    extras = moderation_queries.organisation_page_extras(
        db, user=auth.current_user(request), org=org, locale=locale
    )
    listed = {c.id for c in cases}
    cases += [c for c in extras.pop("submitted_cases") if c.id not in listed]
    taxonomy = runtime.get(Taxonomy)
    return render(
        request,
        "kb/organisation.html",
        {
            "org": org,
            "cases": cases,
            "taxonomy": taxonomy,
            "public": public,
            "certificates": profile_service.certificates_of(db, [org]).get(org.id, []),
            "rtm_labels": [taxonomy.label("rtm_types", c, locale) for c in org.rtm_offered or []],
            "region_labels": [
                country_name(r.upper(), locale) if len(r) == 2 else r
                for r in org.regions_served or []
            ],
            "contact_open": public and bool(org.contact_email),
            "contact_values": contact_values or dict.fromkeys(contact.FIELDS, ""),
            "errors": errors or {},
            "flash": pop_flash(request),
            **extras,
        },
        status_code=status,
    )


@router.get("/organisations/{slug}")
def organisation_detail(slug: str, request: Request, runtime: RuntimeDep, db: DbDep) -> Response:
    org, public = _visible(db, request, slug)
    return organisation_page(request, runtime, db, org, public=public)


@router.post("/organisations/{slug}/contact", dependencies=[Depends(ratelimit.limit_contact)])
def organisation_contact(
    slug: str, request: Request, runtime: RuntimeDep, db: DbDep, form: FormDep
) -> Response:
    """Send a message to the organisation's stored address (which no page shows)."""
    org = contact.contactable(db, slug)
    _ = translator(request.state.locale)
    values = {name: str(form.get(name, ""))[:6000] for name in contact.FIELDS}
    try:
        message = contact.ContactForm.model_validate(values)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0])
            text = message_for(error, _)
            if field == "email" and error["type"] == "value_error":
                text = _("Enter an e-mail address, such as name@example.org.")
            errors.setdefault(field, text)
        return organisation_page(
            request, runtime, db, org, public=True, contact_values=values, errors=errors, status=422
        )
    contact.send_contact(session=db, settings=runtime.settings, slug=slug, form=message)
    flash(request, _("Your message was sent to %(name)s.", name=org.name))
    return redirect(request, f"/organisations/{slug}#contact")


@router.post("/moderation/organisations/{slug}")
def profile_decide(
    slug: str,
    request: Request,
    runtime: RuntimeDep,
    user: Moderator,
    uow: UowDep,
    form: FormDep,
) -> Response:
    _ = translator(request.state.locale)
    decision = str(form.get("decision", ""))
    if decision not in ("approve", "reject"):
        raise Invalid(N_("Choose to approve or to reject."), field="decision")
    decided = drafts.decide_profile(
        uow=uow,
        user=user,
        upload_dir=runtime.settings.upload_dir,
        slug=slug,
        approve=decision == "approve",
    )
    flash(
        request,
        _("The profile of %(name)s was approved.", name=decided.name)
        if decided.approved
        else _("The changes to the profile of %(name)s were rejected.", name=decided.name),
    )
    return redirect(request, "/moderation")
