"""Journey: home -> search -> filter -> open a case, by keyboard, axe-core on every page."""

import re

from playwright.sync_api import expect


def test_home_to_cases_to_a_case(page, axe):
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("recycled tyres")
    axe(page)

    # The skip link is the first stop of the keyboard.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()

    page.get_by_role("link", name="Case studies").first.click()
    expect(page).to_have_url(re.compile(r"/cases$"))
    expect(page.locator("#kb-results .hit").first).to_be_visible()
    axe(page)

    page.locator(".hit h3 a").first.click()
    expect(page.locator("article.case h1")).to_be_visible()
    axe(page)


def test_search_as_you_type_filter_and_open_by_keyboard(page, axe):
    page.goto("/cases")
    box = page.locator("#q")
    box.focus()
    page.keyboard.type("asfalto gommato", delay=20)
    expect(page).to_have_url(re.compile(r"q=asfalto"), timeout=10_000)
    expect(page.locator("#kb-results .hit").first).to_be_visible()
    expect(page.locator("#kb-results mark").first).to_be_visible()
    axe(page)

    # Toggle the first application facet by keyboard.
    facet = page.locator(".facet").first.locator("a.facet-link").first
    facet.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".chips")).to_be_visible()
    expect(page).to_have_url(re.compile(r"application="))
    axe(page)

    first = page.locator(".hit h3 a").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("article.case h1")).to_be_visible()
    axe(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"application="))


def test_search_works_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/cases?q=rubberized+asfalt")
    assert page.locator("#kb-results .hit").count() > 0
    page.locator(".facet a.facet-link").first.click()
    assert "application=" in page.url or "rtm=" in page.url or "country=" in page.url
    context.close()


def test_not_found_page_is_in_the_layout(page, axe):
    response = page.goto("/cases/no-such-case")
    assert response.status == 404
    expect(page.locator("h1")).to_contain_text("not found")
    axe(page)
