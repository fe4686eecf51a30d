"""Uploads: checked by content, cleaned, limited, stored outside the web root and served with the
visibility of their case."""

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageFile, PngImagePlugin
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from kb.moderation import files
from kb.moderation.files import UploadRejected, check_upload, safe_filename
from tests.builders import review_case
from tests.kb import test_moderation_support as support
from tests.kb.test_moderation_support import submit_case, user_of

people = support.people  # the fixture, shared

SCRIPT = b"<script>alert('polyglot')</script>"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    exif[ExifTags.Base.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 4.0, 12.0),
    }
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"shot at home")
    return out.getvalue()


def png(text: str | None = None, size=(40, 30)) -> bytes:
    info = PngImagePlugin.PngInfo()
    if text:
        info.add_text("Comment", text)
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def pdf(js: bool = False, password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if js:
        writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
            {
                NameObject("/S"): NameObject("/JavaScript"),
                NameObject("/JS"): TextStringObject("app.alert('hi');"),
            }
        )
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bomb(width=30_000, height=30_000) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + width // 8) * 100)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_a_photo_loses_its_gps_position_and_camera_data():
    original = jpeg_with_gps()
    assert b"SpyCam" in original
    checked = check_upload(original)
    assert (checked.kind, checked.content_type, checked.extension) == (
        "photo",
        "image/jpeg",
        ".jpg",
    )
    for trace in (b"SpyCam", b"Exif", b"shot at home"):
        assert trace not in checked.data
    with Image.open(io.BytesIO(checked.data)) as cleaned:
        assert cleaned.size == (64, 48)
        assert not cleaned.getexif()


def test_png_text_chunks_and_webp_are_handled():
    checked = check_upload(png("<script>alert(1)</script>"))
    assert checked.content_type == "image/png" and b"<script>" not in checked.data
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "WEBP")
    assert check_upload(out.getvalue()).content_type == "image/webp"


def test_the_content_decides_the_type_not_the_name():
    checked = check_upload(png())  # a PNG that its owner called report.pdf
    assert checked.kind == "photo"
    assert safe_filename("report.pdf", checked.extension) == "report.png"
    with pytest.raises(UploadRejected):  # HTML called photo.jpg
        check_upload(b"<html><body>" + SCRIPT + b"</body></html>")
    gif = io.BytesIO()
    Image.new("RGB", (5, 5)).save(gif, "GIF")
    with pytest.raises(UploadRejected, match="Only photos"):  # a real image of another type
        check_upload(gif.getvalue())


def test_oversized_files_are_refused():
    with pytest.raises(UploadRejected, match="10 MB"):
        check_upload(png() + b"\x00" * files.MAX_PHOTO_BYTES)
    big_pdf = pdf().replace(b"%%EOF", b"%" + b"x" * files.MAX_REPORT_BYTES + b"\n%%EOF")
    with pytest.raises(UploadRejected, match="20 MB"):
        check_upload(big_pdf)
    with pytest.raises(UploadRejected):
        check_upload(png_bomb())


def test_polyglots_are_cleaned_or_refused():
    # An image with a script appended: re-encoding leaves the script behind.
    checked = check_upload(jpeg_with_gps() + SCRIPT)
    assert SCRIPT not in checked.data
    # A PDF hiding something after its end, and an HTML page pretending to be a PDF.
    with pytest.raises(UploadRejected, match="extra data"):
        check_upload(pdf() + b"\n<html>" + SCRIPT)
    with pytest.raises(UploadRejected):
        check_upload(b"%PDF-1.7\n<html>" + SCRIPT + b"</html>\n%%EOF\n")


def test_truncated_and_empty_files_are_refused():
    with pytest.raises(UploadRejected, match="damaged or incomplete"):
        check_upload(jpeg_with_gps()[:300])
    with pytest.raises(UploadRejected, match="damaged or incomplete"):
        check_upload(png()[:60])
    with pytest.raises(UploadRejected, match="damaged or incomplete"):
        check_upload(pdf()[:200])
    with pytest.raises(UploadRejected, match="empty"):
        check_upload(b"")


def test_reports_must_be_plain_pdfs():
    checked = check_upload(pdf())
    assert (checked.kind, checked.content_type, checked.extension) == (
        "report",
        "application/pdf",
        ".pdf",
    )
    with pytest.raises(UploadRejected, match="scripts"):
        check_upload(pdf(js=True))
    with pytest.raises(UploadRejected, match="Password"):
        check_upload(pdf(password="secret"))


def test_display_names_are_harmless():
    assert safe_filename("../../etc/passwd.jpg", ".jpg") == "passwd.jpg"
    assert safe_filename('<img src=x onerror="x">.png', ".png").count("<") == 0
    assert safe_filename("", ".pdf") == "file.pdf"
    with pytest.raises(ValueError):
        files.path_of(files.MB and __import__("pathlib").Path("/tmp"), "../secret.jpg")


# --- through the web --------------------------------------------------------------------------


def _upload(person, case_id, data: bytes, name="photo.jpg", caption="A red square"):
    return person.client.post(
        f"/submit/{case_id}/attachments",
        data={"csrf_token": person.token, "caption": caption},
        files={"file": (name, data, "application/octet-stream")},
        follow_redirects=False,
    )


def _attachment_url(person, case_id) -> str:
    page = person.get(f"/submit/{case_id}").text
    start = page.index('href="/attachments/') + 6
    return page[start : page.index('"', start)]


def test_an_upload_is_stored_outside_the_web_root_and_follows_its_case(people, runtime):
    submitter, moderator = people["submitter"], people["moderator"]
    author = user_of(runtime, submitter)
    case_id = submit_case(runtime, author, id="with-photo")
    response = _upload(submitter, case_id, jpeg_with_gps(), name="IMG 1.jpeg")
    assert response.status_code == 303
    url = _attachment_url(submitter, case_id)
    assert url.endswith("/IMG_1.jpg")
    assert "IMG_1.jpg" not in submitter.get("/my/cases").text  # a file is not a comment
    stored = list(runtime.settings.upload_dir.rglob("*.jpg"))
    assert len(stored) == 1 and b"SpyCam" not in stored[0].read_bytes()
    assert not str(stored[0]).startswith(str(runtime.settings.static_dir))

    answer = submitter.get(url)
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["content-disposition"].startswith("inline; filename*=UTF-8''IMG_1.jpg")
    assert "private" in answer.headers["cache-control"]
    assert moderator.get(url).status_code == 200
    for outsider in ("anonymous", "procurer"):
        assert people[outsider].get(url).status_code == 404
    assert people["anonymous"].get(url.replace("IMG_1", "other")).status_code == 404

    review_case(runtime, user=user_of(runtime, moderator), case_id=case_id, decision="publish")
    assert people["anonymous"].get(url).status_code == 200
    assert 'alt="A red square"' in people["anonymous"].get(f"/cases/{case_id}").text


def test_files_added_to_an_edit_stay_private_until_it_is_published(people, runtime):
    submitter = people["submitter"]
    author = user_of(runtime, submitter)
    case_id = submit_case(runtime, author, id="edit-photo")
    moderator = user_of(runtime, people["moderator"])
    review_case(runtime, user=moderator, case_id=case_id, decision="publish")
    assert _upload(submitter, case_id, pdf(), name="test report.pdf", caption="").status_code == 303
    url = _attachment_url(submitter, case_id)
    assert submitter.get(url).headers["content-disposition"].startswith("attachment;")
    assert people["anonymous"].get(url).status_code == 404
    assert "test_report.pdf" not in people["anonymous"].get(f"/cases/{case_id}").text
    submitter.post(
        f"/submit/{case_id}",
        {
            "action": "submit",
            "title": "Edit with a report",
            "summary": "S",
            "language": "en",
            "application": "road-pavement",
            "rtm_types": "rubber-powder",
            "country": "IT",
        },
    )
    review_case(runtime, user=moderator, case_id=case_id, decision="publish")
    assert people["anonymous"].get(url).status_code == 200


def test_refused_uploads_answer_422_beside_the_field(people, runtime):
    submitter = people["submitter"]
    case_id = submit_case(runtime, user_of(runtime, submitter), submit=False, id="refusals")
    for data, name in (
        (b"<html>" + SCRIPT, "photo.jpg"),
        (jpeg_with_gps()[:300], "cut.jpg"),
        (pdf() + b"<html>" + SCRIPT, "poly.pdf"),
    ):
        response = _upload(submitter, case_id, data, name=name)
        assert response.status_code == 422
        assert 'id="e-file"' in response.text and 'aria-invalid="true"' in response.text
    no_caption = _upload(submitter, case_id, png(), caption="")
    assert no_caption.status_code == 422 and "Describe the photo" in no_caption.text
    assert list(runtime.settings.upload_dir.rglob("*.*")) == []


def test_an_announced_oversized_body_is_refused_before_it_is_read(people, runtime):
    submitter = people["submitter"]
    case_id = submit_case(runtime, user_of(runtime, submitter), submit=False, id="huge")
    response = submitter.client.post(
        f"/submit/{case_id}/attachments",
        content=b"x" * 10,
        headers={
            "content-type": "multipart/form-data; boundary=x",
            "content-length": str(files.MAX_UPLOAD_BYTES * 2),
        },
    )
    assert response.status_code == 413


def test_only_the_author_uploads(people, runtime):
    case_id = submit_case(runtime, user_of(runtime, people["submitter"]), id="not-yours")
    assert _upload(people["moderator"], case_id, png()).status_code == 403
    intruder = people["admin"]
    assert _upload(intruder, case_id, png()).status_code == 403
    # Anyone may draft a case now (a procurer from a closed contract): another's unpublished case
    # is unknown to them, as to any other author.
    assert _upload(people["procurer"], case_id, png()).status_code == 404
    assert _upload(people["anonymous"], case_id, png()).status_code == 303  # to the sign-in page


def test_at_most_ten_photos_per_case(people, runtime, monkeypatch):
    submitter = people["submitter"]
    case_id = submit_case(runtime, user_of(runtime, submitter), submit=False, id="many")
    monkeypatch.setattr(files, "MAX_PHOTOS", 2)
    assert _upload(submitter, case_id, png()).status_code == 303
    assert _upload(submitter, case_id, png()).status_code == 303
    refused = _upload(submitter, case_id, png())
    assert refused.status_code == 422 and "at most 2" in refused.text


# --- decompression bombs (issue 9, item 14: photos of 60 megapixels) ---------------------------


def _sixty_megapixels(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("L", (8000, 7500), 128).save(out, fmt)
    return out.getvalue()


def test_a_sixty_megapixel_jpeg_is_decoded_small_by_the_decoder(monkeypatch):
    decoded = []
    real = files._reencode

    def spy(image, fmt):
        decoded.append(image.size)
        return real(image, fmt)

    monkeypatch.setattr(files, "_reencode", spy)
    checked = check_upload(_sixty_megapixels("JPEG"))
    ((width, height),) = decoded
    assert width * height <= min(files.MAX_PIXELS, 8000 * 7500 // 4)  # decoded at half size
    assert width * 7500 == height * 8000
    with Image.open(io.BytesIO(checked.data)) as kept:
        assert kept.size == (width, height)


def test_a_sixty_megapixel_png_is_refused_before_it_is_decoded(monkeypatch):
    data = _sixty_megapixels("PNG")
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded"))
    with pytest.raises(UploadRejected, match="too many pixels"):
        check_upload(data)
