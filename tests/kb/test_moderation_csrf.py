"""CSRF: every state-changing form route refuses a POST without a valid token (403), whoever
sends it; the API asks for the header only when a browser session authenticates the call."""

import pytest
from sqlalchemy import func, select

from kb.models import Case
from tests.builders import record
from tests.kb import test_moderation_authz as authz
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_authz import matrix, routes_of
from tests.kb.test_moderation_support import form_data

people = support.people  # the fixtures, shared
world = authz.world

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# The one form route without a CSRF token, on purpose: RFC 8058's one-click unsubscribe is a POST
# from a mail client, without a session; the secret token in its path is the credential, so a
# forged request cannot name a follow (replan.follows.web). A wrong token answers 404 and changes
# nothing (tests/replan/test_follows_web.py).
CSRF_EXEMPT = {("POST", "/follows/unsubscribe/{token}")}


def _form_routes(world) -> list[tuple[str, str, dict]]:
    return [
        (method, path, body)
        for method, template, path, body, _e in matrix(**world)
        if method in STATE_CHANGING
        and not path.startswith("/api/")
        and (method, template) not in CSRF_EXEMPT
    ]


def test_the_unsubscribe_post_is_the_only_route_without_csrf(app, people):
    """Every other form route's router carries `auth.csrf_protect`; the exemption answers 404 to
    a token that names no follow, whether or not a CSRF token comes with it."""
    from replan import auth

    def guarded(route) -> bool:
        return any(d.call is auth.csrf_protect for d in route.dependant.dependencies)

    def walk(routes, prefix=""):
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI's wrapper of an included router
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif getattr(route, "methods", None) and hasattr(route, "dependant"):
                yield prefix + route.path, route

    unguarded = {
        (method, path)
        for path, route in walk(app.routes)
        for method in route.methods & STATE_CHANGING
        if not path.startswith("/api/") and not guarded(route)
    }
    assert unguarded == CSRF_EXEMPT
    for person in (people["anonymous"], people["submitter"]):
        answer = person.client.post("/follows/unsubscribe/none", data={}, follow_redirects=False)
        assert answer.status_code == 404


def test_the_csrf_table_covers_every_form_route(app, world):
    covered = {(m, t) for m, t, _p, _b, _e in matrix(**world)}
    forms = {(m, p) for m, p in routes_of(app) if m in STATE_CHANGING and not p.startswith("/api/")}
    assert forms <= covered
    assert CSRF_EXEMPT <= forms  # the exemption names a route that exists
    assert len(_form_routes(world)) >= len(forms - CSRF_EXEMPT)


@pytest.mark.parametrize("who", ["anonymous", "submitter", "moderator", "admin"])
def test_a_post_without_a_valid_token_is_refused(people, world, who):
    person = people[who]
    for method, path, body in _form_routes(world):
        for token in (None, "", "forged-token", person.token + "x"):
            data = dict(body or {})
            if token is not None:
                data["csrf_token"] = token
            response = person.client.request(method, path, data=data, follow_redirects=False)
            assert response.status_code == 403, (who, path, token, response.status_code)
    # The session is intact: a right token still works.
    assert person.client.get("/login").status_code == 200


def test_nothing_changes_without_a_token(people, runtime):
    submitter = people["submitter"]
    data = form_data(record(id="forged"))
    assert submitter.client.post("/submit", data=data).status_code == 403
    other_site = people["anonymous"].token  # a token from another session does not fit
    assert (
        submitter.client.post("/submit", data={**data, "csrf_token": other_site}).status_code == 403
    )
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
    ok = submitter.client.post(
        "/submit", data={**data, "csrf_token": submitter.token}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_htmx_sends_the_token_in_a_header(people):
    submitter = people["submitter"]
    data = form_data(record(), action="add-sources")
    refused = submitter.client.post("/submit", data=data, headers={"HX-Request": "true"})
    assert refused.status_code == 403
    accepted = submitter.client.post(
        "/submit", data=data, headers={"HX-Request": "true", "X-CSRF-Token": submitter.token}
    )
    assert accepted.status_code == 200


def test_the_api_needs_the_header_with_a_session_but_not_with_a_token(people, world, runtime):
    moderator = people["moderator"]
    url = f"/api/v1/cases/{world['sub']}/review"
    assert moderator.client.post(url, json={"decision": "publish"}).status_code == 403
    from replan import auth
    from replan.auth_models import User

    with runtime.db.session() as session:
        token = auth.create_token(session, user=session.get(User, moderator.user_id))
    answer = moderator.client.post(
        url, json={"decision": "publish"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
