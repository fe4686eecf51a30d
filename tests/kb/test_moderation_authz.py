"""The authorization matrix: every route of the app (read from `app.routes`), requested
anonymously and as every role, answers the status its access rule gives.

Roles: A anonymous, S the submitter who wrote the cases, O another submitter (without an
organisation), P a procurer, M a moderator, D an administrator. A route missing from the table
fails the test: a new route must declare who may use it."""

import io
import re

import pytest
from PIL import Image

from kb.moderation.models import Attachment
from replan import auth
from replan.auth_models import User
from tests.builders import add_file, review_case, routes_of
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import sign_in, submit_case, user_of

people = support.people  # the fixture, shared

ROLES = "APOSMD"  # denied roles first, the author before the moderators
LOGIN = "login"  # 303 to the sign-in page


def every(status) -> dict:
    return dict.fromkeys(ROLES, status)


def web(allowed: str, ok, denied=403) -> dict:
    """A page for some roles: anonymous visitors are sent to sign in, others refused."""
    return {r: ok if r in allowed else (LOGIN if r == "A" else denied) for r in ROLES}


def api(allowed: str, ok, denied=403) -> dict:
    return {r: ok if r in allowed else (401 if r == "A" else denied) for r in ROLES}


def private(ok=200) -> dict:
    """Something of an unpublished case: its author and the moderators, else 404."""
    return {"A": 404, "P": 404, "O": 404, "S": ok, "M": ok, "D": ok}


SIGNED_IN = "SOPMD"
AUTHORS = "SOMD"
MODERATORS = "MD"
PROCURERS = "PD"


def matrix(sub: str, pub: str, att_sub: str, att_pub: str) -> list[tuple]:
    """(method, route template, concrete path, body, expected status by role)."""
    json_body = {"json": {}}
    return [
        ("GET", "/openapi.json", "/openapi.json", None, every(200)),
        ("GET", "/api/docs", "/api/docs", None, every(200)),
        ("GET", "/healthz", "/healthz", None, every(200)),
        ("GET", "/readyz", "/readyz", None, every(200)),
        ("GET", "/metrics", "/metrics", None, every(403)),  # loopback only; test clients are not
        ("GET", "/favicon.ico", "/favicon.ico", None, every(200)),
        ("GET", "/login", "/login", None, every(200)),
        ("GET", "/", "/", None, every(200)),
        ("GET", "/cases", "/cases", None, every(200)),
        ("GET", "/cases/export.{fmt}", "/cases/export.csv", None, every(200)),
        ("GET", "/cases/map.json", "/cases/map.json", None, every(200)),
        ("GET", "/stats", "/stats", None, every(200)),
        ("GET", "/stats/{dimension}.svg", "/stats/year.svg", None, every(200)),
        ("GET", "/stats/{dimension}.csv", "/stats/year.csv", None, every(200)),
        ("GET", "/embed/stats", "/embed/stats", None, every(200)),
        ("GET", "/api/v1/stats", "/api/v1/stats", None, every(200)),
        ("GET", "/organisations", "/organisations", None, every(200)),
        ("GET", "/compare", f"/compare?ids={pub},{sub}", None, every(200)),
        ("GET", "/cases/feed.atom", "/cases/feed.atom", None, every(200)),
        ("GET", "/sitemap.xml", "/sitemap.xml", None, every(200)),
        ("GET", "/robots.txt", "/robots.txt", None, every(200)),
        ("GET", "/catalog.ttl", "/catalog.ttl", None, every(200)),
        ("GET", "/catalog.jsonld", "/catalog.jsonld", None, every(200)),
        ("GET", "/cases/{case_id}", f"/cases/{pub}", None, every(200)),
        ("GET", "/cases/{case_id}", f"/cases/{sub}", None, private()),
        ("GET", "/cases/{case_id}/history", f"/cases/{pub}/history", None, every(200)),
        ("GET", "/cases/{case_id}/history", f"/cases/{sub}/history", None, private()),
        ("GET", "/organisations/{slug}", "/organisations/s-org", None, every(200)),
        ("GET", "/organisations/{slug}", "/organisations/none", None, every(404)),
        (
            "GET",
            "/organisations/{slug}/certificates/{certificate_id}/{filename}",
            "/organisations/s-org/certificates/999999/c.pdf",
            None,
            every(404),
        ),
        ("GET", "/attachments/{attachment_id}/{filename}", att_pub, None, every(200)),
        ("GET", "/attachments/{attachment_id}/{filename}", att_sub, None, private()),
        ("GET", "/api/v1/cases", "/api/v1/cases", None, every(200)),
        ("GET", "/api/v1/cases/{case_id}", f"/api/v1/cases/{pub}", None, every(200)),
        ("GET", "/api/v1/cases/{case_id}", f"/api/v1/cases/{sub}", None, private()),
        ("GET", "/api/v1/taxonomy", "/api/v1/taxonomy", None, every(200)),
        ("GET", "/api/v1/criteria", "/api/v1/criteria", None, every(200)),
        ("GET", "/gpp", "/gpp", None, every(200)),
        ("GET", "/gpp/drafts/{draft_id}", "/gpp/drafts/none", None, every(404)),
        ("GET", "/gpp/drafts/{draft_id}/{step}", "/gpp/drafts/none/subject", None, every(404)),
        ("GET", "/specs", "/specs", None, web(PROCURERS, 200)),
        ("GET", "/specs/{spec_id}", "/specs/none", None, every(404)),
        ("GET", "/specs/{spec_id}/export.{fmt}", "/specs/none/export.md", None, every(404)),
        (
            "GET",
            "/specs/{spec_id}/bidders/{bidder_id}",
            "/specs/none/bidders/1",
            None,
            web(PROCURERS, 404),
        ),
        (
            "GET",
            "/specs/{spec_id}/bidders/{bidder_id}/export.{fmt}",
            "/specs/none/bidders/1/export.pdf",
            None,
            web(PROCURERS, 404),
        ),
        ("GET", "/api/v1/specs", "/api/v1/specs", None, api(PROCURERS, 200)),
        ("GET", "/lcc", "/lcc", None, every(200)),
        (
            "GET",
            "/specs/{spec_id}/contract",
            "/specs/none/contract",
            None,
            web(SIGNED_IN, 404),
        ),
        ("GET", "/api/v1/specs/{spec_id}/lcc", "/api/v1/specs/none/lcc", None, api(SIGNED_IN, 404)),
        (
            "GET",
            "/specs/{spec_id}/contract/milestones/{n}/files/{file_id}/{filename}",
            "/specs/none/contract/milestones/0/files/1/report.pdf",
            None,
            web(SIGNED_IN, 404),
        ),
        (
            "GET",
            "/specs/{spec_id}/delivery-report.{fmt}",
            "/specs/none/delivery-report.pdf",
            None,
            web(SIGNED_IN, 404),
        ),
        (
            "GET",
            "/api/v1/specs/{spec_id}/contract",
            "/api/v1/specs/none/contract",
            None,
            api(SIGNED_IN, 404),
        ),
        ("GET", "/api/v1/specs/{spec_id}", "/api/v1/specs/none", None, every(404)),
        (
            "GET",
            "/api/v1/specs/{spec_id}/bidders/{bidder_id}",
            "/api/v1/specs/none/bidders/1",
            None,
            api(PROCURERS, 404),
        ),
        ("GET", "/account", "/account", None, web(SIGNED_IN, 200)),
        ("GET", "/account/data.json", "/account/data.json", None, web(SIGNED_IN, 200)),
        # The unsubscribe link of a digest: no sign-in, its token the credential (none here).
        ("GET", "/follows/unsubscribe/{token}", "/follows/unsubscribe/none", None, every(404)),
        ("GET", "/admin/users", "/admin/users", None, web("D", 200)),
        (
            "GET",
            "/account/organisation",
            "/account/organisation",
            None,
            {"A": LOGIN, "S": 303, "O": 200, "P": 403, "M": 403, "D": 200},
        ),
        ("GET", "/submit", "/submit", None, web(AUTHORS, 200)),
        # Any signed-in author edits their case (a procurer, the one drafted from a contract).
        (
            "GET",
            "/submit/{case_id}",
            f"/submit/{sub}",
            None,
            {**web(SIGNED_IN, 403), "S": 200, "O": 404, "P": 404},
        ),
        ("GET", "/submit/{case_id}", f"/submit/{pub}", None, {**web(SIGNED_IN, 403), "S": 200}),
        ("GET", "/my/cases", "/my/cases", None, web(SIGNED_IN, 200)),
        ("GET", "/moderation", "/moderation", None, web(MODERATORS, 200)),
        ("GET", "/moderation/{case_id}", f"/moderation/{sub}", None, web(MODERATORS, 200)),
        (
            "GET",
            "/organisations/{slug}/edit",
            "/organisations/s-org/edit",
            None,
            {**web("SMD", 200), "O": 403},
        ),
        ("GET", "/api/v1/moderation", "/api/v1/moderation", None, api(MODERATORS, 200)),
        # State-changing routes, with a valid CSRF token and an empty or minimal body.
        ("POST", "/login", "/login", {}, every((422, 429))),  # 429: the attempt limit
        ("POST", "/gpp/drafts", "/gpp/drafts", {}, every(422)),
        ("POST", "/gpp/drafts/{draft_id}/{step}", "/gpp/drafts/none/subject", {}, every(404)),
        ("POST", "/specs/{spec_id}/copy", "/specs/none/copy", {}, web(PROCURERS, 404)),
        ("POST", "/specs/{spec_id}/bidders", "/specs/none/bidders", {}, web(PROCURERS, 404)),
        (
            "POST",
            "/specs/{spec_id}/bidders/{bidder_id}/checks",
            "/specs/none/bidders/1/checks",
            {},
            web(PROCURERS, 404),
        ),
        ("POST", "/api/v1/specs", "/api/v1/specs", json_body, every(422)),
        ("POST", "/api/v1/lcc", "/api/v1/lcc", json_body, every(422)),
        # After the tender: the owning procurer, moderators and admins; others 404 (no spec here).
        ("POST", "/specs/{spec_id}/status", "/specs/none/status", {}, web(SIGNED_IN, 404)),
        ("POST", "/specs/{spec_id}/award", "/specs/none/award", {}, web(SIGNED_IN, 404)),
        ("POST", "/specs/{spec_id}/lcc", "/specs/none/lcc", {}, web(SIGNED_IN, 404)),
        ("POST", "/specs/{spec_id}/case-draft", "/specs/none/case-draft", {}, web(SIGNED_IN, 404)),
        (
            "POST",
            "/specs/{spec_id}/contract/milestones/{n}/files",
            "/specs/none/contract/milestones/0/files",
            {},
            web(SIGNED_IN, 404),
        ),
        (
            "POST",
            "/specs/{spec_id}/contract/milestones/{n}",
            "/specs/none/contract/milestones/0",
            {},
            web(SIGNED_IN, 404),
        ),
        (
            "POST",
            "/api/v1/specs/{spec_id}/status",
            "/api/v1/specs/none/status",
            json_body,
            api(SIGNED_IN, 404),
        ),
        (
            "POST",
            "/api/v1/specs/{spec_id}/award",
            "/api/v1/specs/none/award",
            json_body,
            api(SIGNED_IN, 404),
        ),
        (
            "PUT",
            "/api/v1/specs/{spec_id}/lcc",
            "/api/v1/specs/none/lcc",
            json_body,
            api(SIGNED_IN, 404),
        ),
        (
            "POST",
            "/api/v1/specs/{spec_id}/case-draft",
            "/api/v1/specs/none/case-draft",
            json_body,
            api(SIGNED_IN, 404),
        ),
        (
            "POST",
            "/api/v1/specs/{spec_id}/contract/milestones/{n}/attachments",
            "/api/v1/specs/none/contract/milestones/0/attachments",
            json_body,
            api(SIGNED_IN, 404),
        ),
        (
            "PATCH",
            "/api/v1/specs/{spec_id}/contract/milestones/{n}",
            "/api/v1/specs/none/contract/milestones/0",
            json_body,
            api(SIGNED_IN, 404),
        ),
        (
            "POST",
            "/api/v1/specs/{spec_id}/bidders",
            "/api/v1/specs/none/bidders",
            {"json": {"name": "Bidder"}},
            api(PROCURERS, 404),
        ),
        (
            "PATCH",
            "/api/v1/specs/{spec_id}/bidders/{bidder_id}/checks/{n}",
            "/api/v1/specs/none/bidders/1/checks/0",
            {"json": {"status": "compliant"}},
            api(PROCURERS, 404),
        ),
        ("POST", "/account/profile", "/account/profile", {"language": "en"}, web(SIGNED_IN, 303)),
        # Follows: anyone signed in follows a search; a follow is its owner's alone (404).
        ("POST", "/cases/follow", "/cases/follow", {"q": "matrix"}, web(SIGNED_IN, 303)),
        (
            "POST",
            "/account/follows/{follow_id}",
            "/account/follows/999999",
            {"frequency": "daily"},
            web(SIGNED_IN, 404),
        ),
        (
            "POST",
            "/account/follows/{follow_id}/delete",
            "/account/follows/999999/delete",
            {},
            web(SIGNED_IN, 404),
        ),
        # CSRF-exempt (tests/kb/test_moderation_csrf.py): a wrong token is 404 for everyone.
        ("POST", "/follows/unsubscribe/{token}", "/follows/unsubscribe/none", {}, every(404)),
        ("POST", "/account/password", "/account/password", {}, web(SIGNED_IN, 422)),
        ("POST", "/account/tokens", "/account/tokens", {"name": "matrix"}, web(SIGNED_IN, 201)),
        (
            "POST",
            "/account/tokens/{token_id}/revoke",
            "/account/tokens/999999/revoke",
            {},
            web(SIGNED_IN, 303),
        ),
        ("POST", "/account/delete", "/account/delete", {}, web(SIGNED_IN, 422)),
        (
            "POST",
            "/account/sessions/{session_id}/end",
            "/account/sessions/999999/end",
            {},
            web(SIGNED_IN, 303),
        ),
        (
            "POST",
            "/account/sessions/end-others",
            "/account/sessions/end-others",
            {},
            web(SIGNED_IN, 303),
        ),
        (
            "POST",
            "/admin/users/{user_id}/sign-out",
            "/admin/users/999999/sign-out",
            {},
            web("D", 303),
        ),
        (
            "POST",
            "/account/organisation",
            "/account/organisation",
            {},
            {"A": LOGIN, "S": 403, "O": 422, "P": 403, "M": 403, "D": 422},
        ),
        (
            "POST",
            "/organisations/{slug}/edit",
            "/organisations/s-org/edit",
            {},
            {**web("SMD", 422), "O": 403},
        ),
        # Its members (submitters) and moderators change a profile; the change waits.
        (
            "POST",
            "/organisations/{slug}/certificates",
            "/organisations/s-org/certificates",
            {},
            {**web("SMD", 422), "O": 403},
        ),
        (
            "POST",
            "/organisations/{slug}/certificates/{certificate_id}/delete",
            "/organisations/s-org/certificates/999999/delete",
            {},
            {**web("SMD", 404), "O": 403},
        ),
        # Anyone writes to a public organisation with a contact address (S Org has none).
        ("POST", "/organisations/{slug}/contact", "/organisations/s-org/contact", {}, every(404)),
        (
            "POST",
            "/moderation/organisations/{slug}",
            "/moderation/organisations/s-org",
            {"decision": "approve"},
            web(MODERATORS, 404),
        ),
        ("POST", "/submit", "/submit", {}, web(AUTHORS, 422)),
        (
            "POST",
            "/submit/{case_id}",
            f"/submit/{sub}",
            {},
            {**web(SIGNED_IN, 403), "S": 422, "O": 404, "P": 404},
        ),
        (
            "POST",
            "/submit/{case_id}/attachments",
            f"/submit/{sub}/attachments",
            {},
            {**web(SIGNED_IN, 403), "S": 422, "O": 404, "P": 404},
        ),
        (
            "POST",
            "/submit/{case_id}/attachments/{attachment_id}/delete",
            f"/submit/{sub}/attachments/{att_sub.split('/')[2]}/delete",
            {},
            {**web(AUTHORS, (303, 404)), "O": 404},
        ),
        ("POST", "/moderation/{case_id}", f"/moderation/{sub}", {}, web(MODERATORS, 422)),
        (
            "POST",
            "/moderation/claims/{claim_id}",
            "/moderation/claims/999999",
            {"decision": "approve"},
            web(MODERATORS, 404),
        ),
        ("POST", "/api/v1/cases", "/api/v1/cases", json_body, api(AUTHORS, 422)),
        (
            "POST",
            "/api/v1/cases/{case_id}/review",
            f"/api/v1/cases/{sub}/review",
            json_body,
            api(MODERATORS, 422),
        ),
        ("POST", "/logout", "/logout", {}, every(303)),  # last: it signs everyone out
    ]


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def world(people, runtime, app):
    """Two cases of S (one submitted, one published), each with a photo; S's organisation."""
    from kb.importing import organisation_named

    with runtime.db.session() as session:
        org = organisation_named(session, "S Org")
        org.slug = "s-org"
        session.get(User, people["submitter"].user_id).organisation_id = org.id
    author = user_of(runtime, people["submitter"])
    sub = submit_case(runtime, author, id="sub-case")
    pub = submit_case(runtime, author, id="pub-case")
    urls = {}
    for case_id in (sub, pub):
        added = add_file(
            runtime,
            user=author,
            case_id=case_id,
            filename="p.png",
            data=_photo(),
            caption="A photo",
        )
        urls[case_id] = added.url
    review_case(
        runtime, user=user_of(runtime, people["moderator"]), case_id=pub, decision="publish"
    )
    people["other"] = sign_in(app, runtime, "submitter", email="other@example.org")
    return {"sub": sub, "pub": pub, "att_sub": urls[sub], "att_pub": urls[pub]}


KEYS = {
    "A": "anonymous",
    "S": "submitter",
    "O": "other",
    "P": "procurer",
    "M": "moderator",
    "D": "admin",
}


def _request(person, method: str, path: str, body):
    headers = {"X-CSRF-Token": person.token} if path.startswith("/api/") else {}
    if body is None:
        return person.client.request(method, path, follow_redirects=False)
    if "json" in body:
        return person.client.request(
            method, path, json=body["json"], headers=headers, follow_redirects=False
        )
    return person.client.request(
        method,
        path,
        data={"csrf_token": person.token, **body},
        headers=headers,
        follow_redirects=False,
    )


def _matches(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 303 and response.headers["location"].startswith("/login")
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if response.status_code in (303, 307) and 303 in allowed:
        return not response.headers["location"].startswith("/login")
    return response.status_code in allowed


def test_every_route_is_in_the_matrix(app, world):
    table = {(method, template) for method, template, *_ in matrix(**world)}
    missing = sorted(routes_of(app) - table)
    assert missing == [], f"routes without an access rule in the matrix: {missing}"


def test_every_route_answers_every_role_as_its_rule_says(people, world):
    wrong = []
    for method, _template, path, body, expected in matrix(**world):
        for role in ROLES:
            response = _request(people[KEYS[role]], method, path, body)
            assert response.status_code < 500, (method, path, role, response.text[:300])
            if not _matches(response, expected[role]):
                wrong.append(
                    f"{method} {path} as {KEYS[role]}: {response.status_code} "
                    f"{response.headers.get('location', '')}, expected {expected[role]}"
                )
    assert wrong == [], "\n".join(wrong)


def test_api_tokens_follow_the_same_rules(client, runtime, world):
    with runtime.db.session() as session:
        submitter = session.query(User).filter_by(email="submitter@example.org").one()
        token = auth.create_token(session, user=submitter)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/moderation", headers=headers).status_code == 403
    assert client.get(f"/api/v1/cases/{world['sub']}", headers=headers).status_code == 200
    assert client.get(f"/cases/{world['sub']}", headers=headers).status_code == 200
    assert re.search(r"/attachments/\d+/p\.png", world["att_sub"])
    assert client.get(world["att_sub"], headers=headers).status_code == 200
    assert client.get(world["att_sub"]).status_code == 404
    with runtime.db.session() as session:
        assert session.query(Attachment).count() == 2
