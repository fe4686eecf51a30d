"""Journey: a procurer goes through the GPP wizard by keyboard to a download, then tracks a bidder,
with axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from replan import auth

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def procurer(live_runtime):
    with live_runtime.db.session() as session:
        auth.create_user(session, email="buyer@example.org", password=PASSWORD, role="procurer")
    return "buyer@example.org"


def press(page, selector: str) -> None:
    """Activate a control the way a keyboard user does: focus it, press Enter."""
    page.locator(selector).first.focus()
    page.keyboard.press("Enter")


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/login"))


def test_wizard_by_keyboard_to_a_download_and_a_bidder_verdict(page, axe, procurer):
    sign_in(page, procurer)
    page.goto("/gpp")
    axe(page)
    page.select_option("#f-application", "road-pavement")
    page.locator("#f-title").focus()
    page.keyboard.type("Via Roma resurfacing")
    press(page, "button:has-text('Save and continue')")
    expect(page).to_have_url(re.compile(r"/ambition$"))
    axe(page)

    page.locator("#f-ambition-comprehensive").focus()
    page.keyboard.press("Space")
    press(page, "button:has-text('Save and continue')")
    expect(page).to_have_url(re.compile(r"/criteria$"))
    axe(page)

    # A value outside its bounds is refused beside the field, the values kept. The values are
    # folded with the criterion's text: open it by keyboard first.
    ticked = page.locator(".criterion-pick:has(input[name=criteria]:checked)")
    ticked.locator("details:has(input[type=number]) > summary").first.focus()
    page.keyboard.press("Enter")
    number = ticked.locator("input[type=number]").first
    number.fill("9999")
    press(page, "button:has-text('Save and continue')")
    expect(page.locator(".field-error").first).to_be_visible()
    axe(page)
    page.locator("input[type=number][aria-invalid=true]").fill("10")
    press(page, "button:has-text('Save and continue')")
    expect(page).to_have_url(re.compile(r"/award$"))
    axe(page)

    press(page, "button:has-text('Save and continue')")
    expect(page).to_have_url(re.compile(r"/evidence$"))
    expect(page.locator("main")).to_contain_text(re.compile(r"\d+"))
    axe(page)
    press(page, "button:has-text('Save and continue')")
    expect(page).to_have_url(re.compile(r"/review$"))
    axe(page)

    press(page, "button:has-text('Generate the specification')")
    expect(page).to_have_url(re.compile(r"/specs/[A-Za-z0-9_-]+$"))
    expect(page.locator("h1")).to_contain_text("Via Roma resurfacing")
    axe(page)
    spec_url = page.url

    with page.expect_download() as download:
        press(page, "a[href$='export.docx']")
    assert download.value.suggested_filename.endswith(".docx")

    page.goto(spec_url)
    page.locator("#bidder-name").focus()
    page.keyboard.type("Asfalti Srl")
    press(page, "button:has-text('Add the bidder')")
    expect(page).to_have_url(re.compile(r"/bidders/\d+$"))
    axe(page)
    page.select_option("#status-0", "missing")
    press(page, "#check-0 button")
    expect(page.locator("#verdict-h")).to_contain_text("Non-compliant")
    axe(page)
