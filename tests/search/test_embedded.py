"""What only the embedded engine promises: its directory, threads, processes, no dead ends."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.backend import IndexCorrupt, IndexSchema, InvalidQuery, SearchError, SearchQuery
from search.embedded import EmbeddedBackend
from tests.search.conftest import SCHEMA, SYNONYMS, case


def ids(backend, text: str = "", **kwargs) -> list[str]:
    return [hit.id for hit in backend.search(SearchQuery(text=text, **kwargs)).hits]


def test_unconfigured_index_refuses_clearly(tmp_path):
    backend = EmbeddedBackend(tmp_path / "s")
    assert backend.count() == 0
    assert backend.health()
    with pytest.raises(SearchError, match="configure"):
        backend.search(SearchQuery(text="x"))
    with pytest.raises(SearchError, match="configure"):
        backend.upsert([case("a")])


def test_invalid_queries_and_documents_are_refused(embedded):
    with pytest.raises(InvalidQuery):
        embedded.search(SearchQuery(filters={"title": ["x"]}))
    with pytest.raises(InvalidQuery):
        embedded.search(SearchQuery(sort=(("year", "sideways"),)))
    with pytest.raises(InvalidQuery):
        embedded.search(SearchQuery(ranges={"year": (float("nan"), None)}))
    with pytest.raises(SearchError, match="id"):
        embedded.upsert([{"title": "no id"}])


def test_index_survives_reopening(tmp_path):
    path = tmp_path / "s"
    first = EmbeddedBackend(path)
    first.configure(SCHEMA, SYNONYMS)
    first.upsert([case("a", "Rubber kerb")])
    first.close()
    second = EmbeddedBackend(path)
    assert ids(second, "kerb") == ["a"]
    assert ids(second, "kreb") == []  # 4 letters: no typo
    second.close()


def test_two_instances_on_one_file_see_each_other(tmp_path):
    path = tmp_path / "s"
    writer, reader = EmbeddedBackend(path), EmbeddedBackend(path)
    writer.configure(SCHEMA, SYNONYMS)
    writer.upsert([case("a", "Rubber kerb")])
    assert ids(reader, "kerb") == ["a"]
    writer.upsert([case("b", "Vulcanised flooring")])
    assert ids(reader, "vulcanisd") == ["b"]  # a typo of a word the reader never saw
    writer.delete(["a"])
    assert ids(reader, "kerb") == []
    assert reader.count() == 1
    writer.rebuild([case("c", "Kerb stones")])
    assert ids(reader, "kerb") == ["c"]


def test_schema_change_reindexes_stored_documents(tmp_path):
    backend = EmbeddedBackend(tmp_path / "s")
    backend.configure(SCHEMA, SYNONYMS)
    backend.upsert([case("a", "Rubber kerb", city="Ljubljana")])
    assert ids(backend, "ljubljana") == []
    wider = IndexSchema(**{**vars(SCHEMA), "searchable": (*SCHEMA.searchable, "city")})
    backend.configure(wider, SYNONYMS)
    assert ids(backend, "ljubljana") == ["a"]


def test_synonyms_change_without_reindex(embedded):
    embedded.upsert([case("a", "Crumb rubber")])
    assert ids(embedded, "gomma") == []
    embedded.configure(SCHEMA, [*SYNONYMS, ["rubber", "gomma", "kauczuk"]])
    assert ids(embedded, "gomma") == ["a"]


def test_suggestion_names_the_corrected_words(embedded):
    embedded.upsert([case("a", "Rubber granulate asphalt")])
    assert embedded.search(SearchQuery(text="granulte")).suggestion == "granulate"
    assert embedded.search(SearchQuery(text="rubbr Asphalt")).suggestion == "rubber Asphalt"
    assert embedded.search(SearchQuery(text="rubber asph")).suggestion is None


def test_writes_during_rebuild_are_kept(embedded):
    embedded.upsert([case("keep", "Rubber old"), case("gone", "Rubber doomed")])

    def documents():
        yield case("keep", "Rubber stale")
        embedded.upsert([case("keep", "Rubber fresh"), case("late", "Rubber late")])
        embedded.delete(["gone"])
        yield case("gone", "Rubber doomed")
        yield case("late", "Rubber stale")
        yield from (case(f"n{i}", "Other") for i in range(2500))

    embedded.rebuild(documents())
    assert embedded.search(SearchQuery(text="fresh")).hits[0].id == "keep"
    assert ids(embedded, "stale") == []
    assert ids(embedded, "doomed") == []
    assert ids(embedded, "late") == ["late"]


def test_failed_rebuild_keeps_the_live_index(embedded):
    embedded.upsert([case("a", "Rubber")])

    def broken():
        yield case("b", "Other")
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError):
        embedded.rebuild(broken())
    assert ids(embedded, "rubber") == ["a"]
    embedded.upsert([case("c", "Rubber too")])
    assert embedded.rebuild([case("d", "Rubber new")]) == 1


def test_concurrent_searches_and_writes(embedded):
    embedded.upsert([case(f"d{i}", f"Rubber item {i}") for i in range(200)])
    errors: list[BaseException] = []

    def searcher():
        try:
            for _ in range(40):
                result = embedded.search(SearchQuery(text="rubber item", facets=("country",)))
                assert result.total >= 200
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def writer():
        try:
            for i in range(40):
                embedded.upsert([case(f"w{i}", f"Rubber item written {i}")])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=searcher) for _ in range(4)] + [
        threading.Thread(target=writer)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert embedded.count() == 240


def test_ranking_is_consistent_across_pages(embedded):
    docs = [case(f"b{i:02d}", "Municipal work", body=f"rubber tile {i}") for i in range(30)]
    docs += [case(f"t{i:02d}", f"Rubber tile {i}") for i in range(12)]
    far = "rubber and then many words before the tile"
    docs += [case(f"x{i:02d}", "Annex", body=far) for i in range(6)]
    docs += [case(f"o{i:02d}", f"Rubber only {i}") for i in range(9)]
    embedded.upsert(docs)
    seen: list[str] = []
    for page in range(1, 7):
        result = embedded.search(SearchQuery(text="rubber tile", page=page, per_page=10))
        assert result.total == 48  # every word kept: "rubber" alone is no match
        seen += [hit.id for hit in result.hits]
    assert sorted(seen) == sorted(d["id"] for d in docs if d["id"][0] != "o")
    assert {s[0] for s in seen[:12]} == {"t"}  # best field first
    assert {s[0] for s in seen[42:]} == {"x"}  # words far apart last
    sorted_ids = ids(embedded, "rubber", sort=(("year", "asc"),), page=3, per_page=10)
    assert len(sorted_ids) == 10


def test_prefix_of_one_letter_is_an_exact_word(embedded):
    embedded.upsert([case("a", "A rubber mat"), case("b", "Asphalt")])
    assert ids(embedded, "a") == ["a"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=300),
    page=st.integers(1, 5),
    per_page=st.integers(0, 50),
    countries=st.lists(st.text(max_size=5), max_size=3),
)
def test_any_input_is_safe(embedded, text, page, per_page, countries):
    if not hasattr(embedded, "_seeded"):
        embedded.upsert(
            [
                case("a", "Rubber <b>granulate</b> asphalt", country="IT"),
                case("b", "Pneumatici fuori uso", country="ES"),
            ]
        )
        embedded._seeded = True
    query = SearchQuery(
        text=text,
        filters={"country": countries},
        facets=("country", "year"),
        page=page,
        per_page=per_page,
    )
    result = embedded.search(query)
    assert 0 <= result.total <= 2
    assert len(result.hits) <= per_page
    for hit in result.hits:
        for html in hit.highlight.values():
            assert "<b>" not in html


def test_facets_follow_small_and_large_writes(embedded):
    embedded.upsert([case(f"d{i}", "Rubber", country="IT", year=2000 + i % 3) for i in range(10)])

    def facets() -> dict:
        query = SearchQuery(text="rubber", facets=("country", "year"), filters={"country": ["IT"]})
        return embedded.search(query).facets

    assert facets()["country"] == {"IT": 10}
    embedded.upsert([case("d0", "Rubber", country="ES", year=2000)])  # a few: bits flipped
    embedded.delete(["d1"])
    assert facets() == {"country": {"IT": 8, "ES": 1}, "year": {"2002": 3, "2000": 3, "2001": 2}}
    embedded.upsert([case(f"d{i}", "Rubber", country="PL", year=1999) for i in range(2, 100)])
    assert facets() == {"country": {"PL": 98, "ES": 1}, "year": {}}
    assert embedded.search(SearchQuery(ranges={"year": (1999, 1999)})).total == 98


def test_fields_with_many_values_are_counted_row_by_row(embedded):
    embedded.upsert(
        [case(f"d{i}", "Rubber", country=f"C{i}", rtm_tonnes=i + 0.5) for i in range(300)]
    )
    result = embedded.search(
        SearchQuery(
            text="rubber",
            filters={"country": ["c7", "C8"]},
            ranges={"rtm_tonnes": (0, 7.5)},
            facets=("country", "rtm_tonnes"),
        )
    )
    assert result.total == 1
    assert result.facets["country"] == {
        "C0": 1,
        "C1": 1,
        "C2": 1,
        "C3": 1,
        "C4": 1,
        "C5": 1,
        "C6": 1,
        "C7": 1,
    }
    assert result.facets["rtm_tonnes"] == {"7.5": 1, "8.5": 1}


def test_synonym_phrases_are_highlighted_only_where_they_stand_together(tmp_path):
    backend = EmbeddedBackend(tmp_path / "s")
    backend.configure(SCHEMA, [["asfalto gommato", "rubberised asphalt", "asfalt z gumą"]])
    backend.upsert([case("a", "A rubberised asphalt at a junction, z and asphalt alone")])
    hit = backend.search(SearchQuery(text="asfalto gommato")).hits[0]
    assert hit.highlight["title"] == (
        "A <mark>rubberised</mark> <mark>asphalt</mark> at a junction, z and asphalt alone"
    )


def test_searches_follow_writes(embedded):
    embedded.upsert([case("a", "Rubber kerb"), case("b", "Kerb stones")])
    assert sorted(ids(embedded, "kerb")) == ["a", "b"]
    embedded.upsert([case("b", "Paving stones"), case("c", "Kerb tiles")])
    assert sorted(ids(embedded, "kerb")) == ["a", "c"]
    embedded.delete(["a"])
    assert ids(embedded, "kerb") == ["c"]
    embedded.rebuild([case("d", "Kerb")])
    assert ids(embedded, "kerb") == ["d"]


def test_synonym_units_match_as_the_union_of_their_alternatives(embedded):
    embedded.upsert(
        [
            case("a", "Tyre wall"),
            case("b", "Pneumatico"),
            case("c", "End of life tyres", body="rubber"),
            case("d", "Wall", labels=["pfu"]),
            case("e", "Unrelated"),
        ]
    )
    assert sorted(ids(embedded, "tire")) == ["a", "b"]  # "tyres" is no synonym of "tire"
    assert sorted(ids(embedded, "elt")) == ["c", "d"]
    assert sorted(ids(embedded, "pneumatic")) == ["b"]  # prefix of the last word


# -- no dead ends, precision --------------------------------------------------------------------


def test_words_that_match_nothing_are_dropped_first(embedded):
    embedded.upsert([case("both", "Rubber crumb"), case("one", "Rubber tiles")])
    assert ids(embedded, "stadium rubber crumb") == ["both"]
    assert set(ids(embedded, "zqxwv rubber")) == {"both", "one"}
    assert ids(embedded, "granu rubber crumb") == ["both"]  # not the last word: no prefix


def test_matches_have_every_word_kept_and_the_total_counts_them(embedded):
    embedded.upsert([case("both", "Rubber asphalt"), case("one", "Rubber tiles")])
    result = embedded.search(SearchQuery(text="rubber asphalt"))
    assert [hit.id for hit in result.hits] == ["both"]
    assert result.total == 1


def test_without_a_document_having_every_word_any_word_ranked_by_count(embedded):
    embedded.upsert(
        [
            case("two", "Rubber", body="granulate"),
            case("one", "Rubber kerb"),
            case("other", "Tiles"),
            case("none", "Steel"),
        ]
    )
    result = embedded.search(SearchQuery(text="rubber tiles granulate bench"))
    assert result.total == 3  # "bench" matches nothing; no document has all three others
    assert [hit.id for hit in result.hits][0] == "two"


def test_zero_results_only_when_no_word_matches_and_closest_terms_offered(embedded):
    embedded.upsert([case("a", "Rubber granulate asphalt")])
    result = embedded.search(SearchQuery(text="granulxxxe", facets=("country",)))
    assert result.total == 0
    assert result.facets == {"country": {}}
    assert result.suggestion == "granulate"
    assert embedded.search(SearchQuery(text="zqxwv")).suggestion is None


def test_a_misspelt_word_does_not_flood(embedded):
    embedded.upsert(
        [case(f"ra{i}", "Rubber asphalt") for i in range(3)]
        + [case(f"r{i}", "Rubber tiles") for i in range(5)]
        + [case(f"a{i}", "Asfalto poroso") for i in range(4)]
    )
    assert embedded.search(SearchQuery(text="rubbr asfalt")).total == 3
    assert embedded.search(SearchQuery(text="rubber asphalt")).total == 3


def test_the_words_as_typed_rank_before_their_synonyms(embedded):
    embedded.upsert([case("syn", "Asphalt binder"), case("typed", "Asfalto binder")])
    assert ids(embedded, "asfalto binder") == ["typed", "syn"]


# -- the directory, processes ------------------------------------------------------------------


def test_an_unreadable_index_raises_index_corrupt(tmp_path):
    backend = EmbeddedBackend(tmp_path / "s")
    backend.configure(SCHEMA, SYNONYMS)
    backend.upsert([case("a", "Rubber kerb")])
    (tmp_path / "s" / "state.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorrupt):
        EmbeddedBackend(tmp_path / "s").search(SearchQuery(text="kerb"))
    assert not EmbeddedBackend(tmp_path / "s").health()


def test_a_missing_generation_raises_index_corrupt(tmp_path):
    backend = EmbeddedBackend(tmp_path / "s")
    backend.configure(SCHEMA, SYNONYMS)
    state = (tmp_path / "s" / "state.json").read_text(encoding="utf-8")
    (tmp_path / "s" / "state.json").write_text(
        state.replace('"generation": 1', '"generation": 7'), encoding="utf-8"
    )
    with pytest.raises(IndexCorrupt):
        EmbeddedBackend(tmp_path / "s").search(SearchQuery(text="kerb"))


WRITER = """
import sys
from search.embedded import EmbeddedBackend
from tests.search.conftest import case
EmbeddedBackend(sys.argv[1]).upsert([case(sys.argv[2], "Vulcanised flooring")])
"""


def test_other_processes_write_in_turn_and_their_writes_are_seen_within_a_second(tmp_path):
    path = tmp_path / "s"
    reader = EmbeddedBackend(path)
    reader.configure(SCHEMA, SYNONYMS)
    reader.upsert([case("mine", "Rubber kerb")])
    assert ids(reader, "vulcanised") == []
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"p{i}"]) for i in range(3)
    ]
    reader.upsert([case("also-mine", "Vulcanised kerb")])  # while they write
    assert all(w.wait(timeout=60) == 0 for w in writers)
    deadline = time.monotonic() + 1.0
    while len(ids(reader, "vulcanised")) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(ids(reader, "vulcanised")) == ["also-mine", "p0", "p1", "p2"]
