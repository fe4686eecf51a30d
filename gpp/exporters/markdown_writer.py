"""Markdown export (CommonMark with GitHub pipe tables).

All text is escaped: a title or note holding `<script>`, `|`, `*` or a line starting with `#`
prints as itself and cannot open raw HTML, break a table row or turn into a heading."""

import re

from gpp.exporters.model import Cell, Facts, Link, SpecView, Table

_PUNCTUATION = re.compile(r"([\\`*\[\]<>|~])")
# "_" between two letters or digits cannot open emphasis (min_rubber_share stays readable).
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# What would open a block at the start of a line: heading, list item, setext underline.
_BLOCK_START = re.compile(
    r"^(#{1,6}(?=\s|$)|[+\-](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|[=\-]+(?=\s*$))", re.MULTILINE
)


def escape(text: str, *, block: bool = False) -> str:
    """Escape text so that Markdown prints it literally (block: it stands as a paragraph)."""
    lines = "\n".join(line.strip() for line in text.split("\n"))  # no indented code blocks
    lines = _UNDERSCORE.sub(r"\\_", _PUNCTUATION.sub(r"\\\1", lines))
    lines = _ENTITY.sub(r"\\&", lines)
    if not block:
        return lines
    # A paragraph's line may not start a heading, a list or a setext underline.
    return _BLOCK_START.sub(
        lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit() else "\\" + m.group(1), lines
    )


def para(text: str) -> str:
    return escape(text, block=True)


def one_line(text: str) -> str:
    return escape(" ".join(text.split()))


def link(value: Link) -> str:
    if not value.external:
        return one_line(value.text)
    url = value.url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    url = url.replace("\n", "")
    return f"[{one_line(value.text)}](<{url}>)"


def cell(value: Cell) -> str:
    if isinstance(value, Link):
        return link(value)
    # Inside a table a line break must not end the row.
    return escape(value).replace("\n", "<br>") or " "


def table(data: Table) -> list[str]:
    lines = [
        "| " + " | ".join(cell(h) for h in data.header) + " |",
        "| " + " | ".join("---" for _ in data.header) + " |",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in data.rows]
    return [*lines, ""]


def facts(items: Facts) -> list[str]:
    lines = [
        f"- **{one_line(label)}:** {cell(value).replace('<br>', ' ')}" for label, value in items
    ]
    return [*lines, ""]


def write_spec(view: SpecView) -> str:
    """Return the Markdown text of a spec document."""
    out = [f"# {one_line(view.title)}", ""]
    if view.subject:
        out += [one_line(view.subject), ""]
    out += [f"## {one_line(view.subject_heading)}", "", para(view.intro), ""]
    out += facts(view.facts)
    if view.eforms:
        out += [f"### {one_line(view.eforms_heading)}", ""] + facts(view.eforms)
    for section in view.sections:
        out += [f"## {one_line(section.heading)}", ""]
        if section.intro:
            out += [para(section.intro), ""]
        for crit in section.criteria:
            out += [f"### {one_line(crit.heading)}", "", f"*{one_line(crit.meta)}*", ""]
            if crit.warning:
                out += [f"> **{one_line(crit.warning)}**", ""]
            for text in crit.paragraphs:
                out += [para(text), ""]
            if crit.parameters:
                out += [f"#### {one_line(view.labels['parameters'])}", ""]
                out += facts(crit.parameters)
            if crit.award_points:
                out += [f"**{one_line(crit.award_points)}**", ""]
            if crit.verification.rows:
                out += [f"#### {one_line(view.labels['verification'])}", ""]
                out += table(crit.verification)
        if section.total:
            out += [f"**{one_line(section.total)}**", ""]
    for annex in view.annexes:
        out += [f"## {one_line(annex.heading)}", ""]
        if annex.intro:
            out += [para(annex.intro), ""]
        if annex.facts:
            out += facts(annex.facts)
        for heading, data in annex.tables:
            if heading:
                out += [f"### {one_line(heading)}", ""]
            out += table(data)
        if annex.empty:
            out += [para(annex.empty), ""]
    out += [f"## {one_line(view.notes_heading)}", ""]
    for note in view.notes:
        out += [para(note), ""]
    return "\n".join(out).rstrip("\n") + "\n"
