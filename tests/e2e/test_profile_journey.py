"""Journey: a recycler's member edits the profile and adds a certificate (errors beside the
fields first), a moderator approves the edit, and a buyer finds the supplier in the directory and
writes to it through the contact form; by keyboard, axe-core on every state."""

import pytest
from playwright.sync_api import expect

from replan import auth
from tests.e2e.test_moderation_journey import PASSWORD, press, sign_in, sign_out, type_into


@pytest.fixture
def accounts(live_runtime):
    from kb.importing import organisation_named

    with live_runtime.db.session() as session:
        org = organisation_named(session, "Profile Journey Granulati")
        org.slug = "profile-journey"
        for role in ("submitter", "moderator"):
            auth.create_user(
                session,
                email=f"profile-{role}@example.org",
                password=PASSWORD,
                role=role,
                organisation_id=org.id if role == "submitter" else None,
            )
    return {r: f"profile-{r}@example.org" for r in ("submitter", "moderator")}


def test_edit_certify_approve_find_and_write(page, axe, accounts):
    sign_in(page, axe, accounts["submitter"])
    page.goto("/organisations/profile-journey/edit")
    axe(page)
    page.locator("#rtm-rubber-granulate").check()
    type_into(page, "#f-products", "Granulate 0.5-2.5 mm for sports surfaces")
    type_into(page, "#f-regions_served", "ITC4")
    type_into(page, "#f-contact_email", "not an address")
    press(page, page.get_by_role("button", name="Send the changes to a moderator"))
    expect(page.locator("#e-contact_email")).to_be_visible()
    axe(page)
    type_into(page, "#f-contact_email", "sales@journey.example")
    press(page, page.get_by_role("button", name="Send the changes to a moderator"))
    expect(page.get_by_text("Your changes were sent to a moderator.")).to_be_visible()

    type_into(page, "#f-certificate_name", "KNR Green")
    type_into(page, "#f-certificate_registry_url", "http://registry.example/knr")
    press(page, page.get_by_role("button", name="Add the certificate"))
    expect(page.locator("#e-certificate_registry_url")).to_be_visible()
    axe(page)
    type_into(page, "#f-certificate_registry_url", "https://registry.example/knr")
    type_into(page, "#f-certificate_valid_to", "2020-12-31")
    press(page, page.get_by_role("button", name="Add the certificate"))
    expect(page.get_by_text("Added: waits for a moderator.")).to_be_visible()
    axe(page)
    sign_out(page)

    sign_in(page, axe, accounts["moderator"])
    page.goto("/moderation")
    expect(page.locator("#profile-profile-journey")).to_be_visible()
    axe(page)
    approve = page.get_by_role("button", name="Approve the profile of Profile Journey Granulati")
    press(page, approve)
    expect(
        page.get_by_text("The profile of Profile Journey Granulati was approved.")
    ).to_be_visible()
    sign_out(page)

    page.goto("/organisations?rtm=rubber-granulate&region=ITC4")
    row = page.get_by_role("row").filter(has_text="Profile Journey Granulati")
    expect(row).to_contain_text("KNR Green")
    expect(row).to_contain_text("Expired")
    axe(page)
    press(page, page.get_by_role("link", name="Profile Journey Granulati"))
    expect(page.locator("h1")).to_have_text("Profile Journey Granulati")
    expect(page.locator("body")).not_to_contain_text("sales@journey.example")
    press(page, page.get_by_role("button", name="Send the message"))
    expect(page.locator("#e-email")).to_be_visible()
    axe(page)
    type_into(page, "#f-name", "Comune di Prova")
    type_into(page, "#f-email", "buyer@comune.example")
    type_into(page, "#f-message", "Can you deliver 40 tonnes in May?")
    press(page, page.get_by_role("button", name="Send the message"))
    expect(page.get_by_text("Your message was sent to Profile Journey Granulati.")).to_be_visible()
    axe(page)
