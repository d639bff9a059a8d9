"""Words with boxes, and the rows they stand in: the geometry every PDF layout step reads.

PDF points, y grows upward. A row's text marks footnote markers (a small raised number
glued to a word, `Quellpakete¹`) the Markdown way: `Quellpakete[^1]` in the text, `[^1]:`
at the start of the footnote itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from statistics import median

HYPHEN_MARK = "\x02"  # PDFium's mark for a hyphen it saw at a line end
BULLETS = frozenset("•▪◦‣·–-*\uf0b7\uf0a7\uf076\uf0d8\uf0fc")
# A list item's number: `1.`, `2.1`, `2.1.`, `3)`, `b)`, `(iv)`.
LIST_NUMBER = re.compile(r"\d{1,3}(\.\d{1,3})+\.?|\d{1,3}[.)]|[a-z]\)|\([a-z0-9]{1,4}\)")
_MARKER = re.compile(r"\d{1,3}|[*†‡]")
# After these a raised number is a power (m², km²), not a footnote.
_UNITS = frozenset(["m", "cm", "mm", "km", "qm", "dm"])


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    bottom: float
    top: float

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Row:
    """Words on one baseline, left to right; `left`/`right` are the edges of its column."""

    words: list[Word] = field(default_factory=list)
    left: float = 0.0
    right: float = 0.0

    @cached_property  # rows are complete before anyone asks
    def text(self) -> str:
        return " ".join(_with_markers(self.words, self.size, self.baseline))

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @cached_property
    def bottom(self) -> float:
        return min(w.bottom for w in self.words)

    @cached_property
    def baseline(self) -> float:
        return median(w.bottom for w in self.words)

    @cached_property
    def size(self) -> float:
        return median(w.height for w in self.words)


def group_rows(words: list[Word]) -> list[Row]:
    """A page's words as rows, top to bottom, each left to right."""
    rows: list[Row] = []
    for word in sorted(words, key=lambda w: (-w.middle, w.x0)):
        last = rows[-1].words[0] if rows else None
        if last is not None and abs(last.middle - word.middle) <= 0.4 * min(
            last.height, word.height
        ):
            rows[-1].words.append(word)
        else:
            rows.append(Row([word]))
    for row in rows:
        row.words.sort(key=lambda w: w.x0)
    return rows


def mark_break(char: str, chars: list[str], rise: float, height: float) -> bool:
    """Whether a footnote marker begins or ends at `char`, which stands `rise` above the
    word so far (`chars`, `height` tall): a raised number glued to a word, or a word
    glued to a raised number (`¹Für`)."""
    if rise > 0.25 * height:
        return _MARKER.fullmatch(char) is not None
    return rise < -0.25 * height and _MARKER.fullmatch("".join(chars)) is not None


def is_marker(word: Word, size: float, baseline: float) -> bool:
    """A footnote marker: a number (or `*`, `†`) in smaller type, raised above the line."""
    return (
        _MARKER.fullmatch(word.text) is not None
        and word.bottom > baseline + 0.15 * size
        and (word.height < 0.85 * size or word.bottom > baseline + 0.25 * size)
    )


def _with_markers(words: list[Word], size: float, baseline: float) -> list[str]:
    """The words' texts, a footnote marker glued to the word before it as `[^n]`, and one
    that begins the row (the footnote itself) as `[^n]:`."""
    parts: list[str] = []
    for index, word in enumerate(words):
        if len(words) > 1 and is_marker(word, size, baseline):
            before = words[index - 1] if index else None
            if before is None:
                parts.append(f"[^{word.text}]:")
                continue
            glued = word.x0 - before.x1 < 0.3 * size
            if glued and before.text.lower() not in _UNITS and not parts[-1].endswith("]:"):
                parts[-1] += f"[^{word.text}]"
                continue
        parts.append(word.text)
    return parts
