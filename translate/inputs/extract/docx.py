"""Word (.docx): the body in order, with python-docx: headings, list items, tables.

Headers, footers and comments are left out: they repeat on every page or are not the text.
"""

from __future__ import annotations

import io

from translate.errors import InputError
from translate.inputs.extract.common import Extracted, library, open_zip, require
from translate.inputs.extract.structure import Block, join_blocks, table_rows


def extract(data: bytes, name: str) -> Extracted:
    docx = require("docx", "python-docx", "Word files")
    open_zip(data, name, "Word").close()  # refuses zip bombs before python-docx unpacks
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on damaged packages
        raise InputError(f"{name}: the Word file is corrupt ({type(exc).__name__})") from None
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if hasattr(item, "rows"):  # a table
            blocks.extend(Block(row, "row") for row in table_rows(_cells(item)))
        elif text := " ".join(item.text.split()):
            blocks.append(_paragraph(item, text))
    return Extracted(text=join_blocks(blocks), metadata={"extractor": library("python-docx")})


def _paragraph(paragraph, text: str) -> Block:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    if style == "Title":
        return Block(f"# {text}", "heading")
    if style.startswith("Heading"):
        level = style.rsplit(" ", 1)[-1]
        return Block(f"{'#' * min(int(level), 6) if level.isdigit() else '#'} {text}", "heading")
    numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if numbered or style.startswith("List"):
        return Block(f"- {text}", "item")
    return Block(text, "paragraph")


def _cells(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:  # a merged cell is listed once per column it spans
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(" ".join(cell.text.split()))
        rows.append(cells)
    return rows
