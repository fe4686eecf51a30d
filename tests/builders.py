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
