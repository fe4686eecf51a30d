"""From a closed contract to a draft case study in the moderation queue: what was delivered
(application, country, year of the close, buyer and contractor, the measured values) feeds the
catalogue that feeds procurement. What the contract does not know (the recycled tyre materials,
the tonnes delivered, the city) the procurer states in the request; without them, the recycled
tyre materials are those the spec's criteria name (`rtm_types` in the library) and the rest is
left for the procurer to complete in the catalogue's edit page. A moderator publishes the case as
any other, and the contract keeps its id."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, ValidationError

from gpp import contract, lifecycle
from gpp.contract_models import Contract, ContractEvent
from gpp.library import Library
from gpp.lifecycle import SpecStatus
from kb.codes import RTM_TYPES
from kb.moderation import service as moderation
from kb.schemas import CaseRecord
from replan import i18n
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Conflict, Invalid
from replan.guards import DB_INT_MAX
from replan.i18n import N_
from replan.settings import Settings
from replan.uow import UnitOfWork

SUMMARY = N_(
    "Works delivered under a green public procurement: %(met)s of %(total)s green requirements "
    "were met at delivery and during execution."
)


class CaseDraftCreate(BaseModel):
    """What the contract cannot tell: the materials and quantities delivered, where."""

    rtm_types: Annotated[list[str], Field(max_length=20)] = []
    rtm_tonnes: Annotated[float | None, Field(ge=0, le=1e9, allow_inf_nan=False)] = None
    tyres_equivalent: Annotated[int | None, Field(ge=0, le=DB_INT_MAX)] = None
    city: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)] = None
    country: Annotated[str | None, StringConstraints(max_length=2)] = None


class CaseDraftCreated(BaseModel):
    id: str


def named_rtm_types(library: Library, spec) -> list[str]:
    """The recycled tyre materials that the spec's chosen criteria name, in the taxonomy's order."""
    named: set[str] = set()
    for section in (spec.content or {}).get("sections", []):
        for item in section.get("criteria", []):
            criterion = library.criteria.get(item.get("id"))
            named.update(criterion.rtm_types if criterion else ())
    return [code for code in RTM_TYPES if code in named]


def _record(spec, row: Contract, view, request: CaseDraftCreate, closed_at: datetime) -> dict:
    gettext = i18n.translations(spec.language).gettext
    decided = [m for m in view.milestones if m.status != "waived"]
    organisations = [{"name": spec.authority, "role": "contracting-authority"}]
    organisations.append({"name": row.awarded_to, "role": "contractor"})
    return {
        "title": spec.title,
        "summary": gettext(SUMMARY)
        % {"met": sum(m.status == "met" for m in decided), "total": len(decided)},
        "language": spec.language,
        "application": spec.application,
        "rtm_types": request.rtm_types,
        "country": request.country or spec.country,
        "city": request.city or None,
        "year": closed_at.year,
        "rtm_tonnes": request.rtm_tonnes,
        "tyres_equivalent": request.tyres_equivalent,
        "gpp": True,
        "organisations": [o for o in organisations if o["name"]],
        "benefits": [
            {"metric": m.criterion_title[:200], "value": m.value, "unit": m.unit[:50]}
            for m in view.milestones
            if m.value is not None and m.status == "met"
        ],
    }


def draft_case(
    *,
    uow: UnitOfWork,
    user: User,
    settings: Settings,
    library: Library,
    spec_id: str,
    request: CaseDraftCreate,
) -> CaseDraftCreated:
    """Make a closed contract's draft case study, submitted to the moderation queue."""
    session = uow.session
    spec = lifecycle.reachable_spec(session, spec_id, user)
    row = session.get(Contract, spec.id)
    if lifecycle.status_of(row) is not SpecStatus.CLOSED:
        raise Conflict(N_("A case study is drafted from a closed contract."))
    if row.case_id:
        raise Conflict(N_("This contract's case study is drafted already."))
    closed_at = (
        session.query(ContractEvent.at)
        .filter_by(spec_id=spec.id, to_status=SpecStatus.CLOSED.value)
        .scalar()
    ) or utcnow()
    if not request.rtm_types:
        request = request.model_copy(update={"rtm_types": named_rtm_types(library, spec)})
    if not request.rtm_types:  # the taxonomy has no general code to fall back on
        raise Invalid(N_("Choose the recycled tyre materials delivered."), field="rtm_types")
    if not (request.country or spec.country):
        raise Invalid(N_("The specification names no country: give it."), field="country")
    view = contract.contract_view(session, spec=spec)
    try:
        record = CaseRecord.model_validate(_record(spec, row, view, request, closed_at))
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0])
        raise Invalid(
            N_("%(name)s: %(problem)s"), field=name, name=name, problem=first["msg"]
        ) from exc
    outcome = moderation.stage_save(
        uow=uow, user=user, settings=settings, record=record, submit=True
    )
    row.case_id = outcome.case_id
    lifecycle.log(
        session,
        spec=spec,
        user=user,
        action="case_draft",
        before=SpecStatus.CLOSED.value,
        after=SpecStatus.CLOSED.value,
        note=outcome.case_id,
    )
    uow.commit()
    return CaseDraftCreated(id=outcome.case_id)
