"""The report check reads every object of a PDF, names unescaped and object streams unpacked,
and refuses scripts, launches, embedded files and rich media (issue 9, item 4)."""

import io
import zlib

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from kb.moderation.files import UploadRejected, check_upload

JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"


def handmade_pdf(action: bytes, *, in_object_stream: bool) -> bytes:
    """A one-page PDF whose page runs `action` when opened (/AA /O), the action being a plain
    object or one inside a compressed object stream (listed by a cross-reference stream)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def obj(n: int, body: bytes) -> None:
        offsets[n] = out.tell()
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")

    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    obj(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /AA << /O 4 0 R >> >>")
    if in_object_stream:
        head = b"4 0 "
        packed = zlib.compress(head + action)
        obj(
            5,
            b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(head), len(packed))
            + packed
            + b"\nendstream",
        )
    else:
        obj(4, action)
        obj(5, b"<< >>")
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for n in range(1, 7):
        if n == 4 and in_object_stream:
            rows.append(b"\x02" + (5).to_bytes(4, "big") + (0).to_bytes(2, "big"))
        else:
            at = offsets[n] if n != 6 else out.tell()
            rows.append(b"\x01" + at.to_bytes(4, "big") + (0).to_bytes(2, "big"))
    table = b"".join(rows)
    xref_at = out.tell()
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    )
    return out.getvalue()


def clean_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def written_pdf(**extra) -> bytes:
    """A PDF written by pypdf with extra entries in its page's dictionary."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    for key, value in extra.items():
        page[NameObject("/" + key)] = value
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_handmade_pdfs_are_readable_and_clean_ones_pass():
    plain = handmade_pdf(b"<< /S /GoTo /D [3 0 R /Fit] >>", in_object_stream=False)
    packed = handmade_pdf(b"<< /S /GoTo /D [3 0 R /Fit] >>", in_object_stream=True)
    for data in (plain, packed, clean_pdf()):
        assert check_upload(data).kind == "report"


@pytest.mark.parametrize(
    "action",
    [
        JS_ACTION.replace(b"/JavaScript", b"/J#61vaScript").replace(b"/JS", b"/J#53"),
        b"<< /S /L#61unch /F (calc.exe) >>",
    ],
    ids=["escaped-javascript", "escaped-launch"],
)
def test_escaped_names_do_not_hide_actions(action):
    with pytest.raises(UploadRejected, match="scripts"):
        check_upload(handmade_pdf(action, in_object_stream=False))


@pytest.mark.parametrize(
    "action",
    [
        JS_ACTION,
        b"<< /S /Launch /F (calc.exe) >>",
        b"<< /Type /EmbeddedFile /Length 0 >>",
        b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 1 1] >>",
        b"<< /S /J#61vaScript /JS (x) >>",
    ],
    ids=["javascript", "launch", "embedded-file", "rich-media", "escaped-javascript"],
)
def test_object_streams_do_not_hide_actions(action):
    with pytest.raises(UploadRejected, match="scripts"):
        check_upload(handmade_pdf(action, in_object_stream=True))


def test_actions_on_pages_and_annotations_are_found():
    js = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert(1)"),
        }
    )
    with pytest.raises(UploadRejected):
        check_upload(written_pdf(AA=DictionaryObject({NameObject("/O"): js})))
    attachment = DictionaryObject({NameObject("/Subtype"): NameObject("/FileAttachment")})
    with pytest.raises(UploadRejected):
        check_upload(written_pdf(Annots=ArrayObject([attachment])))
