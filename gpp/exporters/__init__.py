"""Exports of a generated tender specification (DOCX, ODT, PDF, Markdown, JSON with an
eForms-oriented and an OCDS block, and an eForms contract notice) and of a bidder's evaluation
(XLSX, PDF).

The caller hands over the spec as `GET /api/v1/specs/{id}` answers it (and the bidder as
`GET /api/v1/specs/{id}/bidders/{bidder_id}`), plus the gettext of the spec's language. Nothing
here touches the database or HTTP. `model.py` and `evaluation.py` decide what a document says;
one writer per format prints it. PDF needs WeasyPrint and Pango: without them `ExportUnavailable`
says what to install, and every other format still works."""

from collections.abc import Callable
from datetime import datetime

from slugify import slugify

from gpp.exporters import (
    docx_writer,
    eforms_xml,
    json_writer,
    markdown_writer,
    odt_writer,
    xlsx_writer,
)
from gpp.exporters.evaluation import evaluation_view
from gpp.exporters.labels import translator
from gpp.exporters.model import spec_view

FORMATS = ("docx", "odt", "pdf", "md", "json")  # the documents of a spec
NOTICE = "eforms.xml"  # the contract notice a buyer's eSender completes
DOWNLOADS = (*FORMATS, NOTICE)
EVALUATION_FORMATS = ("xlsx", "pdf")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
    NOTICE: "application/xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PDF_HELP = (
    "PDF export needs WeasyPrint and the Pango library: pip install weasyprint, and on "
    "Debian/Ubuntu apt-get install libpango-1.0-0 libpangoft2-1.0-0"
)


class ExportUnavailable(RuntimeError):
    """A format whose system library is missing; the message says what to install."""


def file_name(spec: dict, ext: str, *extra: str) -> str:
    """Return an ASCII-safe download name: the slug of the title (or id), then any extras."""
    base = slugify(str(spec.get("title") or ""), max_length=80, word_boundary=True)
    base = base or slugify(str(spec.get("id") or ""), max_length=80) or "specification"
    parts = [base, *(slugify(str(e), max_length=40, word_boundary=True) for e in extra)]
    return "-".join(p for p in parts if p) + f".{ext}"


def _created_at(spec: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(str(spec.get("created_at")))
    except ValueError:
        return None


def export_spec(
    spec: dict, fmt: str, gettext: Callable[[str], str], *, buyer_notes: bool = True
) -> tuple[bytes, str, str]:
    """Export a spec as (content, media type, file name); ValueError for an unknown format.

    `buyer_notes=False` leaves out the annex of notes for the buyer (rationale, references)."""
    if fmt not in DOWNLOADS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(DOWNLOADS)}")
    _ = translator(gettext)
    if fmt == NOTICE:
        content = eforms_xml.write_notice(spec, _)
    elif fmt == "json":
        content = json_writer.write_spec(spec, _)
    else:
        view = spec_view(spec, _, buyer_notes=buyer_notes)
        if fmt == "docx":
            content = docx_writer.write_spec(view, _created_at(spec))
        elif fmt == "odt":
            content = odt_writer.write_spec(view)
        elif fmt == "md":
            content = markdown_writer.write_spec(view).encode("utf-8")
        else:
            content = _pdf().write_spec(view)
    return content, MEDIA_TYPES[fmt], file_name(spec, fmt)


def export_evaluation(
    spec: dict, bidder: dict, fmt: str, gettext: Callable[[str], str]
) -> tuple[bytes, str, str]:
    """Export a bidder's evaluation as (content, media type, file name): "xlsx" or "pdf"."""
    if fmt not in EVALUATION_FORMATS:
        raise ValueError(f"unknown evaluation format {fmt!r}; choose xlsx or pdf")
    _ = translator(gettext)
    view = evaluation_view(spec, bidder, _)
    if fmt == "xlsx":
        content = xlsx_writer.write_evaluation(view)
    else:
        content = _pdf().write_evaluation(view)
    name = file_name(spec, fmt, str(bidder.get("name") or bidder.get("id") or "bidder"))
    return content, MEDIA_TYPES[fmt], name


def _pdf():
    # Imported on demand (it imports this package back for ExportUnavailable).
    from gpp.exporters import pdf_writer

    return pdf_writer
