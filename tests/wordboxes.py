"""Words with boxes built by hand for the PDF geometry tests (PDF points, y upward): what the
PDF reader hands the layout, without a PDF."""

from __future__ import annotations

from translate.inputs.extract.rows import Row, Word


def cells(items: list[tuple[float, str]], y: float, size: float = 10.0) -> list[Word]:
    """Words of each (x, text) cell on the baseline y: half an em per letter, spaces 0.3 em."""
    out = []
    for x, text in items:
        left = x
        for token in text.split():
            width = 0.5 * size * len(token)
            out.append(Word(token, left, left + width, y, y + size))
            left += width + 0.3 * size
    return out


def row(items: list[tuple[float, str]], y: float, size: float = 10.0) -> Row:
    return Row(cells(items, y, size))


def table_rows(lines: list[list[str]], xs=(50, 150, 250), top=800.0, step=12.0, size=10.0):
    """A table's rows, one line of cells each, `step` points apart from `top` down."""
    return [row(list(zip(xs, line)), top - step * i, size) for i, line in enumerate(lines)]


BUDGET = [
    ["Bereich", "Betrag", "Jahr"],
    ["Posten 1", "7", "2024"],
    ["Posten 2", "14", "2024"],
    ["Posten 3", "21", "2025"],
]
