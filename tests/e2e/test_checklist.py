"""The bidder checklist never loses an edit: one form for every item, and a warning before
leaving the page with edits not saved."""

import re

import pytest
from playwright.sync_api import expect

from gpp import bidders, service
from gpp.library import Library
from gpp.schemas import SpecCreate
from kb.taxonomy import Taxonomy
from replan import auth

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def bidder_url(live_runtime) -> str:
    library = live_runtime.get(Library)
    with live_runtime.db.session() as session:
        user = auth.create_user(
            session, email="checker@example.org", password=PASSWORD, role="procurer"
        )
        spec = service.build_spec(
            session,
            library=library,
            request=SpecCreate(application="playground", ambition="core", title="Parco"),
            taxonomy=live_runtime.get(Taxonomy),
            owner_id=user.id,
        )
        bidder = bidders.new_bidder(session, spec=spec, user_id=user.id, name="Giochi Srl")
        return f"/specs/{spec.id}/bidders/{bidder.id}"


def sign_in(page) -> None:
    page.goto("/login")
    page.fill("#email", "checker@example.org")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#email")).to_have_count(0)


def test_edit_item_1_save_item_2_reload_both_kept(page, axe, bidder_url):
    sign_in(page)
    page.goto(bidder_url)
    page.select_option("#status-0", "missing")
    page.fill("#note-0", "No declaration of performance")
    page.select_option("#status-1", "compliant")
    page.locator("#check-1 button").click()  # item 2's Save
    expect(page.get_by_role("status")).to_contain_text("saved")
    axe(page)

    page.reload()
    expect(page.locator("#status-0")).to_have_value("missing")
    expect(page.locator("#note-0")).to_have_value("No declaration of performance")
    expect(page.locator("#status-1")).to_have_value("compliant")
    expect(page.locator("#verdict-h")).to_contain_text("Non-compliant")


def test_leaving_with_unsaved_edits_asks_first(page, bidder_url):
    sign_in(page)
    page.goto(bidder_url)
    page.goto("/specs")  # nothing edited: no question
    page.goto(bidder_url)
    page.fill("#note-2", "Not saved yet")
    asked = []

    def dismiss(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", dismiss)
    page.locator("a[href='/specs']").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(re.compile(re.escape(bidder_url) + "$"))
    expect(page.locator("#note-2")).to_have_value("Not saved yet")

    page.locator("#check-2 button").click()  # saved: leaving no longer asks
    expect(page.get_by_role("status")).to_contain_text("saved")
    page.locator("a[href='/specs']").first.click()
    expect(page).to_have_url(re.compile(r"/specs$"))
    assert asked == ["beforeunload"]
