"""Hostile text (script tags, event handlers, `javascript:` links, iframes, Markdown tricks)
through every text field of a submission, a review and a profile, checked on every page that
shows it: printed as text, never as markup."""

import json
from html.parser import HTMLParser

from markupsafe import escape

from tests.builders import record, review_case
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import approve_claims, form_data, user_of

people = support.people  # the fixture, shared

HOSTILE = [
    '<script>alert("t1")</script>',
    '"><img src=x onerror=alert("t2")>',
    "' onmouseover='alert(3)' x='",
    '<iframe src="javascript:alert(4)"></iframe>',
    '<a href="javascript:alert(5)">five</a>',
    "[six](javascript:alert(6))",
    "![seven](javascript:alert(7))",
    "<javascript:alert(8)>",
    "[nine](data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==)",
    "<svg/onload=alert(10)>",
    "</textarea><script>alert(11)</script>",
    "<style>body{display:none}</style>{{ 7*7 }}",
    "[twelve](JaVaScRiPt:alert(12)) <b onclick=alert(13)>bold</b>",
]
EVERYTHING = " ".join(HOSTILE)
DANGEROUS_TAGS = {"script", "iframe", "svg", "style", "object", "embed", "base", "form"}
URL_ATTRS = {"href", "src", "action", "formaction", "srcset", "data", "poster"}


class Checker(HTMLParser):
    """Collect every piece of markup that user text could have smuggled in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.data_block: list[str] | None = None

    def handle_data(self, data):
        if self.data_block is not None:
            self.data_block.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self.data_block is not None:
            try:
                json.loads("".join(self.data_block))
            except ValueError:
                self.problems.append("a JSON-LD block that is not JSON")
            self.data_block = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if (
            tag == "script"
            and values.get("type") == "application/ld+json"
            and not values.get("src")
        ):
            self.data_block = []  # a JSON-LD data block: never run; it must stay one JSON value
        elif tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.problems.append(f"<script {values}>")
        if tag in DANGEROUS_TAGS - {"script", "form"}:
            self.problems.append(f"<{tag}>")
        if tag == "form" and not (values.get("action") or "/").startswith("/"):
            self.problems.append(f"<form action={values.get('action')}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            text = "".join((value or "").split()).lower()
            if name in URL_ATTRS and text.startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"<{tag} {name}={value}>")


def assert_inert(response, *shown: str) -> None:
    """The page has none of the hostile markup, and shows each given text escaped."""
    assert response.status_code == 200, response.status_code
    checker = Checker()
    checker.feed(response.text)
    assert checker.problems == [], f"{response.url}: {checker.problems}"
    for text in shown:
        assert str(escape(text)) in response.text, f"{response.url} does not show {text!r}"


def hostile_record(**overrides) -> dict:
    return record(
        id="hostile",
        title=HOSTILE[0] + " " + HOSTILE[1],
        summary=EVERYTHING[:600],
        description="\n\n".join(HOSTILE),
        city=HOSTILE[2][:200],
        organisations=[
            {"name": HOSTILE[3], "role": "recycler"},
            {"name": HOSTILE[9], "role": "supplier"},
        ],
        benefits=[{"metric": HOSTILE[4], "value": 3, "unit": HOSTILE[10][:50]}],
        **overrides,
    )


def test_hostile_text_through_the_whole_workflow(people, runtime):
    submitter, moderator, public = people["submitter"], people["moderator"], people["anonymous"]
    rec = hostile_record()
    refused = submitter.post("/submit", form_data({**rec, "sources": ["javascript:alert(1)"]}))
    assert refused.status_code == 422  # a javascript: source is not a web address
    assert_inert(_as_200(refused), rec["title"])

    sent = submitter.post("/submit", form_data(rec))
    assert sent.status_code == 303
    title, org = rec["title"], rec["organisations"][0]["name"]
    author_pages = ["/submit/hostile", "/my/cases", "/cases/hostile"]
    for path in author_pages:
        assert_inert(submitter.get(path), title)
    assert_inert(moderator.get("/moderation"), title)
    assert_inert(moderator.get("/moderation/hostile"), title, org, rec["city"])

    comment = HOSTILE[1] + " " + HOSTILE[5]
    moderator.post(
        "/moderation/hostile",
        {"decision": "request_changes", "comment": comment, "version": _version(moderator)},
    )
    for path in ("/my/cases", "/submit/hostile", "/cases/hostile/history"):
        assert_inert(submitter.get(path), comment)

    edited = {**rec, "summary": HOSTILE[6] + HOSTILE[7]}
    submitter.post("/submit/hostile", form_data(edited))
    review_case(
        runtime,
        user=user_of(runtime, moderator),
        case_id="hostile",
        decision="publish",
        comment=HOSTILE[8],
    )
    for path in (
        "/cases/hostile",
        "/cases/hostile/history",
        "/cases?q=alert",
        "/cases?q=" + HOSTILE[0],
    ):
        assert_inert(public.get(path))
    assert_inert(public.get("/cases/hostile"), title, org)
    assert_inert(public.get("/"))
    slug = public.get("/cases/hostile").text.split('href="/organisations/')[1].split('"')[0]
    assert_inert(public.get(f"/organisations/{slug}"), org)

    # An edit of the published case: the moderator's differences page.
    submitter.post("/submit/hostile", form_data({**edited, "title": HOSTILE[11][:200]}))
    assert_inert(moderator.get("/moderation/hostile"), HOSTILE[11][:200], title)
    assert_inert(submitter.get("/cases/hostile/history"), HOSTILE[8])
    json_page = public.get("/api/v1/cases/hostile")
    assert json_page.headers["content-type"].startswith("application/json")


def _as_200(response):
    response.status_code = 200
    return response


def _version(person) -> str:
    page = person.get("/moderation/hostile").text
    return page.split('name="version" value="')[1].split('"')[0]


def test_hostile_text_in_profiles_and_accounts(people):
    submitter, public = people["submitter"], people["anonymous"]
    refused = submitter.post(
        "/account/organisation", {"name": "Evil Co", "website": "javascript:alert(1)"}
    )
    assert refused.status_code == 422
    made = submitter.post(
        "/account/organisation",
        {
            "name": HOSTILE[1][:200],
            "description": "\n\n".join(HOSTILE),
            "products": "\n".join(h[:200] for h in HOSTILE),
            "regions_served": "\n".join(h[:200] for h in HOSTILE),
            "postal_address": HOSTILE[0][:500],
            "website": "https://example.org/?q=<script>",
        },
    )
    assert made.status_code == 303
    approve_claims(people["moderator"])
    assert_inert(public.get(made.headers["location"]), HOSTILE[1])
    assert_inert(submitter.get(made.headers["location"] + "/edit"), HOSTILE[1])

    submitter.post("/account/profile", {"name": HOSTILE[0], "language": "en"})
    created = submitter.post("/account/tokens", {"name": HOSTILE[2][:100]})
    assert created.status_code == 201
    assert_inert(_as_200(created), HOSTILE[2][:100])
    assert_inert(submitter.get("/account"), HOSTILE[0])


def test_hostile_captions_and_file_names(people, runtime):
    import io

    from PIL import Image

    submitter = people["submitter"]
    submitter.post("/submit", form_data(record(id="captioned"), action="draft"))
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    response = submitter.client.post(
        "/submit/captioned/attachments",
        data={"csrf_token": submitter.token, "caption": HOSTILE[1]},
        files={"file": ('"><script>alert(1)</script>.png', out.getvalue(), "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert_inert(submitter.get("/submit/captioned"), HOSTILE[1])
    assert_inert(people["moderator"].get("/moderation/captioned"), HOSTILE[1])
