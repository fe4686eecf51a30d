"""The wizard's drafts: kept on the server behind an unguessable id (the URL is the key, so that
reload, back, forward and sharing work), and the spec a finished draft issues.

Imported as `from gpp.service import drafts` (it needs the step order of `gpp.steps`)."""

import secrets
from datetime import date

from sqlalchemy.orm import Session

from gpp import wizard
from gpp.library import Library
from gpp.models import Draft, Spec
from gpp.schemas import DraftOut, IssuedSpec
from gpp.service.evidence import EVIDENCE_LIMIT
from gpp.service.specs import NO_SPEC, build_spec, get_spec, issued, owner_of
from gpp.steps import NAMES
from kb.taxonomy import Taxonomy
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import NotFound
from replan.i18n import N_
from replan.uow import UnitOfWork

NO_DRAFT = N_("There is no draft at this address.")


def _out(draft: Draft) -> DraftOut:
    return DraftOut(
        id=draft.id, data={**wizard.blank(), **draft.data}, source_spec_id=draft.source_spec_id
    )


def new_draft(
    session: Session, *, data: dict, owner_id: int | None = None, source_spec_id: str | None = None
) -> Draft:
    """Add a new draft under an unguessable id to the session."""
    draft = Draft(
        id=secrets.token_urlsafe(16),
        owner_id=owner_id,
        source_spec_id=source_spec_id,
        data=data,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(draft)
    session.flush()
    return draft


def _get(session: Session, draft_id: str) -> Draft:
    draft = session.get(Draft, draft_id) if len(draft_id) <= 64 else None
    if draft is None:
        raise NotFound(NO_DRAFT)
    return draft


def read_draft(session: Session, draft_id: str) -> DraftOut:
    """Return a draft's state, or raise NotFound."""
    return _out(_get(session, draft_id))


def _advance(draft: Draft, changes: dict, step: str) -> None:
    data = {**wizard.blank(), **draft.data, **changes}
    data["reached"] = max(data.get("reached", 0), min(NAMES.index(step) + 1, len(NAMES) - 1))
    draft.data = data  # a new dict, so that the JSON column is written
    draft.updated_at = utcnow()


def start_draft(*, uow: UnitOfWork, user: User | None, changes: dict) -> DraftOut:
    """Store a new draft with the first step's answers, the next step open."""
    draft = new_draft(uow.session, data=wizard.blank(), owner_id=user.id if user else None)
    _advance(draft, changes, NAMES[0])
    made = _out(draft)
    uow.commit()
    return made


def save_step(
    *, uow: UnitOfWork, user: User | None, draft_id: str, step: str, changes: dict
) -> DraftOut:
    """Apply a step's answers to a draft and open the next step."""
    draft = _get(uow.session, draft_id)
    _advance(draft, changes, step)
    saved = _out(draft)
    uow.commit()
    return saved


def draft_from_spec(spec: Spec) -> dict:
    """Return a draft prefilled with an issued spec's choices, every step open."""
    inputs = spec.inputs
    return {
        **wizard.blank(),
        **{
            k: inputs.get(k)
            for k in (
                "application",
                "procurement_type",
                "country",
                "language",
                "title",
                "authority",
                "ambition",
                "criteria",
            )
        },
        "authority": inputs.get("authority") or "",
        "title": inputs.get("title") or spec.title,
        "parameters": inputs.get("parameters") or {},
        "award_points": inputs.get("award_points") or {},
        "reached": len(NAMES) - 1,
    }


def copy_to_draft(*, uow: UnitOfWork, user: User, spec_id: str) -> DraftOut:
    """Open a draft with the choices of one of the user's specs, to issue its next version."""
    spec = get_spec(uow.session, spec_id)
    if spec.owner_id != user.id:
        raise NotFound(NO_SPEC)
    draft = new_draft(
        uow.session, data=draft_from_spec(spec), owner_id=user.id, source_spec_id=spec.id
    )
    made = _out(draft)
    uow.commit()
    return made


def generate_spec(
    *,
    uow: UnitOfWork,
    user: User | None,
    library: Library,
    taxonomy: Taxonomy | None,
    draft_id: str,
    evidence_limit: int = EVIDENCE_LIMIT,
    on: date | None = None,
) -> IssuedSpec:
    """Issue the spec a finished draft stands for; a copied spec's owner gets its next version."""
    draft = _get(uow.session, draft_id)
    owner_id = owner_of(user)
    previous = None
    if draft.source_spec_id and owner_id is not None:
        source = uow.session.get(Spec, draft.source_spec_id)
        previous = source if source is not None and source.owner_id == owner_id else None
    data = {**wizard.blank(), **draft.data}
    spec = build_spec(
        uow.session,
        library=library,
        request=wizard.spec_request(library, data, on),
        taxonomy=taxonomy,
        owner_id=owner_id,
        previous=previous,
        on=on,
        evidence_limit=evidence_limit,
    )
    made = issued(spec, viewer_id=owner_id)
    uow.commit()
    return made
