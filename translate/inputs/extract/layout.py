"""PDF layout: positioned words in, the text a careful reader sees out.

Pure geometry on words with boxes (PDF points, y grows upward), so it is tested without a
PDF library. Rows of words are found per page; rows repeated at the top or bottom of most
pages (running headers, footers, page numbers) are dropped; a page with a gutter is read
column by column; rows become paragraphs by their spacing, indents and short last lines;
words hyphenated at a line end are joined, and larger type becomes a `#` heading.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from statistics import median

HYPHEN_MARK = "\x02"  # PDFium's mark for a hyphen it saw at a line end
_BULLETS = frozenset("•▪◦‣·–-*\uf0b7\uf0a7\uf076\uf0d8\uf0fc")
_SENTENCE_END = re.compile(r"[.!?:;…\"“”»«)]$")
_PAGE_NUMBER = re.compile(r"^\W*((seite|page|s\.)\s*)?\d{1,4}(\s*(/|von|of)\s*\d{1,4})?\W*$", re.I)
# A hyphen before these words is a suspended compound ("Ein- und Ausfahrt"): keep it.
_SUSPENDED = frozenset(["und", "oder", "bzw.", "bzw", "sowie", "bis", "beziehungsweise"])


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

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @cached_property  # rows are complete before anyone asks
    def bottom(self) -> float:
        return min(w.bottom for w in self.words)

    @cached_property
    def size(self) -> float:
        return median(w.height for w in self.words)


def page_text(pages: list[list[Word]]) -> str:
    """The text of a document given each page's words: paragraphs apart by blank lines."""
    rows = [_rows(words) for words in pages]
    running = _running_keys(rows)
    ordered: list[Row] = []
    for page_rows in rows:
        kept = [r for i, r in enumerate(page_rows) if not _is_running(r, i, page_rows, running)]
        ordered.extend(_reading_order(kept))
    return "\n\n".join(_blocks(ordered))


def _rows(words: list[Word]) -> list[Row]:
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


# ---------------------------------------------------------------- running headers/footers


def _edge_rows(page_rows: list[Row]) -> list[int]:
    """Indices of the rows where running headers and footers sit: two at each end."""
    n = len(page_rows)
    return sorted({i for i in (0, 1, n - 2, n - 1) if 0 <= i < n})


def _key(row: Row) -> str:
    return re.sub(r"\d+", "#", row.text.lower()).strip()


def _running_keys(rows: list[list[Row]]) -> set[str]:
    """Edge rows that repeat (numbers aside) on at least half the pages, and at least two."""
    counts = Counter(k for page in rows for k in {_key(page[i]) for i in _edge_rows(page)})
    needed = max(2, (len(rows) + 1) // 2)
    return {key for key, count in counts.items() if count >= needed}


def _is_running(row: Row, index: int, page_rows: list[Row], running: set[str]) -> bool:
    if index not in _edge_rows(page_rows):
        return False
    if _PAGE_NUMBER.match(row.text):
        return True
    # A line that is the whole of its page is its body (a one-line page, a slide), however
    # alike the pages are: dropping it as a header would leave the document without text.
    return len(page_rows) > 1 and _key(row) in running


# ---------------------------------------------------------------- columns


def _reading_order(rows: list[Row]) -> list[Row]:
    """Rows in reading order: with a gutter, each band between full-width rows is read
    left column first, then right; column edges are recorded on each row."""
    if not rows:
        return []
    gutter = _gutter(rows)
    if gutter is None:
        return _with_edges(rows)
    ordered: list[Row] = []
    left: list[Row] = []
    right: list[Row] = []
    for row in rows:
        if any(w.x0 < gutter < w.x1 for w in row.words):  # a full-width row ends the band
            ordered += _with_edges(left) + _with_edges(right) + _with_edges([row], rows)
            left, right = [], []
            continue
        parts = ([w for w in row.words if w.x1 <= gutter], [w for w in row.words if w.x0 >= gutter])
        left += [Row(parts[0])] if parts[0] else []
        right += [Row(parts[1])] if parts[1] else []
    return ordered + _with_edges(left) + _with_edges(right)


def _with_edges(rows: list[Row], reference: list[Row] | None = None) -> list[Row]:
    """Mark rows with the left and right edges of the column they belong to."""
    scope = reference or rows
    if scope:
        left, right = min(r.x0 for r in scope), max(r.x1 for r in scope)
        for row in rows:
            row.left, row.right = left, right
    return rows


def _gutter(rows: list[Row]) -> float | None:
    """An x between two columns: just left of where a right column's rows start, in the
    middle half of the text, crossed by few rows, with many rows' words on each side."""
    x0, x1 = min(r.x0 for r in rows), max(r.x1 for r in rows)
    middle = (x0 + (x1 - x0) / 4, x1 - (x1 - x0) / 4)
    starts = [r.x0 for r in rows] + [
        b.x0 for r in rows for a, b in zip(r.words, r.words[1:]) if b.x0 - a.x1 >= 0.8 * a.height
    ]
    best, best_score = None, None
    for x in {round(s - 0.5, 1) for s in starts if middle[0] < s < middle[1]}:
        crossing = sum(any(w.x0 < x < w.x1 for w in r.words) for r in rows)
        left = sum(r.x0 < x for r in rows)
        right = sum(r.x1 > x for r in rows)
        if crossing <= 0.2 * len(rows) and min(left, right) - crossing >= 0.3 * len(rows):
            score = (crossing, -min(left, right))
            if best_score is None or score < best_score:
                best, best_score = x, score
    return best


# ---------------------------------------------------------------- paragraphs


def _blocks(rows: list[Row]) -> list[str]:
    """Group rows into paragraphs, headings and list items; join each into one line."""
    if not rows:
        return []
    body = _body_size(rows)
    levels = _heading_levels(rows, body)
    pitch = _typical_pitch(rows)
    # Documents that set paragraphs apart by space or indents do not need the weaker sign,
    # a short last line, which ragged-right text gives at random.
    spaced = any(_spaced(a, b, body, pitch) for a, b in zip(rows, rows[1:]))
    blocks: list[list[Row]] = []
    for previous, row in zip([None, *rows], rows):
        if previous is None or _starts_block(previous, row, body, pitch, not spaced):
            blocks.append([])
        blocks[-1].append(row)
    return [_render(block, levels) for block in blocks]


def _body_size(rows: list[Row]) -> float:
    sizes = Counter()
    for row in rows:
        for word in row.words:
            sizes[round(word.height, 1)] += len(word.text)
    return sizes.most_common(1)[0][0]


def _heading_levels(rows: list[Row], body: float) -> dict[float, int]:
    """Type sizes well above the body's, largest first, as heading levels 1 to 3."""
    sizes = sorted({round(r.size, 1) for r in rows if r.size >= 1.15 * body}, reverse=True)
    return {size: min(level, 3) for level, size in enumerate(sizes, 1)}


def _typical_pitch(rows: list[Row]) -> float:
    steps = [
        a.bottom - b.bottom
        for a, b in zip(rows, rows[1:])
        if a.left == b.left and 0 < a.bottom - b.bottom < 3 * a.size
    ]
    return median(steps) if steps else 1.2 * rows[0].size


def _starts_block(previous: Row, row: Row, body: float, pitch: float, by_short: bool) -> bool:
    if abs(previous.size - row.size) > 0.1 * max(previous.size, row.size):
        return True  # a heading begins or ends
    if row.words[0].text in _BULLETS and len(row.words) > 1:
        return True
    if by_short and _SENTENCE_END.search(previous.text):
        width = max(1.0, previous.right - previous.left)
        if previous.x1 < previous.right - 0.12 * width:
            return True
    return _spaced(previous, row, body, pitch)


def _spaced(previous: Row, row: Row, body: float, pitch: float) -> bool:
    """A paragraph break shown by space above the row or by its first-line indent (within
    a column: across a column or page break there is no telling)."""
    step = previous.bottom - row.bottom
    if previous.left != row.left or not 0 < step < 3 * pitch:
        return False
    indented = row.x0 - row.left > body and previous.x0 - previous.left < body / 2
    return step > 1.3 * pitch or indented


def _render(block: list[Row], levels: dict[float, int]) -> str:
    text = join_lines([row.text for row in block])
    level = levels.get(round(block[0].size, 1))
    if level:
        return f"{'#' * level} {text}"
    first, _, rest = text.partition(" ")
    if first in _BULLETS and rest:
        return f"- {rest}"
    return text


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: `Verkehrs-` + `minister` is one word, `Nord-Süd-` + `Verbindung`
    keeps its hyphen (the part after it is capitalised), `Ein-` + `und` too."""
    text = ""
    for line in lines:
        line = line.strip()
        if not text:
            text = line
        elif text[-1] in "-" + HYPHEN_MARK and len(text) > 1 and text[-2].isalpha():
            stem, first = text[:-1], line.split(" ", 1)[0]
            if first.lower() in _SUSPENDED:
                text = f"{stem}- {line}"
            elif first[:1].islower():
                text = stem + line
            else:
                text = f"{stem}-{line}"
        else:
            text = f"{text} {line}"
    return text.replace(HYPHEN_MARK, "-")
