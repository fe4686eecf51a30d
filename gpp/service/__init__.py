"""The services of green public procurement, with no HTTP in them: web pages, the API and the
command line call the same ones.

Write services are `verb(*, uow, user, ...)` and commit once; read services take a session and
return pydantic models. `criteria` checks a request against the library (through `gpp.rules`)
and snapshots its criteria, `evidence` summarises the knowledge base's cases, `specs` issues,
copies, reads and lists specs, `drafts` keeps the wizard's state and turns it into a spec. (The
check of bidders' evidence is in `gpp.bidders`.)"""

from gpp.service.criteria import (
    MAX_POINTS,
    choose_criteria,
    fill,
    plain,
    spec_criterion,
    spec_eforms,
)
from gpp.service.evidence import EVIDENCE_LIMIT, EVIDENCE_ROLES, market_evidence, materials_of
from gpp.service.specs import (
    NO_SPEC,
    build_spec,
    copy_spec,
    create_spec,
    get_spec,
    issued,
    list_specs,
    new_id,
    owner_of,
    read_spec,
    spec_json,
    spec_list,
)

__all__ = [
    "EVIDENCE_LIMIT",
    "EVIDENCE_ROLES",
    "MAX_POINTS",
    "NO_SPEC",
    "build_spec",
    "choose_criteria",
    "copy_spec",
    "create_spec",
    "fill",
    "get_spec",
    "issued",
    "list_specs",
    "market_evidence",
    "materials_of",
    "new_id",
    "owner_of",
    "plain",
    "read_spec",
    "spec_criterion",
    "spec_eforms",
    "spec_json",
    "spec_list",
]
