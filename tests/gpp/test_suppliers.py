"""The wizard's market evidence lists the suppliers whose approved profile offers the criteria's
materials and serves the buyer's country, with their certificates (expired ones flagged); the
spec keeps the list with its day, and its Markdown and DOCX documents print it in the annex."""

import io
import re
from datetime import UTC, date, datetime

from docx import Document

from kb.importing import organisation_named
from kb.models import OrganisationCertificate
from replan.clock import utcnow
from tests.gpp.test_web import JSON, criteria_form, path, start, step

APPROVED = datetime(2026, 1, 1, tzinfo=UTC)


def supplier(session, name, country, rtm, regions=(), approved=True, certificates=()):
    org = organisation_named(session, name)
    org.country, org.rtm_offered, org.regions_served = country, list(rtm), list(regions)
    org.approved_at = APPROVED if approved else None
    session.flush()
    for cert_name, valid_to in certificates:
        session.add(
            OrganisationCertificate(
                organisation_id=org.id,
                name=cert_name,
                valid_to=valid_to,
                registry_url="https://registry.example/1",
            )
        )


def fill(runtime):
    with runtime.db.session() as session:
        supplier(
            session,
            "Polvere Italia Srl",
            "IT",
            ["rubber-powder"],
            certificates=[("Old EPD", date(2020, 1, 1)), ("ISO 14001", date(2099, 1, 1))],
        )
        supplier(session, "Guma Slovenija", "SI", ["rubber-granulate"], regions=["Italia"])
        supplier(session, "Steel Only Spa", "IT", ["steel-fibre"])
        supplier(session, "Polska Guma", "PL", ["rubber-powder"], regions=["PL"])
        supplier(session, "Unapproved Spa", "IT", ["rubber-powder"], approved=False)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_wizard_lists_the_suppliers_and_the_spec_keeps_them(client, runtime):
    fill(runtime)
    draft_id = start(client)  # road pavement, Italy: the criteria name rubber powder and granulate
    answer = step(client, draft_id, "ambition", {"ambition": "core"})
    step(client, draft_id, "criteria", criteria_form(answer.text))
    answer = step(client, draft_id, "award", {})
    assert path(answer).endswith("/evidence")
    text = text_of(answer.text)
    assert "Suppliers serving Italy with this material" in text
    assert "Polvere Italia Srl" in text and "Guma Slovenija" in text
    for absent in ("Steel Only", "Polska Guma", "Unapproved"):
        assert absent not in text
    assert text.count("Expired") == 1 and "Old EPD" in text

    step(client, draft_id, "evidence", {})
    spec_url = path(step(client, draft_id, "review", {}))
    evidence = client.get(spec_url, headers=JSON).json()["market_evidence"]
    assert [s["name"] for s in evidence["suppliers"]] == ["Guma Slovenija", "Polvere Italia Srl"]
    assert evidence["suppliers_as_of"] == utcnow().date().isoformat()
    assert set(evidence["materials"]) >= {"rubber-powder"}
    flags = {c["name"]: c["expired"] for c in evidence["suppliers"][1]["certificates"]}
    assert flags == {"ISO 14001": False, "Old EPD": True}
    assert "Suppliers serving Italy with this material" in client.get(spec_url).text

    markdown = client.get(f"{spec_url}/export.md").text
    heading = next(line for line in markdown.splitlines() if "Suppliers serving Italy" in line)
    assert heading.startswith("### ") and "(list of " in heading
    annex = markdown[markdown.index(heading) :]
    assert "Polvere Italia Srl" in annex and "Old EPD" in annex and "EXPIRED" in annex
    assert "Polska Guma" not in markdown

    doc = Document(io.BytesIO(client.get(f"{spec_url}/export.docx").content))
    paragraphs = [p.text for p in doc.paragraphs]
    assert any("Suppliers serving Italy with this material (list of" in p for p in paragraphs)
    table = next(
        t
        for t in doc.tables
        if t.rows[0].cells[0].text == "Organisation" and len(t.rows[0].cells) == 4
    )
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[0] for r in rows] == ["Guma Slovenija", "Polvere Italia Srl"]
    assert "EXPIRED" in rows[1][2] and "Rubber powder" in rows[1][1]


def test_without_suppliers_the_annex_says_so(client, runtime):
    draft_id = start(client, country="FR")
    answer = step(client, draft_id, "ambition", {"ambition": "core"})
    step(client, draft_id, "criteria", criteria_form(answer.text))
    answer = step(client, draft_id, "award", {})
    assert "No organisation profile in the catalogue offers this material here yet." in answer.text
    step(client, draft_id, "evidence", {})
    spec_url = path(step(client, draft_id, "review", {}))
    markdown = client.get(f"{spec_url}/export.md").text
    assert "Suppliers serving France with this material" in markdown
    assert "No organisation profile in the catalogue offers this material here yet." in markdown
