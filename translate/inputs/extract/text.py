"""Plain text and Markdown: the bytes decoded by `files.decode_document` (UTF-8/16 with or
without BOM, legacy cp1252/latin-1, UTF-8 with legacy lines)."""

from __future__ import annotations

from translate.inputs.extract.common import Extracted
from translate.inputs.files import decode_document


def extract(data: bytes, name: str) -> Extracted:
    decoded = decode_document(data, name)
    metadata: dict = {"encoding": decoded.encoding}
    if decoded.legacy_lines:
        metadata["legacy_lines"] = decoded.legacy_lines
    return Extracted(text=decoded.text, metadata=metadata)
