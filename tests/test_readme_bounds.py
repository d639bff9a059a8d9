"""The README's table of bounds on a hostile document states the code's constants: the
numbers cannot drift from what the code does (issue 29)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

README = Path(__file__).parent.parent / "README.md"
UNITS = {"MB": 10**6, "MiB": 2**20, "s": 1, "×": 1, "characters": 1}


def bounds() -> list[tuple[str, str, str]]:
    """(bound, value, constant) for each row of the table under "Bounds on a hostile document"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Bounds on a hostile document", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and (found := re.match(r"`([\w.]+)`", cells[2])):
            rows.append((cells[0], cells[1], found.group(1)))
    return rows


def constant(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(f"translate.{module}"), name)


def test_every_bound_in_the_readme_is_the_constant_the_code_uses():
    rows = bounds()
    assert len(rows) >= 10, rows  # the table is there, with memory, time and text
    for bound, value, name in rows:
        number, unit = re.fullmatch(r"([\d,.]+) ?(\S+)", value).groups()
        stated = float(number.replace(",", "")) * UNITS[unit]
        assert stated == constant(name), f"README says {value} for {bound!r}; {name} differs"


def test_the_bounds_cover_memory_time_text_zips_and_pdf():
    names = {name for _, _, name in bounds()}
    assert {"config.DEFAULT_MAX_INPUT_BYTES", "inputs.extract.common.MAX_UNPACKED",
            "inputs.extract.pdf.PDF_MEMORY", "inputs.extract.pdf.PDF_SECONDS",
            "inputs.extract.pdf.MAX_PAGE_CHARS"} <= names  # fmt: skip
