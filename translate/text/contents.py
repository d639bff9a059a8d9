"""A document's table of contents, as the extractors mark it: its entries between
`<!-- contents -->` and `<!-- /contents -->` (comments, invisible in Markdown). The markers
are layout, never translated; the entries are translated as list items and kept out of the
summary's input, which would otherwise read them as a run of headings."""

from __future__ import annotations

import re

OPEN, CLOSE = "<!-- contents -->", "<!-- /contents -->"
_REGION = re.compile(rf"^{re.escape(OPEN)}[ \t]*$.*?^{re.escape(CLOSE)}[ \t]*$", re.M | re.S)


def is_marker(block: str) -> bool:
    return block.strip() in (OPEN, CLOSE)


def regions(text: str) -> list[tuple[int, int]]:
    """Spans of the contents in `text`, markers included."""
    return [match.span() for match in _REGION.finditer(text)]


def outside(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """The spans that lie outside every table of contents of `text`."""
    inside = regions(text)
    return [(s, e) for s, e in spans if not any(a <= s and e <= b for a, b in inside)]
