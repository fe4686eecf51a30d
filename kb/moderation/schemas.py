"""Shapes of the moderation workflow: API inputs and answers, and what each page prints."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kb.moderation.diff import FieldDiff
from kb.moderation.lifecycle import Target
from kb.status import CaseStatus
from replan.guards import DB_INT_MAX
from replan.i18n import N_  # noqa: F401 - re-exported for the moderation modules

Decision = Literal["publish", "reject", "request_changes"]
MAX_COMMENT = 5000


class Outcome(BaseModel):
    """What a step of the workflow changed: the case, or its pending edit (`target`)."""

    case_id: str
    status: CaseStatus  # of what the step changed
    target: Target = Target.CASE
    case_status: CaseStatus
    revision: bool = False


class ReviewIn(BaseModel):
    """A moderator's decision on a case waiting for review."""

    model_config = ConfigDict(extra="forbid")

    decision: Decision
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT)] = ""
    version: int | None = Field(
        None, ge=1, le=DB_INT_MAX, description="the version reviewed; a newer one answers 409"
    )


class ReviewOut(BaseModel):
    id: str
    status: str = Field(description="published, rejected or changes_requested")
    target: Literal["case", "revision"] = Field(
        description="the case itself, or a pending edit of a published case"
    )
    case_status: str = Field(description="the status of the case after the decision")


class SubmitOut(BaseModel):
    id: str
    status: str
    revision: bool = Field(False, description="true when this is an edit of a published case")


class Person(BaseModel):
    """A submitter's contact details: shown to moderators only."""

    name: str | None
    email: str
    organisation: str | None


class QueueItem(BaseModel):
    id: str
    title: str
    kind: Literal["new", "edit"]
    status: str
    updated_at: datetime | None
    submitter: Person | None
    url: str


class ModerationQueue(BaseModel):
    total: int
    items: list[QueueItem]
    waiting_for_author: list[QueueItem]


class EventOut(BaseModel):
    at: datetime
    actor: str | None
    actor_role: str | None = None
    action: str
    target: str
    from_status: str | None
    to_status: str | None
    comment: str | None


class AttachmentOut(BaseModel):
    id: int
    kind: str
    filename: str
    content_type: str
    size: int
    caption: str
    pending: bool
    url: str


class MyCase(BaseModel):
    id: str
    title: str
    status: str
    revision_status: str | None
    updated_at: datetime | None
    comment: str | None
    editable: bool


class MyCasesPage(BaseModel):
    cases: list[MyCase]


class VersionOut(BaseModel):
    number: int
    published_at: datetime
    title: str
    comment: str | None
    changes: list[FieldDiff]


class HistoryPage(BaseModel):
    id: str
    title: str
    versions: list[VersionOut]
    events: list[EventOut] | None = None
