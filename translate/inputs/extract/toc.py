"""Contents pages: runs of rows that end in a page number, after dot leaders or a wide gap.

A table of contents is kept as a plain list of its entries, without leaders and page
numbers (`1.2 Ziele . . . . . 7` → `- 1.2 Ziele`), set between `<!-- contents -->` and
`<!-- /contents -->`: comments, invisible in Markdown, that segmentation leaves
untranslated and that keep the entries out of the summary's input (text/segment.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from translate.inputs.extract.joins import join_lines
from translate.inputs.extract.rows import Row
from translate.text.contents import CLOSE, OPEN

_ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_PAGE = re.compile(rf"\d{{1,4}}|{_ROMAN}", re.I)
_LEADERS = re.compile(r"(?:\s*[.·…_]){3,}\s*$")
_INNER_LEADERS = re.compile(r"(?:\s*[.·…]){4,}\s")
_TITLE = re.compile(r"inhalt|inhaltsverzeichnis|inhaltsübersicht|(table of )?contents", re.I)
MIN_ENTRIES = 3
# A page number set apart by this many line heights, without leaders, ends an entry.
PAGE_GAP = 2.0


@dataclass
class Contents:
    """Entries (indent level, title) of a table of contents, and the rows read for them."""

    entries: list[tuple[int, str]]
    rows: list[Row] = field(default_factory=list)
    heading: str | None = None

    def continue_with(self, other: Contents) -> bool:
        """A table of contents goes on over the next page: one list."""
        self.entries += other.entries
        self.rows += other.rows
        return True

    def markdown(self) -> str:
        items = "\n".join(f"{'  ' * level}- {title}" for level, title in self.entries)
        heading = f"{self.heading}\n\n" if self.heading else ""
        return f"{OPEN}\n\n{heading}{items}\n\n{CLOSE}"


def entry_title(row: Row) -> str | None:
    """The title of a contents entry without its leaders and page number; None when the row
    does not end in a page number set apart by leaders or a wide gap."""
    if len(row.words) < 2 or not _PAGE.fullmatch(row.words[-1].text):
        return None
    head = " ".join(w.text for w in row.words[:-1])
    leaders = _LEADERS.search(head)
    gap = row.words[-1].x0 - row.words[-2].x1
    if leaders is None and (gap < PAGE_GAP * row.size or _cells(row.words[:-1], row.size)):
        return None  # not set apart, or a table's row (`Person 1   29   1   30`)
    title = (head[: leaders.start()] if leaders else head).strip()
    if _INNER_LEADERS.search(title):
        return None  # two entries side by side (an index in two columns): not read as one
    return title or None


def _cells(words: list, size: float) -> bool:
    """Whether words hold a wide gap after the second of them (a section number's is
    allowed: `1.1    Ziele`)."""
    return any(b.x0 - a.x1 >= size for a, b in zip(words[1:], words[2:]))


def find_contents(rows: list[Row]) -> list[tuple[int, int, Contents]]:
    """(first, end, contents) for each table of contents among a page's rows, top to bottom:
    at least MIN_ENTRIES entries, a wrapped entry's first line included, and a heading
    (`Inhaltsverzeichnis`) just above."""
    titles = [entry_title(row) for row in rows]
    found: list[tuple[int, int, Contents]] = []
    index = 0
    while index < len(rows):
        if titles[index] is None:
            index += 1
            continue
        start, end = index, index
        while end < len(rows) and (titles[end] is not None or _wraps(rows, titles, end)):
            end += 1
        entries = [t for t in titles[start:end] if t is not None]
        # Without dot leaders, only under its heading: a table of names and ascending
        # numbers (`Anna   12`) must keep its numbers.
        headed = _leaders(rows[start:end]) or (start and _TITLE.fullmatch(_bare(rows[start - 1])))
        if len(entries) >= MIN_ENTRIES and headed and _ordered(rows[start:end], titles[start:end]):
            found.append(_contents(rows, titles, start, end))
        index = end
    return found


def _wraps(rows: list[Row], titles: list[str | None], index: int) -> bool:
    """A row without a page number that is the first line of the entry below it: it runs
    nearly to the page numbers' column, and the next row is an entry."""
    if index + 1 >= len(rows) or titles[index + 1] is None:
        return False
    row, below = rows[index], rows[index + 1]
    if _INNER_LEADERS.search(row.text + " "):
        return False
    return row.x1 >= row.x0 + 0.6 * (below.x1 - row.x0) and abs(row.size - below.size) < 1


def _leaders(rows: list[Row]) -> bool:
    """Whether most rows with a page number have dot leaders before it."""
    heads = [" ".join(w.text for w in row.words[:-1]) for row in rows]
    return 2 * sum(bool(_LEADERS.search(head)) for head in heads) >= len(heads)


def _bare(row: Row) -> str:
    return row.text.strip(" :")


def _ordered(rows: list[Row], titles: list[str | None]) -> bool:
    """Entries in the order of their pages, or (an index's, with leaders) of their titles."""
    entries = [t.lower() for t in titles if t]
    slips = sum(a > b for a, b in zip(entries, entries[1:]))
    return _ascending(rows, titles) or (slips <= len(entries) // 10 and _leaders(rows))


def _ascending(rows: list[Row], titles: list[str | None]) -> bool:
    """Arabic page numbers never go back (roman ones, of the front matter, come first), and
    mostly differ."""
    numbers = [
        int(row.words[-1].text)
        for row, title in zip(rows, titles)
        if title and row.words[-1].text.isdigit()
    ]
    ascending = all(a <= b for a, b in zip(numbers, numbers[1:]))
    return ascending and 2 * len(set(numbers)) >= len(numbers)


def _contents(rows: list[Row], titles: list[str | None], start: int, end: int):
    indents = sorted({round(rows[i].x0) for i in range(start, end) if titles[i] is not None})
    levels: list[float] = []
    for x in indents:  # indents a few points apart are one level
        if not levels or x - levels[-1] > 0.8 * rows[start].size:
            levels.append(x)
    entries, pending = [], []
    for i in range(start, end):
        if titles[i] is None:
            pending.append(" ".join(w.text for w in rows[i].words))
            continue
        x = rows[i - len(pending)].x0
        level = max((n for n, left in enumerate(levels) if left <= round(x) + 0.5), default=0)
        entries.append((min(level, 3), join_lines([*pending, titles[i]])))
        pending = []
    first, heading = start, None
    if start and _TITLE.fullmatch(_bare(rows[start - 1])):
        first, heading = start - 1, rows[start - 1].text.strip()
    return first, end, Contents(entries, list(rows[first:end]), heading)
