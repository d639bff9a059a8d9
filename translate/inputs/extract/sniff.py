"""What a file's bytes say it is, so a name that lies is refused before any parser runs."""

from __future__ import annotations

import io
import zipfile

from translate.errors import InputError
from translate.inputs.extract.common import bounded_read
from translate.inputs.files import looks_binary

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: legacy Office, or encrypted OOXML
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (b"\x1f\x8b", "gzip"),
    (_OLE, "ole"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
)
_ZIP_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/epub+zip": "epub",
}
_ZIP_MARKERS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/", "pptx"))
DESCRIPTIONS = {
    "pdf": "a PDF document",
    "docx": "a Word document (.docx)",
    "odt": "an OpenDocument text (.odt)",
    "epub": "an EPUB e-book",
    "rtf": "an RTF document",
    "xlsx": "an Excel workbook",
    "pptx": "a PowerPoint presentation",
    "opendocument": "an OpenDocument file other than a text",
    "zip": "a zip archive",
    "gzip": "a gzip archive",
    "image": "an image",
    "ole": "an old-style (97-2003) Office file",
    None: "text",
}
_TEXT_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
              (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))  # fmt: skip
# What each format's bytes must look like; None: text (HTML, e-mail, plain text).
_EXPECTED = {"pdf": "pdf", "docx": "docx", "odt": "odt", "epub": "epub", "rtf": "rtf"}


def content_kind(data: bytes) -> str | None:
    """The kind of file `data` is by its signature; None for text (or unknown bytes)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return _zip_kind(data) if kind == "zip" else kind
    return None


def _zip_kind(data: bytes) -> str:
    """Tell the zip-based formats apart by the members their specifications require."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            info = archive.getinfo("mimetype") if "mimetype" in names else None
            mimetype = (
                bounded_read(archive, info).decode("ascii", "replace").strip()
                if info is not None and info.file_size < 200
                else ""
            )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return "zip"  # damaged: the format's reader says so in its own words
    if mimetype in _ZIP_MIMETYPES:
        return _ZIP_MIMETYPES[mimetype]
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        return "opendocument"
    for marker, kind in _ZIP_MARKERS:
        if any(n.startswith(marker) for n in names):
            return kind
    if "META-INF/container.xml" in names:
        return "epub"
    return "zip"


def _binary(data: bytes) -> bool:
    """Bytes with no signature that are not text: compressed data (zlib, brotli) has none,
    and a library would inflate it (trafilatura does, for pages fetched compressed)."""
    sample = data[:65536]
    for bom, encoding in _TEXT_BOMS:
        if sample.startswith(bom):
            return looks_binary(sample.decode(encoding, "replace"))
    return looks_binary(sample.decode("utf-8", "replace"))


def check_content(name: str, fmt: str, data: bytes) -> None:
    """Refuse `data` when its bytes are not the format its name (`fmt`) says.

    Raises:
        InputError: one line saying what the file really is.
    """
    kind = content_kind(data)
    expected = _EXPECTED.get(fmt)
    if expected == "pdf" and kind is None and b"%PDF-" in data[:1024]:
        return  # a PDF header after a little junk: readers allow it, and so does PDFium
    suffix = name.rsplit(".", 1)[-1]
    if expected is None and kind is None:  # no signature: is it text at all?
        if fmt == "email" or not _binary(data):  # (an e-mail may carry 8-bit binary parts)
            return
        raise InputError(
            f"{name}: a binary file (compressed or encoded data?), not text as the name "
            f".{suffix} says; rename it to match its content"
        )
    if kind == expected or (kind == "zip" and expected in ("docx", "odt", "epub")):
        return  # a damaged zip of the right name: its reader reports the damage
    if kind == "ole" and fmt in ("docx", "odt"):
        if _ENCRYPTED_PACKAGE in data:
            raise InputError(
                f"{name}: the Office file is password-protected; save a copy without a "
                "password to translate it"
            )
        raise InputError(
            f"{name}: this is an old Word 97-2003 (.doc) file, not .docx; save it as .docx"
        )
    if expected is None:
        raise InputError(
            f"{name}: a binary file ({DESCRIPTIONS.get(kind, kind)}), not text as the name "
            f".{suffix} says; rename it to match its content"
        )
    raise InputError(
        f"{name}: the content is {DESCRIPTIONS.get(kind, kind)}, not {DESCRIPTIONS[expected]} "
        f"as the name .{suffix} says; rename it to match its content"
    )
