"""Plain text and Markdown: the bytes decoded by `files.decode_document` (UTF-8/16 with or
without BOM, legacy cp1252/latin-1, UTF-8 with legacy lines). A Markdown file's YAML front
matter (`---` lines around `key: value` lines, at the very top) is data about the document,
not its text: it is left out, and its title taken as the document's."""

from __future__ import annotations

import re

from translate.inputs.extract.common import Extracted
from translate.inputs.files import decode_document

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_TITLE = re.compile(r"^title[ \t]*:[ \t]*(.+?)[ \t]*$", re.IGNORECASE | re.MULTILINE)
_KEY_LINE = re.compile(r"[\w.-]+[ \t]*:|[ \t]+\S|-[ \t]|#|$")  # key:, nested, list, comment


def extract(data: bytes, name: str) -> Extracted:
    decoded = decode_document(data, name)
    metadata: dict = {"encoding": decoded.encoding}
    if decoded.legacy_lines:
        metadata["legacy_lines"] = decoded.legacy_lines
    text = decoded.text
    if name.lower().endswith(".md") and (front := _front_matter(text)) is not None:
        block, title = front
        text = text[len(block) :]
        metadata["front_matter_lines"] = block.count("\n")
        if title:
            metadata["source_title"] = title
    return Extracted(text=text, metadata=metadata)


def _front_matter(text: str) -> tuple[str, str | None] | None:
    """The YAML front matter block at the top of `text` and its title; None when the top is
    not one (every line inside must look like YAML: `---` over prose is a rule, not data)."""
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None
    inside = match.group(1) or ""
    if not all(_KEY_LINE.match(line) for line in inside.split("\n")):
        return None
    title = _TITLE.search(inside)
    return match.group(), title.group(1).strip("\"'") if title else None
