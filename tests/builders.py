"""Builders of real objects for tests."""

from itertools import count

_n = count(1)


def record(**overrides) -> dict:
    """Return a valid case-study record (as in a JSON Lines file), with overrides."""
    n = next(_n)
    data = {
        "id": f"test-case-{n}",
        "title": f"Rubberised asphalt trial {n}",
        "summary": "A municipal street resurfaced with a rubber-modified binder.",
        "description": "The **wet process** was used.",
        "language": "en",
        "application": "road-pavement",
        "rtm_types": ["rubber-powder"],
        "country": "IT",
        "city": "Torino",
        "lat": 45.07,
        "lon": 7.69,
        "year": 2020,
        "rtm_tonnes": 12.5,
        "tyres_equivalent": 1500,
        "area_m2": 8000,
        "length_km": 1.2,
        "gpp": True,
        "organisations": [{"name": "Città di Test", "role": "contracting-authority"}],
        "benefits": [{"metric": "noise reduction", "value": 3, "unit": "dB"}],
        "sources": ["https://example.org/trial"],
    }
    data.update(overrides)
    return data


def routes_of(app) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, through included routers too."""

    def walk(routes, prefix=""):
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI's wrapper of an included router
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif getattr(route, "methods", None):
                for method in route.methods - {"HEAD", "OPTIONS"}:
                    yield method, prefix + route.path

    return set(walk(app.routes))


HIDDEN_WORD = "zeolitico"  # only the unpublished cases of `open_data_world` hold it


def open_data_world(runtime) -> dict[str, str]:
    """Publish one case; publish then unpublish another behind the search index's back (its
    document stays: a stale index); submit a third; each with an organisation of its own.

    Returns the ids and organisation names, for the open-data tests (catalogue, feed, sitemap)."""
    from sqlalchemy import update

    from kb import importing
    from kb.models import Case
    from kb.schemas import CaseRecord
    from kb.taxonomy import Taxonomy
    from search.service import GuardedBackend

    world = {
        "public": "open-public-case",
        "stale": "open-stale-case",
        "submitted": "open-submitted-case",
        "public_org": "Open Public Recycling",
        "stale_org": "Stale Hidden Recycling",
        "submitted_org": "Submitted Hidden Recycling",
    }
    hidden = {
        "title": f"Rubber {HIDDEN_WORD} trial in Valletta",
        "summary": f"A {HIDDEN_WORD} binder.",
        "country": "MT",
        "language": "mt",
    }
    parts = {"db": runtime.db, "backend": runtime.get(GuardedBackend)}
    parts["taxonomy"] = runtime.get(Taxonomy)

    def put(key: str, status: str, **fields) -> None:
        data = record(
            id=world[key],
            organisations=[{"name": world[f"{key}_org"], "role": "supplier"}],
            **fields,
        )
        importing.upsert_records(records=[CaseRecord.model_validate(data)], status=status, **parts)

    put("public", "published", title="Rubber crumb pavement in Torino")
    put("stale", "published", **hidden)
    put("submitted", "submitted", **hidden)
    with runtime.db.session() as session:  # the index keeps the stale case's document
        session.execute(update(Case).where(Case.id == world["stale"]).values(status="submitted"))
    return world


# The services as a web handler or the command line calls them, each in its own unit of work.


def save_case(runtime, **kwargs):
    """Save (or submit) a case through the moderation service, committed."""
    from kb.moderation import service

    with runtime.unit_of_work() as uow:
        return service.save(uow=uow, settings=runtime.settings, **kwargs)


def review_case(runtime, **kwargs):
    """Decide on a case through the moderation service, committed."""
    from kb.moderation import decisions
    from kb.taxonomy import Taxonomy

    with runtime.unit_of_work() as uow:
        return decisions.review(
            uow=uow, settings=runtime.settings, taxonomy=runtime.get(Taxonomy), **kwargs
        )


def add_file(runtime, **kwargs):
    """Attach a file to a case through the service, committed."""
    from kb.moderation import attachments

    with runtime.unit_of_work() as uow:
        return attachments.add_attachment(uow=uow, upload_dir=runtime.settings.upload_dir, **kwargs)


def search(runtime, query):
    """Search the published cases as the pages do, in a read session."""
    from kb import searching
    from search.service import GuardedBackend

    with runtime.db.session() as session:
        return searching.search_cases(session, backend=runtime.get(GuardedBackend), query=query)
