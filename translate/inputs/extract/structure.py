"""Markdown-ish blocks, the form every structured format is given to the segmenter in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    text: str
    kind: str  # heading | paragraph | item | row


def join_blocks(blocks: list[Block]) -> str:
    """Blocks apart by blank lines, except consecutive list items and table rows, which
    stay on consecutive lines as in Markdown (each still a block of its own)."""
    parts: list[str] = []
    for previous, block in zip([None, *blocks], blocks):
        together = previous is not None and previous.kind == block.kind in ("item", "row")
        if parts:
            parts.append("\n" if together else "\n\n")
        parts.append(block.text)
    return "".join(parts)


def table_rows(cells: list[list[str]]) -> list[str]:
    """A Markdown table: `| a | b |` rows, the first set apart as its header."""
    rows = [row for row in cells if any(row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in rows]
    return [lines[0], "|" + " --- |" * width, *lines[1:]]
