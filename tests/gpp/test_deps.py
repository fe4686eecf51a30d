"""The loaders of GPP (`valid_<thing>`, `owned_<thing>`): each hands over what the path names or
raises `NotFound`, which the app answers once (a translated page, English in the API). No HTTP
error is built anywhere in gpp."""

import ast
from types import SimpleNamespace

import pytest

from gpp import bidders, deps, service
from gpp.schemas import SpecCreate
from gpp.service import drafts
from replan import PROJECT_ROOT
from replan.errors import NotFound
from tests.gpp.conftest import add_user


def as_user(user) -> SimpleNamespace:
    """A request signed in as `user` (what a loader reads of a request)."""
    return SimpleNamespace(state=SimpleNamespace(user=user))


@pytest.fixture
def world(db, library):
    with db.session() as session:
        alice = add_user(session, "alice@example.org")
        bob = add_user(session, "bob@example.org")
        spec = service.build_spec(
            session,
            library=library,
            request=SpecCreate(application="playground", ambition="core"),
            owner_id=alice.id,
        )
        bidder = bidders.new_bidder(session, spec=spec, user_id=alice.id, name="Giochi Srl")
        draft = drafts.new_draft(session, data={"reached": 1})
        ids = SimpleNamespace(spec=spec.id, bidder=bidder.id, draft=draft.id)
    with db.session() as session:
        yield session, alice, bob, ids


def test_loaders_hand_over_what_the_path_names(world):
    session, alice, _bob, ids = world
    spec = deps.valid_spec(ids.spec, session)
    assert spec.id == ids.spec and spec.owner_id == alice.id
    assert spec.document["previous_id"] is None and spec.document["checklist"]
    assert deps.owned_spec(ids.spec, session, as_user(alice)).id == ids.spec
    evaluation = deps.valid_bidder(ids.spec, ids.bidder, session, as_user(alice))
    assert evaluation.bidder.name == "Giochi Srl" and evaluation.spec.id == ids.spec
    assert deps.valid_draft(ids.draft, session).data["reached"] == 1
    assert deps.valid_step("award").name == "award"


def test_loaders_raise_not_found(world):
    session, alice, bob, ids = world
    refusals = [
        (lambda: deps.valid_spec("no-such-spec", session), service.NO_SPEC),
        (lambda: deps.valid_spec("x" * 65, session), service.NO_SPEC),
        (lambda: deps.owned_spec(ids.spec, session, as_user(bob)), service.NO_SPEC),
        (lambda: deps.owned_spec(ids.spec, session, as_user(None)), service.NO_SPEC),
        (lambda: deps.valid_bidder(ids.spec, ids.bidder, session, as_user(bob)), bidders.NO_BIDDER),
        (lambda: deps.valid_bidder(ids.spec, 999, session, as_user(alice)), bidders.NO_BIDDER),
        (lambda: deps.valid_draft("no-such-draft", session), drafts.NO_DRAFT),
        (lambda: deps.valid_step("nowhere"), "There is no such step in the wizard."),
    ]
    for load, message in refusals:
        with pytest.raises(NotFound) as refused:
            load()
        assert refused.value.message == message


def test_a_refusal_is_a_translated_page_and_english_in_the_api(client):
    page = client.get("/gpp/drafts/no-such-draft/subject?lang=it")
    assert page.status_code == 404 and 'lang="it"' in page.text
    assert drafts.NO_DRAFT not in page.text  # the Italian catalogue says it
    assert client.get("/gpp/drafts/no-such-draft/subject").status_code == 404
    answer = client.get("/api/v1/specs/no-such-spec")
    assert answer.status_code == 404 and answer.json() == {"detail": service.NO_SPEC}


def test_gpp_builds_no_http_error_and_opens_no_session_by_hand():
    """Domain errors are raised and mapped once; handlers take `DbDep`/`UowDep`."""
    found = []
    for path in sorted((PROJECT_ROOT / "gpp").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", None)
            if name == "HTTPException" or (
                isinstance(node, ast.Attribute)
                and node.attr == "session"
                and path.stem.startswith(("web", "api"))
            ):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert found == []
