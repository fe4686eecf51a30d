"""Tender specifications: issued as snapshots that later library changes do not alter, copied
into new versions, listed for their procurer. `build_spec` and `copy_spec` add a spec to a session
(the write services below, and the tests, build with them); the services commit."""

import secrets
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpp import countries
from gpp.library import TYPES, Library
from gpp.models import Bidder, Spec
from gpp.schemas import IssuedSpec, SpecCreate, SpecList
from gpp.service.criteria import choose_criteria, spec_criterion
from gpp.service.evidence import EVIDENCE_LIMIT, market_evidence, materials_of
from kb.taxonomy import Taxonomy
from replan import auth
from replan.auth_models import User
from replan.clock import iso, utcnow
from replan.errors import NotFound
from replan.i18n import N_
from replan.uow import UnitOfWork

NO_SPEC = N_("There is no specification at this address.")


def new_id() -> str:
    return secrets.token_urlsafe(16)


def owner_of(user: User | None) -> int | None:
    """Return who keeps what the user builds: a signed-in procurer keeps it, nobody else does."""
    return user.id if user is not None and auth.has_role(user, "procurer") else None


def build_spec(
    session: Session,
    *,
    library: Library,
    request: SpecCreate,
    taxonomy=None,
    owner_id: int | None = None,
    previous: Spec | None = None,
    on: date | None = None,
    evidence_limit: int = EVIDENCE_LIMIT,
) -> Spec:
    """Check a request, then issue the spec as a snapshot of the library's texts."""
    on = on or date.today()
    chosen, values, award = choose_criteria(library=library, request=request, on=on)
    language = request.language
    localised = [library.localised(c, language) for c in chosen]
    sections = [
        {
            "type": t,
            "criteria": [
                spec_criterion(c, values[c.id], award.get(c.id), language, request.country)
                for c in localised
                if c.type == t
            ],
        }
        for t in TYPES
        if any(c.type == t for c in chosen)
    ]  # in tender order, empty ones left out
    checklist = [
        {"n": 0, "criterion_id": c["id"], "criterion_title": c["title"], **v}
        for s in sections
        for c in s["criteria"]
        for v in c["verification"]
    ]
    for n, item in enumerate(checklist):
        item["n"] = n
    label = taxonomy.label("applications", request.application, language) if taxonomy else None
    profile = countries.profile_for(request.country)
    content = {
        "application_label": label or request.application,
        "eforms": {
            "bt_805": sorted({profile.bt_805_of(c) for c in chosen}),
            "bt_774": sorted({code for c in chosen for code in c.eforms.bt_774}),
            "bt_06": "env-imp",
        },
        "award_total": sum(award.values()),
        "sections": sections,
        "checklist": checklist,
        "market_evidence": market_evidence(
            session,
            application=request.application,
            country=request.country,
            limit=evidence_limit,
            rtm_types=materials_of(library, [c.id for c in chosen]),
        ),
        "legal_basis": profile.legal_basis(language),
    }
    evidence = content["market_evidence"]  # the documents print the materials by their names
    evidence["material_labels"] = {
        code: (taxonomy.label("rtm_types", code, language) if taxonomy else code)
        for code in {m for s in evidence["suppliers"] for m in s["rtm_offered"]}
        | set(evidence["materials"])
    }
    inputs = request.model_dump(mode="json")
    inputs.update(criteria=[c.id for c in chosen], parameters=values, award_points=award)
    spec = Spec(
        id=new_id(),
        version=previous.version + 1 if previous else 1,
        previous_id=previous.id if previous else None,
        owner_id=owner_id,
        application=request.application,
        ambition=request.ambition,
        language=language,
        country=request.country.upper() if request.country else None,
        title=request.title or label or request.application,
        authority=request.authority or None,
        procurement_type=request.procurement_type,
        library_version=library.version,
        inputs=inputs,
        content=content,
        created_at=utcnow(),
    )
    session.add(spec)
    session.flush()
    return spec


def spec_json(spec: Spec, *, viewer_id: int | None = None) -> dict:
    """Return the spec as the API answers it (the contract's shape plus its metadata).

    The id of the earlier version is its capability URL: only the spec's owner sees it, not
    everyone the later version's address was given to."""
    mine = spec.owner_id is not None and spec.owner_id == viewer_id
    return {
        "id": spec.id,
        "version": spec.version,
        "previous_id": spec.previous_id if mine else None,
        "application": spec.application,
        "ambition": spec.ambition,
        "language": spec.language,
        "title": spec.title,
        "authority": spec.authority,
        "country": spec.country,
        "procurement_type": spec.procurement_type,
        "library_version": spec.library_version,
        "created_at": iso(spec.created_at),
        **cover(spec.inputs),
        **spec.content,
    }


def cover(inputs: dict) -> dict:
    """Return a spec's cover fields, kept in its inputs (none for a spec issued before them)."""
    return {
        "buyer_name": inputs.get("buyer_name"),
        "procedure_reference": inputs.get("procedure_reference"),
        "cpv": list(inputs.get("cpv") or []),
        "lots": list(inputs.get("lots") or []),
    }


def issued(spec: Spec, *, viewer_id: int | None = None) -> IssuedSpec:
    return IssuedSpec(
        id=spec.id, owner_id=spec.owner_id, document=spec_json(spec, viewer_id=viewer_id)
    )


def get_spec(session: Session, spec_id: str) -> Spec:
    """Return an issued spec's row, or raise NotFound."""
    spec = session.get(Spec, spec_id) if len(spec_id) <= 64 else None
    if spec is None:
        raise NotFound(NO_SPEC)
    return spec


def read_spec(session: Session, spec_id: str, *, viewer_id: int | None = None) -> IssuedSpec:
    """Return an issued spec as `viewer_id` may read it, or raise NotFound."""
    return issued(get_spec(session, spec_id), viewer_id=viewer_id)


def create_spec(
    *,
    uow: UnitOfWork,
    user: User | None,
    library: Library,
    taxonomy: Taxonomy | None,
    request: SpecCreate,
    evidence_limit: int = EVIDENCE_LIMIT,
    on: date | None = None,
) -> IssuedSpec:
    """Issue a spec from a request; a signed-in procurer keeps it."""
    owner_id = owner_of(user)
    spec = build_spec(
        uow.session,
        library=library,
        request=request,
        taxonomy=taxonomy,
        owner_id=owner_id,
        on=on,
        evidence_limit=evidence_limit,
    )
    made = issued(spec, viewer_id=owner_id)
    uow.commit()
    return made


def copy_spec(
    session: Session,
    *,
    library: Library,
    spec: Spec,
    owner_id: int | None,
    taxonomy=None,
    on: date | None = None,
) -> Spec:
    """Issue the spec's choices again as its next version, with the library's current texts.

    Criteria that the library no longer offers are left out, as are their values."""
    day = on or date.today()
    inputs = dict(spec.inputs)
    offered = {c.id for c in library.criteria_for(spec.application, spec.ambition, on=day)}
    kept = [cid for cid in inputs.get("criteria") or [] if cid in offered]
    inputs["criteria"] = kept or None
    inputs["parameters"] = {
        cid: {name: v for name, v in values.items() if name in library.get(cid).parameters}
        for cid, values in (inputs.get("parameters") or {}).items()
        if cid in kept
    }
    inputs["award_points"] = {
        cid: p for cid, p in (inputs.get("award_points") or {}).items() if cid in kept
    }
    request = SpecCreate.model_validate(inputs)
    return build_spec(
        session,
        library=library,
        request=request,
        taxonomy=taxonomy,
        owner_id=owner_id,
        previous=spec,
        on=day,
    )


def list_specs(session: Session, *, owner_id: int) -> list[tuple[Spec, int]]:
    """Return a procurer's specs, newest first, with their number of bidders."""
    bidders = select(Bidder.spec_id, func.count().label("n")).group_by(Bidder.spec_id).subquery()
    query = (
        select(Spec, func.coalesce(bidders.c.n, 0))
        .outerjoin(bidders, bidders.c.spec_id == Spec.id)
        .where(Spec.owner_id == owner_id)
        .order_by(Spec.created_at.desc(), Spec.id)
    )
    return [(spec, count) for spec, count in session.execute(query).all()]


def spec_list(session: Session, *, owner_id: int, url: Callable[[str], str]) -> SpecList:
    """Return a procurer's specs as the list page and the API show them (url: id -> link)."""
    return SpecList.model_validate(
        {
            "specs": [
                {
                    "id": s.id,
                    "version": s.version,
                    "title": s.title,
                    "application": s.application,
                    "ambition": s.ambition,
                    "language": s.language,
                    "created_at": iso(s.created_at),
                    "bidders": n,
                    "url": url(s.id),
                }
                for s, n in list_specs(session, owner_id=owner_id)
            ]
        }
    )
