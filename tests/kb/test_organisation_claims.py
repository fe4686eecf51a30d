"""Organisations are public only with a published case or an approved profile, and names are
claimed through moderation (issue 9, item 9)."""

from tests.builders import review_case
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import approve_claims, sign_in, submit_case, user_of

people = support.people  # the fixture, shared

REAL = "Real Tyre Recycling Ltd"


def _slug_named(runtime, name: str) -> str:
    from kb.importing import organisation_named

    with runtime.db.session() as session:
        return organisation_named(session, name).slug


def test_an_unpublished_submission_makes_no_public_page_and_blocks_no_claim(people, runtime, app):
    squatter = people["submitter"]
    case_id = submit_case(
        runtime,
        user_of(runtime, squatter),
        id="names-a-company",
        organisations=[{"name": REAL, "role": "recycler"}],
    )
    slug = _slug_named(runtime, REAL)
    public = people["anonymous"]
    assert public.get(f"/organisations/{slug}").status_code == 404
    assert squatter.get(f"/organisations/{slug}").status_code == 404  # naming it is not owning it

    company = sign_in(app, runtime, "submitter", email="staff@real-tyres.example")
    claimed = company.post(
        "/account/organisation", {"name": REAL, "website": "https://real-tyres.example"}
    )
    assert claimed.status_code == 303 and claimed.headers["location"] == "/account/organisation"
    page = company.get("/account/organisation").text
    assert "waits for a moderator" in page and "sent to the moderators" in page
    assert public.get(f"/organisations/{slug}").status_code == 404
    queue = people["moderator"].get("/moderation").text
    assert "staff@real-tyres.example" in queue and REAL in queue
    approve_claims(people["moderator"])
    shown = public.get(f"/organisations/{slug}")
    assert shown.status_code == 200 and "https://real-tyres.example" in shown.text
    assert "Edit this profile" in company.get(f"/organisations/{slug}").text
    assert people["anonymous"].get(f"/cases/{case_id}").status_code == 404


def test_the_first_published_case_makes_an_organisation_public(people, runtime):
    case_id = submit_case(
        runtime,
        user_of(runtime, people["submitter"]),
        id="published-names",
        organisations=[{"name": "Comune di Prova", "role": "contracting-authority"}],
    )
    slug = _slug_named(runtime, "Comune di Prova")
    assert people["anonymous"].get(f"/organisations/{slug}").status_code == 404
    review_case(
        runtime,
        user=user_of(runtime, people["moderator"]),
        case_id=case_id,
        decision="publish",
    )
    page = people["anonymous"].get(f"/organisations/{slug}")
    assert page.status_code == 200 and f"/cases/{case_id}" in page.text


def test_a_rejected_claim_of_a_new_name_leaves_it_private_and_unowned(people, runtime):
    squatter = people["submitter"]
    made = squatter.post("/account/organisation", {"name": "Famous Brand Spa"})
    slug = made.headers["location"].rsplit("/", 1)[1]
    moderator = people["moderator"]
    claim = moderator.get("/moderation").text.split('action="/moderation/claims/')[1].split('"')[0]
    assert (
        people["procurer"].post(f"/moderation/claims/{claim}", {"decision": "reject"}).status_code
        == 403
    )
    done = moderator.post(f"/moderation/claims/{claim}", {"decision": "reject"})
    assert done.status_code == 303
    assert people["anonymous"].get(f"/organisations/{slug}").status_code == 404
    assert squatter.get(f"/organisations/{slug}").status_code == 404
    assert squatter.get("/account/organisation").status_code == 200  # free to claim again
