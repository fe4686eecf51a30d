"""The API documentation page: Swagger UI from the app's own files, under the app's own CSP."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AXE, AXE_TAGS

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _console_error(page, message) -> None:
    # The browser's own favicon request is not this page's (and /favicon.ico is another fix's).
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        page.problems.append(f"{message.text} {message.location['url']}")


@pytest.fixture
def strict_page(browser, base_url):
    """A page under the real CSP (no bypass), recording violations, errors and outside requests."""
    context = browser.new_context(base_url=base_url, locale="en-GB")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.problems = []
    page.on("console", lambda m: _console_error(page, m))
    page.on("pageerror", lambda e: page.problems.append(str(e)))
    page.on("requestfailed", lambda r: page.problems.append(f"failed {r.url}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
    page.on(
        "request",
        lambda r: r.url.startswith(base_url) or page.problems.append(f"outside {r.url}"),
    )
    yield page
    context.close()


def test_api_docs_show_the_operations_under_the_apps_csp(strict_page):
    page = strict_page
    answer = page.goto("/api/docs")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 10
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/cases")
    assert page.evaluate("window.__csp") == []
    assert page.problems == []
    page.evaluate(AXE.read_text())  # evaluated, not a <script>: the page keeps its CSP
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => v.id)",
        AXE_TAGS,
    )
    assert found == []
