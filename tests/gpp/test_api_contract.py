"""The contract API: status moves (409 out of order), the award, the contract and its milestones,
and who reaches them (the owning procurer, moderators, admins; others 404, no token 401)."""

import pytest

from tests.gpp.test_api import new_spec, token_for


@pytest.fixture
def tender(client, runtime):
    """A procurer's spec, tendering, with a bidder compliant on every check."""
    return _tender(client, runtime)


def _tender(client, runtime, **spec) -> dict:
    owner = token_for(runtime, "owner@example.org")
    spec_id = new_spec(client, owner, title="Via Roma", **spec)
    bidder = client.post(f"/api/v1/specs/{spec_id}/bidders", json={"name": "Good"}, headers=owner)
    bidder_id = bidder.json()["id"]
    checks = client.get(f"/api/v1/specs/{spec_id}/bidders/{bidder_id}", headers=owner).json()
    for n in range(len(checks["checks"])):
        client.patch(
            f"/api/v1/specs/{spec_id}/bidders/{bidder_id}/checks/{n}",
            json={"status": "compliant"},
            headers=owner,
        )
    moved = client.post(
        f"/api/v1/specs/{spec_id}/status", json={"status": "tendering"}, headers=owner
    )
    assert moved.status_code == 200, moved.text
    return {"spec": spec_id, "bidder": bidder_id, "owner": owner}


def test_award_then_follow_the_contract_through_the_api(client, tender):
    spec, owner = tender["spec"], tender["owner"]
    awarded = client.post(
        f"/api/v1/specs/{spec}/award", json={"bidder_id": tender["bidder"]}, headers=owner
    )
    assert awarded.status_code == 200, awarded.text
    body = client.get(f"/api/v1/specs/{spec}/contract", headers=owner).json()
    assert (body["status"], body["awarded_to"]) == ("awarded", "Good")
    milestone = body["milestones"][0]
    assert {"n", "criterion_id", "evidence", "due", "status", "value", "unit", "note"} <= set(
        milestone
    )
    assert milestone["attachments"] == []
    n = milestone["n"]
    patched = client.patch(
        f"/api/v1/specs/{spec}/contract/milestones/{n}",
        json={
            "status": "not_met",
            "value": 3.5,
            "note": "CPX above the limit",
            "due": "2027-03-01",
        },
        headers=owner,
    )
    assert patched.status_code == 200, patched.text
    got = next(m for m in patched.json()["milestones"] if m["n"] == n)
    assert (got["status"], got["value"], got["due"]) == ("not_met", 3.5, "2027-03-01")
    for status in ("in_execution", "closed"):
        moved = client.post(f"/api/v1/specs/{spec}/status", json={"status": status}, headers=owner)
        assert moved.json()["status"] == status


def test_out_of_order_answers_409(client, tender):
    spec, owner = tender["spec"], tender["owner"]
    answer = client.post(f"/api/v1/specs/{spec}/status", json={"status": "closed"}, headers=owner)
    assert answer.status_code == 409
    assert "tendering" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("status", {"status": "awarded"}, "status"),
        ("award", {"bidder_id": 0}, "bidder_id"),
        ("award", {"bidder_id": 99999}, "bidder_id"),
        ("contract/milestones/0", {"status": "done"}, "status"),
        ("contract/milestones/0", {"due": "1900-01-01"}, "due"),
    ],
)
def test_bad_input_answers_422_naming_the_field(client, tender, path, body, field):
    method = client.patch if path.startswith("contract") else client.post
    answer = method(f"/api/v1/specs/{tender['spec']}/{path}", json=body, headers=tender["owner"])
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["detail"]] == [field]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("procurer", 404), ("submitter", 404), ("moderator", 200), ("admin", 200)],
)
def test_only_the_owner_moderators_and_admins_reach_the_contract(
    client, runtime, tender, role, expected
):
    headers = token_for(runtime, f"{role}-x@example.org", role)
    url = f"/api/v1/specs/{tender['spec']}/contract"
    assert client.get(url, headers=headers).status_code == expected
    assert client.get(url).status_code == 401
    status = client.post(
        f"/api/v1/specs/{tender['spec']}/award", json={"bidder_id": 0}, headers=headers
    )
    assert status.status_code == (404 if expected == 404 else 422)


def _close(client, tender):
    spec, owner = tender["spec"], tender["owner"]
    client.post(f"/api/v1/specs/{spec}/award", json={"bidder_id": tender["bidder"]}, headers=owner)
    body = client.get(f"/api/v1/specs/{spec}/contract", headers=owner).json()
    for m in body["milestones"]:
        client.patch(
            f"/api/v1/specs/{spec}/contract/milestones/{m['n']}",
            json={"status": "met", "value": 12.5},
            headers=owner,
        )
    for status in ("in_execution", "closed"):
        client.post(f"/api/v1/specs/{spec}/status", json={"status": status}, headers=owner)


def test_a_closed_contract_becomes_a_case_in_the_moderation_queue(client, runtime, tender):
    spec, owner = tender["spec"], tender["owner"]
    url = f"/api/v1/specs/{spec}/case-draft"
    assert client.post(url, json={"rtm_types": ["rubber-powder"]}, headers=owner).status_code == 409
    _close(client, tender)
    missing = client.post(url, headers=owner)  # the materials come from the criteria
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["field"] == "country"  # the spec names none
    made = client.post(
        url, json={"rtm_types": ["rubber-powder"], "country": "IT", "rtm_tonnes": 40}, headers=owner
    )
    assert made.status_code == 201, made.text
    case_id = made.json()["id"]
    moderator = token_for(runtime, "queue-mod@example.org", "moderator")
    queue = client.get("/api/v1/moderation", headers=moderator).json()
    assert case_id in str(queue)
    case = client.get(f"/api/v1/cases/{case_id}", headers=moderator).json()
    assert case["application"] == "road-pavement" and case["gpp"] is True
    assert {"name": "Good", "role": "contractor"} in case["organisations"]
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 404  # not public yet
    assert client.post(url, json={"rtm_types": ["rubber-powder"]}, headers=owner).status_code == 409
    log = client.get(f"/api/v1/specs/{spec}/contract", headers=owner).json()["history"]
    assert log[-1]["action"] == "case_draft" and log[-1]["note"] == case_id


def test_an_empty_request_drafts_what_the_spec_knows_for_its_procurer_to_complete(client, runtime):
    world = _tender(client, runtime, country="AT")
    spec, owner = world["spec"], world["owner"]
    _close(client, world)
    made = client.post(f"/api/v1/specs/{spec}/case-draft", headers=owner)
    assert made.status_code == 201, made.text
    case_id = made.json()["id"]
    moderator = token_for(runtime, "queue-mod@example.org", "moderator")
    case = client.get(f"/api/v1/cases/{case_id}", headers=moderator).json()
    # road-ts-rubber-end-of-waste, a core criterion, names granulate and powder
    assert sorted(case["rtm_types"]) == ["rubber-granulate", "rubber-powder"]
    assert (case["country"], case["application"]) == ("AT", "road-pavement")
    page = client.get(f"/submit/{case_id}", headers=owner)  # a procurer, its creator
    assert page.status_code == 200, page.text[:300]
    assert 'name="rtm_types"' in page.text
    stranger = token_for(runtime, "stranger@example.org")
    assert client.get(f"/submit/{case_id}", headers=stranger).status_code == 404


def test_without_a_named_material_the_draft_asks_for_it(client, runtime):
    from gpp.case_draft import named_rtm_types
    from gpp.library import Library

    library = runtime.get(Library)
    spec = type("Spec", (), {"content": {"sections": [{"criteria": [{"id": "nb-ac-lca"}]}]}})
    assert named_rtm_types(library, spec) == []
    spec.content["sections"][0]["criteria"].append({"id": "conc-ts-recycled-content"})
    assert named_rtm_types(library, spec) == ["steel-fibre"]


def test_the_delivery_report_lists_promised_and_delivered(client, tender):
    import io

    from docx import Document

    _close(client, tender)
    spec, owner = tender["spec"], tender["owner"]
    answer = client.get(f"/specs/{spec}/delivery-report.docx", headers=owner)
    assert answer.status_code == 200, answer.text[:300]
    assert "delivery-report" in answer.headers["content-disposition"]
    document = Document(io.BytesIO(answer.content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "Good" in cells  # the contractor
    assert "Promised and delivered" in [p.text for p in document.paragraphs]
    assert cells.count("Met") >= 2 and "12.5" in cells
    assert client.get(f"/specs/{spec}/delivery-report.txt", headers=owner).status_code == 404
    pdf = client.get(f"/specs/{spec}/delivery-report.pdf", headers=owner)
    assert pdf.status_code in (200, 503)  # 503 where WeasyPrint's Pango is missing
    if pdf.status_code == 200:
        assert pdf.content.startswith(b"%PDF")


def test_the_bids_life_cycle_costs_are_entered_and_ranked(client, runtime, tender):
    spec, owner = tender["spec"], tender["owner"]
    other = client.post(f"/api/v1/specs/{spec}/bidders", json={"name": "Other"}, headers=owner)
    url = f"/api/v1/specs/{spec}/lcc"
    assert client.get(url, headers=owner).json()["bids"] == []
    bids = [
        {"bidder_id": tender["bidder"], "investment": 120_000, "annual_costs": 1_000},
        {"bidder_id": other.json()["id"], "investment": 100_000, "annual_costs": 2_000},
    ]
    body = {"period_years": 20, "discount_rate": 0.03, "bids": bids}
    answer = client.put(url, json=body, headers=owner)
    assert answer.status_code == 200, answer.text
    ranked = {b["name"]: (b["rank"], b["npv"]) for b in answer.json()["bids"]}
    # 120000 + 1000 x 14.8774749 and 100000 + 2000 x 14.8774749
    assert ranked == {"Good": (2, 134_877.47), "Other": (1, 129_754.95)}
    assert client.get(url, headers=owner).json()["bids"] == answer.json()["bids"]
    twice = {**body, "bids": [bids[0], bids[0]]}
    bad = client.put(url, json=twice, headers=owner)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "bids.1.bidder_id"
    late = {
        **body,
        "period_years": 5,
        "bids": [{**bids[0], "replacements": [{"year": 9, "cost": 1}]}],
    }
    bad = client.put(url, json=late, headers=owner)
    assert bad.json()["detail"][0]["field"] == "bids.0.replacements.0.year"
    stranger = token_for(runtime, "lcc-stranger@example.org")
    assert client.get(url, headers=stranger).status_code == 404


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    return out.getvalue()


def test_milestone_evidence_files_are_checked_kept_and_served_to_the_owner_only(
    client, runtime, tender
):
    spec, owner = tender["spec"], tender["owner"]
    client.post(f"/api/v1/specs/{spec}/award", json={"bidder_id": tender["bidder"]}, headers=owner)
    n = client.get(f"/api/v1/specs/{spec}/contract", headers=owner).json()["milestones"][0]["n"]
    url = f"/api/v1/specs/{spec}/contract/milestones/{n}/attachments"
    script = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (x) >> >>"
    refused = client.post(url, files={"file": ("note.pdf", script)}, headers=owner)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "file"
    text = client.post(url, files={"file": ("note.pdf", b"just text")}, headers=owner)
    assert text.status_code == 422
    assert client.post(url, headers=owner).status_code == 422  # no file
    added = client.post(url, files={"file": ("site photo.png", _png())}, headers=owner)
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["filename"] == "site_photo.png" and body["content_type"] == "image/png"
    milestone = client.get(f"/api/v1/specs/{spec}/contract", headers=owner).json()["milestones"]
    assert milestone[0]["attachments"] == [body["url"]]
    got = client.get(body["url"], headers=owner)
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG")
    assert got.headers["cache-control"] == "private, no-store"
    stranger = token_for(runtime, "stranger@example.org")
    assert client.get(body["url"], headers=stranger).status_code == 404
    other = client.post(url, files={"file": ("p.png", _png())}, headers=stranger)
    assert other.status_code == 404
    moderator = token_for(runtime, "files-mod@example.org", "moderator")
    assert client.get(body["url"], headers=moderator).status_code == 200
    wrong_name = body["url"].rsplit("/", 1)[0] + "/other.png"
    assert client.get(wrong_name, headers=owner).status_code == 404
    log = client.get(f"/api/v1/specs/{spec}/contract", headers=owner).json()["history"]
    assert log[-1]["action"] == "evidence" and "site_photo.png" in log[-1]["note"]
