"""Journey: switch the interface to Polish, build a specification in Polish, by keyboard, with
axe-core on every page."""

import re

from playwright.sync_api import expect

SUBMIT = "#gpp-wizard button[type=submit]"


def press(page, selector: str) -> None:
    page.locator(selector).first.focus()
    page.keyboard.press("Enter")


def test_polish_interface_and_a_polish_specification(page, axe):
    page.goto("/")
    press(page, ".lang-switch a[lang=pl]")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    axe(page)

    # The choice is kept: the next page, reached by a plain link, is still in Polish.
    press(page, "nav .nav a[href='/gpp']")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    axe(page)
    page.select_option("#f-application", "playground")
    page.select_option("select[name=language]", "pl")
    page.locator("#f-title").focus()
    page.keyboard.type("Plac zabaw przy ulicy Długiej")
    press(page, SUBMIT)
    expect(page).to_have_url(re.compile(r"/ambition$"))
    axe(page)
    core = page.locator("#f-ambition-core")
    core.focus()
    page.keyboard.press("Space")
    expect(core).to_be_checked()
    for step in ("criteria", "award", "evidence", "review"):
        press(page, SUBMIT)
        expect(page).to_have_url(re.compile(rf"/{step}$"))
        axe(page)
    press(page, SUBMIT)
    expect(page).to_have_url(re.compile(r"/specs/[A-Za-z0-9_-]+$"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.locator("h1")).to_contain_text("Plac zabaw przy ulicy Długiej")
    expect(page.locator("main")).to_contain_text("EN 1177")
    axe(page)
    spec_id = page.url.rsplit("/", 1)[1]
    data = page.request.get(f"/api/v1/specs/{spec_id}").json()
    assert data["language"] == "pl"
