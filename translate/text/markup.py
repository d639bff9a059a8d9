"""The Markdown conventions the extractors write besides headings, list items and table
rows: fenced code (```` ``` ````, `~~~`), quoted lines (`> `, as e-mail replies quote) and an
e-mail signature after its `-- ` line. Pure text: what a line is, and quote markers masked
or removed without moving any other character."""

from __future__ import annotations

import re

_FENCE = re.compile(r"[ \t]*(`{3,}|~{3,})")
_QUOTE_MARKS = re.compile(r"[ \t]*>(?:[ \t]*>)*[ \t]?")
_QUOTE_MARKS_AT_LINE_STARTS = re.compile(r"(?m)^[ \t]*>(?:[ \t]*>)*[ \t]?")
# An e-mail signature's delimiter: "-- " (RFC 3676), its trailing space gone once the text
# is normalized.
_SIGNATURE = re.compile(r"--[ \t]*")
# Inline code: a run of backticks, text, the same run (CommonMark's code span).
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# A footnote mark in the text (`Quellpakete[^1]`), not the footnote itself (`[^1]: ...`).
_FOOTNOTE_MARK = re.compile(r"\[\^\w{1,8}\](?!:)")
_END = re.compile(r"[.!?…:;]*[\"'“”»«)\]]*\s*$")


def fence_of(line: str) -> str | None:
    """The fence (```` ``` ````, `~~~`, or longer) that `line` opens, or None."""
    match = _FENCE.match(line)
    return match.group(1) if match else None


def closes_fence(fence: str, line: str) -> bool:
    """Whether `line` closes a code block opened by `fence` (same character, as long or
    longer, nothing after it)."""
    match = _FENCE.match(line)
    return (
        match is not None
        and match.group(1)[0] == fence[0]
        and len(match.group(1)) >= len(fence)
        and not line[match.end() :].strip()
    )


def is_signature_line(line: str) -> bool:
    return _SIGNATURE.fullmatch(line) is not None


def quote_marks(line: str) -> int:
    """How many characters of `line` are quote markers (`> `, `>> `), 0 when it is not quoted."""
    match = _QUOTE_MARKS.match(line)
    return match.end() if match else 0


def unquoted(line: str) -> str:
    return line[quote_marks(line) :]


def mask_quote_marks(text: str) -> str:
    """`text` with the quote markers at its line starts turned into spaces: the same length,
    so offsets found in it hold in `text`."""
    return _QUOTE_MARKS_AT_LINE_STARTS.sub(lambda m: " " * len(m.group()), text)


def without_quote_marks(text: str) -> str:
    """`text` without the quote markers at its line starts (what a translator should read)."""
    return _QUOTE_MARKS_AT_LINE_STARTS.sub("", text)


def without_inline_code(text: str) -> str:
    """`text` with each inline code span and footnote mark as a space (their numbers are
    not the prose's)."""
    return _FOOTNOTE_MARK.sub(" ", _INLINE_CODE.sub(" ", text))


def restore_marks(source: str, output: str) -> str:
    """`output` with the source's inline code as the source has it (restore_inline_code,
    where the spans pair up) and every footnote mark of the source: one the translation
    lost goes at the end of its sentence, before the closing punctuation."""
    output = restore_inline_code(source, output) or output
    lost = [m.group() for m in _FOOTNOTE_MARK.finditer(source) if m.group() not in output]
    if not lost:
        return output
    end = _END.search(output)
    cut = end.start() if end else len(output)
    return output[:cut].rstrip() + "".join(lost) + output[cut:]


def restore_inline_code(source: str, output: str) -> str | None:
    """`output` with its inline code spans as `source` has them, in order (a translator may
    touch what is inside the backticks); None when the spans do not pair up one to one."""
    kept = [m.group() for m in _INLINE_CODE.finditer(source)]
    if not kept:
        return output
    spans = list(_INLINE_CODE.finditer(output))
    if len(spans) != len(kept):
        return None
    pieces, last = [], 0
    for span, code in zip(spans, kept):
        pieces += [output[last : span.start()], code]
        last = span.end()
    return "".join(pieces) + output[last:]
