"""Search test fixtures: the engines, a schema like the knowledge base's, document builders."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
import responses

from search.backend import IndexSchema, SearchBackend
from search.embedded import EmbeddedBackend
from tests.search.fake_meili import FakeMeili

MEILI_URL = os.environ.get("REPLAN_TEST_MEILI_URL")

SCHEMA = IndexSchema(
    name="cases",
    searchable=("title", "summary", "body", "labels"),
    highlight=("title", "summary"),
    keywords=("application", "rtm_types", "country", "language"),
    numbers=("year", "rtm_tonnes"),
    booleans=("gpp",),
)

SYNONYMS = [
    ["tyre", "tire", "pneumatico", "opona"],
    ["asphalt", "asfalto", "άσφαλτος", "asfalt"],
    ["end of life tyres", "elt", "pfu"],
]


def case(doc_id: str, title: str = "Untitled work", **fields: object) -> dict:
    """Return a search document with neutral defaults (no shared words with other tests)."""
    doc: dict = {
        "id": doc_id,
        "title": title,
        "summary": "",
        "body": "",
        "labels": [],
        "application": "other",
        "rtm_types": ["rubber-powder"],
        "country": "IT",
        "language": "en",
        "year": None,
        "rtm_tonnes": None,
        "gpp": None,
    }
    doc.update(fields)
    return doc


def make_embedded(tmp_path) -> EmbeddedBackend:
    backend = EmbeddedBackend(tmp_path / f"search-{uuid.uuid4().hex[:8]}")
    backend.configure(SCHEMA, SYNONYMS)
    return backend


def make_meili(url: str | None = MEILI_URL, key: str | None = None) -> SearchBackend:
    from search.meili import MeiliBackend

    backend = MeiliBackend(url or "", key, index=f"test_{uuid.uuid4().hex[:12]}")
    backend.configure(SCHEMA, SYNONYMS)
    return backend


ENGINES = [
    "embedded",
    # The Meilisearch adapter against the fake server of fake_meili (HTTP mocked by `responses`).
    "meili-fake",
    pytest.param(
        "meili",
        marks=[
            pytest.mark.meili,
            pytest.mark.skipif(
                not MEILI_URL, reason="set REPLAN_TEST_MEILI_URL to run against Meilisearch"
            ),
        ],
    ),
]


@pytest.fixture(params=ENGINES)
def backend(request, tmp_path) -> Iterator[SearchBackend]:
    """A configured, empty index of each available engine."""
    with contextlib.ExitStack() as stack:
        if request.param == "embedded":
            engine = make_embedded(tmp_path)
        elif request.param == "meili-fake":
            fake = FakeMeili()
            fake.install(
                stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False))
            )
            engine = make_meili(fake.url)
        else:
            engine = make_meili(MEILI_URL, os.environ.get("REPLAN_TEST_MEILI_KEY"))
        yield engine
        if request.param != "embedded":
            engine._drop(engine.index)  # type: ignore[attr-defined]
        engine.close()


@pytest.fixture
def embedded(tmp_path) -> Iterator[EmbeddedBackend]:
    engine = make_embedded(tmp_path)
    yield engine
    engine.close()


@pytest.fixture
def fake_meili() -> Iterator[FakeMeili]:
    """A fake Meilisearch answering every `requests` call to its URL while the test runs."""
    fake = FakeMeili()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake.install(mock)
        yield fake
