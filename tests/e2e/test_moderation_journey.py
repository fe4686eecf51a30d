"""Journey: a submitter submits a case, a moderator requests changes, the submitter edits it, the
moderator publishes it, and the public finds it by search; by keyboard, axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from replan import auth
from tests.builders import review_case, save_case

PASSWORD = "journey password 2026"
WORD = "Vulcanotest"


@pytest.fixture
def accounts(live_runtime):
    from kb.importing import organisation_named

    with live_runtime.db.session() as session:
        org = organisation_named(session, "Journey Recycling")
        auth.create_user(
            session,
            email="journey-submitter@example.org",
            password=PASSWORD,
            role="submitter",
            organisation_id=org.id,
            name="Sara Submitter",
        )
        auth.create_user(
            session,
            email="journey-moderator@example.org",
            password=PASSWORD,
            role="moderator",
            name="Mario Moderator",
        )
    return {
        "submitter": "journey-submitter@example.org",
        "moderator": "journey-moderator@example.org",
    }


def press(page, locator) -> None:
    """Reach a control with the keyboard's focus and press Enter (or Space for choices)."""
    locator.focus()
    expect(locator).to_be_focused()
    kind = locator.get_attribute("type")
    page.keyboard.press("Space" if kind in ("checkbox", "radio") else "Enter")


def sign_in(page, axe, email: str) -> None:
    page.goto("/login")
    axe(page)
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page) -> None:
    press(page, page.get_by_role("button", name="Sign out"))
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def type_into(page, selector: str, text: str) -> None:
    field = page.locator(selector)
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_submit_review_edit_publish_and_find(page, axe, accounts):
    # The submitter fills in the form by keyboard.
    sign_in(page, axe, accounts["submitter"])
    press(page, page.get_by_role("link", name="Submit a case"))
    expect(page).to_have_url(re.compile(r"/submit$"))
    expect(page.locator("h1")).to_have_text("Submit a case study")
    axe(page)
    type_into(page, "#f-title", f"{WORD} rubber crumb playground in Vigo")
    type_into(page, "#f-summary", "A playground surface made with recycled tyre granulate.")
    page.locator("#f-application").select_option("playground")
    press(page, page.locator("#rtm-rubber-granulate"))
    page.locator("#f-country").select_option("ES")
    type_into(page, "#f-organisations-0-name", "Journey Recycling")
    page.locator("#f-organisations-0-role").select_option("recycler")
    press(page, page.get_by_role("button", name="Add another organisation"))
    expect(page.locator("#f-organisations-1-name")).to_be_focused()
    page.keyboard.type("Concello de Vigo")
    page.locator("#f-organisations-1-role").select_option("contracting-authority")
    type_into(page, "#f-sources-0-url", "https://example.org/vigo-playground")
    axe(page)

    # A mistake first: the error is announced beside the field and the values stay.
    type_into(page, "#f-year", "last year")
    press(page, page.get_by_role("button", name="Submit for review"))
    expect(page.locator("#e-year")).to_be_visible()
    expect(page.locator("#f-year")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-organisations-1-name")).to_have_value("Concello de Vigo")
    axe(page)
    type_into(page, "#f-year", "2021")
    press(page, page.get_by_role("button", name="Submit for review"))
    expect(page).to_have_url(re.compile(r"/my/cases$"))
    expect(page.locator("table")).to_contain_text("Waiting for review")
    axe(page)
    case_url = page.get_by_role("link", name=re.compile("^View")).first.get_attribute("href")
    case_id = case_url.rsplit("/", 1)[1]
    sign_out(page)

    # The public does not see it yet.
    assert page.goto(case_url).status == 404

    # The moderator asks for a change.
    sign_in(page, axe, accounts["moderator"])
    press(page, page.get_by_role("link", name="Moderation"))
    expect(page.locator("h1")).to_have_text("Moderation")
    axe(page)
    press(page, page.get_by_role("link", name=re.compile(WORD)))
    expect(page.locator("#submitter-h")).to_be_visible()
    expect(page.get_by_text(accounts["submitter"]).first).to_be_visible()
    axe(page)
    press(page, page.locator("#decision-request_changes"))
    type_into(page, "#f-comment", "Please give the area of the surface.")
    press(page, page.get_by_role("button", name="Record the decision"))
    expect(page).to_have_url(re.compile(r"/moderation$"))
    expect(page.locator(".notice")).to_contain_text("Changes requested")
    axe(page)
    sign_out(page)

    # The submitter reads the comment and edits the case.
    sign_in(page, axe, accounts["submitter"])
    page.goto("/my/cases")
    expect(page.locator("table")).to_contain_text("Please give the area of the surface.")
    expect(page.locator("table")).to_contain_text("Changes requested")
    press(page, page.get_by_role("link", name=re.compile("^Edit")).first)
    expect(page).to_have_url(re.compile(r"/submit/"))
    expect(page.locator(".warning")).to_contain_text("Please give the area of the surface.")
    axe(page)
    type_into(page, "#f-area_m2", "450")
    press(page, page.get_by_role("button", name="Submit for review"))
    expect(page).to_have_url(re.compile(r"/my/cases$"))
    expect(page.locator("table")).to_contain_text("Waiting for review")
    sign_out(page)

    # The moderator publishes it.
    sign_in(page, axe, accounts["moderator"])
    page.goto(f"/moderation/{case_id}")
    axe(page)
    press(page, page.locator("#decision-publish"))
    press(page, page.get_by_role("button", name="Record the decision"))
    expect(page.locator(".notice")).to_contain_text("Published")
    sign_out(page)

    # Anyone finds it by search, and opens it by keyboard.
    page.goto("/cases")
    page.locator("#q").focus()
    page.keyboard.type(WORD.lower(), delay=20)
    hit = page.locator("#kb-results .hit h3 a", has_text=WORD)
    expect(hit).to_be_visible(timeout=10_000)
    axe(page)
    press(page, hit)
    expect(page.locator("article.case h1")).to_contain_text(WORD)
    expect(page.locator("article.case")).to_contain_text("450")
    axe(page)
    press(page, page.get_by_role("link", name="History"))
    expect(page).to_have_url(re.compile(r"/history$"))
    expect(page.locator("h1")).to_have_text("History of this case study")
    axe(page)


def test_account_profile_and_an_edit_review_pass_axe(page, axe, live_runtime):
    from kb.schemas import CaseRecord
    from replan.auth_models import User
    from tests.builders import record

    with live_runtime.db.session() as session:
        author = auth.create_user(
            session, email="axe-author@example.org", password=PASSWORD, role="submitter"
        )
        moderator = auth.create_user(
            session, email="axe-moderator@example.org", password=PASSWORD, role="moderator"
        )
        session.expunge_all()
    first = CaseRecord.model_validate(record(id="axe-edit", title="Axe check rubber surface"))
    save_case(live_runtime, user=author, record=first, submit=True)
    review_case(live_runtime, user=moderator, case_id="axe-edit", decision="publish")
    edit = first.model_copy(
        update={
            "title": "Axe check rubber surface, resurfaced",
            "description": "New paragraph.\n\nSecond line.",
        }
    )
    save_case(live_runtime, user=author, record=edit, submit=True, case_id="axe-edit")

    sign_in(page, axe, "axe-author@example.org")
    press(page, page.get_by_role("link", name="My account"))
    expect(page.locator("h1")).to_have_text("My account")
    axe(page)
    type_into(page, "#f-token-name", "axe script")
    press(page, page.get_by_role("button", name="Create a token"))
    expect(page.locator("#new-token")).to_have_value(re.compile(r"^rpl_"))
    axe(page)
    page.goto("/account/organisation")
    expect(page.locator("h1")).to_have_text("Your organisation")
    press(page, page.get_by_role("button", name="Create the profile"))
    expect(page.locator("#e-name")).to_be_visible()
    axe(page)
    type_into(page, "#f-name", "Axe Recyclers")
    press(page, page.get_by_role("button", name="Create the profile"))
    expect(page.locator("h1")).to_have_text("Axe Recyclers")
    axe(page)
    sign_out(page)

    sign_in(page, axe, "axe-moderator@example.org")
    page.goto("/moderation/axe-edit")
    expect(page.locator("#changes-h")).to_be_visible()
    expect(page.locator("del").first).to_be_visible()
    axe(page)
    with live_runtime.db.session() as session:
        assert session.get(User, moderator.id).role == "moderator"
