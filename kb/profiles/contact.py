"""The contact form of a public profile: the message goes to the organisation's stored address,
which no page prints (so no crawler harvests it); the writer's address is its Reply-To."""

from dataclasses import replace
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from kb import service as kb_service
from kb.models import Organisation
from replan import mail
from replan.errors import NotFound
from replan.i18n import N_
from replan.settings import Settings

FIELDS = ("name", "email", "message")


class ContactForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]
    email: Annotated[EmailStr, StringConstraints(max_length=320)]
    message: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=5000)
    ]


def contactable(session: Session, slug: str) -> Organisation:
    """Return the public organisation of that address if it has a contact address."""
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None or not kb_service.is_public_organisation(session, org.id):
        raise NotFound(N_("There is no organisation with this address."))
    if not org.contact_email:
        raise NotFound(N_("This organisation has no contact form."))
    return org


def send_contact(*, session: Session, settings: Settings, slug: str, form: ContactForm) -> None:
    """Send the message to the organisation (in English: its language is not known)."""
    org = contactable(session, slug)
    message = mail.compose(
        to=org.contact_email,
        language=None,
        subject=N_("A message through your RE-PLAN City Life profile from %(name)s"),
        body=N_(
            "%(name)s <%(email)s> wrote to %(org)s through its profile page:\n\n"
            "%(message)s\n\n"
            "Answer to %(email)s. RE-PLAN City Life did not check who wrote this message."
        ),
        name=form.name,
        email=form.email,
        org=org.name,
        message=form.message,
    )
    mail.send_all(settings, [replace(message, reply_to=form.email)])
