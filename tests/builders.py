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
