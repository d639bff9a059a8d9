"""Plain text and Markdown: decode the bytes (UTF-8/16 with or without BOM, legacy cp1252)."""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from translate.errors import InputError
from translate.extract.common import Extracted

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


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def extract(data: bytes, name: str) -> Extracted:
    decoded = decode_document(data, name)
    return Extracted(text=decoded.text, metadata={"encoding": decoded.encoding})


def decode_document(data: bytes, name: str) -> DecodedText:
    """Decode a document's bytes into normalized text (LF line ends, NFC).

    Raises:
        InputError: the bytes are empty, whitespace only, binary or not decodable.
    """
    if not data:
        raise InputError(f"{name}: the file is empty")
    encoding = _sniff_encoding(data, name)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"{name}: cannot be decoded as {encoding} ({exc.reason})") from None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _looks_binary(text):
        raise InputError(f"{name}: looks like a binary file, not text")
    if not text.strip():
        raise InputError(f"{name}: the file contains only whitespace")
    return DecodedText(text=text, encoding=encoding)


def _sniff_encoding(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not text (it contains NUL bytes)")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only needed for legacy files

    best = from_bytes(data, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None:
        raise InputError(f"{name}: not UTF-8 and not a recognizable legacy (cp1252/latin-1) text")
    return best.encoding


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
    )
    return controls > max(2, len(sample) // 100)
