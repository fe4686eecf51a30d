"""Every redirect goes through one check (`replan.web.safe_path`): a path on this site only."""

import re

import pytest

from replan import PROJECT_ROOT
from replan.web import safe_path
from tests.kb.test_moderation_support import PASSWORD, anonymous, make_user

HOSTILE = [
    "//evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: x=1",
    "/\x00x",
    "/\x7fx",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    " /x",
    "",
    None,
]


@pytest.mark.parametrize("target", HOSTILE)
def test_targets_off_the_site_are_refused(target):
    assert safe_path(target) == "/"
    assert safe_path(target, default="/account") == "/account"


@pytest.mark.parametrize(
    "target", ["/", "/cases?q=rubber&page=2", "/specs/abc#check-3", "/%2F%2Fx"]
)
def test_paths_of_the_site_are_kept(target):
    assert safe_path(target) == target


def test_htmx_sign_in_does_not_redirect_off_the_site(app, runtime):
    """Issue 9, item 3: `next=/\\evil.com` gave `HX-Redirect: /\\evil.com`."""
    _, email = make_user(runtime, "submitter", email="htmx-next@example.org")
    person = anonymous(app)
    form = person.client.get("/login", params={"next": "/\\evil.example"}).text
    assert 'value="/\\evil.example"' not in form
    answer = person.client.post(
        "/login",
        data={
            "email": email,
            "password": PASSWORD,
            "next": "/\\evil.example",
            "csrf_token": person.token,
        },
        headers={"HX-Request": "true"},
        follow_redirects=False,
    )
    assert answer.status_code == 204 and answer.headers["hx-redirect"] == "/"


def test_the_sign_in_page_is_sent_the_whole_address_to_come_back_to(app):
    answer = anonymous(app).client.get("/account?a=1&b=2", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Faccount%3Fa%3D1%26b%3D2"


def test_no_module_redirects_on_its_own():
    """Only replan.web builds redirects, so every one of them goes through safe_path."""
    offenders = []
    for folder in ("replan", "kb", "gpp", "search"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            text = path.read_text()
            if path.relative_to(PROJECT_ROOT).as_posix() == "replan/web.py":
                continue
            if re.search(r"RedirectResponse\(|[\"']HX-Redirect[\"']", text):
                offenders.append(path.relative_to(PROJECT_ROOT).as_posix())
    assert offenders == []
