"""The submission and moderation pages: the form (full page, htmx fragments, no JavaScript),
errors, conflicts, the dashboard, the review, the history, organisation profiles, privacy."""

import io
import re

from PIL import Image

from kb.codes import RTM_TYPES
from kb.models import Case
from tests.builders import record, review_case
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import (
    approve_claims,
    approve_profiles,
    form_data,
    submit_case,
    user_of,
)

people = support.people  # the fixture, shared

HTMX = {"HX-Request": "true"}


def _row_names(html: str, kind: str) -> list[str]:
    return re.findall(rf'name="({kind}-\d+-\w+)"', html)


def _case(runtime, case_id) -> Case:
    with runtime.db.session() as session:
        case = session.get(Case, case_id)
        session.expunge(case)
        return case


def test_the_form_has_every_field_of_the_record(people):
    page = people["submitter"].get("/submit")
    assert page.status_code == 200
    html = page.text
    for name in (
        "title",
        "summary",
        "description",
        "language",
        "application",
        "country",
        "city",
        "lat",
        "lon",
        "year",
        "rtm_tonnes",
        "tyres_equivalent",
        "area_m2",
        "length_km",
        "id",
        "organisations-0-name",
        "organisations-0-role",
        "benefits-0-metric",
        "benefits-0-value",
        "benefits-0-unit",
        "sources-0-url",
    ):
        assert f'name="{name}"' in html, name
        assert f'for="f-{name}"' in html, name
    for code in RTM_TYPES:
        assert f'value="{code}"' in html
    assert html.count('name="gpp"') == 3
    assert html.count('name="scope"') == 2
    assert 'id="scope-project" name="scope" value="project" checked' in html
    assert 'name="csrf_token"' in html
    assert 'value="draft"' in html and 'value="submit"' in html


def test_adding_and_removing_rows_without_javascript_keeps_the_values(people):
    submitter = people["submitter"]
    data = form_data(
        record(organisations=[{"name": "Comune di Prova", "role": "contracting-authority"}]),
        action="add-organisations",
    )
    page = submitter.post("/submit", data)
    assert page.status_code == 200 and "<html" in page.text
    assert _row_names(page.text, "organisations") == [
        "organisations-0-name",
        "organisations-0-role",
        "organisations-1-name",
        "organisations-1-role",
    ]
    assert 'value="Comune di Prova"' in page.text
    assert re.search(r'id="f-organisations-1-name"[^>]*autofocus', page.text)
    data["action"] = "remove-organisations-0"
    page = submitter.post("/submit", data)
    assert "Comune di Prova" not in page.text
    assert _row_names(page.text, "organisations") == [
        "organisations-0-name",
        "organisations-0-role",
    ]


def test_htmx_swaps_only_the_rows_that_changed(people):
    submitter = people["submitter"]
    data = form_data(record(sources=["https://example.org/a"]), action="add-sources")
    fragment = submitter.post("/submit", data, headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<fieldset id="moderation-sources"')
    assert "<html" not in fragment.text
    assert _row_names(fragment.text, "sources") == ["sources-0-url", "sources-1-url"]


def test_errors_are_shown_beside_each_field_with_the_values_kept(people, runtime):
    submitter = people["submitter"]
    data = form_data(
        record(title="ab", rtm_types=[], sources=["javascript:alert(1)"], lon=None), action="submit"
    )
    data["benefits-0-value"] = "lots"
    data["rtm_types"] = []
    page = submitter.post("/submit", data)
    assert page.status_code == 422
    html = page.text
    for name in ("title", "rtm_types", "sources-0-url", "benefits-0-value"):
        assert f'id="e-{name}"' in html, name
    assert re.search(
        r'id="f-title"[^>]*aria-describedby="h-title e-title" aria-invalid="true"', html
    )
    assert 'value="ab"' in html and 'value="javascript:alert(1)"' in html
    assert 'href="#f-title"' in html  # the summary links to the field
    fragment = submitter.post("/submit", data, headers=HTMX)
    assert fragment.status_code == 422
    assert fragment.text.lstrip().startswith('<form id="moderation-form"')
    assert _case_count(runtime) == 0
    data = form_data(record(lon=None))
    assert 'id="e-lon"' in submitter.post("/submit", data).text


def _case_count(runtime) -> int:
    with runtime.db.session() as session:
        return session.query(Case).count()


def test_draft_then_submit_then_the_dashboard(people, runtime):
    submitter = people["submitter"]
    saved = submitter.post("/submit", form_data(record(id="via-form"), action="draft"))
    assert saved.status_code == 303 and saved.headers["location"] == "/submit/via-form"
    edit = submitter.get("/submit/via-form")
    assert "Saved as a draft" in edit.text and 'id="moderation-attachments"' in edit.text
    assert _case(runtime, "via-form").status == "draft"
    version = _case(runtime, "via-form").version
    sent = submitter.post(
        "/submit/via-form", form_data(record(id="via-form"), version=str(version))
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/my/cases"
    dashboard = submitter.get("/my/cases")
    assert "Submitted for review" in dashboard.text and "Waiting for review" in dashboard.text
    as_json = submitter.get("/my/cases", headers={"Accept": "application/json"}).json()
    assert as_json["cases"][0]["status"] == "submitted"
    htmx_save = submitter.post("/submit/via-form", form_data(record(id="via-form")), headers=HTMX)
    assert htmx_save.headers["HX-Redirect"] == "/my/cases"


def test_a_second_save_from_a_stale_form_is_a_conflict(people, runtime):
    submitter = people["submitter"]
    case_id = submit_case(
        runtime, user_of(runtime, submitter), submit=False, id="two-tabs", title="Original"
    )
    stale = re.search(r'name="version" value="(\d+)"', submitter.get("/submit/two-tabs").text)[1]
    first = submitter.post(
        "/submit/two-tabs",
        form_data(record(id=case_id, title="Tab one"), action="draft", version=stale),
    )
    assert first.status_code == 303
    second = submitter.post(
        "/submit/two-tabs",
        form_data(record(id=case_id, title="Tab two"), action="draft", version=stale),
    )
    assert second.status_code == 409
    assert "nothing was saved" in second.text and 'value="Tab two"' in second.text
    assert _case(runtime, case_id).title == "Tab one"


def test_the_review_shows_contacts_and_differences_to_moderators_only(people, runtime):
    submitter, moderator = people["submitter"], people["moderator"]
    author = user_of(runtime, submitter)
    case_id = submit_case(runtime, author, id="reviewed", title="Crumb rubber track")
    review_case(runtime, user=user_of(runtime, moderator), case_id=case_id, decision="publish")
    submit_case(runtime, author, id="reviewed", title="Crumb rubber running track")
    page = moderator.get("/moderation/reviewed")
    assert page.status_code == 200
    assert "submitter@example.org" in page.text
    assert "<del>" in page.text and "Crumb rubber running track" in page.text
    assert submitter.get("/moderation/reviewed").status_code == 403
    assert people["procurer"].get("/moderation").status_code == 403
    public = people["anonymous"].get("/cases/reviewed").text
    assert "submitter@example.org" not in public
    assert "Crumb rubber track" in public and "running track" not in public
    queue = moderator.get("/moderation")
    assert "Crumb rubber running track" in queue.text and "Edit of a published case" in queue.text


def test_a_moderator_requests_changes_and_the_author_sees_the_comment(people, runtime):
    submitter, moderator = people["submitter"], people["moderator"]
    case_id = submit_case(runtime, user_of(runtime, submitter), id="changes")
    version = _case(runtime, case_id).version
    missing = moderator.post(
        f"/moderation/{case_id}", {"decision": "request_changes", "version": version}
    )
    assert missing.status_code == 422 and 'id="e-comment"' in missing.text
    fragment = moderator.post(
        f"/moderation/{case_id}", {"decision": "request_changes", "version": version}, headers=HTMX
    )
    assert fragment.text.lstrip().startswith('<section id="moderation-decision"')
    done = moderator.post(
        f"/moderation/{case_id}",
        {"decision": "request_changes", "comment": "Add the tonnage source.", "version": version},
    )
    assert done.status_code == 303 and done.headers["location"] == "/moderation"
    assert "Add the tonnage source." in submitter.get("/my/cases").text
    assert "Add the tonnage source." in submitter.get(f"/submit/{case_id}").text
    stale = moderator.post(f"/moderation/{case_id}", {"decision": "publish", "version": version})
    assert stale.status_code == 409


def test_the_history_shows_versions_and_keeps_the_log_for_insiders(people, runtime):
    submitter, moderator = people["submitter"], people["moderator"]
    author, mod = user_of(runtime, submitter), user_of(runtime, moderator)
    case_id = submit_case(runtime, author, id="historic", summary="First summary.")
    assert people["anonymous"].get(f"/cases/{case_id}/history").status_code == 404
    review_case(runtime, user=mod, case_id=case_id, decision="publish")
    submit_case(runtime, author, id="historic", summary="Second summary.")
    review_case(runtime, user=mod, case_id=case_id, decision="publish", comment="internal note")
    public = people["anonymous"].get(f"/cases/{case_id}/history")
    assert public.status_code == 200
    assert "Version 2" in public.text and "Version 1" in public.text
    assert "First summary." in public.text and "Second summary." in public.text
    assert "Audit log" not in public.text and "internal note" not in public.text
    insider = submitter.get(f"/cases/{case_id}/history")
    assert "Audit log" in insider.text and "internal note" in insider.text
    # The author learns that a moderator acted, not who: moderators' contacts stay private.
    assert "A moderator" in insider.text and "moderator@example.org" not in insider.text
    assert "moderator@example.org" in moderator.get(f"/cases/{case_id}/history").text
    data = (
        people["anonymous"]
        .get(f"/cases/{case_id}/history", headers={"Accept": "application/json"})
        .json()
    )
    assert [v["number"] for v in data["versions"]] == [2, 1] and data["events"] is None


def test_unpublished_cases_are_404_to_everyone_else(people, runtime):
    case_id = submit_case(
        runtime, user_of(runtime, people["submitter"]), id="private", title="Private shredded tyres"
    )
    for who, status in (
        ("anonymous", 404),
        ("procurer", 404),
        ("admin", 200),
        ("moderator", 200),
        ("submitter", 200),
    ):
        assert people[who].get(f"/cases/{case_id}").status_code == status, who
    other = people["procurer"]
    assert other.get(f"/submit/{case_id}").status_code == 404  # another author's: not known
    results = people["anonymous"].get("/cases", params={"q": "private shredded"}).text
    assert "Private shredded tyres" not in results


def test_members_edit_their_organisation_profile(people, runtime, app):
    from tests.kb.test_moderation_support import sign_in

    submitter = people["submitter"]
    page = submitter.get("/account/organisation")
    assert page.status_code == 200 and 'name="website"' in page.text
    bad = submitter.post(
        "/account/organisation", {"name": "Granulati Uno", "website": "javascript:alert(1)"}
    )
    assert bad.status_code == 422 and 'id="e-website"' in bad.text
    made = submitter.post(
        "/account/organisation",
        {
            "name": "Granulati Uno",
            "type": "recycler",
            "country": "IT",
            "website": "https://example.org",
            "description": "We make **granulate**.",
            "products": "Rubber granulate 0.8-2.5 mm",
        },
    )
    assert made.status_code == 303
    slug = made.headers["location"].rsplit("/", 1)[1]
    assert people["anonymous"].get(f"/organisations/{slug}").status_code == 404
    assert "not public yet" in submitter.get(f"/organisations/{slug}").text
    approve_claims(people["moderator"])
    public = people["anonymous"].get(f"/organisations/{slug}")
    assert (
        "Recycler" in public.text and "granulate 0.8-2.5" in public.text and "Italy" in public.text
    )
    assert "Edit this profile" not in public.text
    assert "Edit this profile" in submitter.get(f"/organisations/{slug}").text
    outsider = sign_in(app, runtime, "submitter", email="outsider@example.org")
    assert outsider.get(f"/organisations/{slug}/edit").status_code == 403
    assert people["moderator"].get(f"/organisations/{slug}/edit").status_code == 200
    saved = submitter.post(
        f"/organisations/{slug}/edit", {"name": "Granulati Uno Spa", "type": "manufacturer"}
    )
    assert saved.status_code == 303
    assert "Granulati Uno Spa" not in people["anonymous"].get(f"/organisations/{slug}").text
    approve_profiles(people["moderator"])
    assert "Granulati Uno Spa" in people["anonymous"].get(f"/organisations/{slug}").text

    author = user_of(runtime, submitter)
    case_id = submit_case(runtime, author, id="by-org", organisations=[])
    review_case(
        runtime,
        user=user_of(runtime, people["moderator"]),
        case_id=case_id,
        decision="publish",
    )
    assert "/cases/by-org" in people["anonymous"].get(f"/organisations/{slug}").text


def test_a_case_saved_many_times_reads_version_1_when_first_published(people, runtime):
    author = user_of(runtime, people["submitter"])
    for _ in range(4):  # drafts, then a submission: each save bumps the row's counter
        submit_case(runtime, author, submit=False, id="many-saves")
    submit_case(runtime, author, id="many-saves")
    review_case(
        runtime,
        user=user_of(runtime, people["moderator"]),
        case_id="many-saves",
        decision="publish",
    )
    page = people["anonymous"].get("/cases/many-saves").text
    assert "Version 1 ·" in page and "record last reviewed" in page
    assert "published" not in page.split('<p class="meta"')[-1].split("</p>")[0]


def test_the_error_summary_names_each_field_and_links_to_it(people):
    data = form_data(record(title="", summary="", sources=["not a url"]), action="submit")
    data.update({"title": "", "summary": "", "application": "", "organisations-0-role": ""})
    html = people["submitter"].post("/submit", data).text
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    links = re.findall(r'<a href="#(f-[^"]+)">([^<]+)</a>', summary)
    labels = [text.split(":")[0] for _, text in links]
    assert len(set(labels)) == len(labels), labels  # no two alike
    assert ("f-title", "Title") in [(a, t.split(":")[0]) for a, t in links]
    assert "Source 1" in labels and "Application" in labels
    for anchor, _ in links:
        assert f'id="{anchor}"' in html


def test_files_can_be_reached_before_the_first_save_and_sit_above_the_buttons(people):
    submitter = people["submitter"]
    new = submitter.get("/submit").text
    assert "Save as draft and add files" in new
    assert new.index("Photos and reports") < new.index('value="submit"')
    saved = submitter.post("/submit", form_data(record(id="with-files"), action="files"))
    assert saved.headers["location"] == "/submit/with-files#attachments"
    edit = submitter.get("/submit/with-files").text
    assert edit.index('id="moderation-attachments"') < edit.index('value="submit"')
    assert 'value="submit" form="moderation-form"' in edit
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(photo, "PNG")
    submitter.client.post(
        "/submit/with-files/attachments",
        data={"csrf_token": submitter.token, "caption": "A green square"},
        files={"file": ("g.png", photo.getvalue(), "image/png")},
    )
    listed = submitter.get("/submit/with-files").text
    assert "(0 MB)" not in listed and re.search(r"g\.png</a> \(\d+ kB\)", listed)
