"""What the format readers share: optional libraries, zip limits, text clean-up."""

from __future__ import annotations

import importlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from importlib import metadata

from translate.errors import FormatSupportMissing, InputError

INSTALL_FORMATS = "pip install 'translate-digest[formats]'"

# Zip containers (DOCX, ODT, EPUB): a document that unpacks to more than this many times
# its size and to more than RATIO_FLOOR bytes is a zip bomb, not a document (text
# compresses ~5-20x, pictures not at all); nothing unpacks beyond MAX_UNPACKED.
MAX_RATIO = 100
_CHUNK = 1 << 16  # zipfile inflates at most about this much per read
RATIO_FLOOR = 16_000_000
MAX_UNPACKED = 1_000_000_000


@dataclass(frozen=True)
class Extracted:
    """A document's text, and how it was obtained (for the output's front matter)."""

    text: str
    metadata: dict = field(default_factory=dict)  # format, extractor; pages, attachments...
    notes: tuple[str, ...] = ()  # what the format's libraries warned of (notes.py), one line each


# Typographic forms that a translator reads better as plain letters.
_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00ad": None,  # soft hyphen: a place a word may break, invisible otherwise
        "\u200b": None,  # zero-width space, joiners, word joiner, BOM
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00a0": " ",  # no-break and fixed-width spaces
        "\u202f": " ",
        **{chr(c): " " for c in range(0x2000, 0x200B)},
    }
)
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """NFC, LF line ends, ligatures spelled out, soft hyphens and invisible marks removed,
    odd spaces made plain, trailing spaces and runs of blank lines trimmed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LIGATURES)
    text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
    return _MANY_BLANK_LINES.sub("\n\n", text).strip("\n") + "\n"


def require(module: str, package: str, what: str):
    """Import an optional library, or say which command installs it.

    Raises:
        FormatSupportMissing: the library is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise FormatSupportMissing(
            f"reading {what} needs {package}, which is not installed: {INSTALL_FORMATS}"
        ) from None


def library(package: str) -> str:
    """`package version`, for the front matter's record of what extracted the text."""
    try:
        return f"{package} {metadata.version(package)}"
    except metadata.PackageNotFoundError:
        return package


def text_over_limit(name: str, size: int, limit: int, at_least: str = "") -> InputError:
    """The refusal of a document whose text is over the input limit."""
    return InputError(
        f"{name}: its text, {at_least}{size / 1e6:.1f} MB, is over the {limit / 1e6:.1f} MB "
        "input limit (raise it with --max-input-mb)"
    )


def open_zip(data: bytes, name: str, kind: str) -> zipfile.ZipFile:
    """Open a zip container, refusing damaged archives and zip bombs before unpacking.

    The declared sizes are bounded first; then every member is inflated once through a
    bounded stream (`bounded_read`), so a member that inflates past what the directory
    declares is refused before any library reads it: zipfile's own `read` inflates a member
    whole (up to 2 GB at a time) before it notices the size was a lie.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise InputError(
            f"{name}: the {kind} file is corrupt or truncated (not a readable zip archive)"
        ) from None
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED or (unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * len(data)):
        archive.close()
        raise InputError(
            f"{name}: refused, the {kind} file would unpack to {unpacked / 1e6:,.0f} MB from "
            f"{len(data) / 1e6:,.2f} MB (a zip bomb?)"
        )
    for member in members:
        read_member(archive, member.filename, name, kind, keep=False)
    return archive


def bounded_read(archive: zipfile.ZipFile, member: str | zipfile.ZipInfo, keep: bool = True):
    """A member's bytes, inflated a chunk at a time and never past its declared size: a
    member whose data says more fails its CRC check (BadZipFile) at that size. With
    `keep=False`, only checked: nothing is held."""
    parts = []
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            if keep:
                parts.append(chunk)
    return b"".join(parts)


def read_member(
    archive: zipfile.ZipFile, member: str, name: str, kind: str, keep: bool = True
) -> bytes:
    """One member's bytes, read as `bounded_read` does; a damaged member (or one that lies
    about its size) is a corrupt file, said in one line."""
    try:
        return bounded_read(archive, member, keep)
    except KeyError:
        raise InputError(f"{name}: the {kind} file has no {member} (damaged?)") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputError(f"{name}: the {kind} file is corrupt ({member}: {exc})") from None
