"""Tables in a PDF page: runs of rows whose words leave the same vertical white gaps.

A PDF draws a table as text at positions (and lines, which PDFium does not report as text),
so a table is found by its geometry alone: consecutive rows, evenly spaced, with columns of
white space (gaps wider than a word space) running down all of them. Two columns of prose
leave such a gap too: runs whose cells are long, full lines are prose, not a table.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import median

from translate.inputs.extract.joins import join_lines
from translate.inputs.extract.rows import BULLETS, LIST_NUMBER, Row
from translate.inputs.extract.structure import table_rows

# A gap between words at least this many times their height separates cells: a word space
# is about a quarter of it, two cells' padding (a right-aligned number, then text) about
# 0.45; a justified line's widest spaces come close, but never in a column down its rows.
CELL_GAP = 0.4
# The farthest apart two rows of a table may be, in line heights, and in the table's usual
# steps so far: a running footer below it, or a caption set apart, is not one of its rows.
MAX_STEP = 3.0
STEP_GROWTH = 1.6


@dataclass
class Table:
    """A table's cells, row by row (the first its header), and the rows it was read from."""

    cells: list[list[str]]
    rows: list[Row] = field(default_factory=list)
    gaps: list[tuple[float, float]] = field(default_factory=list)  # between its columns

    @property
    def width(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def continue_with(self, other: Table) -> bool:
        """Take `other`'s rows if it goes on with this table (a table broken by a page: the
        same columns), its header row left out where it repeats this one's."""
        if other.width != self.width:
            return False
        repeated = _norm(other.cells[0]) == _norm(self.cells[0])
        self.cells += other.cells[1:] if repeated else other.cells
        self.rows += other.rows
        return True

    def markdown(self) -> str:
        escaped = [[cell.replace("|", "\\|") for cell in row] for row in self.cells]
        return "\n".join(table_rows(escaped))


def find_tables(
    rows: list[Row], gutter: Callable[[], float | None] = lambda: None
) -> list[tuple[int, int, Table]]:
    """(first, end, table) for each table among a page's rows (top to bottom), with
    rows[first:end] its rows. `gutter()` is the x between the page's columns of text, if it
    has two: a gap there with text on both sides is that, not a table's."""
    found: list[tuple[int, int, Table]] = []
    index = until = 0
    while index < len(rows):
        end = _run(rows, index)
        table = _table(rows[index:end]) if end - index >= 2 else None
        if table is not None and table.width == 2:
            gap = table.gaps[0]
            two_rows = sum(bool(_gaps([r])) for r in rows[index:end]) < 3
            if two_rows or gap[0] <= (gutter() or -1.0) <= gap[1] + 1.0:
                table = None
        if table is not None:
            found.append((index, end, table))
        # A long run that is no table (two columns of prose) holds none either; but one whose
        # gaps no two of its rows straddle (a caption with a note set right, above a table
        # whose gaps its words fill) may hold one from its next row on. Not again inside it:
        # runs nested in each other would be read over and over.
        alone = end - index > 2 and index >= until and not _columns(rows[index:end])
        until = end if alone else until
        index = end if table is not None or (end - index > 2 and not alone) else index + 1
    return found


def _gaps(rows: list[Row]) -> list[tuple[float, float]]:
    """The white gaps (x from, x to) that run down all of `rows`, wide enough for cells."""
    coverage = _Coverage(_cell_gap(rows[0]))
    for row in rows:
        coverage.add(row)
    return coverage.gaps()


def _cell_gap(row: Row) -> float:
    """The least gap between cells of a table with `row`: CELL_GAP, or in a monospaced row
    (code, whose every space is wide) two spaces."""
    widths = [(w.x1 - w.x0) / len(w.text) for w in row.words if len(w.text) >= 3]
    if len(widths) >= 2 and max(widths) - min(widths) <= 0.04 * max(widths):
        return 1.6 * median(widths)
    return CELL_GAP * row.size


class _Coverage:
    """The x ranges that rows' words cover, those closer than `gap` counted as one."""

    def __init__(self, gap: float):
        self.gap = gap
        self.spans: list[list[float]] = []

    def add(self, row: Row) -> None:
        for word in row.words:
            at = bisect_left(self.spans, [word.x0])
            low, high = word.x0, word.x1
            first = at
            if first and self.spans[first - 1][1] + self.gap > low:
                first -= 1
            last = at
            while last < len(self.spans) and self.spans[last][0] - self.gap < high:
                last += 1
            if first < last:
                low = min(low, self.spans[first][0])
                high = max(high, max(s[1] for s in self.spans[first:last]))
            self.spans[first:last] = [[low, high]]

    def gaps(self) -> list[tuple[float, float]]:
        return [(a[1], b[0]) for a, b in zip(self.spans, self.spans[1:])]


def _run(rows: list[Row], first: int) -> int:
    """The end of the longest run from `first` that keeps the columns of its first two rows;
    trailing rows with a single cell are left out (a caption, a page number)."""
    coverage = _Coverage(_cell_gap(rows[first]))
    coverage.add(rows[first])
    gaps = len(coverage.gaps())
    if gaps == 0:
        return first + 1
    end, steps = first + 1, []
    while end < len(rows):
        row, step = rows[end], rows[end - 1].bottom - rows[end].bottom
        limit = min(MAX_STEP * row.size, STEP_GROWTH * median(steps) if steps else 1e9)
        if not 0 < step <= limit:
            break
        coverage.add(row)
        now = len(coverage.gaps())
        # The header row may have gaps the others fill (a heading centred over two columns)
        if now != gaps and not (end == first + 1 and now and _gaps([row])):
            break
        gaps, end = now, end + 1
        steps.append(step)
    while end - first > 2 and not _gaps([rows[end - 1]]):
        end -= 1
    return end


def _table(rows: list[Row]) -> Table | None:
    """The table these rows make, or None when they are two columns of prose."""
    # A column's edge has words on both sides in two rows at least: the wide spaces of one
    # justified line over a short one are no columns.
    gaps = _columns(rows)
    if not gaps:
        return None
    bounds = [(a + b) / 2 for a, b in gaps]
    cells = []
    for row in rows:
        columns: list[list[str]] = [[] for _ in range(len(bounds) + 1)]
        for word in row.words:
            columns[sum(word.x0 > x for x in bounds)].append(word.text)
        cells.append([join_lines([" ".join(words)]) if words else "" for words in columns])
    if _prose(rows, cells, gaps) or _list(cells):
        return None
    return Table(_unwrapped(rows, cells), list(rows), gaps)


def _columns(rows: list[Row]) -> list[tuple[float, float]]:
    """The gaps of `rows` that two of them at least straddle: the edges of their columns."""
    return [g for g in _gaps(rows) if sum(_straddles(r, g) for r in rows) >= 2]


def _straddles(row: Row, gap: tuple[float, float]) -> bool:
    return row.x0 <= gap[0] and row.x1 >= gap[1]


def _unwrapped(rows: list[Row], cells: list[list[str]]) -> list[list[str]]:
    """Rows that are the next lines of wrapped cells (closer to the row above than rows
    are to each other, with text only where the row above has some) joined to it."""
    steps = [a.bottom - b.bottom for a, b in zip(rows, rows[1:])]
    usual = median(steps)
    merged = [cells[0]]
    for step, row in zip(steps, cells[1:]):
        above = merged[-1]
        if step < 0.8 * usual and "" in row and all(a or not c for a, c in zip(above, row)):
            merged[-1] = [join_lines([a, c]) if c else a for a, c in zip(above, row)]
        else:
            merged.append(row)
    return merged


def _list(cells: list[list[str]]) -> bool:
    """A list set with its bullets or numbers apart from the text (`•   INTEGER;`)."""
    marks = [row[0] for row in cells if row[0]]
    return all(m in BULLETS or LIST_NUMBER.fullmatch(m) for m in marks)


def _prose(rows: list[Row], cells: list[list[str]], gaps: list[tuple[float, float]]) -> bool:
    """Columns of text, not a table: cells of several words each, and every column but the
    last filled to its gap in most rows (as wrapped lines are)."""
    filled = [c for row in cells for c in row if c]
    if sum(len(c.split()) for c in filled) <= 3 * len(filled):
        return False
    for column, (gap_start, _) in enumerate(gaps):
        left = gaps[column - 1][1] if column else min(r.x0 for r in rows)
        ends = [_column_end(r, left, gap_start) for r in rows]
        widths = [(end - left) / max(1.0, gap_start - left) for end in ends if end is not None]
        if not widths or median(widths) < 0.75:
            return False
    return True


def _column_end(row: Row, left: float, right: float) -> float | None:
    inside = [w.x1 for w in row.words if left <= w.x0 and w.x1 <= right + 0.5]
    return max(inside) if inside else None


def _norm(cells: list[str]) -> list[str]:
    return [" ".join(c.lower().split()) for c in cells]
