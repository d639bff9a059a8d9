"""Rich Text Format (.rtf): striprtf turns the control words into plain paragraphs."""

from __future__ import annotations

from translate.errors import InputError
from translate.inputs.extract.common import Extracted, library, require


def extract(data: bytes, name: str) -> Extracted:
    striprtf = require("striprtf.striprtf", "striprtf", "RTF files")
    try:
        # RTF is 7-bit ASCII; other characters come as escapes in the document's code page.
        text = striprtf.rtf_to_text(data.decode("latin-1"), encoding="cp1252", errors="replace")
    except Exception as exc:  # striprtf's errors are not documented
        raise InputError(f"{name}: the RTF file is corrupt ({type(exc).__name__})") from None
    paragraphs = ["\n".join(line.strip() for line in p.splitlines()) for p in text.split("\n")]
    return Extracted(
        text="\n\n".join(p for p in paragraphs if p.strip()),
        metadata={"extractor": library("striprtf")},
    )
