"""Helpers of the moderation tests: people of every role, each with their own browser session,
records submitted through the form, and the e-mails the app wrote. (Imported by the other
test_moderation_* modules; it holds no test of its own.)"""

import email
import re
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kb.models import Case
from kb.schemas import CaseRecord
from replan import auth
from replan.auth_models import User
from tests.builders import record, save_case

PASSWORD = "correct horse battery staple"
ROLES = ("submitter", "moderator", "procurer", "admin")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Person:
    """A signed-in (or anonymous) browser: its client, its user id and its CSRF token."""

    role: str
    client: TestClient
    user_id: int | None = None
    email: str | None = None
    token: str = ""

    def refresh_csrf(self) -> str:
        self.token = CSRF.search(self.client.get("/login").text)[1]
        return self.token

    def post(self, path: str, data: dict | None = None, **kw):
        """POST a form with the session's CSRF token, as a browser would."""
        return self.client.post(
            path, data={"csrf_token": self.token, **(data or {})}, follow_redirects=False, **kw
        )

    def get(self, path: str, **kw):
        return self.client.get(path, **kw)


def make_user(runtime, role: str, email: str | None = None, **kw) -> tuple[int, str]:
    email = email or f"{role}-{len(kw)}-{id(kw)}@example.org"
    with runtime.db.session() as session:
        user = auth.create_user(session, email=email, password=PASSWORD, role=role, **kw)
        return user.id, user.email


def sign_in(app, runtime, role: str, **kw) -> Person:
    """Return a browser signed in as a new user of that role."""
    user_id, address = make_user(runtime, role, **kw)
    client = TestClient(app)
    person = Person(role=role, client=client, user_id=user_id, email=address)
    person.refresh_csrf()
    response = person.post("/login", {"email": address, "password": PASSWORD, "next": "/"})
    assert response.status_code == 303, response.text[:300]
    person.refresh_csrf()
    return person


def anonymous(app) -> Person:
    person = Person(role="anonymous", client=TestClient(app))
    person.refresh_csrf()
    return person


def user_of(runtime, person: Person) -> User:
    with runtime.db.session() as session:
        user = session.get(User, person.user_id)
        session.expunge(user)
        return user


def form_data(rec: dict, action: str = "submit", **extra) -> dict:
    """Return the submit form's fields for a record."""
    data = {
        name: "" if rec.get(name) is None else str(rec[name])
        for name in (
            "id",
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
        )
    }
    data["gpp"] = {True: "yes", False: "no", None: ""}[rec.get("gpp")]
    data["rtm_types"] = list(rec["rtm_types"])
    for i, org in enumerate(rec.get("organisations", [])):
        data[f"organisations-{i}-name"], data[f"organisations-{i}-role"] = org["name"], org["role"]
    for i, b in enumerate(rec.get("benefits", [])):
        data[f"benefits-{i}-metric"] = b["metric"]
        data[f"benefits-{i}-value"] = str(b["value"])
        data[f"benefits-{i}-unit"] = b.get("unit", "")
    for i, url in enumerate(rec.get("sources", [])):
        data[f"sources-{i}-url"] = url
    data["action"] = action
    data.update(extra)
    return data


def approve_claims(moderator) -> None:
    """Approve every claim of an organisation name waiting in the moderation queue."""
    for claim_id in re.findall(
        r'action="/moderation/claims/(\d+)"', moderator.get("/moderation").text
    ):
        done = moderator.post(f"/moderation/claims/{claim_id}", {"decision": "approve"})
        assert done.status_code == 303


def approve_profiles(moderator) -> None:
    """Approve every organisation profile edit waiting in the moderation queue."""
    for slug in re.findall(
        r'action="/moderation/organisations/([^"]+)"', moderator.get("/moderation").text
    ):
        done = moderator.post(f"/moderation/organisations/{slug}", {"decision": "approve"})
        assert done.status_code == 303


def submit_case(runtime, user: User, submit: bool = True, **overrides) -> str:
    """Create a case through the service (as the form would) and return its id."""
    rec = CaseRecord.model_validate(record(**overrides))
    with runtime.db.session() as session:
        exists = rec.id is not None and session.get(Case, rec.id) is not None
    return save_case(
        runtime, user=user, record=rec, submit=submit, case_id=rec.id if exists else None
    ).case_id


def mails(settings) -> list[email.message.EmailMessage]:
    """Return the e-mails written to the mail dir, oldest first."""
    folder = Path(settings.data_path) / "mail"
    return (
        [
            email.message_from_bytes(p.read_bytes(), policy=policy.default)
            for p in sorted(folder.glob("*.eml"))
        ]
        if folder.exists()
        else []
    )


@pytest.fixture
def people(app, runtime) -> dict[str, Person]:
    """One signed-in browser per role, and an anonymous one."""
    crowd = {role: sign_in(app, runtime, role, email=f"{role}@example.org") for role in ROLES}
    crowd["anonymous"] = anonymous(app)
    return crowd
