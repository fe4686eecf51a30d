"""A case page's JSON-LD block under the real Content-Security-Policy: a data block is never run,
so `script-src 'self'` does not refuse it, and the browser reads it as JSON."""

import pytest

CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def strict_page(browser, base_url):
    context = browser.new_context(base_url=base_url, locale="en-GB")  # the CSP applies
    context.route("https://**/*", lambda route: route.abort())
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_case_page_json_ld_passes_the_csp_and_parses(strict_page):
    strict_page.goto("/cases")
    strict_page.goto(strict_page.locator(".hit h3 a").first.get_attribute("href"))
    title = strict_page.locator("article.case h1").inner_text()
    data = strict_page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert data["@type"] == "Article" and data["name"] == title
    og = strict_page.locator('meta[property="og:title"]').get_attribute("content")
    assert og == title
    assert strict_page.evaluate("window.__csp") == []
