"""The case API answers exactly as the contract shows."""

CONTRACT_HIT_KEYS = {
    "id",
    "title",
    "summary",
    "application",
    "rtm_types",
    "country",
    "city",
    "year",
    "highlight",
}


def test_search_answer_shape(seeded_client):
    data = seeded_client.get("/api/v1/cases", params={"q": "rubber"}).json()
    assert {"total", "page", "per_page", "hits", "facets"} <= set(data)
    assert data["page"] == 1 and data["per_page"] == 20
    assert data["hits"] and CONTRACT_HIT_KEYS <= set(data["hits"][0])
    assert set(data["facets"]) == {"application", "rtm_types", "country", "year"}


def test_filters_are_anded_across_and_ored_inside(seeded_client):
    both = seeded_client.get("/api/v1/cases", params=[("country", "IT"), ("country", "ES")]).json()
    italy = seeded_client.get("/api/v1/cases", params={"country": "IT"}).json()
    spain = seeded_client.get("/api/v1/cases", params={"country": "ES"}).json()
    assert both["total"] == italy["total"] + spain["total"]
    # Disjunctive facets: the country facet ignores the country filter itself.
    assert italy["facets"]["country"]["ES"] == spain["total"]
    roads_it = seeded_client.get(
        "/api/v1/cases", params={"country": "IT", "application": "road-pavement"}
    ).json()
    assert roads_it["total"] == italy["facets"]["application"]["road-pavement"]


def test_year_range_gpp_sort_and_paging(seeded_client):
    data = seeded_client.get(
        "/api/v1/cases",
        params={"year_min": 2015, "year_max": 2020, "sort": "year_desc", "per_page": 5},
    ).json()
    years = [h["year"] for h in data["hits"]]
    assert all(2015 <= y <= 2020 for y in years) and years == sorted(years, reverse=True)
    page2 = seeded_client.get("/api/v1/cases", params={"per_page": 5, "page": 2}).json()
    page1 = seeded_client.get("/api/v1/cases", params={"per_page": 5, "page": 1}).json()
    assert not {h["id"] for h in page1["hits"]} & {h["id"] for h in page2["hits"]}


def test_invalid_parameters_are_named(seeded_client):
    r = seeded_client.get(
        "/api/v1/cases",
        params={"application": "roads", "per_page": 500, "sort": "best", "gpp": "maybe"},
    )
    assert r.status_code == 422
    named = {e["loc"][1] for e in r.json()["detail"]}
    assert named == {"application", "per_page", "sort", "gpp"}


def test_whole_record_and_404(seeded_client):
    hit = seeded_client.get("/api/v1/cases").json()["hits"][0]
    case = seeded_client.get(f"/api/v1/cases/{hit['id']}").json()
    assert case["id"] == hit["id"] and "sources" in case and "organisations" in case
    assert seeded_client.get("/api/v1/cases/nope").status_code == 404


def test_taxonomy_lists_every_code_with_labels(seeded_client):
    data = seeded_client.get("/api/v1/taxonomy").json()
    assert len(data["applications"]) == 13 and len(data["rtm_types"]) == 9
    assert all(a["label"] for a in data["applications"])
    it = seeded_client.get("/api/v1/taxonomy", params={"lang": "it"}).json()
    assert it["applications"][0]["label"] != data["applications"][0]["label"]


def test_health_checks_the_database(seeded_client):
    r = seeded_client.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] == "ok"


def test_timestamps_carry_their_time_zone(seeded_client):
    """SQLite hands back naive times: the API still says they are UTC (one `iso` everywhere)."""
    from datetime import datetime

    first = seeded_client.get("/api/v1/cases", params={"per_page": 1}).json()["hits"][0]["id"]
    record = seeded_client.get(f"/api/v1/cases/{first}").json()
    stamps = [record[k] for k in ("created_at", "updated_at", "published_at") if record.get(k)]
    assert stamps
    assert all(datetime.fromisoformat(s).utcoffset() is not None for s in stamps), stamps
