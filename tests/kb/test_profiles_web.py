"""Organisation profiles in the browser: the edit form and its errors, the moderators' queue,
certificates uploaded and checked by content, validity flags on the page and in the directory,
the contact form that never prints the address, and who may do what."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from kb.importing import organisation_named
from kb.models import Organisation
from kb.profiles import service as profile_service
from replan.auth_models import User
from tests.conftest import make_settings
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_files import pdf, png
from tests.kb.test_moderation_support import approve_profiles, mails, sign_in

people = support.people
SECRET = "sales-desk@gomma.example"
TODAY = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path, rate_limit_contact="3/hour")


@pytest.fixture
def slug(people, runtime, monkeypatch):
    """A public organisation whose member is the submitter; today is 1 June 2026."""
    monkeypatch.setattr(profile_service, "utcnow", lambda: TODAY)
    with runtime.db.session() as session:
        org = organisation_named(session, "Gomma Riciclata Srl")
        org.slug, org.approved_at, org.country = "gomma", TODAY, "IT"
        session.get(User, people["submitter"].user_id).organisation_id = org.id
    return "gomma"


PROFILE = {
    "name": "Gomma Riciclata Srl",
    "type": "recycler",
    "country": "IT",
    "website": "https://gomma.example",
    "description": "Granulate from end-of-life tyres.",
    "rtm_offered": ["rubber-granulate", "rubber-powder"],
    "products": "SBR granulate 0.5-2.5 mm\nRubber powder for asphalt",
    "regions_served": "ITC4\nSlovenija",
    "contact_email": SECRET,
    "postal_address": "Via Roma 1\n20100 Milano",
}


def edit(person, slug, **changes):
    return person.post(f"/organisations/{slug}/edit", {**PROFILE, **changes})


def add_certificate(person, slug, data=None, filename="iso.pdf", **fields):
    form = {f"certificate_{k}": v for k, v in {"name": "ISO 14001:2015", **fields}.items()}
    upload = {"certificate_file": (filename, data, "application/pdf")} if data else None
    return person.post(f"/organisations/{slug}/certificates", form, files=upload)


def test_a_member_edits_and_a_moderator_approves(people, slug):
    member, public, moderator = people["submitter"], people["anonymous"], people["moderator"]
    bad = edit(member, slug, contact_email="not an address", website="ftp://x")
    assert bad.status_code == 422
    assert 'id="e-contact_email"' in bad.text and 'id="e-website"' in bad.text
    assert "not an address" in bad.text  # what was typed stays

    assert edit(member, slug).status_code == 303
    page = public.get(f"/organisations/{slug}").text
    assert "SBR granulate" not in page and "Slovenija" not in page
    form = member.get(f"/organisations/{slug}/edit").text
    assert "SBR granulate" in form and "wait for a moderator" in form
    assert "Changes to this profile wait" in member.get(f"/organisations/{slug}").text

    queue = moderator.get("/moderation").text
    assert 'action="/moderation/organisations/gomma"' in queue and "SBR granulate" in queue
    approve_profiles(moderator)
    page = public.get(f"/organisations/{slug}").text
    for shown in ("SBR granulate", "Rubber granulate", "ITC4", "Slovenija", "Via Roma 1"):
        assert shown in page
    assert SECRET not in page and "sales-desk" not in page  # never printed: not harvestable
    assert 'action="/organisations/gomma/contact"' in page
    assert "No profile waits" in moderator.get("/moderation").text


def test_a_rejected_edit_is_never_public(people, slug):
    member, moderator = people["submitter"], people["moderator"]
    edit(member, slug, description="A claim nobody checked")
    done = moderator.post(f"/moderation/organisations/{slug}", {"decision": "reject"})
    assert done.status_code == 303
    assert "A claim nobody checked" not in people["anonymous"].get(f"/organisations/{slug}").text
    assert moderator.post(f"/moderation/organisations/{slug}", {"decision": "x"}).status_code == 422


def test_certificates_are_checked_by_content_and_wait_for_approval(people, slug):
    member, public = people["submitter"], people["anonymous"]
    for data, fields, field in [
        (b"%PDF-1.7 a text file calling itself a PDF", {}, "file"),
        (b"<svg onload=alert(1)>", {}, "file"),
        (None, {}, "file"),  # neither a file nor a link
        (None, {"registry_url": "http://registry.example/1"}, "registry_url"),
        (
            None,
            {
                "registry_url": "https://r.example",
                "valid_from": "2026-05-01",
                "valid_to": "2026-01-01",
            },
            "valid_to",
        ),
        (None, {"registry_url": "https://r.example", "valid_to": "31/12/2026"}, "valid_to"),
        (None, {"name": "", "registry_url": "https://r.example"}, "name"),
    ]:
        refused = add_certificate(member, slug, data, **fields)
        assert refused.status_code == 422, (fields, refused.text[:200])
        assert f'id="e-certificate_{field}"' in refused.text, field
    assert add_certificate(member, slug, pdf(), valid_to="2027-01-31").status_code == 303
    photo = add_certificate(member, slug, png(), filename="emas.jpg", name="EMAS")
    assert photo.status_code == 303
    form = member.get(f"/organisations/{slug}/edit").text
    url = form.split('href="/organisations/gomma/certificates/')[1].split('"')[0]
    url = "/organisations/gomma/certificates/" + url
    assert "Added: waits for a moderator" in form
    assert public.get(url).status_code == 404  # waiting: its members and moderators only
    assert member.get(url).status_code == 200
    assert "ISO 14001" not in public.get(f"/organisations/{slug}").text
    approve_profiles(people["moderator"])
    got = public.get(url)
    assert got.status_code == 200 and got.headers["x-content-type-options"] == "nosniff"
    assert got.content.startswith((b"%PDF-", b"\x89PNG"))
    page = public.get(f"/organisations/{slug}").text
    assert "ISO 14001:2015" in page and "EMAS" in page and "emas.png" in page  # named by content


def test_only_members_and_moderators_change_a_profile(people, slug, app, runtime):
    outsider = sign_in(app, runtime, "submitter", email="outsider@example.org")
    for person, status in ((outsider, 403), (people["procurer"], 403)):
        assert edit(person, slug).status_code == status
        assert add_certificate(person, slug, registry_url="https://r.example").status_code == status
    anonymous = add_certificate(people["anonymous"], slug, registry_url="https://r.example")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    assert people["submitter"].post(f"/moderation/organisations/{slug}", {}).status_code == 403
    assert add_certificate(people["moderator"], slug, registry_url="https://r.e").status_code == 303


def test_expired_and_expiring_certificates_are_flagged(people, slug):
    member = people["submitter"]
    for name, valid_to in (
        ("Old EPD", "2026-05-31"),
        ("KNR Green", "2026-07-15"),
        ("ISO 14001", "2028-01-01"),
    ):
        add_certificate(
            member, slug, registry_url="https://r.example", name=name, valid_to=valid_to
        )
    approve_profiles(people["moderator"])
    page = people["anonymous"].get(f"/organisations/{slug}").text
    assert page.count(">Expired<") == 1 and page.count(">Expires soon<") == 1
    listed = people["anonymous"].get("/organisations?certificate=epd")
    assert "Old EPD" in listed.text and ">Expired<" in listed.text
    data = people["anonymous"].get("/organisations", headers={"Accept": "application/json"}).json()
    [entry] = [e for e in data["entries"] if e["slug"] == slug]
    flags = {c["name"]: (c["expired"], c["expires_soon"]) for c in entry["certificates"]}
    assert flags == {
        "Old EPD": (True, False),
        "KNR Green": (False, True),
        "ISO 14001": (False, False),
    }
    assert sorted(entry["certifications"]) == ["ISO 14001", "KNR Green", "Old EPD"]


def test_the_directory_filters_by_material_region_certificate_and_words(people, slug):
    edit(people["submitter"], slug)
    approve_profiles(people["moderator"])

    def names(query):
        data = (
            people["anonymous"]
            .get(f"/organisations?{query}", headers={"Accept": "application/json"})
            .json()
        )
        return {e["name"] for e in data["entries"]}

    gomma = {"Gomma Riciclata Srl"}
    assert names("rtm=rubber-powder") == gomma
    assert names("rtm=steel-fibre") == set()
    assert names("region=itc4") == gomma and names("region=slovenija") == gomma
    assert names("region=Bavaria") == set()
    assert names("q=asphalt+powder") == gomma  # every word, in the products
    assert names("q=GRANULATE") == gomma  # the description, any case
    assert names("q=asphalt+concrete") == set()
    assert names("q=gomma&rtm=rubber-granulate&country=IT") == gomma
    page = people["anonymous"].get("/organisations?q=asphalt&region=ITC4").text
    assert 'value="asphalt"' in page and 'value="ITC4"' in page
    assert people["anonymous"].get("/organisations?region=" + "x" * 101).status_code == 422


def test_the_contact_form_mails_the_stored_address(people, slug, runtime):
    edit(people["submitter"], slug)
    approve_profiles(people["moderator"])
    public = people["anonymous"]
    bad = public.post(
        f"/organisations/{slug}/contact", {"name": "A", "email": "nope", "message": "hi"}
    )
    assert bad.status_code == 422
    for field in ("name", "email", "message"):
        assert f'id="e-{field}"' in bad.text
    assert SECRET not in bad.text and mails(runtime.settings) == []
    sent = public.post(
        f"/organisations/{slug}/contact",
        {
            "name": "Comune di Prova",
            "email": "buyer@comune.example",
            "message": "Do you deliver 40 t?",
        },
    )
    assert sent.status_code == 303
    [mail] = mails(runtime.settings)
    assert mail["To"] == SECRET and mail["Reply-To"] == "buyer@comune.example"
    assert "Do you deliver 40 t?" in mail.get_content()
    assert "was sent" in public.get(f"/organisations/{slug}").text
    limited = [
        public.post(
            f"/organisations/{slug}/contact",
            {"name": "X Y", "email": "a@b.example", "message": "Another message"},
        ).status_code
        for _ in range(3)
    ]
    assert limited[-1] == 429  # three an hour from one address


def test_no_contact_form_without_an_address_or_before_the_profile_is_public(people, runtime):
    with runtime.db.session() as session:
        hidden = organisation_named(session, "Hidden Co")
        hidden.contact_email = "x@hidden.example"
        hidden.slug = "hidden"
        shown = organisation_named(session, "Shown Co")
        shown.slug, shown.approved_at = "shown", TODAY
    form = {"name": "Some One", "email": "a@b.example", "message": "Hello there, friends"}
    assert people["anonymous"].post("/organisations/hidden/contact", form).status_code == 404
    assert people["anonymous"].post("/organisations/shown/contact", form).status_code == 404
    assert "/contact" not in people["anonymous"].get("/organisations/shown").text
    with runtime.db.session() as session:
        assert (
            session.scalar(select(Organisation.pending_at).where(Organisation.slug == "shown"))
            is None
        )
