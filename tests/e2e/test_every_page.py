"""Every page of the app, read from `app.routes`, opened in Chromium on a phone (390x844) and a
desktop (1366x900) screen, under the app's real Content-Security-Policy: no sideways scrolling,
no console error, no CSP violation, no failed request, no axe-core (WCAG 2.1 A/AA) violation.

A GET route is a page unless it is declared otherwise below (JSON, files, exports). Each path
parameter takes its values from `samples` (seeded objects: a published case with a photo, a
submitted one, an organisation, a procurer's specification with a bidder, a wizard draft with
every step open): a new page is visited without editing this file, and a new parameter name
fails the test until it is given a sample. Each path is opened by the first role that may see it
(anonymous first); the pages whose look depends on the role are opened by every role."""

import io
import itertools
import re
import string
from pathlib import Path

import pytest
from PIL import Image

from replan import auth
from replan.follows import service as follow_service
from tests.builders import add_file, record, review_case, routes_of, save_case
from tests.e2e.conftest import AXE, AXE_TAGS

PASSWORD = "every page password 2026"
ROLES = ("anonymous", "submitter", "procurer", "moderator", "admin")
VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 900)}
PER_ROLE = ("/", "/account", "/cases")  # the header and the account differ by role
AXE_URL = "/__e2e__/axe.min.js"  # served to the browser from the same origin, as CSP wants

# GET routes that are not pages, and why. Also not pages: the JSON API under /api/v1/ and any
# route whose last segment has a dot (exports, feeds, /favicon.ico, /openapi.json).
NOT_PAGES = {
    "/healthz": "JSON for monitors",
    "/readyz": "JSON for monitors and load balancers",
    "/metrics": "Prometheus text for the scraper",
    "/attachments/{attachment_id}/{filename}": "a stored photo or PDF",
    "/organisations/{slug}/certificates/{certificate_id}/{filename}": "a certificate's file",
    "/specs/{spec_id}/contract/milestones/{n}/files/{file_id}/{filename}": "evidence file",
    "/gpp/drafts/{draft_id}": "a redirect to the draft's furthest step",
    "/catalog.ttl": "the open-data catalogue (DCAT-AP) in Turtle",
    "/catalog.jsonld": "the open-data catalogue (DCAT-AP) in JSON-LD",
    "/cases/feed.atom": "an Atom feed",
    "/sitemap.xml": "a sitemap for crawlers",
    "/robots.txt": "rules for crawlers",
}
# A query string for pages that show more with one (the figures drawn in tonnes, two cases side by
# side of which one is unpublished and must stay out).
QUERIES = {
    "/stats": "?measure=rtm_tonnes",
    "/embed/stats": "?measure=rtm_tonnes&by=application",
    "/compare": "?ids=tour-published,tour-submitted",
}
# Problems that other branches fix (issue 10): the coordinator removes each entry on merging.
KNOWN: dict[str, str] = {}
KNOWN_PROBLEMS: dict[str, str] = {}


CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _blank_tile() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (256, 256), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


BLANK_TILE = _blank_tile()


def _offline(route) -> None:
    """The test machines have no internet: map tiles get a blank tile, anything else fails (and
    is reported, as a page must not depend on another site)."""
    if route.request.resource_type == "image":
        route.fulfill(body=BLANK_TILE, content_type="image/png")
    else:
        route.abort()


def is_page(path: str) -> bool:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return not path.startswith("/api/v1/") and "." not in last and path not in NOT_PAGES


def page_routes(app) -> list[str]:
    return sorted(path for method, path in routes_of(app) if method == "GET" and is_page(path))


def expand(template: str, samples: dict[str, list[str]]) -> list[str]:
    names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    missing = [name for name in names if name not in samples]
    assert not missing, f"{template}: give `samples` a value for {missing} (or declare it)"
    combos = itertools.product(*(samples[name] for name in names))
    return [template.format(**dict(zip(names, combo, strict=True))) for combo in combos]


def _profile(session, org) -> None:
    """An approved profile with certificates (expired, expiring, valid; a file and a link), a
    contact address (the contact form) and an edit waiting for a moderator (the queue)."""
    from datetime import timedelta

    from kb.codes import RTM_TYPES
    from kb.models import OrganisationCertificate
    from kb.moderation.organisations import profile_of
    from replan.clock import utcnow

    now = utcnow()
    org.country, org.approved_at, org.contact_email = "IT", now, "tour@recycling.example"
    org.rtm_offered, org.regions_served = list(RTM_TYPES), ["ITC4", "Slovenija"]
    org.products, org.postal_address = ["Granulate 0.5-2.5 mm"], "Via del Tour 1\n10100 Torino"
    org.description = "Recycles end-of-life tyres into granulate."
    org.pending_profile = {**profile_of(org), "description": "A new description waiting"}
    org.pending_at = now
    session.flush()
    for name, days, state in (
        ("Old EPD", -10, "approved"),
        ("KNR Green", 30, "approved"),
        ("ISO 14001:2015", 400, "approved"),
        ("EMAS", 700, "added"),
    ):
        session.add(
            OrganisationCertificate(
                organisation_id=org.id,
                name=name,
                issuer="Tour Certification Body",
                number="T-1",
                valid_from=(now - timedelta(days=365)).date(),
                valid_to=(now + timedelta(days=days)).date(),
                registry_url="https://registry.example/tour",
                state=state,
            )
        )


@pytest.fixture(scope="module")
def world(live_runtime, tmp_path_factory):
    """People of every role and the objects whose pages have real content."""
    from kb.importing import organisation_named
    from kb.schemas import CaseRecord

    emails = {role: f"tour-{role}@example.org" for role in ROLES[1:]}
    with live_runtime.db.session() as session:
        org = organisation_named(session, "Tour Recycling")
        org.slug = "tour-recycling"
        _profile(session, org)
        users = {
            role: auth.create_user(
                session,
                email=email,
                password=PASSWORD,
                role=role,
                organisation_id=org.id if role == "submitter" else None,
                name=f"Tour {role.title()}",
            )
            for role, email in emails.items()
        }
        session.flush()
        session.expunge_all()
    author, moderator = users["submitter"], users["moderator"]
    published = CaseRecord.model_validate(
        record(id="tour-published", title="Rubber crumb playground in the tour", year=2019)
    )
    save_case(live_runtime, user=author, record=published, submit=True)
    photo = tmp_path_factory.mktemp("tour") / "p.png"
    Image.new("RGB", (120, 80), (30, 120, 40)).save(photo)
    add_file(
        live_runtime,
        user=author,
        case_id="tour-published",
        filename="playground.png",
        data=Path(photo).read_bytes(),
        caption="The playground surface",
    )
    review_case(live_runtime, user=moderator, case_id="tour-published", decision="publish")
    waiting = CaseRecord.model_validate(record(id="tour-submitted", title="Noise barrier, tour"))
    save_case(live_runtime, user=author, record=waiting, submit=True)
    # Followed searches, listed on the account pages; the unsubscribe page of one of them.
    from kb.follows import NAME

    kind = next(k for k in live_runtime.follow_kinds if k.name == NAME)
    tokens = []
    for user, query in ((author, {"q": "playground", "country": ["IT"]}), (moderator, {})):
        with live_runtime.unit_of_work() as uow:
            followed = follow_service.follow(
                uow=uow, user=user, kind=kind, query=query, frequency="weekly", locale="en"
            )
            tokens.append(followed.token)
    return {
        "emails": emails,
        "cases": ["tour-published", "tour-submitted"],
        "slug": org.slug,
        "tokens": tokens[:1],
    }


@pytest.fixture(scope="module")
def tour(browser, base_url, world):
    """One browser context per role, signed in once, reused by every page; and the samples."""
    axe = AXE.read_text(encoding="utf-8")
    contexts = {}
    for role in ROLES:
        # The real CSP applies (no bypass_csp): axe-core comes from the same origin.
        context = browser.new_context(base_url=base_url, locale="en-GB")
        context.route(
            f"**{AXE_URL}",
            lambda route: route.fulfill(body=axe, content_type="text/javascript"),
        )
        context.route(re.compile(r"^https://"), _offline)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if role != "anonymous":
            page.goto("/login")
            page.fill("#email", world["emails"][role])
            page.fill("#password", PASSWORD)
            page.locator("#main form button[type=submit]").click()
            page.wait_for_url(lambda url: "/login" not in url)
        contexts[role] = (context, page)

    procurer = contexts["procurer"][1]
    procurer.goto("/account")
    token = procurer.locator("body").get_attribute("data-csrf")
    headers = {"X-CSRF-Token": token}
    spec = procurer.request.post(
        "/api/v1/specs",
        data={
            "application": "playground",
            "ambition": "comprehensive",
            "country": "IT",
            "title": "Tour playground surface",
            "language": "en",
        },
        headers=headers,
    )
    assert spec.status == 201, spec.text()
    spec_id = spec.json()["id"]
    bidder = procurer.request.post(
        f"/api/v1/specs/{spec_id}/bidders", data={"name": "Giochi Tour Srl"}, headers=headers
    )
    assert bidder.status == 201, bidder.text()
    copy = procurer.request.post(
        f"/specs/{spec_id}/copy", form={"csrf_token": token}, max_redirects=0
    )
    draft_id = copy.headers["location"].split("/")[3]
    from gpp.steps import NAMES as STEPS

    samples = {
        "case_id": world["cases"],
        "slug": [world["slug"]],
        "spec_id": [spec_id],
        "bidder_id": [str(bidder.json()["id"])],
        "draft_id": [draft_id],
        "step": list(STEPS),
        "token": world["tokens"],
    }
    yield contexts, samples
    for context, _page in contexts.values():
        context.close()


def _readers(contexts, path: str) -> list[str]:
    """The roles that get this path as a page (200, HTML), anonymous first."""
    roles = []
    for role, (_context, page) in contexts.items():
        answer = page.request.get(path, max_redirects=0)
        if answer.status == 200 and answer.headers["content-type"].startswith("text/html"):
            roles.append(role)
    return roles


def _problems(page, path: str, width: int) -> list[str]:
    """Open a path and return everything wrong with it."""
    seen: list[str] = []
    on_console = lambda m: m.type == "error" and seen.append(f"console: {m.text}")  # noqa: E731
    on_error = lambda e: seen.append(f"script error: {e}")  # noqa: E731
    on_failed = lambda r: seen.append(f"failed: {r.url} {r.failure}")  # noqa: E731
    on_response = (  # noqa: E731
        lambda r: r.status >= 400 and seen.append(f"HTTP {r.status}: {r.url}")
    )
    page.on("console", on_console)
    page.on("pageerror", on_error)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)
    try:
        answer = page.goto(path, wait_until="networkidle")
        if answer is None or answer.status != 200:
            seen.append(f"status {answer.status if answer else None}")
        seen.extend(f"CSP: {v}" for v in page.evaluate("() => window.__csp || []"))
        wide = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if wide[0] > wide[1]:
            culprits = page.evaluate(
                """(w) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))""",
                wide[1],
            )
            seen.append(f"scrolls sideways: {wide[0]} px wide at {width} ({culprits})")
        page.add_script_tag(url=AXE_URL)
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            AXE_TAGS,
        )
        seen.extend(
            f"axe {v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
        )
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_error)
        page.remove_listener("requestfailed", on_failed)
        page.remove_listener("response", on_response)
    return [p for p in seen if not any(known in p for known in KNOWN_PROBLEMS)]


def test_every_get_route_is_a_page_or_declared(live_runtime):
    from replan.app import create_app

    app = create_app(live_runtime.settings, live_runtime)
    routes = {path for method, path in routes_of(app) if method == "GET"}
    assert set(NOT_PAGES) <= routes, "a route declared here is gone: remove it from NOT_PAGES"
    assert {"/", "/cases", "/cases/{case_id}", "/gpp", "/specs/{spec_id}"} <= set(page_routes(app))


@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_every_page_fits_the_screen_and_passes_the_checks(screen, tour, live_runtime):
    from replan.app import create_app

    contexts, samples = tour
    width, height = VIEWPORTS[screen]
    for _context, page in contexts.values():
        page.set_viewport_size({"width": width, "height": height})
    routes = page_routes(create_app(live_runtime.settings, live_runtime))
    report: dict[str, list[str]] = {}
    visited = 0
    for template in routes:
        if template in KNOWN:
            continue
        for path in expand(template, samples):
            path += QUERIES.get(template, "")
            readers = _readers(contexts, path)
            assert readers, f"{path}: no role gets it as a page; declare it in NOT_PAGES"
            for role in readers if path in PER_ROLE else readers[:1]:
                visited += 1
                problems = _problems(contexts[role][1], path, width)
                if problems:
                    report[f"{path} as {role}"] = problems
    assert visited >= len(routes)
    assert report == {}, "\n".join(
        f"{where}:\n  " + "\n  ".join(problems) for where, problems in report.items()
    )
