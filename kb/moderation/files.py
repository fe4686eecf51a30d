"""Checking uploaded files by their content, and keeping them under the upload dir.

Photos (JPEG, PNG, WebP) are decoded and re-encoded with Pillow, which drops every piece of
metadata (EXIF with GPS positions, XMP, comments) and anything appended to the image; reports must
be real PDFs without active content. The name a user gave never decides the type."""

import io
import re
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from kb.moderation.schemas import N_
from replan.errors import DomainError, Invalid

MB = 1024 * 1024
MAX_PHOTO_BYTES = 10 * MB
MAX_REPORT_BYTES = 20 * MB
MAX_UPLOAD_BYTES = MAX_REPORT_BYTES
MAX_PHOTOS = 10
MAX_REPORTS = 10
# Pixels decoded at most (24 MP, about 100 MB in memory): a larger JPEG is decoded at a half,
# a quarter or an eighth of its size by the decoder itself (cheap), anything else is refused
# from its header, before a pixel is decoded (decompression bombs).
MAX_PIXELS = 24_000_000
JPEG_SCALES = (2, 4, 8)
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
PDF = ("application/pdf", ".pdf")
_NOT_ACCEPTED = N_("Only photos (JPEG, PNG, WebP) and PDF reports are accepted.")
TOO_LARGE = N_("The file is too large: photos may be at most 10 MB and reports 20 MB.")
# Names that make a PDF run code, open other programs or carry other files (as keys or values).
ACTIVE_NAMES = frozenset(
    "/" + n
    for n in (
        "JavaScript JS Launch EmbeddedFile EmbeddedFiles FileAttachment GoToE RichMedia "
        "RichMediaContent RichMediaExecute XFA SubmitForm ImportData"
    ).split()
)
# A name in the raw bytes, with its #xx escapes (so that /J#61vaScript is /JavaScript).
_RAW_NAME = re.compile(rb"/(?:[^\x00-\x20/<>\[\]()%{}#]|#[0-9A-Fa-f]{2})+")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"\bstream\r?\n.*?\bendstream\b", re.DOTALL)
MAX_PDF_OBJECTS = 200_000


class UploadTooLarge(DomainError):
    """A body announced larger than any accepted file: refused before it is read."""

    status = 413


class UploadRejected(Invalid):
    """A file that is not accepted, with the reason in words for the user (an English msgid)."""

    def __init__(self, message: str, **variables: object) -> None:
        super().__init__(message, field="file", **variables)


@dataclass(frozen=True)
class CheckedFile:
    kind: str  # photo or report
    content_type: str
    extension: str
    data: bytes


def check_upload(data: bytes) -> CheckedFile:
    """Return the cleaned file when its content is an accepted photo or report, else raise."""
    if not data:
        raise UploadRejected(N_("The file is empty."))
    if data.startswith(b"%PDF-"):
        return _check_pdf(data)
    return _check_photo(data)


def _check_photo(data: bytes) -> CheckedFile:
    if len(data) > MAX_PHOTO_BYTES:
        raise UploadRejected(N_("A photo may be at most %(mb)s MB."), mb=MAX_PHOTO_BYTES // MB)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                if fmt not in PHOTO_FORMATS:
                    raise UploadRejected(_NOT_ACCEPTED)
                scale = _decode_scale(fmt, probe.width, probe.height)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                if scale > 1:
                    image.draft(image.mode, (image.width // scale, image.height // scale))
                image.load()
                clean = _reencode(image, fmt)
    except UploadRejected:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise UploadRejected(_NOT_ACCEPTED) from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UploadRejected(N_("The image is damaged or incomplete.")) from exc
    content_type, extension = PHOTO_FORMATS[fmt]
    return CheckedFile(kind="photo", content_type=content_type, extension=extension, data=clean)


def _decode_scale(fmt: str, width: int, height: int) -> int:
    """Return by how much the decoder must shrink the image to stay within MAX_PIXELS."""
    if width * height <= MAX_PIXELS:
        return 1
    if fmt == "JPEG":
        for scale in JPEG_SCALES:
            if (width // scale) * (height // scale) <= MAX_PIXELS:
                return scale
    raise UploadRejected(N_("The image has too many pixels."))


def _reencode(image: Image.Image, fmt: str) -> bytes:
    """Draw the pixels into a new file: the metadata and any appended data stay behind."""
    image = ImageOps.exif_transpose(image) or image  # keep the photo upright without its EXIF
    if image.mode == "P" or "transparency" in image.info:
        image = image.convert("RGBA")
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    pixels = Image.new(image.mode, image.size)
    pixels.paste(image)
    out = io.BytesIO()
    options = {
        "JPEG": {"quality": 90, "optimize": True},
        "PNG": {"optimize": True},
        "WEBP": {"quality": 90},
    }[fmt]
    pixels.save(out, format=fmt, **options)
    return out.getvalue()


def _check_pdf(data: bytes) -> CheckedFile:
    if len(data) > MAX_REPORT_BYTES:
        raise UploadRejected(N_("A report may be at most %(mb)s MB."), mb=MAX_REPORT_BYTES // MB)
    end = data.rfind(b"%%EOF")
    if end < 0:
        raise UploadRejected(N_("The PDF is damaged or incomplete."))
    if data[end + 5 :].strip(b"\r\n\t \x00"):
        # Something hides after the end of the PDF: the mark of a polyglot file.
        raise UploadRejected(N_("The PDF has extra data after its end."))
    active = N_("PDFs with scripts, forms or embedded files are not accepted.")
    if _raw_active(data):
        raise UploadRejected(active)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(N_("Password-protected PDFs are not accepted."))
        if len(reader.pages) < 1:
            raise UploadRejected(N_("The PDF has no pages."))
        if _objects_active(reader):
            raise UploadRejected(active)
    except UploadRejected:
        raise
    except (
        PdfReadError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        OSError,
        RecursionError,
    ) as exc:
        raise UploadRejected(N_("The PDF is damaged or incomplete.")) from exc
    return CheckedFile(kind="report", content_type=PDF[0], extension=PDF[1], data=data)


def _raw_active(data: bytes) -> bool:
    """True when any name written in the file outside streams, escapes undone, is an active one.

    This also sees objects no cross-reference table lists (a viewer may still find them);
    what streams hold, compressed object streams included, is read by `_objects_active`."""
    for match in _RAW_NAME.finditer(_STREAM.sub(b"stream endstream", data)):
        name = _NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), match[0])
        if name.decode("latin-1") in ACTIVE_NAMES:
            return True
    return False


def _objects_active(reader: PdfReader) -> bool:
    """True when any object of the file, those inside compressed object streams included,
    holds an active name as a key or a value (pypdf undoes the names' escapes)."""
    refs = [(n, gen) for gen, entries in reader.xref.items() for n in entries]
    refs += [(n, 0) for n in reader.xref_objStm]
    if len(refs) > MAX_PDF_OBJECTS:
        raise UploadRejected(N_("The PDF is damaged or incomplete."))
    for number, generation in refs:
        stack = [reader.get_object(IndirectObject(number, generation, reader))]
        while stack:
            item = stack.pop()
            if isinstance(item, NameObject):
                if item in ACTIVE_NAMES:
                    return True
            elif isinstance(item, DictionaryObject):  # a stream's dictionary too
                if any(key in ACTIVE_NAMES for key in item):
                    return True
                stack.extend(v for v in item.values() if not isinstance(v, IndirectObject))
            elif isinstance(item, ArrayObject):
                stack.extend(v for v in item if not isinstance(v, IndirectObject))
    return False


def safe_filename(name: str | None, extension: str) -> str:
    """Return a harmless display name with the extension the content decided."""
    base = unicodedata.normalize("NFKC", Path(name or "").name).rsplit(".", 1)[0]
    base = re.sub(r"[^\w\-]+", "_", base, flags=re.UNICODE).strip("._")[:100] or "file"
    return base + extension


def store(upload_dir: Path, data: bytes, extension: str) -> str:
    """Write the data under a random name and return that name."""
    name = secrets.token_hex(16) + extension
    path = path_of(upload_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return name


def path_of(upload_dir: Path, stored_name: str) -> Path:
    """Return where a stored file lives (two-letter folders keep directories small)."""
    if not re.fullmatch(r"[0-9a-f]{32}\.(jpg|png|webp|pdf)", stored_name):
        raise ValueError("not a stored file name")
    return upload_dir / stored_name[:2] / stored_name


def remove(upload_dir: Path, stored_name: str) -> None:
    path_of(upload_dir, stored_name).unlink(missing_ok=True)
