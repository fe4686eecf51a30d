"""Journey: the figures page -> a row of a figure -> the case studies behind it; and the
embeddable figure shown in another site's frame, which no other page allows."""

import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playwright.sync_api import expect


def test_from_a_figure_to_the_cases_behind_it(page, axe):
    page.goto("/stats?measure=rtm_tonnes")
    expect(page.locator("h1")).to_contain_text("Figures")
    expect(page.locator("#figure-application")).to_be_visible()
    chart = page.locator("section:has(#figure-application) .chart img")
    expect(chart).to_have_attribute("src", re.compile(r"^/stats/application\.svg"))
    # The chart is drawn (the image loaded: it loads lazily, so bring it into view and wait for
    # it rather than racing it), and the table beside it says the same.
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle(), timeout=10_000
    )
    axe(page)

    table = page.locator("section:has(#figure-application) table")
    row = table.locator("tbody tr").filter(has_text="Playgrounds")
    count = int(row.locator("td").first.inner_text())
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/cases\?application=playground$"))
    expect(page.locator("#results-title")).to_contain_text("case studies found")
    found = int(page.locator("#results-title").inner_text().split()[0])
    axe(page)

    assert count == found  # the figures count every case the search finds
    # And back: the figures of these results, programme totals among them, said so.
    page.get_by_role("link", name="Figures of these results").click()
    expect(page).to_have_url(re.compile(r"/stats\?application=playground$"))
    expect(page.locator(".notice").first).to_contain_text("only the case studies that match")
    programmes = page.locator("section:has(#stats-programmes) tbody tr").count()
    assert programmes > 0  # the seeds hold playground programmes (SIGNUS 2016, Ecoelastika)
    expect(page.locator("#stats-scope-note")).to_contain_text(
        f"{programmes} of these {found} case studies"
    )


@contextmanager
def partner_site(html: str):
    """Another origin (another port on loopback: Chrome lets no public page frame a local one)."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html.encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def test_only_the_embeddable_figure_may_be_framed_by_another_site(browser, base_url):
    frames = (
        f'<iframe title="embed" src="{base_url}/embed/stats?application=road-pavement"></iframe>'
        f'<iframe title="page" src="{base_url}/stats"></iframe>'
    )
    # The real CSP applies here (no bypass), on a page of another origin.
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    with partner_site(frames) as partner:
        page.goto(partner)
        embed = page.frame_locator('iframe[title="embed"]')
        expect(embed.locator("h1")).to_contain_text("Recycled tyre materials")
        expect(embed.get_by_role("link", name=re.compile("CC BY"))).to_be_visible()
        page.wait_for_timeout(500)
        refused = page.frame_locator('iframe[title="page"]').locator("h1")
        expect(refused).not_to_contain_text("Figures")
    context.close()
