"""OpenDocument text (.odt): odfdo's Markdown export (headings, lists, tables)."""

from __future__ import annotations

import io
import re

from translate.errors import InputError
from translate.inputs.extract.common import Extracted, library, open_zip, read_member, require

_ITEM = re.compile(r"^[ \t]*[-*][ \t]+", re.MULTILINE)  # odfdo writes " -  item"


def extract(data: bytes, name: str) -> Extracted:
    odfdo = require("odfdo", "odfdo", "OpenDocument files")
    with open_zip(data, name, "OpenDocument") as archive:
        manifest = read_member(archive, "META-INF/manifest.xml", name, "OpenDocument")
    if b"encryption-data" in manifest:
        raise InputError(
            f"{name}: the OpenDocument file is password-protected; save a copy without a "
            "password to translate it"
        )
    try:
        document = odfdo.Document(io.BytesIO(data))
        markdown = document.to_markdown()
    except Exception as exc:  # odfdo raises many kinds on damaged packages
        raise InputError(
            f"{name}: the OpenDocument file is corrupt ({type(exc).__name__})"
        ) from None
    if not isinstance(markdown, str):
        markdown = "\n\n".join(str(part) for part in markdown)
    return Extracted(text=_ITEM.sub("- ", markdown), metadata={"extractor": library("odfdo")})
