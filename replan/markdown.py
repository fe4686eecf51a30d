"""User Markdown to safe HTML (markdown-it-py, then nh3) and to plain text."""

import html

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)
ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "hr",
}
ALLOWED_ATTRS = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str | None) -> Markup:
    """Render user Markdown to HTML that is safe to print (no scripts, no raw HTML)."""
    if not text:
        return Markup("")
    raw = _md.render(text)
    # Headings of user text must not compete with the page's own h1.
    raw = raw.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def markdown_to_text(text: str | None) -> str:
    """Return the plain text of user Markdown (for search and summaries)."""
    if not text:
        return ""
    stripped = nh3.clean(_md.render(text), tags=set())
    return " ".join(html.unescape(stripped).split())
