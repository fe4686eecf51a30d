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

    from kb import service
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
        service.upsert_records(records=[CaseRecord.model_validate(data)], status=status, **parts)

    put("public", "published", title="Rubber crumb pavement in Torino")
    put("stale", "published", **hidden)
    put("submitted", "submitted", **hidden)
    with runtime.db.session() as session:  # the index keeps the stale case's document
        session.execute(update(Case).where(Case.id == world["stale"]).values(status="submitted"))
    return world
