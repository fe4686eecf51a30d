"""Maps: the /cases map shows every result of the search, clustered; the submission form's map
fills in latitude and longitude, whose typed fields stay the primary input."""

import re

import pytest
from playwright.sync_api import expect

from replan import auth

PASSWORD = "map picker password 2026"


@pytest.fixture(scope="module")
def submitter(live_runtime) -> str:
    with live_runtime.db.session() as session:
        auth.create_user(session, email="mapper@example.org", password=PASSWORD, role="submitter")
    return "mapper@example.org"


def open_submission_form(page, email: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#email")).to_have_count(0)
    page.goto("/submit")


def test_cases_map_shows_every_result_clustered(page, axe, live_runtime):
    page.goto("/cases?per_page=5")
    expect(page.locator("#kb-map .leaflet-marker-icon").first).to_be_visible()
    located = page.request.get("/cases/map.json").json()
    assert len(located["points"]) > 5  # more than the page's five results
    clustered = page.locator("#kb-map .marker-cluster").count()
    counts = [
        int(re.match(r"\d+", t).group())
        for t in page.locator("#kb-map .marker-cluster").all_inner_texts()
    ]
    singles = page.locator("#kb-map img.leaflet-marker-icon").count()
    assert clustered and sum(counts) + singles == len(located["points"])
    axe(page)


def test_the_map_picker_fills_latitude_and_longitude(page, axe, submitter):
    open_submission_form(page, submitter)
    picker = page.locator("[data-map-picker] .leaflet-container")
    expect(picker).to_be_visible()
    axe(page)

    picker.click(position={"x": 120, "y": 80})
    lat, lon = float(page.input_value("#f-lat")), float(page.input_value("#f-lon"))
    assert -90 <= lat <= 90 and -180 <= lon <= 180
    expect(picker.locator(".leaflet-marker-icon")).to_have_count(1)

    where = "() => document.querySelector('[data-map-picker] .leaflet-marker-icon').style.transform"
    before = page.evaluate(where)
    page.fill("#f-lat", "45.07")  # the typed fields lead: the marker follows them
    page.fill("#f-lon", "7.69")
    page.locator("#f-lon").dispatch_event("change")
    page.wait_for_timeout(400)
    assert page.evaluate(where) != before
    expect(picker.locator(".leaflet-marker-icon")).to_have_count(1)


def test_the_submission_form_works_without_the_map(browser, base_url, submitter):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    open_submission_form(page, submitter)
    expect(page.locator("#f-lat")).to_be_visible()
    expect(page.locator("[data-map-picker]")).to_be_hidden()
    context.close()
