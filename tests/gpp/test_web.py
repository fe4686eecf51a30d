"""GPP pages: the wizard without JavaScript and with htmx, the spec page, exports, bidders."""

import copy
import re
from urllib.parse import urlsplit

import pytest

from gpp import exporters
from gpp.library import Library
from tests.gpp.conftest import add_case, add_user

HX = {"HX-Request": "true"}
JSON = {"Accept": "application/json"}
PASSWORD = "correct horse battery"


def csrf(client) -> str:
    return re.search(r'data-csrf="([^"]+)"', client.get("/gpp").text).group(1)


def sign_in(client, runtime, email: str, role: str = "procurer") -> None:
    with runtime.db.session() as session:
        add_user(session, email, role)
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def path(answer) -> str:
    return urlsplit(str(answer.url)).path


SUBJECT = {
    "application": "road-pavement",
    "procurement_type": "works",
    "country": "IT",
    "language": "en",
    "title": "Resurfacing of via Roma",
    "authority": "Comune di Test",
}


def start(client, **changes) -> str:
    """Post step 1 as a plain form; return the draft's id."""
    answer = client.post("/gpp/drafts", data={**SUBJECT, **changes, "csrf_token": csrf(client)})
    assert answer.status_code == 200 and path(answer).endswith("/ambition"), answer.text[:500]
    return path(answer).split("/")[3]


def step(client, draft_id: str, name: str, data: dict | list, **kwargs):
    pairs = list(data.items()) if isinstance(data, dict) else data
    form: dict[str, list[str]] = {"csrf_token": [csrf(client)]}
    for key, value in pairs:
        form.setdefault(key, []).append(value)
    return client.post(f"/gpp/drafts/{draft_id}/{name}", data=form, **kwargs)


def criteria_form(answer_text: str) -> list[tuple[str, str]]:
    """Return the criteria step's form as the browser would send it (ticked boxes, values)."""
    pairs = [
        ("criteria", v)
        for v in re.findall(r'name="criteria" value="([^"]+)"[^>]*checked', answer_text)
    ]
    pairs += re.findall(r'name="(param\.[^"]+)" value="([^"]*)"', answer_text)
    return pairs


# --- the wizard ----------------------------------------------------------------------------------


def test_wizard_start_page_and_fragment(client):
    page = client.get("/gpp")
    assert page.status_code == 200 and "<html" in page.text
    assert 'id="gpp-wizard"' in page.text and 'name="csrf_token"' in page.text
    assert "Step 1 of 6" in page.text
    fragment = client.get("/gpp", headers=HX)
    assert fragment.text.lstrip().startswith('<section id="gpp-wizard"')
    assert "<html" not in fragment.text
    assert "Vary" in fragment.headers and "HX-Request" in fragment.headers["vary"]


def test_wizard_without_javascript_to_a_spec(client, runtime):
    with runtime.db.session() as session:
        add_case(
            session,
            id="road-evidence",
            country="ES",
            title="Madrid rubber roads",
            organisations=[{"name": "Granulati Srl", "role": "supplier"}],
        )
    draft_id = start(client)
    answer = step(client, draft_id, "ambition", {"ambition": "comprehensive"})
    assert path(answer) == f"/gpp/drafts/{draft_id}/criteria"
    # Ticked: the core set and the comprehensive award criteria; no warning against that.
    assert "Every criterion is selected" not in answer.text
    form = criteria_form(answer.text)
    library = runtime.get(Library)
    offered = library.criteria_for("road-pavement", "comprehensive")
    ticked = {v for k, v in form if k == "criteria"}
    assert ticked == {c.id for c in offered if c.ambition == "core" or c.type == "award"}
    assert len(ticked) < len(offered)
    dropped = next(c.id for c in offered if c.type == "contract_clause")
    form = [p for p in form if p[0] != "criteria"]
    form += [("criteria", c.id) for c in offered if c.id != dropped]
    answer = step(client, draft_id, "criteria", form)
    assert path(answer) == f"/gpp/drafts/{draft_id}/award"
    assert "Every criterion is selected" not in answer.text
    awards = re.findall(r'name="(points\.[^"]+)" value="(\d+)"', answer.text)
    assert awards and "Total: " in answer.text
    answer = step(client, draft_id, "award", [(k, "5") for k, _ in awards])
    assert path(answer) == f"/gpp/drafts/{draft_id}/evidence"
    assert "Madrid rubber roads" in answer.text and "Granulati Srl" in answer.text
    answer = step(client, draft_id, "evidence", {})
    assert path(answer) == f"/gpp/drafts/{draft_id}/review"
    assert "Resurfacing of via Roma" in answer.text
    answer = step(client, draft_id, "review", {})
    assert path(answer).startswith("/specs/")
    spec = client.get(f"/api/v1/specs/{path(answer).split('/')[2]}").json()
    ids = {c["id"] for s in spec["sections"] for c in s["criteria"]}
    assert dropped not in ids and len(ids) == len(offered) - 1
    assert all(
        c["award_points"] == 5
        for s in spec["sections"]
        if s["type"] == "award"
        for c in s["criteria"]
    )
    assert spec["market_evidence"]["case_ids"] == ["road-evidence"]
    assert spec["title"] == "Resurfacing of via Roma" and spec["authority"] == "Comune di Test"
    # the draft stays at its address: reload and back work
    assert client.get(f"/gpp/drafts/{draft_id}/criteria").status_code == 200


def test_wizard_with_htmx_swaps_one_block_and_pushes_the_url(client):
    answer = client.post(
        "/gpp/drafts",
        data={**SUBJECT, "csrf_token": csrf(client)},
        headers=HX,
        follow_redirects=False,
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="gpp-wizard"')
    pushed = answer.headers["HX-Push-Url"]
    assert re.fullmatch(r"/gpp/drafts/[\w-]+/ambition", pushed)
    draft_id = pushed.split("/")[3]
    answer = step(
        client, draft_id, "ambition", {"ambition": "core"}, headers=HX, follow_redirects=False
    )
    assert answer.headers["HX-Push-Url"].endswith("/criteria") and "<html" not in answer.text
    back = client.get(f"/gpp/drafts/{draft_id}/ambition", headers=HX)
    assert back.text.lstrip().startswith('<section id="gpp-wizard"')
    assert 'value="core" aria-describedby' in back.text and "checked" in back.text


def test_step_one_errors_keep_the_values(client):
    answer = client.post(
        "/gpp/drafts",
        data={**SUBJECT, "application": "", "country": "QQ", "csrf_token": csrf(client)},
    )
    assert answer.status_code == 422
    assert "Choose what you are buying." in answer.text
    assert 'id="f-application" name="application" required aria-invalid="true"' in answer.text
    assert 'value="Resurfacing of via Roma"' in answer.text
    fragment = client.post(
        "/gpp/drafts", data={**SUBJECT, "application": "", "csrf_token": csrf(client)}, headers=HX
    )
    assert fragment.status_code == 422 and "<html" not in fragment.text


def test_parameters_out_of_bounds_come_back_beside_the_field(client, runtime):
    draft_id = start(client, application="playground")
    answer = step(client, draft_id, "ambition", {"ambition": "core"})
    form = criteria_form(answer.text)
    library = runtime.get(Library)
    criterion = next(c for c in library.criteria_for("playground", "core") if c.parameters)
    name, p = next(iter(criterion.parameters.items()))
    key = f"param.{criterion.id}.{name}"
    form = [(k, "9999" if k == key else v) for k, v in form]
    for headers in ({}, HX):
        answer = step(client, draft_id, "criteria", form, headers=headers)
        assert answer.status_code == 422
        field_id = f"f-param-{criterion.id}-{name}"
        error = rf'<p class="field-error" id="{field_id}-error">Enter a value from'
        assert re.search(error, answer.text)
        assert re.search(rf'id="{field_id}" name="{re.escape(key)}" value="9999"', answer.text)
        assert 'aria-invalid="true"' in answer.text
        assert ("<html" in answer.text) == (not headers)
    answer = step(client, draft_id, "criteria", [p for p in form if p[0] != "criteria"])
    assert answer.status_code == 422 and "Choose at least one criterion." in answer.text


def test_market_evidence_shows_the_chosen_countrys_cases_first(client, runtime):
    with runtime.db.session() as session:
        for case_id, country, year in [
            ("es-new", "ES", 2024),
            ("it-old", "IT", 2015),
            ("fr-mid", "FR", 2020),
            ("it-new", "IT", 2021),
        ]:
            add_case(session, id=case_id, country=country, year=year, title=f"Case {case_id}")
    draft_id = start(client)  # Italy
    answer = step(client, draft_id, "ambition", {"ambition": "core"})
    step(client, draft_id, "criteria", criteria_form(answer.text))
    answer = step(client, draft_id, "award", {})
    assert path(answer).endswith("/evidence")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))
    order = [text.index(s) for s in ("In Italy: 2 case studies", "Case it-new", "Case it-old")]
    order += [text.index(s) for s in ("In other countries: 2 case studies", "Case es-new")]
    assert order == sorted(order) and text.index("Case fr-mid") > order[-1]

    answer = step(client, draft_id, "evidence", {})
    spec_url = path(step(client, draft_id, "review", {}))
    spec = client.get(spec_url, headers=JSON).json()
    evidence = spec["market_evidence"]
    assert evidence["case_ids"] == ["it-new", "it-old", "es-new", "fr-mid"]
    assert (evidence["in_country"], evidence["elsewhere"], evidence["cases"]) == (2, 2, 4)
    markdown = client.get(f"{spec_url}/export.md").text
    assert markdown.index("Case studies in Italy") < markdown.index("Case studies in other")


def test_award_total_and_recalculate(client, runtime):
    draft_id = start(client)
    answer = step(client, draft_id, "ambition", {"ambition": "comprehensive"})
    answer = step(client, draft_id, "criteria", criteria_form(answer.text))
    awards = re.findall(r'name="(points\.[^"]+)" value="(\d+)"', answer.text)
    total = sum(int(v) for _, v in awards)
    assert f"Total: {total} of 100 points" in answer.text
    answer = step(
        client, draft_id, "award", [*[(k, "10") for k, _ in awards], ("action", "recalculate")]
    )
    assert path(answer).endswith("/award")
    assert f"Total: {10 * len(awards)} of 100 points" in answer.text
    answer = step(client, draft_id, "award", [(k, "60") for k, _ in awards])
    over = 60 * len(awards)
    assert answer.status_code == 422
    # One computation, one message: the total of the values shown, never the saved one beside it.
    text = re.sub(r"<[^>]+>", "", answer.text)
    assert f"Total: {over} of 100 points, {over - 100} too many" in text
    assert f"Total: {10 * len(awards)} of 100" not in text and "remain" not in text
    answer = step(client, draft_id, "award", [(k, "zero") for k, _ in awards])
    assert answer.status_code == 422 and "whole number" in answer.text


def test_steps_open_in_order_and_unknown_drafts_are_404(client):
    draft_id = start(client)
    answer = client.get(f"/gpp/drafts/{draft_id}/review", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].endswith("/ambition")
    assert client.get(f"/gpp/drafts/{draft_id}/nowhere").status_code == 404
    assert client.get("/gpp/drafts/no-such-draft/subject").status_code == 404
    resume = client.get(f"/gpp/drafts/{draft_id}", follow_redirects=False)
    assert resume.headers["location"].endswith("/ambition")


def test_a_post_without_csrf_token_is_refused(client):
    answer = client.post("/gpp/drafts", data=SUBJECT)
    assert answer.status_code == 403


# --- the specification ---------------------------------------------------------------------------


def spec_id_of(client, **body) -> str:
    answer = client.post(
        "/api/v1/specs", json={"application": "road-pavement", "ambition": "comprehensive", **body}
    )
    assert answer.status_code == 201
    return answer.json()["id"]


def test_spec_page_html_and_json(client):
    spec_id = spec_id_of(client, title="Via Roma", authority="Comune di Test")
    spec = client.get(f"/api/v1/specs/{spec_id}").json()
    page = client.get(f"/specs/{spec_id}")
    assert page.status_code == 200
    for text in (
        "Subject matter",
        "BT-805",
        "BT-774",
        "env-imp",
        "Annex 1: verification checklist",
        "Annex 2: market evidence",
        "adapts this text to national law",
        spec["library_version"],
        "Comune di Test",
    ):
        assert text in page.text
    for section in spec["sections"]:
        for c in section["criteria"]:
            assert c["id"] in page.text
    for fmt in ("docx", "odt", "pdf", "md", "json"):
        assert f"/specs/{spec_id}/export.{fmt}" in page.text
    assert client.get(f"/specs/{spec_id}", headers=JSON).json() == spec
    assert client.get("/specs/nothing-here").status_code == 404


@pytest.mark.parametrize("fmt", ["docx", "odt", "md", "json"])
def test_spec_exports(client, fmt):
    spec_id = spec_id_of(client)
    answer = client.get(f"/specs/{spec_id}/export.{fmt}")
    assert answer.status_code == 200 and answer.content
    assert answer.headers["content-type"].startswith(exporters.MEDIA_TYPES[fmt].split(";")[0])
    assert "attachment" in answer.headers["content-disposition"]


def test_pdf_export_works_in_the_default_app(client):
    """WeasyPrint is a default dependency: the app as `make run` installs it answers a PDF."""
    answer = client.get(f"/specs/{spec_id_of(client)}/export.pdf")
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")


def test_export_errors(client, monkeypatch):
    spec_id = spec_id_of(client)
    assert client.get(f"/specs/{spec_id}/export.exe").status_code == 404

    def unavailable(*_args):
        raise exporters.ExportUnavailable("install WeasyPrint")

    monkeypatch.setattr(exporters, "export_spec", unavailable)
    answer = client.get(f"/specs/{spec_id}/export.pdf")
    assert answer.status_code == 503 and "install WeasyPrint" in answer.text


def test_my_specs_need_a_procurer_and_list_theirs(client, runtime):
    answer = client.get("/specs", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    sign_in(client, runtime, "alice@example.org")
    token = csrf(client)
    spec_id = client.post(
        "/api/v1/specs", json={"application": "playground"}, headers={"X-CSRF-Token": token}
    ).json()["id"]
    page = client.get("/specs")
    assert page.status_code == 200 and f"/specs/{spec_id}" in page.text
    data = client.get("/specs", headers=JSON).json()
    assert [s["id"] for s in data["specs"]] == [spec_id]


def test_copy_into_a_new_version(client, runtime):
    sign_in(client, runtime, "alice@example.org")
    spec_id = client.post(
        "/api/v1/specs",
        json={"application": "playground", "title": "Parco giochi"},
        headers={"X-CSRF-Token": csrf(client)},
    ).json()["id"]
    answer = client.post(f"/specs/{spec_id}/copy", data={"csrf_token": csrf(client)})
    assert path(answer).endswith("/subject") and 'value="Parco giochi"' in answer.text
    draft_id = path(answer).split("/")[3]
    answer = step(client, draft_id, "review", {})
    new_id = path(answer).split("/")[2]
    new = client.get(f"/api/v1/specs/{new_id}").json()
    assert new["version"] == 2 and new["previous_id"] == spec_id and new_id != spec_id


# --- bidders -------------------------------------------------------------------------------------


def test_bidder_pages(client, runtime):
    sign_in(client, runtime, "alice@example.org")
    spec_id = client.post(
        "/api/v1/specs", json={"application": "playground"}, headers={"X-CSRF-Token": csrf(client)}
    ).json()["id"]
    page = client.get(f"/specs/{spec_id}")
    assert "Add the bidder" in page.text
    answer = client.post(
        f"/specs/{spec_id}/bidders", data={"name": "", "csrf_token": csrf(client)}, headers=HX
    )
    assert answer.status_code == 422 and answer.text.lstrip().startswith('<div id="gpp-bidders"')
    answer = client.post(
        f"/specs/{spec_id}/bidders", data={"name": "Giochi Srl", "csrf_token": csrf(client)}
    )
    assert re.fullmatch(rf"/specs/{spec_id}/bidders/\d+", path(answer))
    bidder_url = path(answer)
    assert "Evaluation of Giochi Srl" in answer.text and "Verdict: Pending" in answer.text
    answer = client.post(
        f"{bidder_url}/checks",
        data={"status.0": "missing", "note.0": "No test", "saved": "0", "csrf_token": csrf(client)},
    )
    assert path(answer) == bidder_url and "Verdict: Non-compliant" in answer.text
    fragment = client.post(
        f"{bidder_url}/checks",
        data={"status.0": "compliant", "note.0": "", "csrf_token": csrf(client)},
        headers=HX,
    )
    assert fragment.text.lstrip().startswith('<div id="gpp-evaluation"')
    assert "Verdict: Pending" in fragment.text
    bad = client.post(
        f"{bidder_url}/checks",
        data={"status.0": "great", "note.1": "kept", "csrf_token": csrf(client)},
        headers=HX,
    )
    assert bad.status_code == 422 and "Choose a status." in bad.text
    assert ">kept</textarea>" in bad.text and "data-unsaved" in bad.text
    data = client.get(bidder_url, headers=JSON).json()
    assert data["name"] == "Giochi Srl" and data["checks"][0]["status"] == "compliant"
    assert data == client.get(f"/api/v1{bidder_url}").json()
    xlsx = client.get(f"{bidder_url}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"/specs/{spec_id}").text.count(bidder_url) == 1

    client.post("/logout", data={"csrf_token": csrf(client)})
    answer = client.get(bidder_url, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    sign_in(client, runtime, "bob@example.org")
    assert client.get(bidder_url).status_code == 404
    assert (
        client.post(
            f"{bidder_url}/checks", data={"status.0": "compliant", "csrf_token": csrf(client)}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/specs/{spec_id}/bidders", data={"name": "X", "csrf_token": csrf(client)}
        ).status_code
        == 404
    )
    assert "Giochi Srl" not in client.get(f"/specs/{spec_id}").text


def test_one_form_saves_every_item_of_the_checklist(client, runtime):
    """Editing item 1 and then pressing item 2's Save keeps both (nothing is thrown away)."""
    sign_in(client, runtime, "alice@example.org")
    spec_id = client.post(
        "/api/v1/specs", json={"application": "playground"}, headers={"X-CSRF-Token": csrf(client)}
    ).json()["id"]
    bidder_url = path(
        client.post(f"/specs/{spec_id}/bidders", data={"name": "A", "csrf_token": csrf(client)})
    )
    page = client.get(bidder_url).text
    assert page.count("<form") - page.count('action="/logout"') == 1  # one form for all items
    fields = re.findall(r'name="(status\.\d+|note\.\d+)"', page)
    checks = client.get(f"/api/v1{bidder_url}").json()["checks"]
    assert len(fields) == 2 * len(checks) > 2
    form = {"csrf_token": csrf(client), "saved": "1"}
    form |= {f"status.{c['n']}": c["status"] for c in checks}
    form |= {"status.0": "missing", "note.0": "No declaration", "status.1": "compliant"}
    answer = client.post(f"{bidder_url}/checks", data=form)
    assert answer.status_code == 200 and "Every item of the checklist is saved." in answer.text
    saved = client.get(f"/api/v1{bidder_url}").json()["checks"]
    assert (saved[0]["status"], saved[0]["note"]) == ("missing", "No declaration")
    assert saved[1]["status"] == "compliant"
    assert [c["updated_at"] for c in saved[2:]] == [c["updated_at"] for c in checks[2:]]


def test_criteria_step_folds_text_rationale_and_verification(client, runtime):
    """The step fits a phone: one row per criterion, grouped by type, the rest behind <details>."""
    draft_id = start(client)
    answer = step(client, draft_id, "ambition", {"ambition": "comprehensive"})
    offered = runtime.get(Library).criteria_for("road-pavement", "comprehensive")
    folded = re.sub(r"<details.*?</details>", "", answer.text, flags=re.S)
    for criterion in offered:
        assert criterion.title in folded
        for hidden in (criterion.rationale, criterion.verification[0].how_to_check):
            assert hidden not in folded and hidden[:60] in answer.text
    assert folded.count('class="criteria-group"') == len({c.type for c in offered})
    assert 'name="param.' not in folded  # the values are folded with the text they fill


def test_ticking_every_criterion_oneself_is_warned(client):
    draft_id = start(client)
    answer = step(client, draft_id, "ambition", {"ambition": "comprehensive"})
    boxes = re.findall(r'name="criteria" value="([^"]+)"', answer.text)
    params = [p for p in criteria_form(answer.text) if p[0] != "criteria"]
    step(client, draft_id, "criteria", [("criteria", v) for v in boxes] + params)
    answer = client.get(f"/gpp/drafts/{draft_id}/criteria")
    assert "Every criterion is selected" in answer.text


def test_review_shows_what_the_library_refuses(client, monkeypatch):
    from gpp.service import drafts
    from replan.errors import Invalid, Invalids

    draft_id = start(client)
    answer = step(client, draft_id, "ambition", {"ambition": "core"})
    answer = step(client, draft_id, "criteria", criteria_form(answer.text))
    answer = step(client, draft_id, "award", {})
    answer = step(client, draft_id, "evidence", {})

    def refuse(*_args, **_kwargs):
        raise Invalids([Invalid("criterion '%(id)s' is not valid", field="criteria.0", id="x")])

    monkeypatch.setattr(drafts, "build_spec", refuse)
    for headers in ({}, HX):
        answer = step(client, draft_id, "review", {}, headers=headers)
        assert answer.status_code == 422 and "criterion &#39;x&#39; is not valid" in answer.text


def test_changing_the_application_resets_the_choice(client):
    draft_id = start(client)
    answer = step(client, draft_id, "ambition", {"ambition": "core"})
    form = criteria_form(answer.text)
    step(client, draft_id, "criteria", form[:1] + [p for p in form if p[0] != "criteria"])
    answer = step(client, draft_id, "subject", {**SUBJECT, "application": "playground"})
    assert path(answer).endswith("/ambition")
    answer = client.get(f"/gpp/drafts/{draft_id}/criteria")
    ticked = [v for k, v in criteria_form(answer.text) if k == "criteria"]
    assert len(ticked) == answer.text.count('name="criteria"') > 1  # the new core set, afresh
    assert "Every criterion is selected" not in answer.text  # the pre-selection is not warned
    assert "road-" not in " ".join(v for k, v in criteria_form(answer.text) if k == "criteria")


def test_a_criterion_past_its_review_date_is_flagged_in_the_wizard(client, runtime):
    from datetime import date

    library = runtime.get(Library)
    late = library.criteria_for("road-pavement", "core")[0]
    library.criteria[late.id] = late.model_copy(
        update={"reviewed_on": date(2019, 1, 1), "next_review": date(2020, 1, 1)}
    )
    draft_id = start(client)
    answer = step(client, draft_id, "ambition", {"ambition": "core"})
    assert answer.text.count("Review overdue") == 1
    card = answer.text.split(f'id="crit-{late.id}"')[1].split('class="card criterion"')[0]
    assert "Review overdue" in card
    others = [c for c in library.criteria_for("road-pavement", "core") if c.id != late.id]
    assert all(not c.review_overdue() for c in others)


def test_the_spec_page_warns_of_an_overdue_review_and_prints_official_sources(client, runtime):
    from gpp.models import Spec

    spec_id = spec_id_of(client)
    assert "Review overdue" not in client.get(f"/specs/{spec_id}").text
    with runtime.db.session() as session:  # an issued spec whose criterion fell due since
        spec = session.get(Spec, spec_id)
        content = copy.deepcopy(spec.content)
        first = content["sections"][0]["criteria"][0]
        first["next_review"] = "2020-01-01"
        first["references"].append({"title": "A transcription", "url": "https://github.com/x/y"})
        spec.content = content
    page = client.get(f"/specs/{spec_id}").text
    assert page.count("Review overdue") == 1
    assert "https://github.com/x/y" not in page


def test_the_spec_page_writes_its_date_as_the_documents_do(client):
    from datetime import date

    from babel.dates import format_date

    spec_id = spec_id_of(client, language="it")
    page = client.get(f"/specs/{spec_id}").text
    assert not re.search(r"<dd>\d{4}-\d{2}-\d{2}</dd>", page)
    created = client.get(f"/api/v1/specs/{spec_id}").json()["created_at"]
    day = format_date(date.fromisoformat(created[:10]), format="long", locale="it")
    assert f"<dd>{day}</dd>" in page
    assert day in client.get(f"/specs/{spec_id}/export.md").text


def test_a_link_starts_the_wizard_with_an_application_and_a_country(client):
    page = client.get("/gpp?application=playground&country=it").text
    assert re.search(r'<option value="playground" selected>', page)
    assert re.search(r'<option value="IT" selected>', page)
    stale = client.get("/gpp?application=no-such-thing&country=XX")
    assert stale.status_code == 200 and " selected>" not in stale.text.split('name="language"')[0]
