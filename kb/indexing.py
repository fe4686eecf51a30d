"""The knowledge base in the search index: the index's schema, a published case's document, and
the changes queued in the outbox (applied by the worker after the commit)."""

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.codes import UI_LANGUAGES, country_name
from kb.models import Case
from kb.status import PUBLIC
from kb.taxonomy import Taxonomy
from replan.db import Database
from replan.markdown import markdown_to_text
from search import sync as search_sync
from search.backend import IndexSchema, SearchBackend

CASE_INDEX = IndexSchema(
    name="cases",
    searchable=("labels", "title", "summary", "body"),  # labels first: a case of the application
    highlight=("title", "summary"),
    keywords=("application", "rtm_types", "country", "language"),
    numbers=("year", "rtm_tonnes"),
    booleans=("gpp",),
)


def enqueue_case(session: Session, case: Case, taxonomy: Taxonomy) -> None:
    """Queue the case's search document (or its removal) in the current transaction."""
    document = case_document(case, taxonomy) if case.status == PUBLIC else None
    search_sync.enqueue(session, index=CASE_INDEX.name, doc_id=case.id, document=document)


def index_pending(*, db: Database, backend: SearchBackend, wait: float = 30.0) -> int:
    """Apply queued index changes now (the command line), taking turns with a running server's
    worker; when the engine is down or the turn does not come, they wait for the worker."""
    return search_sync.drain(db, backend, index=CASE_INDEX.name, wait=wait)


def case_document(case: Case, taxonomy: Taxonomy) -> dict:
    """Return the plain document the search engine indexes for a published case."""
    orgs = [link.organisation.name for link in case.organisation_links]
    body = " ".join(
        filter(
            None,
            [
                markdown_to_text(case.description),
                case.city or "",
                " ".join(orgs),
                " ".join(b.get("metric", "") for b in case.benefits or []),
            ],
        )
    )
    labels = set(taxonomy.all_labels("applications", case.application))
    for code in case.rtm_types:
        labels.update(taxonomy.all_labels("rtm_types", code))
    labels.update(country_name(case.country, lang) for lang in UI_LANGUAGES)
    return {
        "id": case.id,
        "title": case.title,
        "summary": case.summary,
        "body": body,
        "labels": " · ".join(sorted(labels)),
        "application": case.application,
        "rtm_types": list(case.rtm_types),
        "country": case.country,
        "language": case.language,
        "year": case.year,
        "rtm_tonnes": case.rtm_tonnes,
        "gpp": case.gpp,
        "city": case.city,
        "lat": case.lat,
        "lon": case.lon,
    }


def published_documents(session: Session, taxonomy: Taxonomy) -> Iterator[dict]:
    """Yield the search document of every published case."""
    query = select(Case).where(Case.status == PUBLIC).order_by(Case.id)
    for case in session.scalars(query).yield_per(500):
        yield case_document(case, taxonomy)


def reindex(*, db: Database, backend: SearchBackend, taxonomy: Taxonomy) -> int:
    """Rebuild the search index from the database and swap it in (the caller holds the drain
    lock, so that no change is applied to the old index while the new one is filled)."""
    with db.session() as session:
        return backend.rebuild(published_documents(session, taxonomy))
