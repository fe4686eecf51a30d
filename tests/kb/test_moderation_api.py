"""The contract's submission and moderation API: tokens, roles, codes and shapes."""

import time

import pytest

from replan import auth
from replan.auth_models import User
from tests.builders import record


@pytest.fixture
def tokens(runtime) -> dict[str, str]:
    """An API token for a new user of each role."""
    out = {}
    with runtime.db.session() as session:
        for role in ("submitter", "moderator", "procurer", "admin"):
            user = auth.create_user(
                session, email=f"{role}@example.org", password="long enough password", role=role
            )
            out[role] = auth.create_token(session, user=user, name="test")
        other = auth.create_user(
            session, email="other@example.org", password="long enough password", role="submitter"
        )
        out["other"] = auth.create_token(session, user=other, name="test")
    return out


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def submit(client, token, **overrides):
    return client.post("/api/v1/cases", json=record(**overrides), headers=bearer(token))


def test_submitting_needs_a_token_of_a_submitter(client, tokens):
    assert client.post("/api/v1/cases", json=record()).status_code == 401
    assert (
        client.post("/api/v1/cases", json=record(), headers=bearer("rpl_not-a-token")).status_code
        == 401
    )
    assert submit(client, tokens["procurer"]).status_code == 403
    answer = submit(client, tokens["submitter"], id="api-case")
    assert answer.status_code == 201
    assert answer.json() == {"id": "api-case", "status": "submitted", "revision": False}
    assert submit(client, tokens["moderator"]).status_code == 201


def test_an_invalid_record_names_each_field(client, tokens):
    answer = submit(
        client,
        tokens["submitter"],
        title="ab",
        rtm_types=[],
        country="UK",
        sources=["javascript:alert(1)"],
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["detail"]}
    assert {"title", "rtm_types", "country", "sources.0"} <= fields


def test_ids_of_other_cases_are_not_confirmed_and_own_cases_are_resubmitted(client, tokens):
    """Issue 9, item 14: a 409 told anyone that an unpublished case held the id. Another's id
    is answered as if free: the case is made under an id of its own, the other one untouched."""
    assert submit(client, tokens["submitter"], id="owned", title="The owner's").status_code == 201
    clash = submit(client, tokens["other"], id="owned", title="Someone else's")
    assert clash.status_code == 201 and clash.json()["id"] not in ("owned", "")
    mine = client.get("/api/v1/cases/owned", headers=bearer(tokens["submitter"])).json()
    assert mine["title"] == "The owner's"
    again = submit(client, tokens["submitter"], id="owned", title="Owned, fixed")
    assert again.status_code == 201 and again.json()["status"] == "submitted"
    stale = client.post(
        "/api/v1/cases",
        json=record(id="owned"),
        headers={**bearer(tokens["submitter"]), "If-Match": '"1"'},
    )
    assert stale.status_code == 409
    assert (
        client.post(
            "/api/v1/cases",
            json=record(id="owned"),
            headers={**bearer(tokens["submitter"]), "If-Match": "soon"},
        ).status_code
        == 422
    )


def test_a_submitted_case_is_visible_to_its_submitter_and_moderators_only(client, tokens):
    submit(client, tokens["submitter"], id="secret-case", title="Unpublished rubber crumb")
    assert client.get("/api/v1/cases/secret-case").status_code == 404
    assert (
        client.get("/api/v1/cases/secret-case", headers=bearer(tokens["other"])).status_code == 404
    )
    assert (
        client.get("/api/v1/cases/secret-case", headers=bearer(tokens["procurer"])).status_code
        == 404
    )
    mine = client.get("/api/v1/cases/secret-case", headers=bearer(tokens["submitter"]))
    assert mine.status_code == 200 and mine.json()["status"] == "submitted"
    assert (
        client.get("/api/v1/cases/secret-case", headers=bearer(tokens["moderator"])).status_code
        == 200
    )
    assert client.get("/cases/secret-case").status_code == 404
    hits = client.get("/api/v1/cases", params={"q": "unpublished rubber crumb"}).json()["hits"]
    assert all(h["id"] != "secret-case" for h in hits)


def test_the_queue_and_reviews_belong_to_moderators(client, tokens):
    submit(client, tokens["submitter"], id="to-review", title="Noise barrier with crumb")
    assert client.get("/api/v1/moderation").status_code == 401
    assert client.get("/api/v1/moderation", headers=bearer(tokens["submitter"])).status_code == 403
    queue = client.get("/api/v1/moderation", headers=bearer(tokens["moderator"]))
    assert queue.status_code == 200
    item = queue.json()["items"][0]
    assert (item["id"], item["kind"], item["status"]) == ("to-review", "new", "submitted")
    assert item["submitter"]["email"] == "submitter@example.org"

    url = "/api/v1/cases/to-review/review"
    assert client.post(url, json={"decision": "publish"}).status_code == 401
    assert (
        client.post(
            url, json={"decision": "publish", "comment": ""}, headers=bearer(tokens["submitter"])
        ).status_code
        == 403
    )
    assert (
        client.post(
            url, json={"decision": "maybe"}, headers=bearer(tokens["moderator"])
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/cases/nope/review",
            json={"decision": "publish"},
            headers=bearer(tokens["moderator"]),
        ).status_code
        == 404
    )
    done = client.post(
        url, json={"decision": "publish", "comment": "ok"}, headers=bearer(tokens["moderator"])
    )
    assert done.status_code == 200
    assert done.json() == {
        "id": "to-review",
        "status": "published",
        "target": "case",
        "case_status": "published",
    }
    assert client.get("/api/v1/cases/to-review").status_code == 200
    deadline = time.monotonic() + 2  # the worker indexes it, off the request, within a second
    while True:
        hits = client.get("/api/v1/cases", params={"q": "noise barrier crumb"}).json()["hits"]
        if "to-review" in [h["id"] for h in hits] or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert "to-review" in [h["id"] for h in hits]
    again = client.post(url, json={"decision": "publish"}, headers=bearer(tokens["admin"]))
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("decision", "status"), [("reject", "rejected"), ("request_changes", "changes_requested")]
)
def test_other_decisions(client, tokens, decision, status):
    submit(client, tokens["submitter"], id="decide")
    answer = client.post(
        "/api/v1/cases/decide/review",
        json={"decision": decision, "comment": "Cite the report"},
        headers=bearer(tokens["moderator"]),
    )
    assert answer.status_code == 200 and answer.json()["status"] == status
    assert client.get("/api/v1/cases/decide").status_code == 404


def test_request_changes_without_a_comment_is_refused(client, tokens):
    submit(client, tokens["submitter"], id="silent")
    answer = client.post(
        "/api/v1/cases/silent/review",
        json={"decision": "request_changes"},
        headers=bearer(tokens["moderator"]),
    )
    assert answer.status_code == 422
    [error] = answer.json()["detail"]  # in English, naming the field at fault
    assert error["field"] == "comment" and error["loc"] == ["body", "comment"]
    assert error["msg"] == "Say what should change: your comment goes to the author."


def test_an_edit_of_a_published_case_through_the_api(client, tokens):
    submit(client, tokens["submitter"], id="live", title="Live rubber case")
    client.post(
        "/api/v1/cases/live/review",
        json={"decision": "publish"},
        headers=bearer(tokens["moderator"]),
    )
    edit = submit(client, tokens["submitter"], id="live", title="Live rubber case, updated")
    assert edit.status_code == 201 and edit.json()["revision"] is True
    assert client.get("/api/v1/cases/live").json()["title"] == "Live rubber case"
    done = client.post(
        "/api/v1/cases/live/review",
        json={"decision": "publish"},
        headers=bearer(tokens["moderator"]),
    ).json()
    assert (done["target"], done["status"]) == ("revision", "published")
    assert client.get("/api/v1/cases/live").json()["title"] == "Live rubber case, updated"


def test_a_revoked_token_or_a_deactivated_user_is_refused(client, tokens, runtime):
    with runtime.db.session() as session:
        user = session.query(User).filter_by(email="other@example.org").one()
        row = auth.list_tokens(session, user_id=user.id)[0]
        assert auth.revoke_token(session, user_id=user.id, token_id=row.id)
    assert submit(client, tokens["other"]).status_code == 401
    with runtime.db.session() as session:
        session.query(User).filter_by(email="submitter@example.org").one().is_active = False
    assert submit(client, tokens["submitter"]).status_code == 401


def test_a_browser_session_needs_the_csrf_header_on_the_api(app, runtime):
    from tests.kb.test_moderation_support import sign_in

    person = sign_in(app, runtime, "submitter")
    refused = person.client.post("/api/v1/cases", json=record())
    assert refused.status_code == 403
    allowed = person.client.post(
        "/api/v1/cases", json=record(), headers={"X-CSRF-Token": person.token}
    )
    assert allowed.status_code == 201
