"""Input files: their bytes read safely (see `translate.safe_open`) and decoded to text."""

from __future__ import annotations

import codecs
import errno
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from translate.errors import InputError
from translate.safe_open import open_regular, read_at_most

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy encodings a German text file plausibly has when it is not UTF-8.
_LEGACY_ENCODINGS = ["cp1252", "iso8859_15", "latin_1"]
_ALLOWED_CONTROLS = {"\n", "\t", "\f", "\v"}


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class SourceFile:
    """An input's bytes, and its permission bits (outputs are made no more readable)."""

    data: bytes
    mode: int


def read_source(path: Path, max_bytes: int, follow_symlinks: bool = True) -> SourceFile:
    """Read one input file: a regular file of at most `max_bytes` bytes.

    `follow_symlinks=False` refuses a file that became a symlink since it was listed.

    Raises:
        InputError: not a regular file, over the limit, or not readable.
    """
    limit = f"{max_bytes / 1e6:.1f} MB input limit (raise it with --max-input-mb)"
    try:
        fd, info = open_regular(path, follow_symlinks)
        try:
            if info.st_size > max_bytes:  # refused by its size, without reading it
                raise InputError(f"{path}: {info.st_size / 1e6:.1f} MB is over the {limit}")
            data = read_at_most(fd, max_bytes + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise InputError(
                f"{path}: became a symbolic link after the folder was listed; not followed"
            ) from None
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > max_bytes:  # stat said less: it grew while being read
        raise InputError(f"{path}: over the {limit}")
    return SourceFile(data=data, mode=stat.S_IMODE(info.st_mode))


# ---------------------------------------------------------------- decoding


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # "utf-8", "cp1252", ... or "utf-8+cp1252" for a UTF-8 text with legacy lines
    legacy_lines: int = 0  # lines of a mixed text decoded with the legacy encoding


def decode_document(data: bytes, name: str) -> DecodedText:
    """Decode a document's bytes into normalized text (LF line ends, NFC).

    A UTF-8 text with some lines in a legacy encoding (a Latin-1 line pasted into it) is
    decoded line by line: UTF-8 where it is valid, the legacy encoding elsewhere.

    Raises:
        InputError: the bytes are empty, binary, not decodable, or hold no text at all.
    """
    if not data:
        raise InputError(f"{name}: the file is empty")
    decoded = _decode(data, name)
    text = unicodedata.normalize("NFC", decoded.text.replace("\r\n", "\n").replace("\r", "\n"))
    if looks_binary(text):
        raise InputError(f"{name}: looks like a binary file, not text")
    if not any(ch.isalnum() for ch in text):
        raise InputError(
            f"{name}: has no text (only whitespace, punctuation or invisible characters)"
        )
    return DecodedText(text=text, encoding=decoded.encoding, legacy_lines=decoded.legacy_lines)


def _decode(data: bytes, name: str) -> DecodedText:
    utf8 = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data, utf8 = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    else:
        for bom, encoding in _BOMS:
            if data.startswith(bom):
                return DecodedText(_decode_as(data, encoding, name), encoding)
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not text (it contains NUL bytes)")
    if _is_utf8(data):
        return DecodedText(data.decode("utf-8"), utf8)
    lines = data.splitlines(keepends=True)
    bad = {i for i, line in enumerate(lines) if not _is_utf8(line)}
    if any(not line.isascii() for i, line in enumerate(lines) if i not in bad):
        # Valid non-ASCII UTF-8 beside invalid lines: a UTF-8 text with legacy lines in it.
        legacy = _legacy_encoding(b"".join(lines[i] for i in sorted(bad)), name)
        text = "".join(
            _decode_as(line, legacy, name) if i in bad else line.decode("utf-8")
            for i, line in enumerate(lines)
        )
        return DecodedText(text, f"{utf8}+{legacy}", legacy_lines=len(bad))
    encoding = _legacy_encoding(data, name)
    return DecodedText(_decode_as(data, encoding, name), encoding)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_as(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"{name}: cannot be decoded as {encoding} ({exc.reason})") from None


def _legacy_encoding(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes  # only needed for legacy files

    best = from_bytes(data, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None:
        raise InputError(f"{name}: not UTF-8 and not a recognizable legacy (cp1252/latin-1) text")
    return best.encoding


def looks_binary(text: str) -> bool:
    """More control characters than any text has: the bytes were not text."""
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
    )
    return controls > max(2, len(sample) // 100)

