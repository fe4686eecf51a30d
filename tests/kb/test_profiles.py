"""Organisation profiles in storage, on SQLite and PostgreSQL: a member's edit and certificates
wait for a moderator, approval makes them public, rejection leaves the public profile; the
certificates' validity; who serves a country; the old certifications list moved by 0011."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import select

from kb.importing import organisation_named
from kb.models import Organisation, OrganisationCertificate
from kb.moderation import files
from kb.moderation.organisations import OrganisationProfile
from kb.profiles import drafts
from kb.profiles import service as profiles
from kb.profiles.schemas import CertificateForm
from replan import auth
from replan.auth_models import User
from replan.errors import Forbidden, Invalid, NotFound
from replan.migrations import alembic_config
from tests.conftest import make_settings
from tests.kb.test_moderation_files import pdf


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path):
    if request.param == "postgresql":
        return make_settings(tmp_path, database_url=request.getfixturevalue("pg_url"))
    return make_settings(tmp_path)


def _user(runtime, role: str, org_id: int | None = None) -> User:
    with runtime.db.session() as session:
        user = auth.create_user(
            session, email=f"{role}-{org_id}@example.org", password="x" * 12, role=role
        )
        user.organisation_id = org_id
        session.flush()
        session.expunge(user)
        return user


@pytest.fixture
def world(runtime):
    with runtime.db.session() as session:
        org = organisation_named(session, "Gomma Riciclata Srl")
        org.slug, org.approved_at, org.country = "gomma", datetime(2026, 1, 1, tzinfo=UTC), "IT"
        other = organisation_named(session, "Elsewhere Ltd")
        other.slug = "elsewhere"
        session.flush()
        ids = org.id, other.id
    return {
        "member": _user(runtime, "submitter", ids[0]),
        "outsider": _user(runtime, "submitter", ids[1]),
        "procurer": _user(runtime, "procurer", ids[0]),  # a member, but no recycler's staff
        "moderator": _user(runtime, "moderator"),
    }


def profile(**kw) -> OrganisationProfile:
    base = {
        "name": "Gomma Riciclata Srl",
        "country": "IT",
        "description": "Granulate from end-of-life tyres.",
        "contact_email": "sales@gomma.example",
        "regions_served": ["ITC4", "Slovenija"],
        "rtm_offered": ["rubber-granulate"],
        "products": ["SBR granulate 0.5-2.5 mm"],
    }
    return OrganisationProfile.model_validate({**base, **kw})


def org_row(runtime, slug="gomma") -> Organisation:
    with runtime.db.session() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == slug))
        session.expunge(org)
        return org


def propose(runtime, user, **kw):
    with runtime.unit_of_work() as uow:
        drafts.propose_profile(uow=uow, user=user, slug="gomma", profile=profile(**kw))


def certify(runtime, user, data=None, **kw):
    form = CertificateForm.model_validate({"name": "ISO 14001:2015", **kw})
    with runtime.unit_of_work() as uow:
        drafts.add_certificate(
            uow=uow,
            user=user,
            upload_dir=runtime.settings.upload_dir,
            slug="gomma",
            certificate=form,
            filename="iso.pdf",
            data=data,
        )


def decide(runtime, user, approve: bool):
    with runtime.unit_of_work() as uow:
        return drafts.decide_profile(
            uow=uow,
            user=user,
            upload_dir=runtime.settings.upload_dir,
            slug="gomma",
            approve=approve,
        )


def public_certificates(runtime, on=date(2026, 6, 1)):
    with runtime.db.session() as session:
        org = session.scalar(select(Organisation).where(Organisation.slug == "gomma"))
        return profiles.certificates_of(session, [org], on=on).get(org.id, [])


def test_an_edit_waits_for_a_moderator_then_becomes_the_profile(runtime, world):
    propose(runtime, world["member"])
    certify(runtime, world["member"], data=pdf(), valid_to="2027-01-31", issuer="TÜV")
    org = org_row(runtime)
    assert org.description is None and org.rtm_offered == [] and org.pending_at is not None
    assert org.pending_profile["products"] == ["SBR granulate 0.5-2.5 mm"]
    assert public_certificates(runtime) == []

    assert decide(runtime, world["moderator"], approve=True).approved
    org = org_row(runtime)
    assert org.pending_at is None and org.pending_profile is None
    assert (org.contact_email, org.regions_served) == ("sales@gomma.example", ["ITC4", "Slovenija"])
    assert org.rtm_offered == ["rubber-granulate"]
    [cert] = public_certificates(runtime)
    assert (cert.name, cert.issuer, cert.valid_to) == ("ISO 14001:2015", "TÜV", date(2027, 1, 31))
    assert cert.file_url == f"/organisations/gomma/certificates/{cert.id}/iso.pdf"
    assert files.path_of(runtime.settings.upload_dir, _stored(runtime, cert.id)).is_file()


def _stored(runtime, cert_id: int) -> str:
    with runtime.db.session() as session:
        return session.get(OrganisationCertificate, cert_id).stored_name


def test_a_rejected_edit_leaves_the_public_profile_and_drops_its_files(runtime, world):
    propose(runtime, world["member"])
    decide(runtime, world["moderator"], approve=True)
    certify(runtime, world["member"], registry_url="https://registry.example/emas/IT-000123")
    certify(runtime, world["member"], data=pdf(), name="EPD rubber granulate")
    propose(runtime, world["member"], description="Changed text", name="Gomma Nuova")
    with runtime.db.session() as session:
        stored = session.scalar(
            select(OrganisationCertificate.stored_name).where(
                OrganisationCertificate.stored_name.is_not(None)
            )
        )
    path = files.path_of(runtime.settings.upload_dir, stored)
    assert path.is_file()
    decide(runtime, world["moderator"], approve=False)
    org = org_row(runtime)
    assert (org.name, org.description) == ("Gomma Riciclata Srl", profile().description)
    assert public_certificates(runtime) == [] and not path.exists()
    with runtime.db.session() as session:
        assert session.scalar(select(sa.func.count()).select_from(OrganisationCertificate)) == 0


def test_a_removed_certificate_stays_public_until_approved(runtime, world):
    certify(runtime, world["member"], registry_url="https://registry.example/iso/1")
    decide(runtime, world["moderator"], approve=True)
    [cert] = public_certificates(runtime)
    with runtime.unit_of_work() as uow:
        drafts.remove_certificate(
            uow=uow,
            user=world["member"],
            upload_dir=runtime.settings.upload_dir,
            slug="gomma",
            certificate_id=cert.id,
        )
    assert [c.name for c in public_certificates(runtime)] == ["ISO 14001:2015"]
    decide(runtime, world["moderator"], approve=True)
    assert public_certificates(runtime) == []


def test_only_members_and_moderators_edit_and_only_moderators_decide(runtime, world):
    for who in ("outsider", "procurer"):
        with pytest.raises(Forbidden):
            propose(runtime, world[who])
        with pytest.raises(Forbidden):
            certify(runtime, world[who], registry_url="https://registry.example/x")
    propose(runtime, world["moderator"])  # a moderator's edit waits too
    with pytest.raises(Forbidden):
        decide(runtime, world["member"], approve=True)
    decide(runtime, world["moderator"], approve=True)
    with pytest.raises(NotFound):  # nothing waits any more
        decide(runtime, world["moderator"], approve=True)


def test_a_certificate_needs_a_file_or_a_registry_link_and_the_file_is_checked(runtime, world):
    with pytest.raises(Invalid) as missing:
        certify(runtime, world["member"])
    assert missing.value.field == "file"
    with pytest.raises(files.UploadRejected):
        certify(runtime, world["member"], data=b"%PDF-1.4 not really a pdf")
    with pytest.raises(files.UploadRejected):
        certify(runtime, world["member"], data=b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValueError):
        CertificateForm.model_validate({"name": "EMAS", "registry_url": "http://plain.example"})
    with pytest.raises(ValueError):
        CertificateForm.model_validate(
            {"name": "EMAS", "valid_from": "2026-05-01", "valid_to": "2026-04-01"}
        )
    assert list(runtime.settings.upload_dir.glob("**/*.*")) == []  # nothing refused was kept


@pytest.mark.parametrize(
    ("valid_to", "expired", "soon"),
    [
        (date(2026, 5, 31), True, False),
        (date(2026, 6, 1), False, True),  # valid on its last day
        (date(2026, 7, 31), False, True),  # 60 days ahead
        (date(2026, 8, 1), False, False),
        (None, False, False),
    ],
)
def test_validity_flags(valid_to, expired, soon):
    assert profiles.validity(valid_to, on=date(2026, 6, 1)) == (expired, soon)


@pytest.mark.parametrize(
    ("entry", "country", "serves"),
    [
        ("PL", "PL", True),
        ("Polska", "PL", True),
        ("Italia", "IT", True),
        ("slovenija", "SI", True),
        ("ITC4", "IT", True),
        ("EL30", "GR", True),
        ("ITC4", "FR", False),
        ("Europe", "ES", True),
        ("Europa", "ES", True),
        ("ευρώπη", "IT", True),
        ("Unia Europejska", "FR", True),
        ("Evropa", "GR", True),
        ("Eurasia", "ES", False),
        ("Lombardia", "PL", False),
        ("Italy", "IT", True),
        ("ITALY", "FR", False),
    ],
)
def test_regions_served(entry, country, serves):
    assert profiles.region_serves(entry, country) is serves


def test_suppliers_offer_the_material_and_serve_the_country(runtime, world):
    propose(runtime, world["member"])
    certify(
        runtime, world["member"], registry_url="https://registry.example/1", valid_to="2026-01-01"
    )
    decide(runtime, world["moderator"], approve=True)
    with runtime.db.session() as session:
        hidden = organisation_named(session, "Not Approved Spa")  # named by no published case
        hidden.rtm_offered, hidden.country = ["rubber-granulate"], "IT"

    def found(country, rtm):
        with runtime.db.session() as session:
            return profiles.suppliers_serving(
                session, country=country, rtm_types=rtm, on=date(2026, 6, 1)
            )

    [supplier] = found("IT", ["rubber-granulate", "steel-fibre"])
    assert (supplier.name, supplier.rtm_offered) == ("Gomma Riciclata Srl", ["rubber-granulate"])
    assert supplier.certificates[0].expired
    assert [s.name for s in found("SI", ["rubber-granulate"])] == ["Gomma Riciclata Srl"]
    assert found("PL", ["rubber-granulate"]) == []
    assert found("IT", ["steel-fibre"]) == []


def test_the_migration_moves_the_old_certifications(tmp_path, db_url):
    config = alembic_config(db_url)
    command.upgrade(config, "0009")
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO kb_organisation (slug, name, certifications, created_at) "
                "VALUES ('old', 'Old Co', :c, CURRENT_TIMESTAMP)"
            ),
            {"c": '["ISO 9001", "KNR Green"]'},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        names = conn.execute(
            sa.text("SELECT name, state FROM kb_organisation_certificate ORDER BY name")
        ).all()
        columns = {c["name"] for c in sa.inspect(conn).get_columns("kb_organisation")}
    engine.dispose()
    assert [tuple(row) for row in names] == [("ISO 9001", "approved"), ("KNR Green", "approved")]
    assert "certifications" not in columns and "rtm_offered" in columns
