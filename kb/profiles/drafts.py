"""Writes of profiles: a member's edit (profile and certificates) waits for a moderator, who
approves it (it becomes the public profile) or rejects it (the public one stays)."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import service as kb_service
from kb.models import Organisation, OrganisationCertificate
from kb.moderation import files
from kb.moderation import organisations as orgs
from kb.moderation.workflow import is_moderator
from kb.profiles.schemas import CertificateForm, CertificateState
from replan.auth_models import User
from replan.clock import utcnow
from replan.errors import Forbidden, Invalid, NotFound
from replan.i18n import N_
from replan.uow import UnitOfWork

MAX_CERTIFICATES = 30
State = CertificateState


def _open(org: Organisation, user: User) -> None:
    """Start (or touch) the organisation's waiting edit, from its public profile."""
    if org.pending_at is None or org.pending_profile is None:
        org.pending_profile = orgs.profile_of(org)
    org.pending_at = utcnow()
    org.pending_by = user.id


def propose_profile(
    *, uow: UnitOfWork, user: User, slug: str, profile: orgs.OrganisationProfile
) -> None:
    """Keep the edited profile for a moderator, refusing a name another organisation has."""
    org = orgs.editable_organisation(uow.session, slug=slug, user=user)
    if orgs.name_taken(uow.session, profile.name, other_than=org.id):
        raise Invalid(N_("Another organisation already has this name."), field="name")
    _open(org, user)
    org.pending_profile = profile.model_dump(mode="json")
    uow.commit()


def add_certificate(
    *,
    uow: UnitOfWork,
    user: User,
    upload_dir: Path,
    slug: str,
    certificate: CertificateForm,
    filename: str | None,
    data: bytes | None,
) -> None:
    """Add a certificate to the waiting edit: its file checked by content as case attachments
    are (a PDF without active content, or a photo re-encoded), or its registry link."""
    session = uow.session
    org = orgs.editable_organisation(session, slug=slug, user=user)
    if not data and not certificate.registry_url:
        raise Invalid(N_("Add the certificate's file or a link to it in a registry."), field="file")
    count = len(_rows(session, org.id, (State.APPROVED, State.ADDED)))
    if count >= MAX_CERTIFICATES:
        raise Invalid(
            N_("A profile can list at most %(n)s certificates."), field="name", n=MAX_CERTIFICATES
        )
    checked = files.check_upload(data) if data else None
    stored = files.store(upload_dir, checked.data, checked.extension) if checked else None
    try:
        _open(org, user)
        session.add(
            OrganisationCertificate(
                organisation_id=org.id,
                state=State.ADDED,
                **certificate.model_dump(),
                filename=files.safe_filename(filename, checked.extension) if checked else None,
                content_type=checked.content_type if checked else None,
                stored_name=stored,
                size=len(checked.data) if checked else None,
            )
        )
        uow.commit()
    except BaseException:
        if stored:
            files.remove(upload_dir, stored)
        raise


def remove_certificate(
    *, uow: UnitOfWork, user: User, upload_dir: Path, slug: str, certificate_id: int
) -> None:
    """Take a certificate out of the waiting edit: a waiting one goes at once, an approved one
    stays public until a moderator approves the edit."""
    session = uow.session
    org = orgs.editable_organisation(session, slug=slug, user=user)
    cert = session.get(OrganisationCertificate, certificate_id)
    if cert is None or cert.organisation_id != org.id or cert.state == State.REMOVED:
        raise NotFound(N_("There is no such certificate."))
    _open(org, user)
    if cert.state == State.ADDED:
        _delete(uow, upload_dir, cert)
    else:
        cert.state = State.REMOVED
    uow.commit()


def _rows(session: Session, org_id: int, states) -> list[OrganisationCertificate]:
    return list(
        session.scalars(
            select(OrganisationCertificate).where(
                OrganisationCertificate.organisation_id == org_id,
                OrganisationCertificate.state.in_([str(s) for s in states]),
            )
        )
    )


def _delete(uow: UnitOfWork, upload_dir: Path, cert: OrganisationCertificate) -> None:
    stored = cert.stored_name
    uow.session.delete(cert)
    if stored:
        uow.after_commit(lambda: files.remove(upload_dir, stored))


@dataclass(frozen=True)
class Decided:
    name: str
    approved: bool


def decide_profile(
    *, uow: UnitOfWork, user: User, upload_dir: Path, slug: str, approve: bool
) -> Decided:
    """Approve the waiting edit (it becomes the public profile, which is then public) or reject
    it (the public profile and certificates stay as they were)."""
    if not is_moderator(user):
        raise Forbidden(N_("Only moderators decide on profiles."))
    session = uow.session
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None or org.pending_at is None:
        raise NotFound(N_("This organisation has no profile edit waiting."))
    if approve:
        profile = orgs.OrganisationProfile.model_validate(org.pending_profile)
        if orgs.name_taken(session, profile.name, other_than=org.id):
            raise Invalid(N_("Another organisation already has this name."), field="decision")
        orgs.copy_profile(org, profile)
        org.approved_at = utcnow()  # public now, and the sitemap's last change
    for cert in _rows(session, org.id, (State.ADDED, State.REMOVED)):
        if (cert.state == State.ADDED) == approve:
            cert.state = State.APPROVED
        else:
            _delete(uow, upload_dir, cert)
    org.pending_profile = org.pending_at = org.pending_by = None
    name = org.name
    uow.commit()
    return Decided(name=name, approved=approve)


def certificate_file(
    session: Session, *, slug: str, certificate_id: int, filename: str, user: User | None
) -> OrganisationCertificate:
    """Return a certificate whose file this user may download: an approved certificate of a
    public organisation, or any of its certificates to its members and moderators."""
    cert = session.get(OrganisationCertificate, certificate_id)
    org = session.get(Organisation, cert.organisation_id) if cert else None
    if cert is None or org is None or org.slug != slug or cert.filename != filename:
        raise NotFound(N_("There is no file at this address."))
    public = cert.state != State.ADDED and kb_service.is_public_organisation(session, org.id)
    if not (public or orgs.may_edit(user, org)):
        raise NotFound(N_("There is no file at this address."))
    return cert
