"""Importing validated records: cases inserted or updated by id, with their organisations, and
their index changes queued in the same transaction."""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.indexing import enqueue_case, index_pending
from kb.models import Case, CaseOrganisation, Organisation
from kb.schemas import CaseRecord
from kb.service import RECORD_FIELDS, load_cases, make_case_id, record_of
from kb.status import PUBLIC
from kb.taxonomy import Taxonomy
from replan.clock import utcnow
from replan.db import Database
from search.backend import SearchBackend


@dataclass
class UpsertSummary:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0

    def line(self) -> str:
        return f"imported {self.imported}, updated {self.updated}, unchanged {self.unchanged}"


def organisation_named(
    session: Session, name: str, cache: dict[str, Organisation] | None = None
) -> Organisation:
    """Return the organisation of that name (any case), creating it when new."""
    cache = {} if cache is None else cache
    key = name.casefold()
    if key in cache:
        return cache[key]
    org = session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    if org is None:
        org = Organisation(name=name, slug=_org_slug(session, name))
        session.add(org)
        session.flush()
    cache[key] = org
    return org


def _org_slug(session: Session, name: str) -> str:
    def taken(slug: str) -> bool:
        return session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None

    return make_case_id(name, taken)


def apply_record(session: Session, case: Case, record: CaseRecord, orgs: dict) -> None:
    """Copy a record's fields onto a case row, organisations included."""
    for name in RECORD_FIELDS:
        if name not in ("id", "organisations"):
            setattr(case, name, getattr(record, name))
    case.rtm_types = list(record.rtm_types)
    case.benefits = [b.model_dump() for b in record.benefits]
    case.sources = list(record.sources)
    case.organisation_links = [
        CaseOrganisation(
            position=i, organisation=organisation_named(session, ref.name, orgs), role=ref.role
        )
        for i, ref in enumerate(record.organisations)
    ]


class ImportInterrupted(RuntimeError):
    """A batched import failed part-way: the first `committed` records are in the database."""

    def __init__(self, committed: int, summary: UpsertSummary, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.committed, self.summary, self.cause = committed, summary, cause


def upsert_records(
    *,
    db: Database,
    backend: SearchBackend,
    taxonomy: Taxonomy,
    records: list[CaseRecord],
    status: str = PUBLIC,
    user_id: int | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int | None = None,
) -> UpsertSummary:
    """Insert or update validated records by id, then index them.

    All in one transaction, or with `batch`, one transaction per `batch` records, so that other
    writers get in between; a failure then raises ImportInterrupted saying how many are in."""
    summary = UpsertSummary()
    assign_ids(records)
    size = batch or max(len(records), 1)
    committed = 0
    try:
        for start in range(0, len(records), size):
            chunk = records[start : start + size]
            done = UpsertSummary()
            with db.session() as session:
                _upsert_batch(session, chunk, done, status, user_id, taxonomy, progress)
            committed += len(chunk)
            summary.imported += done.imported
            summary.updated += done.updated
            summary.unchanged += done.unchanged
    except Exception as exc:
        if batch is None or committed == 0:
            raise
        index_pending(db=db, backend=backend)
        raise ImportInterrupted(committed, summary, exc) from exc
    index_pending(db=db, backend=backend)
    return summary


def _upsert_batch(
    session: Session,
    records: list[CaseRecord],
    summary: UpsertSummary,
    status: str,
    user_id: int | None,
    taxonomy: Taxonomy,
    progress: Callable[[int], None] | None,
) -> None:
    existing = {c.id: c for c in load_cases(session, [r.id for r in records])}
    orgs: dict[str, Organisation] = {}
    now = utcnow()
    for record in records:
        if progress:
            progress(1)
        case = existing.get(record.id)
        if case is not None and record_of(case) == record and case.status == status:
            summary.unchanged += 1
            continue
        new = case is None
        if new:
            case = Case(id=record.id, created_by=user_id, created_at=now, status=status)
            existing[record.id] = case
            summary.imported += 1
        else:
            summary.updated += 1
        # Organisations are flushed as they are made: add a new case only once it is
        # complete, so that it is written with one INSERT (version 1), not INSERT+UPDATE.
        apply_record(session, case, record, orgs)
        if new:
            session.add(case)
        case.status = status
        case.updated_at = now
        if status == PUBLIC and case.published_at is None:
            case.published_at = now
        enqueue_case(session, case, taxonomy)


def assign_ids(records: list[CaseRecord]) -> None:
    """Give each record without an id one made from its title (stable across imports)."""
    taken = {r.id for r in records if r.id}
    for record in records:
        if record.id is None:
            record.id = make_case_id(record.title, taken.__contains__)
            taken.add(record.id)
