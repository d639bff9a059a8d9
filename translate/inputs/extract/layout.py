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
from functools import cache
from statistics import median

from translate.inputs.extract.joins import join_lines
from translate.inputs.extract.rows import BULLETS, HYPHEN_MARK, LIST_NUMBER, Row, Word, group_rows
from translate.inputs.extract.tables import Table, find_tables
from translate.inputs.extract.toc import Contents, find_contents

__all__ = ["HYPHEN_MARK", "Row", "Word", "join_lines", "page_text"]

_BULLETS = BULLETS
_SENTENCE_END = re.compile(r"[.!?:;…\"“”»«)]$")
# Front matter's page numbers (v, vi, xii), in small letters: `I` or `II` is a part's number.
_ROMAN = r"(?-i:(?=[ivxl])(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))"
_PAGE_NUMBER = re.compile(
    rf"^\W*((seite|page|s\.)\s*)?(\d{{1,4}}|{_ROMAN})(\s*(/|von|of)\s*\d{{1,4}})?\W*$", re.I
)
_ROMAN_WORD = re.compile(_ROMAN, re.I)
# A numbered list item's number (`1.`, `2.1`, `b)`), and `TOP 4` / `§ 3` in agendas.
_NUMBER = LIST_NUMBER
_NUMBER_WORDS = frozenset(["TOP", "§"])
# A layout unit: a row of text, or a table or a contents page read as a whole.
Unit = Row | Table | Contents


def page_text(pages: list[list[Word]]) -> str:
    """The text of a document given each page's words: paragraphs apart by blank lines,
    tables as Markdown tables, a table of contents as a list of its entries."""
    rows = [group_rows(words) for words in pages]
    found = [_tables_and_contents(page_rows) for page_rows in rows]
    taken = [{i for first, (end, _) in f.items() for i in range(first, end)} for f in found]
    running = _running_keys(rows, taken)
    ordered: list[Unit] = []
    for page_rows, page_found, page_taken in zip(rows, found, taken):
        kept: list[Unit] = []
        for index, row in enumerate(page_rows):
            if index in page_found:
                kept.append(page_found[index][1])
            elif index not in page_taken and not _is_running(row, index, page_rows, running):
                kept.append(row)
        ordered.extend(_reading_order(kept))
    return "\n\n".join(_blocks(ordered))


def _tables_and_contents(rows: list[Row]) -> dict[int, tuple[int, Table | Contents]]:
    """first row -> (end, unit) for the contents pages and tables among a page's rows: a
    table's rows are never running headers, and a contents page is never a table."""
    found: dict[int, tuple[int, Table | Contents]] = {
        first: (end, contents) for first, end, contents in find_contents(rows)
    }
    taken = {i for first, (end, _) in found.items() for i in range(first, end)}
    gutter = cache(lambda: _gutter(rows))
    for first, end, table in find_tables(rows, gutter):
        if not taken.intersection(range(first, end)):
            found[first] = (end, table)
    return found


# ---------------------------------------------------------------- running headers/footers


def _edge_rows(page_rows: list[Row]) -> list[int]:
    """Indices of the rows where running headers and footers sit: two at each end."""
    n = len(page_rows)
    return sorted({i for i in (0, 1, n - 2, n - 1) if 0 <= i < n})


def _key(row: Row) -> str:
    """A row as running lines repeat: page numbers (`7`, `vi`) aside."""
    words = re.sub(r"\d+", "#", row.text.lower()).split()
    for end in (0, -1) if words else ():
        if _ROMAN_WORD.fullmatch(words[end].strip(".-–")):
            words[end] = "#"
    return " ".join(words)


def _running_keys(rows: list[list[Row]], taken: list[set[int]]) -> dict[str, tuple[float, float]]:
    """Edge rows that repeat (numbers aside) in the same band (height on the page) of at
    least half the pages, and at least two: key -> (its band's middle, half its height).
    Rows of tables and contents pages (`taken`) are never counted."""
    seen: dict[str, dict[int, Row]] = {}
    for number, (page, skip) in enumerate(zip(rows, taken)):
        for i in _edge_rows(page):
            if i not in skip:
                seen.setdefault(_key(page[i]), {}).setdefault(number, page[i])
    needed = max(2, (len(rows) + 1) // 2)
    running = {}
    for key, pages in seen.items():
        if len(pages) >= needed:
            middle = median(r.bottom for r in pages.values())
            band = 1.5 * median(r.size for r in pages.values())
            if sum(abs(r.bottom - middle) <= band for r in pages.values()) >= needed:
                running[key] = (middle, band)
    return running


def _is_running(
    row: Row, index: int, page_rows: list[Row], running: dict[str, tuple[float, float]]
) -> bool:
    if index not in _edge_rows(page_rows):
        return False
    if _PAGE_NUMBER.match(row.text):
        return True
    # A line that is the whole of its page is its body (a one-line page, a slide), however
    # alike the pages are: dropping it as a header would leave the document without text.
    band = running.get(_key(row))
    return len(page_rows) > 1 and band is not None and abs(row.bottom - band[0]) <= band[1]


# ---------------------------------------------------------------- columns


def _reading_order(units: list[Unit]) -> list[Unit]:
    """Rows in reading order: with a gutter, each band between full-width rows (and tables
    and contents pages) is read left column first, then right; column edges are recorded on
    each row."""
    rows = [u for u in units if isinstance(u, Row)]
    gutter = _gutter(rows) if rows else None
    if gutter is None:
        _with_edges(rows)
        return units
    ordered: list[Unit] = []
    left: list[Row] = []
    right: list[Row] = []
    for row in units:
        if not isinstance(row, Row):
            ordered += _with_edges(left) + _with_edges(right) + [row]
            left, right = [], []
        elif any(w.x0 < gutter < w.x1 for w in row.words):  # a full-width row ends the band
            ordered += _with_edges(left) + _with_edges(right) + _with_edges([row], rows)
            left, right = [], []
        else:
            parts = (
                [w for w in row.words if w.x1 <= gutter],
                [w for w in row.words if w.x0 >= gutter],
            )
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


def _blocks(units: list[Unit]) -> list[str]:
    """Group rows into paragraphs, headings and list items, each joined into one line; a
    table or contents page is one block, and goes on from the last one over a page break."""
    rows = [u for u in units if isinstance(u, Row)]
    body, levels, pitch, by_short = 0.0, {}, 0.0, False  # for a document of tables alone
    if rows:
        body = _body_size(rows)
        levels = _heading_levels(rows, body)
        pitch = _typical_pitch(rows)
        # Documents that set paragraphs apart by space or indents do not need the weaker
        # sign, a short last line, which ragged-right text gives at random.
        by_short = not any(_spaced(a, b, body, pitch) for a, b in zip(rows, rows[1:]))
    blocks: list[list[Row] | Table | Contents] = []
    notes: list[list[Row]] = []  # footnotes, kept until the paragraph they cut in two ends
    previous: Row | None = None
    seen: Unit | None = None
    for unit in units:
        after_note, seen = bool(notes) and seen is notes[-1][-1], unit
        if _footnote(unit, body, notes, after_note):
            continue
        if not isinstance(unit, Row):
            last = blocks[-1] if blocks else None
            blocks += notes
            if notes or not (type(last) is type(unit) and last.continue_with(unit)):
                blocks.append(unit)
            notes, previous = [], None
            continue
        if previous is None or _starts_block(blocks[-1][0], previous, unit, body, pitch, by_short):
            blocks += [*notes, []]
            notes = []
        blocks[-1].append(unit)
        previous = unit
    blocks += notes
    return [_render(b, levels) if isinstance(b, list) else b.markdown() for b in blocks]


def _footnote(unit: Unit, body: float, notes: list[list[Row]], after_note: bool) -> bool:
    """Take `unit` into `notes` if it is a footnote in small type at a page's foot (`[^1]:
    …`), or the next line of the one just taken; the text above it then goes on past it."""
    if not isinstance(unit, Row) or unit.size >= 0.9 * body:
        return False
    if unit.text.startswith("[^"):
        notes.append([unit])
        return True
    last = notes[-1][-1] if after_note else None
    if last is not None and last.bottom > unit.bottom and abs(unit.size - last.size) < 1:
        notes[-1].append(unit)
        return True
    return False


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


def _starts_block(
    first: Row, previous: Row, row: Row, body: float, pitch: float, by_short: bool
) -> bool:
    """Whether `row` begins a block, `previous` (the row above) ending the one that `first`
    began."""
    if abs(previous.size - row.size) > 0.1 * max(previous.size, row.size):
        return True  # a heading begins or ends
    if row.words[0].text in _BULLETS and len(row.words) > 1:
        return True
    width = max(1.0, previous.right - previous.left)
    short = previous.x1 < previous.right - 0.12 * width
    if _numbered(row) and (
        short or previous.text.endswith((".", ":", "!", "?")) or _list_item(first)
    ):
        return True  # `2. Finanzbericht` after `1. Begrüßung`, not `am` / `5. Dezember`
    if by_short and short and _SENTENCE_END.search(previous.text):
        return True
    if _list_item(first):
        if row.x0 > first.x0 + body / 2:  # a wrapped item's next line, hanging indented
            return not 0 < previous.bottom - row.bottom <= 1.3 * pitch
        if short or previous.x0 > first.x0 + body / 2:
            return True  # back at the item's edge after a short line or a hanging indent
    return _spaced(previous, row, body, pitch)


def _numbered(row: Row) -> bool:
    """A row that begins with a list item's number (`2.`, `2.1`, `b)`, `TOP 3`)."""
    words = row.words
    if len(words) < 2:
        return False
    if words[0].text in _NUMBER_WORDS:
        return len(words) > 2 and words[1].text[:1].isdigit()
    return _NUMBER.fullmatch(words[0].text) is not None


def _list_item(row: Row) -> bool:
    return (row.words[0].text in _BULLETS and len(row.words) > 1) or _numbered(row)


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
