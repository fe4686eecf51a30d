"""The one behaviour suite every search engine passes: the embedded engine, the Meilisearch adapter
against a fake server at the HTTP layer, and a real Meilisearch server when one is set."""

from __future__ import annotations

import threading

import pytest

from search.backend import SearchQuery
from tests.search.conftest import case


def ids(backend, text: str = "", **kwargs) -> list[str]:
    return [hit.id for hit in backend.search(SearchQuery(text=text, **kwargs)).hits]


# -- writes ------------------------------------------------------------------------------------


def test_upsert_is_idempotent_and_replaces(backend):
    backend.upsert([case("a", "Crumb rubber pavement")])
    backend.upsert([case("a", "Crumb rubber pavement")])
    assert backend.count() == 1
    backend.upsert([case("a", "Steel fibre concrete")])
    assert backend.count() == 1
    assert ids(backend, "pavement") == []
    assert ids(backend, "concrete") == ["a"]
    assert backend.search(SearchQuery(text="concrete")).hits[0].document["title"] == (
        "Steel fibre concrete"
    )


def test_delete_is_idempotent(backend):
    backend.upsert([case("a", "Crumb rubber"), case("b", "Rubber granulate")])
    backend.delete(["a"])
    backend.delete(["a", "never-indexed"])
    assert backend.count() == 1
    assert ids(backend, "rubber") == ["b"]


def test_document_comes_back_as_indexed(backend):
    doc = case("x", "Noise barrier", labels=["acoustic"], year=2020, rtm_tonnes=12.5, gpp=True)
    backend.upsert([doc])
    hit = backend.search(SearchQuery(text="barrier")).hits[0]
    assert {k: hit.document[k] for k in doc} == doc


# -- typo tolerance, prefix, synonyms, folding -------------------------------------------------


@pytest.fixture
def words(backend):
    backend.upsert(
        [
            case("lime", "Lime mortar"),
            case("crumb", "Crumb surfaces"),
            case("gran", "Rubber granulate infill"),
        ]
    )
    return backend


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lime", ["lime"]),
        ("lyme", []),  # 4 letters: no typo allowed
        ("crumv", ["crumb"]),  # 5 letters: one typo
        ("cxumv", []),  # 5 letters: not two
        ("xrumb", []),  # a first-letter typo counts two
        ("gronulete", ["gran"]),  # 9 letters: two typos
        ("gronuletx", []),  # 9 letters: not three
        ("vranulate", ["gran"]),  # first letter (2) within the budget of 2
        ("vranulati", []),  # first letter (2) + one more
        ("granulaet", ["gran"]),  # a swap of neighbours is one typo
    ],
)
def test_typo_rules(words, query, expected):
    # One word each: the engines differ on a query whose other words match (see test_embedded).
    assert ids(words, query) == expected


def test_prefix_only_on_last_word(words):
    assert ids(words, "granu") == ["gran"]
    assert ids(words, "rubber granu") == ["gran"]


def test_case_and_diacritics_folded(backend):
    backend.upsert([case("g", "Άσφαλτος με ελαστικό"), case("i", "Città di Málaga")])
    assert ids(backend, "ασφαλτος") == ["g"]
    assert ids(backend, "ΑΣΦΑΛΤΟΣ") == ["g"]
    assert ids(backend, "citta malaga") == ["i"]
    assert ids(backend, "CITTÀ") == ["i"]


def test_synonyms_across_languages(backend):
    backend.upsert(
        [
            case("en", "Rubberised asphalt overlay"),
            case("it", "Pneumatici fuori uso", summary="Raccolta di PFU in Lombardia"),
            case("el", "Οδόστρωμα", body="άσφαλτος με κόκκους"),
        ]
    )
    assert sorted(ids(backend, "asfalto")) == ["el", "en"]
    assert sorted(ids(backend, "asphalt")) == ["el", "en"]
    assert ids(backend, "end of life tyres") == ["it"]
    assert ids(backend, "elt") == ["it"]


# -- matching strategy and ranking -------------------------------------------------------------


def test_documents_with_every_word_first(backend):
    # Meilisearch then lists documents with fewer words; the embedded engine stops (its tests).
    backend.upsert([case("both", "Rubber asphalt"), case("one", "Rubber tiles")])
    assert ids(backend, "rubber asphalt")[0] == "both"
    assert set(ids(backend, "rubber zqxwv")) == {"both", "one"}  # unmatched last word dropped


def test_title_match_beats_body_match(backend):
    backend.upsert(
        [
            case("body", "Municipal works", body="the surface is recycled granulate"),
            case("title", "Granulate surface", body="municipal works"),
        ]
    )
    assert ids(backend, "granulate") == ["title", "body"]


def test_fewer_typos_first(backend):
    backend.upsert([case("typo", "Sidewalk rubbed clean"), case("exact", "Sidewalk rubber mat")])
    assert ids(backend, "rubber sidewalk") == ["exact", "typo"]


def test_synonym_is_an_exact_match_not_a_typo(backend):
    backend.upsert([case("typo", "Asphelt binder"), case("synonym", "Asfalto binder")])
    assert ids(backend, "asphalt") == ["synonym", "typo"]


def test_proximity_first(backend):
    backend.upsert(
        [
            case("far", "Crumb from tyres used in a rubber mat"),
            case("near", "Panels of crumb rubber on walls"),
        ]
    )
    assert ids(backend, "crumb rubber") == ["near", "far"]


# -- filters, facets, sorting, pagination -------------------------------------------------------


@pytest.fixture
def catalogue(backend):
    backend.upsert(
        [
            case(
                "r1",
                "Rubber road one",
                application="road-pavement",
                country="IT",
                year=2018,
                rtm_types=["rubber-powder"],
                rtm_tonnes=120,
                gpp=True,
            ),
            case(
                "r2",
                "Rubber road two",
                application="road-pavement",
                country="ES",
                year=2021,
                rtm_types=["rubber-powder", "steel-fibre"],
                rtm_tonnes=40,
                gpp=False,
            ),
            case(
                "p1",
                "Rubber playground",
                application="playground",
                country="IT",
                year=2021,
                rtm_types=["rubber-granulate"],
                gpp=True,
            ),
            case(
                "c1",
                "Rubber concrete",
                application="concrete",
                country="PL",
                year=None,
                rtm_types=["steel-fibre"],
                rtm_tonnes=5.5,
            ),
        ]
    )
    return backend


def test_keyword_filters_or_inside_and_across(catalogue):
    both = {"application": ["road-pavement", "playground"]}
    assert sorted(ids(catalogue, "rubber", filters=both)) == ["p1", "r1", "r2"]
    across = {"application": ["road-pavement", "playground"], "country": ["IT"]}
    assert sorted(ids(catalogue, "rubber", filters=across)) == ["p1", "r1"]
    assert sorted(ids(catalogue, filters={"rtm_types": ["steel-fibre"]})) == ["c1", "r2"]


def test_ranges_and_booleans(catalogue):
    assert sorted(ids(catalogue, ranges={"year": (2019, None)})) == ["p1", "r2"]
    assert sorted(ids(catalogue, ranges={"year": (2018, 2018)})) == ["r1"]
    assert sorted(ids(catalogue, ranges={"rtm_tonnes": (None, 40)})) == ["c1", "r2"]
    assert sorted(ids(catalogue, booleans={"gpp": True})) == ["p1", "r1"]
    assert sorted(ids(catalogue, booleans={"gpp": False})) == ["r2"]


def test_disjunctive_facets_exact_counts(catalogue):
    result = catalogue.search(
        SearchQuery(
            text="rubber",
            filters={"application": ["road-pavement"], "country": ["IT"]},
            facets=("application", "country", "year", "rtm_types"),
        )
    )
    assert result.total == 1
    # Each facet ignores its own filter but keeps the others.
    assert result.facets["application"] == {"road-pavement": 1, "playground": 1}
    assert result.facets["country"] == {"ES": 1, "IT": 1}
    assert result.facets["year"] == {"2018": 1}
    assert result.facets["rtm_types"] == {"rubber-powder": 1}


def test_facets_without_filters_count_everything(catalogue):
    result = catalogue.search(SearchQuery(facets=("application", "year", "rtm_types")))
    assert result.total == 4
    assert result.facets["application"] == {"road-pavement": 2, "concrete": 1, "playground": 1}
    assert result.facets["year"] == {"2021": 2, "2018": 1}
    assert result.facets["rtm_types"] == {
        "rubber-powder": 2,
        "steel-fibre": 2,
        "rubber-granulate": 1,
    }


def test_sort_with_missing_values_last(catalogue):
    assert ids(catalogue, sort=(("year", "desc"),))[:3] in (["p1", "r2", "r1"], ["r2", "p1", "r1"])
    assert ids(catalogue, sort=(("year", "desc"),))[3] == "c1"
    assert ids(catalogue, sort=(("year", "asc"),))[0] == "r1"
    assert ids(catalogue, sort=(("year", "asc"),))[3] == "c1"
    assert ids(catalogue, "rubber", sort=(("rtm_tonnes", "desc"),)) == ["r1", "r2", "c1", "p1"]
    assert ids(catalogue, "rubber", sort=(("rtm_tonnes", "asc"),)) == ["c1", "r2", "r1", "p1"]


def test_empty_query_lists_everything_by_id(catalogue):
    assert ids(catalogue) == ["c1", "p1", "r1", "r2"]
    assert ids(catalogue, "  !!! ") == ["c1", "p1", "r1", "r2"]


def test_pagination_exact_totals(backend):
    backend.upsert([case(f"d{i:02d}", f"Rubber tile number {i}") for i in range(45)])
    seen: list[str] = []
    for page, size in ((1, 20), (2, 20), (3, 5), (4, 0)):
        result = backend.search(SearchQuery(text="rubber", page=page, per_page=20))
        assert result.total == 45
        assert len(result.hits) == size
        seen += [hit.id for hit in result.hits]
    assert sorted(seen) == sorted(f"d{i:02d}" for i in range(45))


# -- highlights, hostile input, rebuild --------------------------------------------------------


def test_highlight_escapes_document_text(backend):
    backend.upsert(
        [case("x", "<script>alert('rubber')</script> & rubber", summary="Plain \x02text\x03")]
    )
    hit = backend.search(SearchQuery(text="rubber")).hits[0]
    assert "<script>" not in hit.highlight["title"]
    assert "&lt;script&gt;" in hit.highlight["title"]
    assert "<mark>rubber</mark>" in hit.highlight["title"]
    assert "&amp;" in hit.highlight["title"]
    assert hit.highlight["summary"] == "Plain text"


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '"rubber',
        "rubber AND OR NOT",
        "NEAR(rubber granulate, 2)",
        "rub*",
        "^rubber",
        "title:rubber",
        "-rubber +granulate",
        "(rubber",
        "{title}: x",
        "🦄 rubber 🦄",
        "\x00\x1f",
        "r" * 10_000,
        " ".join(["rubber"] * 500),
        "",
        "   ",
        "'; DROP TABLE doc_1; --",
    ],
)
def test_hostile_input_never_breaks(catalogue, text):
    result = catalogue.search(SearchQuery(text=text, facets=("country",)))
    assert result.total >= 0


def test_rebuild_swaps_while_searching(backend):
    backend.upsert([case(f"old{i}", "Rubber old") for i in range(50)])
    errors: list[BaseException] = []
    totals: set[int] = set()
    stop = threading.Event()

    def search_loop() -> None:
        while not stop.is_set():
            try:
                totals.add(backend.search(SearchQuery(text="rubber")).total)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                return

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        count = backend.rebuild(case(f"new{i}", "Rubber new") for i in range(3000))
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert count == 3000
    assert backend.count() == 3000
    assert ids(backend, "old") == []
    assert totals <= {50, 3000}
