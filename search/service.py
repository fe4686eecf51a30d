"""Choosing the search engine from the settings."""

from replan.settings import Settings
from search.backend import SearchBackend


def make_backend(settings: Settings) -> SearchBackend:
    """Return Meilisearch when `meili_url` is set, else the embedded engine in the data dir."""
    if settings.meili_url:
        from search.meili import MeiliBackend

        key = settings.meili_key.get_secret_value() if settings.meili_key else None
        return MeiliBackend(settings.meili_url, key, index=settings.meili_index)
    from search.embedded import EmbeddedBackend

    return EmbeddedBackend(settings.search_index_path)
