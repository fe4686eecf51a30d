"""The Meilisearch adapter against Meilisearch's documented HTTP API (faked at the HTTP layer)."""

from __future__ import annotations

import pytest

from search.backend import SearchError, SearchQuery, SearchUnavailable
from search.meili import MeiliBackend, filter_expressions, quote
from tests.search.conftest import SCHEMA, SYNONYMS, case


@pytest.fixture
def fake(fake_meili):
    return fake_meili


@pytest.fixture
def meili(fake):
    backend = MeiliBackend(fake.url, "key", index="cases")
    backend.configure(SCHEMA, SYNONYMS)
    yield backend
    backend.close()


def test_configure_creates_index_and_sends_settings(fake, meili):
    assert fake.calls("POST", "/indexes", exact=True) == [{"uid": "cases", "primaryKey": "id"}]
    settings = fake.settings["cases"]
    assert settings["searchableAttributes"] == ["title", "summary", "body", "labels"]
    assert set(settings["filterableAttributes"]) == {
        "application",
        "rtm_types",
        "country",
        "language",
        "year",
        "rtm_tonnes",
        "gpp",
    }
    assert set(settings["sortableAttributes"]) == {
        "year",
        "rtm_tonnes",
        "application",
        "rtm_types",
        "country",
        "language",
        "id",
    }
    assert settings["rankingRules"] == [
        "sort",
        "words",
        "typo",
        "proximity",
        "attribute",
        "exactness",
    ]
    assert settings["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    assert settings["faceting"]["maxValuesPerFacet"] >= 100
    assert settings["pagination"]["maxTotalHits"] >= 100_000
    synonyms = settings["synonyms"]
    assert sorted(synonyms["tyre"]) == ["opona", "pneumatico", "tire"]
    assert "tyre" in synonyms["tire"]  # symmetric
    assert sorted(synonyms["pfu"]) == ["elt", "end of life tyres"]


def test_requests_carry_the_api_key(fake):
    backend = MeiliBackend(fake.url, "s3cret")
    assert backend.health()
    assert [h["Authorization"] for h in fake.headers] == ["Bearer s3cret"]


def test_upsert_and_delete_wait_for_tasks(fake, meili):
    meili.upsert([case("a", "Rubber"), case("b", "Tyre")])
    assert set(fake.indexes["cases"]) == {"a", "b"}
    assert any("primaryKey=id" in url for m, url, _ in fake.requests if "documents" in url)
    meili.delete(["a", "zzz"])
    assert fake.calls("POST", "delete-batch") == [["a", "zzz"]]
    assert meili.count() == 1
    assert sum(1 for m, url, _ in fake.requests if "/tasks/" in url) >= 3


def test_documents_cannot_forge_highlight_marks(fake, meili):
    meili.upsert([case("a", "Rubber \x02fake\x03", labels=["\x02x"])])
    assert fake.indexes["cases"]["a"]["title"] == "Rubber fake"
    assert fake.indexes["cases"]["a"]["labels"] == ["x"]


def test_failed_task_raises_search_error(fake, meili):
    fake.fail_next = "documentAdditionOrUpdate"
    with pytest.raises(SearchError, match="invalid_document_fields") as info:
        meili.upsert([case("a", "Rubber")])
    assert not isinstance(info.value, SearchUnavailable)


def test_outage_raises_search_unavailable(fake, meili):
    fake.down = True
    with pytest.raises(SearchUnavailable):
        meili.upsert([case("a", "Rubber")])
    with pytest.raises(SearchUnavailable):
        meili.search(SearchQuery(text="rubber"))
    assert meili.health() is False


def test_filter_expressions_quote_values():
    assert quote('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'
    query = SearchQuery(
        filters={"application": ["road-pavement", 'x" OR gpp = true'], "country": []},
        ranges={"year": (2010, None), "rtm_tonnes": (0.5, 1e-7)},
        booleans={"gpp": False},
    )
    assert filter_expressions(query) == [
        'application IN ["road-pavement", "x\\" OR gpp = true"]',
        "year >= 2010",
        "rtm_tonnes >= 0.5",
        "rtm_tonnes <= 0.0000001",
        "gpp = false",
    ]
    assert filter_expressions(query, except_field="year")[1] == "rtm_tonnes >= 0.5"


def test_search_request_and_disjunctive_facets_in_one_multi_search(fake, meili):
    fake.search_results = [
        {
            "indexUid": "cases",
            "hits": [],
            "totalHits": 0,
            "facetDistribution": {
                "application": {"road-pavement": 3},
                "country": {"IT": 2},
                "year": {"2021": 1},
            },
        },
        {
            "indexUid": "cases",
            "hits": [],
            "totalHits": 5,
            "facetDistribution": {"application": {"road-pavement": 3, "playground": 2}},
        },
    ]
    result = meili.search(
        SearchQuery(
            text="rubber asphalt",
            filters={"application": ["road-pavement"]},
            ranges={"year": (2015, 2022)},
            facets=("application", "country"),
            sort=(("year", "desc"),),
            page=2,
            per_page=10,
        )
    )
    (body,) = fake.calls("POST", "/multi-search")
    main, facet = body["queries"]
    assert main == {
        "indexUid": "cases",
        "q": "rubber asphalt",
        "matchingStrategy": "last",
        "filter": ['application IN ["road-pavement"]', "year >= 2015", "year <= 2022"],
        "sort": ["year:desc"],
        "page": 2,
        "hitsPerPage": 10,
        "facets": ["application", "country"],
        "attributesToHighlight": ["title", "summary"],
        "highlightPreTag": "\x02",
        "highlightPostTag": "\x03",
    }
    assert facet["filter"] == ["year >= 2015", "year <= 2022"]  # without its own filter
    assert facet["facets"] == ["application"] and facet["hitsPerPage"] == 0
    assert result.facets == {
        "application": {"road-pavement": 3, "playground": 2},
        "country": {"IT": 2},
    }


def test_query_without_words_lists_by_id(fake, meili):
    fake.search_results = [{"hits": [], "totalHits": 0}]
    meili.search(SearchQuery(text=" ?! "))
    (body,) = fake.calls("POST", "/multi-search")
    assert body["queries"][0]["q"] == "" and body["queries"][0]["sort"] == ["id:asc"]


def test_formatted_fields_become_escaped_highlights(fake, meili):
    fake.search_results = [
        {
            "totalHits": 1,
            "facetDistribution": {},
            "hits": [
                {
                    "id": "a",
                    "title": "<b>Rubber</b> road",
                    "summary": "x",
                    "year": 2020,
                    "_formatted": {
                        "id": "a",
                        "title": "<b>\x02Rubber\x03</b> road",
                        "summary": "x",
                    },
                    "_rankingScore": 0.9,
                }
            ],
        }
    ]
    hit = meili.search(SearchQuery(text="rubber")).hits[0]
    assert hit.id == "a"
    assert hit.document == {"id": "a", "title": "<b>Rubber</b> road", "summary": "x", "year": 2020}
    assert hit.highlight == {"title": "&lt;b&gt;<mark>Rubber</mark>&lt;/b&gt; road", "summary": "x"}


def test_rebuild_fills_new_index_swaps_and_drops_old(fake, meili):
    meili.upsert([case("old", "Old")])
    count = meili.rebuild(case(f"n{i}", "New") for i in range(2500))
    assert count == 2500
    assert set(fake.indexes) == {"cases"}
    assert len(fake.indexes["cases"]) == 2500
    created = fake.calls("POST", "/indexes", exact=True)[-1]["uid"]
    assert created.startswith("cases_")
    assert fake.calls("POST", "/swap-indexes") == [[{"indexes": ["cases", created]}]]
    assert len(fake.calls("POST", f"/indexes/{created}/documents")) == 3  # batches of 1000


def test_failed_rebuild_drops_the_new_index(fake, meili):
    meili.upsert([case("old", "Old")])
    fake.fail_next = "documentAdditionOrUpdate"
    with pytest.raises(SearchError):
        meili.rebuild([case("n", "New")])
    assert set(fake.indexes) == {"cases"}
    assert set(fake.indexes["cases"]) == {"old"}


def test_timeout_raises_search_unavailable(fake, meili):
    fake.slow = True
    with pytest.raises(SearchUnavailable, match="unreachable"):
        meili.search(SearchQuery(text="rubber"))
    with pytest.raises(SearchUnavailable):
        meili.delete(["a"])
    assert meili.health() is False


def test_error_pages_without_json(fake, meili):
    fake.page_next = (502, "<html>Bad gateway</html>")
    with pytest.raises(SearchUnavailable, match="502"):
        meili.search(SearchQuery(text="rubber"))
    fake.page_next = (403, "<html>Forbidden</html>")
    with pytest.raises(SearchError, match="403: <html>Forbidden") as info:
        meili.upsert([case("a", "Rubber")])
    assert not isinstance(info.value, SearchUnavailable)
    fake.page_next = (200, "<html>a captive portal</html>")
    with pytest.raises(SearchError, match="unexpected answer") as info:
        meili.search(SearchQuery(text="rubber"))
    assert not isinstance(info.value, SearchUnavailable)


def test_missing_index_counts_zero_and_configure_creates_it(fake):
    backend = MeiliBackend(fake.url, index="missing")
    assert backend.count() == 0  # index_not_found: nothing indexed yet
    backend.configure(SCHEMA, SYNONYMS)
    assert "missing" in fake.indexes
    assert fake.calls("POST", "/indexes", exact=True) == [{"uid": "missing", "primaryKey": "id"}]


def test_canceled_task_raises_search_error(fake, meili):
    fake.task_status = "canceled"
    with pytest.raises(SearchError, match="canceled"):
        meili.upsert([case("a", "Rubber")])


def test_task_that_never_finishes_is_unavailable(fake):
    backend = MeiliBackend(fake.url, index="cases", task_timeout=0.05)
    fake.task_status = "enqueued"
    with pytest.raises(SearchUnavailable, match="did not finish in time"):
        backend.delete(["a"])
