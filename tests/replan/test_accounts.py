"""The account page: tokens listed and revocable, password, language, data download, deletion."""

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from kb.models import Case, Organisation
from replan import auth
from replan.auth_models import ApiToken, User
from tests.builders import review_case
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import PASSWORD, submit_case, user_of

people = support.people  # the fixture, shared

NEW_TOKEN = re.compile(r'id="new-token" type="text" readonly value="(rpl_[^"]+)"')


def test_tokens_are_shown_once_listed_and_revocable(people, runtime, client):
    person = people["submitter"]
    assert "You have no token." in person.get("/account").text
    made = person.post("/account/tokens", {"name": "import script"})
    assert made.status_code == 201
    token = NEW_TOKEN.search(made.text)[1]
    assert made.headers["cache-control"] == "no-store"
    page = person.get("/account").text
    assert "import script" in page and token not in page
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases/none", headers=headers).status_code == 404
    with runtime.db.session() as session:
        row = session.scalar(select(ApiToken))
        assert row.token_hash != token and row.last_used_at is not None
        token_id = row.id
    other = people["moderator"]
    other.post(f"/account/tokens/{token_id}/revoke")
    assert client.post("/api/v1/cases", json={}, headers=headers).status_code == 422  # still on
    revoked = person.post(f"/account/tokens/{token_id}/revoke")
    assert revoked.status_code == 303 and revoked.headers["location"] == "/account"
    assert "The token was revoked." in person.get("/account").text
    assert client.post("/api/v1/cases", json={}, headers=headers).status_code == 401


def test_changing_the_password(people, app, runtime):
    person = people["procurer"]
    wrong = person.post(
        "/account/password",
        {"current": "nope", "new": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert wrong.status_code == 422 and 'id="e-current"' in wrong.text
    short = person.post(
        "/account/password", {"current": PASSWORD, "new": "short", "confirm": "short"}
    )
    assert short.status_code == 422 and 'id="e-new"' in short.text
    differ = person.post(
        "/account/password",
        {"current": PASSWORD, "new": "a brand new secret", "confirm": "another new secret"},
    )
    assert differ.status_code == 422 and 'id="e-confirm"' in differ.text
    done = person.post(
        "/account/password",
        {"current": PASSWORD, "new": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert done.status_code == 303
    with runtime.db.session() as session:
        user = session.get(User, person.user_id)
        assert auth.check_password(user, "a brand new secret")
        assert not auth.check_password(user, PASSWORD)


def test_the_language_of_emails_is_a_preference(people, runtime):
    person = people["submitter"]
    assert person.post("/account/profile", {"name": "Ana", "language": "sl"}).status_code == 303
    with runtime.db.session() as session:
        user = session.get(User, person.user_id)
        assert (user.name, user.language) == ("Ana", "sl")
    assert person.post("/account/profile", {"language": "xx"}).status_code == 422


def test_downloading_my_data(people, runtime):
    person = people["submitter"]
    author = user_of(runtime, person)
    submit_case(runtime, author, id="my-data-case")
    person.post("/account/tokens", {"name": "exported"})
    answer = person.get("/account/data.json")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    data = json.loads(answer.text)
    assert data["account"]["email"] == "submitter@example.org"
    assert [t["name"] for t in data["api_tokens"]] == ["exported"]
    assert "token_hash" not in answer.text and "password" not in answer.text
    kb = data["knowledge_base"]
    assert [c["id"] for c in kb["cases"]] == ["my-data-case"]
    assert [a["action"] for a in kb["actions"]] == ["created"]


def test_deleting_my_account_keeps_my_cases_with_my_organisation(people, runtime, app):
    person = people["submitter"]
    with runtime.db.session() as session:
        org = Organisation(name="Deleted Person's Org", slug="dpo")
        session.add(org)
        session.flush()
        session.get(User, person.user_id).organisation_id = org.id
        org_id = org.id
    author = user_of(runtime, person)
    case_id = submit_case(runtime, author, id="stays")
    review_case(
        runtime,
        user=user_of(runtime, people["moderator"]),
        case_id=case_id,
        decision="publish",
    )
    person.post("/account/tokens", {"name": "goes"})
    refused = person.post("/account/delete", {"password": "wrong", "confirm": "yes"})
    assert refused.status_code == 422 and 'id="e-delete_password"' in refused.text
    unticked = person.post("/account/delete", {"password": PASSWORD})
    assert unticked.status_code == 422 and 'id="e-delete_confirm"' in unticked.text
    done = person.post("/account/delete", {"password": PASSWORD, "confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"] == "/"
    gone = person.get("/account", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    with runtime.db.session() as session:
        assert session.get(User, person.user_id) is None
        assert session.scalars(select(ApiToken)).all() == []
        case = session.get(Case, case_id)
        assert (case.created_by, case.organisation_id, case.status) == (None, org_id, "published")
    public = TestClient(app)
    assert public.get(f"/cases/{case_id}").status_code == 200
    assert f"/cases/{case_id}" in public.get("/organisations/dpo").text
    again = TestClient(app)
    login = again.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)[1]
    assert (
        again.post(
            "/login",
            data={"email": "submitter@example.org", "password": PASSWORD, "csrf_token": token},
        ).status_code
        == 422
    )


def test_each_role_finds_its_own_pages_and_what_its_tokens_are_for(people):
    procurer = people["procurer"].get("/account").text
    assert 'href="/specs"' in procurer  # in the header and on the account page
    assert procurer.count('href="/specs"') == 2
    assert "submit case studies" not in procurer
    assert "create tender specifications" in procurer
    submitter = people["submitter"].get("/account").text
    assert 'href="/specs"' not in submitter and "submit case studies" in submitter
    assert "moderation queue" in people["moderator"].get("/account").text
