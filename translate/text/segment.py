"""Segmentation: text → blocks (paragraphs, lines) → German sentences → token-bounded chunks.

Pure text work: the token counter is passed in, so this module needs no model. Every
character of the input is accounted for: chunks plus the whitespace between them give the
input back exactly, so nothing can be dropped on the way to the translator.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from translate.text import contents
from translate.text.blocks import line_blocks
from translate.text.markup import mask_quote_marks, quote_marks, without_quote_marks
from translate.text.sentences import merge_open_quotes, quote_open, sentence_spans

CountTokens = Callable[[str], int]

# Markdown the extractors write (translate/extract): a heading is a block of its own; the
# markers of headings and list items and the pipes of table rows are layout, kept as they
# are around the translation, and each table cell is translated on its own.
_HEADING = re.compile(r"#{1,6}[ \t]+")
_ITEM_MARK = re.compile(r"([-*•]|\[\^\w{1,8}\]:)[ \t]+")  # `[^1]: `: a footnote
_TABLE_CELL = re.compile(r"[^|]+")

# Closing quote after sentence punctuation, then a new sentence: split after the quote.
_QUOTE_END = re.compile(r"[.!?…][“”\"»«]\s+(?=[„“\"«»]?[A-ZÄÖÜ0-9])")
# Fallback boundaries for an over-long sentence, best first.
_BOUNDARIES = (
    re.compile(r"(?<=[;:])\s+"),
    re.compile(r"(?<=,)\s+"),
    re.compile(r"\s+(?=[–—(])|(?<=[–—)])\s+"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class Chunk:
    """A piece of source text to translate in one go, and the whitespace that follows it."""

    text: str
    trailing: str
    block: int  # index of the paragraph or line block it belongs to
    # Spans (in `text`) of the sentences packed into it, or of the pieces of one long sentence.
    parts: tuple[tuple[int, int], ...] = ()
    sentences: int = 1  # how many sentences end in it

    @property
    def clean(self) -> str:
        """The text as the model should see it: inner whitespace (line wraps) as spaces, a
        quoted paragraph's markers (`> `) left out."""
        return " ".join(without_quote_marks(self.text).split())

    def part_texts(self) -> list[str]:
        """Its sentences (or pieces) as the model should see them."""
        return [
            " ".join(without_quote_marks(self.text[s:e]).split())
            for s, e in self.parts or ((0, len(self.text)),)
        ]


@dataclass(frozen=True)
class Segmentation:
    leading: str
    chunks: list[Chunk]
    sentence_count: int

    def reassemble(self, pieces: list[str] | None = None) -> str:
        """The input again; or, given one string per chunk, those strings in the input's layout."""
        texts = pieces if pieces is not None else [c.text for c in self.chunks]
        return self.leading + "".join(t + c.trailing for t, c in zip(texts, self.chunks))


def segment(
    text: str, count_tokens: CountTokens, limit: int, target: int | None = None, lang: str = "de"
) -> Segmentation:
    """Split `text` into chunks of whole sentences, each at most `limit` tokens.

    Args:
        text: the document.
        count_tokens: tokens the model sees for a string (special tokens included).
        limit: hard input limit of the model; no chunk is ever longer.
        target: pack consecutive sentences of a block while the chunk stays within this.
        lang: language of the sentence rules.
    """
    target = min(target or limit, limit)
    overhead = count_tokens("")
    spans: list[tuple[int, int, int]] = []  # (start, end, block)
    sentence_count = 0
    for block_index, (b_start, b_end) in enumerate(split_blocks(text)):
        # A quoted paragraph's inner markers read as spaces: the sentences of the quote.
        sentences = split_sentences(mask_quote_marks(text[b_start:b_end]), lang)
        sentence_count += len(sentences)
        units: list[tuple[int, int, int, bool]] = []  # start, end, tokens, ends a sentence
        for s_start, s_end in sentences:
            pieces = _fit(text[b_start + s_start : b_start + s_end], count_tokens, limit)
            for index, (p_start, p_end) in enumerate(pieces):
                start, end = b_start + s_start + p_start, b_start + s_start + p_end
                units.append((start, end, count_tokens(text[start:end]), index == len(pieces) - 1))
        first = 0
        for s, e in _pack(text, units, count_tokens, overhead, target):
            last = first
            while last < len(units) and units[last][1] <= e:
                last += 1
            spans.append((s, e, block_index, units[first:last]))
            first = last
    if not spans:
        return Segmentation(leading=text, chunks=[], sentence_count=0)
    chunks = [
        Chunk(
            text=text[s:e],
            trailing=text[e : spans[i + 1][0] if i + 1 < len(spans) else len(text)],
            block=b,
            parts=tuple((u[0] - s, u[1] - s) for u in inside),
            sentences=max(1, sum(u[3] for u in inside)),
        )
        for i, (s, e, b, inside) in enumerate(spans)
    ]
    return Segmentation(leading=text[: spans[0][0]], chunks=chunks, sentence_count=sentence_count)


def split_clauses(sentence: str) -> list[str]:
    """A sentence cut at its best clause boundaries (`;` `:`, then commas, then dashes and
    brackets), for translating a long sentence piece by piece; [sentence] when it has none."""
    for boundary in _BOUNDARIES[:-1]:
        pieces = _pieces(sentence, boundary)
        if len(pieces) > 1:
            return [" ".join(sentence[s:e].split()) for s, e in pieces]
    return [sentence]


def split_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs, and of lines inside a paragraph that are not mere wraps
    (list items, table cells, a heading over its text), without their Markdown markers.
    Which line breaks are wraps: blocks.line_blocks."""
    return [span for start, end in line_blocks(text) for span in _unmarked(text, start, end)]


def plain_text(text: str) -> str:
    """The text without Markdown markers and table rules, block by block (for the
    summarizer, which reads prose: `#`, `-` and `| --- |` would be noise to it)."""
    spans = contents.outside(split_blocks(text), text)  # a contents page is not prose
    return "\n\n".join(text[start:end] for start, end in spans)


def _unmarked(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A block's span past its quote, heading or list marker; a table row's cells, each apart."""
    start += quote_marks(text[start:end])
    if start >= end or contents.is_marker(text[start:end]):
        return []
    if text[start] == "|":
        cells = []
        for match in _TABLE_CELL.finditer(text, start, end):
            cell = match.group()
            if cell.strip() and cell.strip(" \t-:"):  # not the |---|---| rule under a header
                lead = len(cell) - len(cell.lstrip())
                cells.append((match.start() + lead, match.start() + len(cell.rstrip())))
        return cells
    marker = _HEADING.match(text, start, end) or _ITEM_MARK.match(text, start, end)
    if marker and marker.end() < end:
        return [(marker.end(), end)]
    return [(start, end)]


def split_sentences(block: str, lang: str = "de") -> list[tuple[int, int]]:
    """Sentence spans of one block: German by this project's rules (sentences.py), other
    languages by the `sentence-splitter` library's, mended for quotations."""
    if lang == "de":
        return sentence_spans(block)
    flat = block.replace("\n", " ")  # same length: offsets stay valid
    spans = _align(block, _splitter(lang).split(flat))
    if spans is None:  # the splitter changed the text: keep the block whole, _fit splits it
        return [(0, len(block))] if block.strip() else []
    return _split_after_quotes(block, merge_open_quotes(block, spans))


@lru_cache(maxsize=4)
def _splitter(lang: str):
    from sentence_splitter import SentenceSplitter  # Koehn/Schroeder rules

    return SentenceSplitter(language=lang)


def _align(text: str, sentences: list[str]) -> list[tuple[int, int]] | None:
    """Map the splitter's sentences back onto `text` by their non-space characters."""
    spans = []
    pos = 0
    for sentence in sentences:
        chars = "".join(sentence.split())
        if not chars:
            continue
        while pos < len(text) and text[pos].isspace():
            pos += 1
        start = pos
        for ch in chars:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text) or text[pos] != ch:
                return None
            pos += 1
        spans.append((start, pos))
    if text[pos:].strip():
        return None
    return spans


def _split_after_quotes(block: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result = []
    for start, end in spans:
        for match in _QUOTE_END.finditer(block, start, end):
            head = block[start : match.start() + 2]
            # A sentence ends here unless the quote closes one inside a quotation that is
            # still open (the rest of the sentence closes it).
            if not quote_open(head, block[match.end() : end]):
                result.append((start, match.start() + 2))
                start = match.end()
        result.append((start, end))
    return result


def _fit(
    sentence: str, count_tokens: CountTokens, limit: int, level: int = 0
) -> list[tuple[int, int]]:
    """Spans of `sentence` each within `limit` tokens, cut at the best boundary available."""
    if count_tokens(sentence) <= limit:
        return [(0, len(sentence))]
    if level >= len(_BOUNDARIES):
        return _hard_split(sentence, count_tokens, limit)
    pieces = _pieces(sentence, _BOUNDARIES[level])
    if len(pieces) == 1:
        return _fit(sentence, count_tokens, limit, level + 1)
    overhead = count_tokens("")
    units = []
    for p_start, p_end in pieces:
        for s, e in _fit(sentence[p_start:p_end], count_tokens, limit, level + 1):
            units.append(
                (p_start + s, p_start + e, count_tokens(sentence[p_start + s : p_start + e]))
            )
    return _pack(sentence, units, count_tokens, overhead, limit)


def _pieces(text: str, boundary: re.Pattern) -> list[tuple[int, int]]:
    pieces, start = [], 0
    for match in boundary.finditer(text):
        if match.start() > start:
            pieces.append((start, match.start()))
        start = match.end()
    if start < len(text):
        pieces.append((start, len(text)))
    return pieces


def _hard_split(text: str, count_tokens: CountTokens, limit: int) -> list[tuple[int, int]]:
    """Last resort for a 'word' longer than the limit (a URL, a base64 blob): cut by characters."""
    spans, start = [], 0
    size = max(1, limit - count_tokens(""))
    while start < len(text):
        end = min(len(text), start + size)
        while end - start > 1 and count_tokens(text[start:end]) > limit:
            end = start + max(1, (end - start) // 2)
        spans.append((start, end))
        start = end
    return spans


def _pack(
    text: str,
    units: list[tuple],
    count_tokens: CountTokens,
    overhead: int,
    target: int,
) -> list[tuple[int, int]]:
    """Greedily join consecutive (start, end, tokens, ...) units while the total stays within
    target.

    Totals are estimated by adding counts, then each chunk is measured, because the estimate
    can fall short (byte-level BPE tokenizes a sentence differently after a space than at the
    start of a text). A chunk over target after all is cut back to its longest prefix that
    measures within it, and packing goes on from there: chunks stay as full as the limit
    allows, which matters for the summarizer (sentence-sized parts would not summarize).
    """
    packed: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        last, tokens = first, units[first][2]
        while last + 1 < len(units) and tokens + units[last + 1][2] - overhead <= target:
            last += 1
            tokens += units[last][2] - overhead
        last = _longest_fitting(text, units, first, last, count_tokens, target)
        packed.append((units[first][0], units[last][1]))
        first = last + 1
    return packed


def _longest_fitting(
    text: str,
    units: list[tuple],
    first: int,
    last: int,
    count_tokens: CountTokens,
    target: int,
) -> int:
    """The largest end <= last such that units[first..end] measures within target
    (first itself when none does: a single unit is within the model's limit already)."""

    def fits(end: int) -> bool:
        return count_tokens(text[units[first][0] : units[end][1]]) <= target

    if last == first or fits(last):
        return last
    low, high = first, last  # units[first..low] fits (or is one unit), units[first..high] not
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low
