"""Browser tests: a live server on a free loopback port, Debian's Chromium through Playwright,
and axe-core (WCAG 2.1 A and AA) run on every page a test visits."""

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from replan import PROJECT_ROOT
from replan.app import build_runtime, create_app
from tests.conftest import make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_runtime(tmp_path_factory):
    from replan.cli import init_database

    rt = build_runtime(make_settings(tmp_path_factory.mktemp("e2e")))
    init_database(rt)
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def base_url(live_runtime) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(
        create_app(live_runtime.settings, live_runtime),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: `make test` installs Debian's chromium")
    if not AXE.exists():
        pytest.fail("axe-core is missing: `make test` runs `npm ci` to install it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url):
    # bypass_csp lets axe-core be injected; the pages themselves run under the real CSP.
    context = browser.new_context(base_url=base_url, locale="en-GB", bypass_csp=True)
    # Map tiles come from the internet, which the test machines cannot reach: refuse them at
    # once, so the tests also show that the page works without tiles.
    context.route("https://**/*", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def check_axe(page) -> None:
    """Run axe-core on the current page; fail with every WCAG 2.1 A/AA violation found."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
    assert violations == [], f"axe-core on {page.url}:\n" + json.dumps(violations, indent=1)


@pytest.fixture
def axe():
    return check_axe
