"""What each block is for the reader: the message's own text, or something around it.

- `code`: a fenced code block; kept verbatim, never translated or checked.
- `signature`: an e-mail signature (from its `-- ` line); kept verbatim.
- `quoted`: a quoted reply (`> ` lines, the "Am ... schrieb ...:" line over them, or all that
  follows an "Original Message" line): translated and marked as quoted, but not what
  this message says.
- `contents`: the entries of a table of contents: between the `<!-- contents -->` markers
  a PDF's contents page is given with (text/contents.py), or list items under an
  "Inhalt" heading.

Only the message's own text is summarized (`summary_text`). The rules read the Markdown
the extractors write, and hold on the English too: the markers and kept blocks pass
through translation unchanged.
"""

from __future__ import annotations

import re

from translate.text import contents
from translate.text.markup import fence_of, is_signature_line, quote_marks
from translate.text.segment import split_blocks

KEPT_VERBATIM = frozenset({"code", "signature"})
NOT_SUMMARIZED = frozenset({"code", "signature", "quoted", "contents"})
# Fewer letters than this left once the rest is left out: summarize it all (a forward
# is all quote; a contents page alone is still the document).
_MIN_OWN_LETTERS = 40
_ATTRIBUTION = re.compile(
    r".*\b(schrieb|schreibt|wrote|writes)\b.*:\s*$", re.IGNORECASE | re.DOTALL
)
_ORIGINAL_MESSAGE = re.compile(
    r"-{2,}\s*(Ursprüngliche Nachricht|Original[- ]Nachricht|Original Message)\s*-{2,}",
    re.IGNORECASE,
)
_CONTENTS = re.compile(
    r"(Inhalt|Inhaltsverzeichnis|Inhaltsübersicht|Contents?|Table of contents)\W*",
    re.IGNORECASE,
)
_HEADING = re.compile(r"#{1,6}[ \t]")
_ITEM = re.compile(r"([-*•]|\d{1,3}(\.\d{1,3})*[.)]?)[ \t]")


def block_roles(text: str) -> list[str | None]:
    """Each block's role (as split_blocks numbers the blocks), None for the text's own."""
    spans = split_blocks(text)
    roles: list[str | None] = [None] * len(spans)
    in_contents = quoting_rest = False
    marked = set(contents.outside(spans, text))
    for index, (start, end) in enumerate(spans):
        if (start, end) not in marked:
            roles[index] = "contents"
            continue
        line = text[text.rfind("\n", 0, start) + 1 : start]  # the markers before the block
        block = text[start:end]
        if _HEADING.match(line):
            in_contents = bool(_CONTENTS.fullmatch(block.strip()))
        if in_contents and _HEADING.match(line):
            roles[index] = "contents"
        elif fence_of(block):
            roles[index] = "code"
        elif is_signature_line(block.split("\n", 1)[0]):
            roles[index] = "signature"
        elif quoting_rest or quote_marks(line + block):
            roles[index] = "quoted"
        elif _ORIGINAL_MESSAGE.fullmatch(block.strip().split("\n", 1)[0].strip()):
            roles[index] = "quoted"
            quoting_rest = True
        # After any indent, a page break's form feed too (a line quoted by `>` was taken above).
        elif in_contents and _ITEM.match(line.lstrip() or block):
            roles[index] = "contents"
    for index in range(len(spans) - 1):  # the line that introduces a quoted reply
        if roles[index] is None and roles[index + 1] == "quoted":
            block = text[spans[index][0] : spans[index][1]]
            if "\n" not in block.strip() and _ATTRIBUTION.match(block):
                roles[index] = "quoted"
    return roles


def kept_verbatim(text: str) -> frozenset[int]:
    """The blocks never translated: code and signatures."""
    return frozenset(i for i, role in enumerate(block_roles(text)) if role in KEPT_VERBATIM)


def summary_text(text: str) -> str:
    """What the summarizer reads: the text's own blocks, without Markdown markers and table
    rules (prose, as it was trained on); all blocks but code where too little is its own."""
    spans = split_blocks(text)
    roles = block_roles(text)
    own = [text[s:e] for (s, e), role in zip(spans, roles) if role not in NOT_SUMMARIZED]
    if sum(ch.isalpha() for block in own for ch in block) < _MIN_OWN_LETTERS:
        own = [text[s:e] for (s, e), role in zip(spans, roles) if role not in KEPT_VERBATIM]
    return "\n\n".join(own)
