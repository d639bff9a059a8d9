"""Text from documents (names, titles, attachment names) as Markdown that shows exactly
those characters: on one line, control characters made visible, and nothing that could
start markup, a link, HTML or a new block."""

from __future__ import annotations

import re

from translate.display import one_line

# Backslash-escaped: what starts emphasis, code, links, images, HTML, tables and headings.
# Brackets and < are enough to stop a link or a tag: ( ) and ! stay readable as they are.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&~])")


def md_text(text: str) -> str:
    """`text` as Markdown that renders as exactly these characters, on one line."""
    return _SPECIAL.sub(r"\\\1", " ".join(one_line(text).split()))
