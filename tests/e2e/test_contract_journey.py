"""A procurer's journey after the tender, in Chromium with plain forms: rank the bids' life-cycle
costs, move the spec to tendering, award it, record a milestone against its limit, and find the
penalty and the delivery report; and the public calculator."""

import pytest
from playwright.sync_api import expect

from gpp import bidders, service
from gpp.library import Library
from gpp.schemas import SpecCreate
from kb.taxonomy import Taxonomy
from replan import auth

PASSWORD = "correct horse battery staple"
EMAIL = "contract-manager@example.org"


@pytest.fixture(scope="module")
def contract_url(live_runtime) -> str:
    with live_runtime.db.session() as session:
        user = auth.create_user(session, email=EMAIL, password=PASSWORD, role="procurer")
        spec = service.build_spec(
            session,
            library=live_runtime.get(Library),
            request=SpecCreate(application="road-pavement", ambition="core", title="Via Po"),
            taxonomy=live_runtime.get(Taxonomy),
            owner_id=user.id,
        )
        bidders.new_bidder(session, spec=spec, user_id=user.id, name="Asfalti Srl")
        bidders.new_bidder(session, spec=spec, user_id=user.id, name="Strade Spa")
        return f"/specs/{spec.id}/contract"


def test_rank_award_and_follow_the_contract(page, axe, contract_url):
    page.goto("/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#email")).to_have_count(0)
    page.goto(contract_url)
    page.fill("#options-0-investment", "120000")
    page.fill("#options-0-annual_costs", "1000")
    page.fill("#options-1-investment", "100000")
    page.fill("#options-1-annual_costs", "2000")
    page.get_by_role("button", name="Rank the bids").click()
    expect(page.locator("#lcc-h + table tbody tr").first).to_contain_text("Strade Spa")
    axe(page)

    page.get_by_role("button", name="Move to: Tendering").click()
    expect(page.locator("#status-h")).to_contain_text("Tendering")
    page.select_option("#bidder_id", label="Strade Spa (Pending; life-cycle cost rank 1)")
    page.get_by_role("button", name="Award", exact=True).click()
    expect(page.locator("#reason-error")).to_be_visible()  # not compliant: a reason is needed
    page.fill("#reason", "Lowest life-cycle cost")
    page.get_by_role("button", name="Award", exact=True).click()
    expect(page.get_by_text("Awarded to Strade Spa")).to_be_visible()

    first = page.locator("li[id^=milestone-]").first
    first.locator("input[name=value]").fill("95")
    first.locator("input[name=limit]").fill("93")
    first.locator("input[name=unit]").fill("dB")
    first.locator("input[name=penalty_rate]").fill("1500")
    first.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Penalties so far: 3,000 euros.")).to_be_visible()
    expect(page.get_by_role("link", name="DOCX")).to_have_attribute(
        "href", contract_url.replace("/contract", "/delivery-report.docx")
    )
    axe(page)

    page.get_by_role("button", name="Move to: In execution").click()
    page.get_by_role("button", name="Move to: Closed").click()
    page.get_by_label("Rubber powder").check()
    page.get_by_role("button", name="Send to the moderation queue").click()
    expect(page.get_by_role("alert")).to_contain_text("names no country")  # refused
    page.fill("#case-country", "IT")
    page.get_by_label("Rubber powder").check()
    page.get_by_role("button", name="Send to the moderation queue").click()
    expect(page.get_by_text("waits in the moderation queue")).to_be_visible()
    axe(page)


def test_the_public_calculator(page, axe):
    page.goto("/lcc")
    page.fill("#options-0-name", "Rubberised asphalt")
    page.fill("#options-0-investment", "100000")
    page.fill("#options-0-annual_costs", "2000")
    page.get_by_role("button", name="Calculate").click()
    expect(page.locator("#lcc-result")).to_be_visible()
    expect(page.locator("table")).to_contain_text("129,754.95")  # 100000 + 2000 x 14.8774749
    axe(page)
