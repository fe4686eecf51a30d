"""The contract page: plain forms that move the status, award and record milestones; the full
page, the htmx fragment and the JSON answer; strangers get 404, anonymous readers sign in."""

import re

import pytest
from fastapi.testclient import TestClient

from tests.gpp.test_api import new_spec
from tests.kb.test_moderation_support import sign_in


@pytest.fixture
def owner(app, runtime):
    return sign_in(app, runtime, "procurer", email="page-owner@example.org")


@pytest.fixture
def spec_id(owner):
    headers = {"X-CSRF-Token": owner.token}
    spec = new_spec(owner.client, headers, title="Via Verdi")
    bidder = owner.client.post(
        f"/api/v1/specs/{spec}/bidders", json={"name": "Strade Srl"}, headers=headers
    )
    assert bidder.status_code == 201
    return spec


def _post(person, url, **data):
    return person.client.post(
        url, data={"csrf_token": person.token, **data}, follow_redirects=False
    )


def test_the_whole_journey_with_plain_forms(owner, spec_id):
    page = owner.client.get(f"/specs/{spec_id}/contract")
    assert page.status_code == 200 and "Draft" in page.text
    moved = _post(owner, f"/specs/{spec_id}/status", status="tendering")
    assert moved.status_code == 303
    page = owner.client.get(moved.headers["location"])
    bidder_id = re.search(r'<option value="(\d+)">Strade Srl', page.text).group(1)
    refused = _post(owner, f"/specs/{spec_id}/award", bidder_id=bidder_id)
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text
    assert f'<option value="{bidder_id}" selected>' in refused.text  # the choice is kept
    done = _post(owner, f"/specs/{spec_id}/award", bidder_id=bidder_id, reason="Cheapest LCC")
    assert done.status_code == 303
    page = owner.client.get(f"/specs/{spec_id}/contract")
    assert "Awarded to Strade Srl" in page.text
    n = re.search(r'id="milestone-(\d+)"', page.text).group(1)
    bad = _post(owner, f"/specs/{spec_id}/contract/milestones/{n}", status="met", value="lots")
    assert bad.status_code == 422 and f'id="m-{n}-value-error"' in bad.text
    assert 'value="lots"' in bad.text  # what was typed comes back
    saved = _post(
        owner,
        f"/specs/{spec_id}/contract/milestones/{n}",
        status="",  # the verdict follows the limit
        value="2,5",
        limit="2",
        penalty_rate="10",
        due="2027-05-01",
        note="Delivery notes checked",
    )
    assert saved.status_code == 303
    shown = owner.client.get(f"/specs/{spec_id}/contract").text
    assert "Penalties so far: 5 euros." in shown
    assert f'id="m-{n}-value" name="value" maxlength="40" value="2.5"' in shown  # as typed back
    contract = owner.client.get(
        f"/specs/{spec_id}/contract", headers={"Accept": "application/json"}
    )
    milestone = next(m for m in contract.json()["contract"]["milestones"] if m["n"] == int(n))
    assert (milestone["status"], milestone["value"], milestone["due"]) == (
        "not_met",
        2.5,
        "2027-05-01",
    )
    assert (milestone["gap"], milestone["penalty"]) == (0.5, 5)


def test_out_of_order_shows_the_refusal_on_the_page(owner, spec_id):
    answer = _post(owner, f"/specs/{spec_id}/status", status="closed")
    assert answer.status_code == 409
    assert "error-summary" in answer.text


def test_the_fragment_is_the_contract_block(owner, spec_id):
    fragment = owner.client.get(f"/specs/{spec_id}/contract", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="gpp-contract">')


def test_strangers_get_404_and_anonymous_readers_sign_in(app, runtime, spec_id):
    for role in ("procurer", "submitter"):
        stranger = sign_in(app, runtime, role, email=f"stranger-{role}@example.org")
        assert stranger.client.get(f"/specs/{spec_id}/contract").status_code == 404
        assert _post(stranger, f"/specs/{spec_id}/status", status="tendering").status_code == 404
    moderator = sign_in(app, runtime, "moderator", email="page-mod@example.org")
    assert moderator.client.get(f"/specs/{spec_id}/contract").status_code == 200
    with TestClient(app) as anonymous:
        answer = anonymous.get(f"/specs/{spec_id}/contract", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_the_bids_are_ranked_on_the_contract_page(owner, spec_id):
    headers = {"X-CSRF-Token": owner.token}
    owner.client.post(f"/api/v1/specs/{spec_id}/bidders", json={"name": "Altro"}, headers=headers)
    bad = _post(owner, f"/specs/{spec_id}/lcc", **{"options.0.investment": "lots"})
    assert bad.status_code == 422 and 'id="options-0-investment-error"' in bad.text
    saved = _post(
        owner,
        f"/specs/{spec_id}/lcc",
        period_years="20",
        discount_rate="3",
        **{
            "options.0.investment": "120000",
            "options.0.annual_costs": "1000",
            "options.1.investment": "100000",
            "options.1.annual_costs": "2000",
        },
    )
    assert saved.status_code == 303
    page = owner.client.get(f"/specs/{spec_id}/contract").text
    assert page.index("129,754.95") < page.index("134,877.47")  # Altro ranks first
    assert 'value="120000"' in page  # the figures come back into the form
    _post(owner, f"/specs/{spec_id}/status", status="tendering")
    award = owner.client.get(f"/specs/{spec_id}/contract").text
    assert "Altro (Pending; life-cycle cost rank 1)" in award


def test_a_closed_contract_is_sent_to_the_catalogue_from_its_page(owner, spec_id):
    _post(owner, f"/specs/{spec_id}/status", status="tendering")
    page = owner.client.get(f"/specs/{spec_id}/contract").text
    bidder_id = re.search(r'<option value="(\d+)">Strade Srl', page).group(1)
    _post(owner, f"/specs/{spec_id}/award", bidder_id=bidder_id, reason="Only bid")
    for status in ("in_execution", "closed"):
        assert _post(owner, f"/specs/{spec_id}/status", status=status).status_code == 303
    url = f"/specs/{spec_id}/case-draft"
    refused = _post(owner, url, rtm_tonnes="12")
    # the materials come from the criteria; the spec names no country
    assert refused.status_code == 422 and 'id="case-country-error"' in refused.text
    assert 'value="12"' in refused.text
    sent = owner.client.post(
        url,
        data={
            "csrf_token": owner.token,
            "rtm_types": ["rubber-powder"],
            "rtm_tonnes": "12,5",
            "country": "it",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[:500]
    page = owner.client.get(f"/specs/{spec_id}/contract").text
    assert "waits in the moderation queue" in page
    case_id = re.search(r'href="/submit/([^"]+)"', page).group(1)
    assert owner.client.get(f"/submit/{case_id}").status_code == 200  # its procurer completes it


def test_an_evidence_file_is_uploaded_from_the_contract_page(owner, spec_id):
    import io

    from PIL import Image

    _post(owner, f"/specs/{spec_id}/status", status="tendering")
    page = owner.client.get(f"/specs/{spec_id}/contract")
    bidder_id = re.search(r'<option value="(\d+)">Strade Srl', page.text).group(1)
    _post(owner, f"/specs/{spec_id}/award", bidder_id=bidder_id, reason="Cheapest LCC")
    page = owner.client.get(f"/specs/{spec_id}/contract")
    n = re.search(r'id="milestone-(\d+)"', page.text).group(1)
    url = f"/specs/{spec_id}/contract/milestones/{n}/files"
    assert f'action="{url}" enctype="multipart/form-data"' in page.text

    def upload(name, data):
        return owner.client.post(
            url,
            data={"csrf_token": owner.token},
            files={"file": (name, data)},
            follow_redirects=False,
        )

    refused = upload("notes.pdf", b"not a pdf")
    assert refused.status_code == 422 and f'id="m-{n}-file-error"' in refused.text
    photo = io.BytesIO()
    Image.new("RGB", (8, 8)).save(photo, "PNG")
    done = upload("works.png", photo.getvalue())
    assert done.status_code == 303, done.text[:300]
    page = owner.client.get(done.headers["location"])
    link = re.search(
        rf'href="(/specs/{spec_id}/contract/milestones/{n}/files/\d+/works\.png)"', page.text
    )
    assert link and owner.client.get(link.group(1)).status_code == 200
