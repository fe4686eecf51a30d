"""What the moderation pages share: role dependencies, the form, messages, flash, choices."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from kb.codes import (
    APPLICATIONS,
    ORG_ROLES,
    ORG_TYPES,
    RTM_TYPES,
    country_name,
    iso_countries,
    iso_languages,
    language_name,
)
from kb.taxonomy import Taxonomy
from replan import auth
from replan.auth_models import User
from replan.runtime import Runtime

Author = Annotated[User, Depends(auth.require_roles("submitter", "moderator"))]
Moderator = Annotated[User, Depends(auth.require_roles("moderator"))]
SignedIn = Annotated[User, Depends(auth.require_roles())]
FLASH = "flash"


async def form_data(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


def flash(request: Request, message: str) -> None:
    """Keep a message for the next page (after a redirect)."""
    request.session[FLASH] = message


def pop_flash(request: Request) -> str | None:
    return request.session.pop(FLASH, None)


def choices(runtime: Runtime, locale: str) -> dict[str, list[tuple[str, str]]]:
    """Return the options of the form's pickers, labelled in the reader's language."""
    taxonomy = runtime.get(Taxonomy)

    def by_label(pairs):
        return sorted(pairs, key=lambda pair: pair[1].casefold())

    return {
        "applications": [(c, taxonomy.label("applications", c, locale)) for c in APPLICATIONS],
        "rtm_types": [(c, taxonomy.label("rtm_types", c, locale)) for c in RTM_TYPES],
        "roles": [(c, taxonomy.label("organisation_roles", c, locale)) for c in ORG_ROLES],
        "org_types": [(c, c) for c in ORG_TYPES],
        "languages": by_label((c, language_name(c, locale)) for c in iso_languages()),
        "countries": by_label((c, country_name(c, locale)) for c in iso_countries()),
    }
