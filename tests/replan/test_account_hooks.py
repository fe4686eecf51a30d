"""Every domain's part of an account: the data download holds all of it, the deletion leaves
nothing of it for anyone else to claim, and no table pointing at users goes without a hook."""

import json

from gpp.models import Bidder, Draft, Spec
from gpp.service import drafts
from replan.account_hooks import OWN_TABLES
from replan.app import MODEL_MODULES
from replan.auth_models import User
from replan.db import Base
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import PASSWORD

people = support.people  # the fixture, shared


def _spec_with_bidder(person) -> tuple[str, int]:
    headers = {"X-CSRF-Token": person.token}
    made = person.client.post(
        "/api/v1/specs",
        json={"application": "road-pavement", "ambition": "core", "title": "Mine"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    spec_id = made.json()["id"]
    bidder = person.client.post(
        f"/api/v1/specs/{spec_id}/bidders", json={"name": "Asfalti Srl"}, headers=headers
    )
    assert bidder.status_code == 201, bidder.text
    return spec_id, bidder.json()["id"]


def test_every_table_pointing_at_users_has_an_account_hook(runtime):
    assert MODEL_MODULES
    users = Base.metadata.tables[User.__tablename__]
    pointing = {
        table.name
        for table in Base.metadata.tables.values()
        if table is not users and any(fk.column.table is users for fk in table.foreign_keys)
    }
    covered = {model.__tablename__ for hook in runtime.account_hooks for model in hook.tables}
    covered |= {model.__tablename__ for model in OWN_TABLES}
    assert pointing, "the check found no table at all"
    assert sorted(pointing - covered) == []


def test_the_data_download_holds_my_specs_bidders_and_drafts(people, runtime):
    person = people["procurer"]
    spec_id, _ = _spec_with_bidder(person)
    with runtime.db.session() as session:
        draft = drafts.new_draft(
            session, data={"application": "playground"}, owner_id=person.user_id
        )
        draft_id = draft.id
    data = json.loads(person.get("/account/data.json").text)
    mine = data["procurement"]
    assert [s["id"] for s in mine["specs"]] == [spec_id]
    assert [b["name"] for b in mine["specs"][0]["bidders"]] == ["Asfalti Srl"]
    assert [d["id"] for d in mine["drafts"]] == [draft_id]
    assert [s["user_agent"] for s in data["sessions"]] == ["testclient"]
    assert "knowledge_base" in data


def test_a_deleted_procurers_specs_cannot_be_claimed_by_another(people, runtime, app):
    """Issue 9, item 6: another procurer added bidders to (and read the notes of) the specs a
    deleted procurer left without an owner."""
    person = people["procurer"]
    spec_id, bidder_id = _spec_with_bidder(person)
    with runtime.db.session() as session:
        drafts.new_draft(session, data={}, owner_id=person.user_id)
    done = person.post("/account/delete", {"password": PASSWORD, "confirm": "yes"})
    assert done.status_code == 303
    other = support.sign_in(app, runtime, "procurer", email="next-procurer@example.org")
    headers = {"X-CSRF-Token": other.token}
    claim = other.client.post(
        f"/api/v1/specs/{spec_id}/bidders", json={"name": "Claimer"}, headers=headers
    )
    assert claim.status_code == 404
    assert other.client.get(f"/api/v1/specs/{spec_id}/bidders/{bidder_id}").status_code == 404
    assert other.client.get(f"/specs/{spec_id}").status_code == 404
    with runtime.db.session() as session:
        assert session.get(Spec, spec_id) is None
        assert session.query(Bidder).count() == 0
        assert session.query(Draft).count() == 0
