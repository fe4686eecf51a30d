"""The statuses of a case study (and of a pending edit of a published one).

The moves between them are one table, in `kb.moderation.lifecycle`; the knowledge base itself only
needs to know which status is public."""

from enum import StrEnum


class CaseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    PUBLISHED = "published"
    REJECTED = "rejected"


PUBLIC = CaseStatus.PUBLISHED
