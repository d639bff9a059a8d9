"""Paragraphs and lines: which line breaks end a block of text, and which are mere wraps.

A block is a paragraph, or a line inside one that stands alone (a list item, a table row, a
heading). Sentences never cross a block's edge, so a wrong block break cuts a sentence in
two: a line break is a wrap unless the evidence says otherwise.
"""

from __future__ import annotations

import re

from translate.text.markup import closes_fence, fence_of, is_signature_line, quote_marks, unquoted
from translate.text.sentences import ends_sentence, is_starter

_BULLET = re.compile(r"^\s*([-*•–·]|\d{1,3}[.)]|[a-zA-Z][.)]|\|)\s")
# Markers that also start wrapped lines (`– vor allem`, `- oder`, `am` / `8. Mai`).
_WRAPPABLE = re.compile(r"^\s*([-–]|\d{1,3}[.)]|[a-zA-Z][.)])\s")
# A line ending like this continues on the next one.
_CONTINUED = re.compile(r"[,;:(\-–/&+]$")
_STARTS_SENTENCE = re.compile(r"[\"„“‚»«(\[`,]*[A-ZÄÖÜ0-9]")
_HEADING_CHARS = 70
_MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t]+")  # the extractors write these
# A line ending in one of these is never a heading: the sentence goes on.
_FUNCTION_WORDS = frozenset(
    re.findall(
        r"\S+",
        "der die das den dem des ein eine einen einem einer eines und oder aber dass als wie mit "
        "von zu zum zur im am in an auf aus bei nach seit vor für gegen um über unter durch ohne "
        "bis sich nicht auch noch nur so es er sie wir ich ihr man sein seine ihre",
    )
)


def line_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs, and of lines inside a paragraph that are not mere wraps.

    A line break inside a paragraph is a wrap unless the evidence says otherwise
    (_is_hard_break): a list item or table row, a sentence ending at the line's end and
    another starting the next, or a heading. Never because the next word is capitalised:
    in German every noun is. Quoted lines (`> `) are read past their markers, and a quote
    starts and ends a block. A fenced code block, blank lines and all, is one block, and so
    is an e-mail signature from its `-- ` line to the next blank line.
    """
    blocks: list[tuple[int, int]] = []
    start = None
    pos = prev_end = 0
    previous = ""
    region = None  # the open code fence, or "--" in a signature: one block to its end
    lines = text.split("\n")
    for line, width in zip(lines, _paragraph_widths(lines)):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        if region == "--" and (not line.strip() or quote_marks(line)):
            region = None  # the signature ends; this line is read as any other
        elif region is not None:
            prev_end = line_end
            if region != "--" and closes_fence(region, line):
                region = None
                blocks.append((start, _rstrip_end(text, start, prev_end)))
                start = None
            continue
        region = fence_of(line) or ("--" if is_signature_line(line) else None)
        content = unquoted(line)
        if start is not None and (
            region is not None
            or not content.strip()
            or bool(quote_marks(line)) != bool(quote_marks(previous))
            or _is_hard_break(
                unquoted(previous),
                content,
                _first_line(text, start, prev_end),
                width,
                in_list=bool(_BULLET.match(unquoted(text[start:prev_end]))),
            )
        ):
            blocks.append((start, _rstrip_end(text, start, prev_end)))
            start = None
        previous = line if content.strip() else ""
        if not content.strip() and region is None:
            continue
        if start is None:
            start = line_start + (len(line) - len(line.lstrip()))
        prev_end = line_end
    if start is not None:
        blocks.append((start, _rstrip_end(text, start, prev_end)))
    return blocks


def _first_line(text: str, start: int, end: int) -> bool:
    return text[start:end].count("\n") == 0


def _paragraph_widths(lines: list[str]) -> list[int]:
    """For each line, the longest line of its paragraph: the width its text was wrapped at,
    or more."""
    widths = [0] * len(lines)
    start = 0
    for index in range(len(lines) + 1):
        if index == len(lines) or not lines[index].strip():
            width = max((len(line.rstrip()) for line in lines[start:index]), default=0)
            widths[start:index] = [width] * (index - start)
            start = index + 1
    return widths


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _is_hard_break(
    previous: str, line: str, first_line: bool, width: int, in_list: bool = False
) -> bool:
    """Whether the break between `previous` and `line` (in one paragraph) ends a block."""
    last, head = previous.strip(), line.strip()
    if _MARKDOWN_HEADING.match(head) or _MARKDOWN_HEADING.match(last):
        return True
    if _BULLET.match(line) or last.endswith("|"):
        # A dash or a number may start a wrapped line: a list item only where a list may go
        # on or start, or (a dash) under a short first line that was not wrapped (`Zutaten`).
        if not _WRAPPABLE.match(line) or in_list or _list_may_start(last, head):
            return True
        room = width - width // 10
        return (
            head[0] in "-–"
            and first_line
            and 0 < len(last) <= room - 2
            and last.split()[-1] not in _FUNCTION_WORDS
        )
    if ends_sentence(last, head):
        return True
    if _CONTINUED.search(last) or not _STARTS_SENTENCE.match(head):
        return False
    return first_line and _is_heading(last, head, width)


def _list_may_start(previous: str, line: str) -> bool:
    """A numbered or dashed line (`2. Bericht`, `- Mehl`) is a list item after a list item,
    a colon, a sentence's end or a heading, not in a wrapped sentence (`am` / `5. Dezember`,
    `wuchs` / `– vor allem im Ausland – kräftig`)."""
    return (
        bool(_BULLET.match(previous))
        or previous.endswith(":")
        or ends_sentence(previous, _WRAPPABLE.sub("", line, count=1))
        or _heading_words(previous)
    )


def _is_heading(previous: str, line: str, width: int) -> bool:
    """A short first line is a heading when the next line starts a sentence (Der, Die, Im
    ...) and the line is in capitals or Title Case, or ended although the next line's first
    word would have fitted on it (so it was not wrapped). Never one that ends in a word like
    `der` or `und`."""
    if len(previous) > _HEADING_CHARS:
        return False
    caps = [ch for ch in previous if ch.isalpha()]
    if len(caps) >= 4 and all(ch.isupper() for ch in caps):
        return True
    first_word, last_word = line.split()[0], previous.split()[-1]
    if not is_starter(first_word) or last_word in _FUNCTION_WORDS:
        return False
    room = width - width // 10  # slack for proportional fonts and balanced wrapping
    return _heading_words(previous) or len(previous) + 1 + len(first_word) <= room


def _heading_words(text: str) -> bool:
    """ALL CAPS, or Title Case (every word of 4+ letters capitalised, at least two)."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 4 and all(ch.isupper() for ch in letters):
        return True
    long_words = re.findall(r"[^\W\d_]{4,}", text)
    return len(long_words) >= 2 and all(w[0].isupper() for w in long_words)


def first_heading(text: str, within: int = 4096) -> str | None:
    """The text of the first Markdown heading (`# ...`, as the extractors write them) near
    the top of `text`: a document's own title, where it has one."""
    for line in text[:within].split("\n"):  # lines as the extractors write them
        if match := _MARKDOWN_HEADING.match(line):
            heading = " ".join(line[match.end() :].split()).strip("# ")
            if heading:
                return heading
    return None
