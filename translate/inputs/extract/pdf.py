"""PDF: the text layer read with PDFium (pypdfium2), laid out by `layout`.

PDFium gives each character with its box; words are built from those boxes, so text that
a PDF writes out of order (columns interleaved, headers written last) is put in reading
order by position, not by the order of the file.
"""

from __future__ import annotations

import time

from translate.errors import InputError
from translate.inputs.extract.common import Extracted, library, require, text_over_limit
from translate.inputs.extract.isolated import run_isolated
from translate.inputs.extract.layout import HYPHEN_MARK, Word, page_text
from translate.inputs.extract.ocr import read_page, tesseract
from translate.inputs.extract.rows import mark_break

# A document with fewer letters than this in all has no real text layer (a stray page
# number or a scanner's stamp is not one).
MIN_LETTERS = 20
_HYPHEN_CODES = {"\x02": HYPHEN_MARK, "\ufffe": HYPHEN_MARK}
# Bounds on what a PDF may cost (issue 29: a 1 MB file inflating to 1 GB; one form drawn
# 20,000 times). The reader is a child process (isolated.py) with at most this much address
# space beyond the file itself: PDFium needs a few MB for a page of text, up to about a
# hundred for a large colour scan it renders for OCR.
PDF_MEMORY = 512 * 2**20
# Seconds to read the text layer of a whole document: 100 pages take 0.6 s here.
PDF_SECONDS = 120
# Seconds more for OCR with --ocr: Tesseract takes 5-20 s a page, so about 100 pages.
OCR_SECONDS = 1800
# Characters on one page: a dense page in small print holds about 10,000; a page with more
# than ten times that draws its text over and over.
MAX_PAGE_CHARS = 100_000


def extract(
    data: bytes, name: str, ocr: bool = False, max_text_bytes: int | None = None
) -> Extracted:
    """The text of a PDF, read in a child process under PDF_MEMORY and PDF_SECONDS."""
    return run_isolated(
        "translate.inputs.extract.pdf:read_pdf",
        data,
        name,
        {"ocr": ocr, "max_text_bytes": max_text_bytes},
        memory=PDF_MEMORY,
        seconds=PDF_SECONDS + (OCR_SECONDS if ocr else 0),
        what="PDF",
    )


def read_pdf(
    data: bytes, name: str, ocr: bool = False, max_text_bytes: int | None = None
) -> Extracted:
    """The text of a PDF; with `ocr`, pages without a text layer are read by Tesseract.
    Refused past MAX_PAGE_CHARS on a page, `max_text_bytes` in all, or PDF_SECONDS."""
    pdfium = require("pypdfium2", "pypdfium2", "PDF files")
    if b"%%EOF" not in data[-1024:]:
        raise InputError(f"{name}: the PDF is truncated or damaged (it has no end marker)")
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError(
                f"{name}: the PDF is encrypted (password-protected); save a copy without "
                "a password to translate it"
            ) from None
        raise InputError(f"{name}: the PDF is corrupt or truncated ({exc})") from None
    try:
        pages = _read_pages(document, name, max_text_bytes)
        empty = [index for index, words in enumerate(pages) if not _letters(words)]
        read = {i: _ocr(document, i, name) for i in empty} if ocr and empty else {}
    finally:
        document.close()
    if sum(map(_letters, pages)) < MIN_LETTERS and not any(t.strip() for t in read.values()):
        raise InputError(
            f"{name}: no text layer (scanned?): its {len(pages)} page(s) hold only images"
            + ("" if ocr else "; --ocr reads them with Tesseract")
        )
    metadata = {"extractor": library("pypdfium2"), "pages": len(pages)}
    if read:
        metadata["extractor"] += f" + {tesseract()}"
        metadata["ocr_pages"] = [i + 1 for i in sorted(read)]
    elif empty:
        metadata["pages_without_text"] = [i + 1 for i in empty]
    return Extracted(text=_compose(pages, read), metadata=metadata)


def _ocr(document, index: int, name: str) -> str:
    tesseract()  # says what to install before any page is rendered
    page = document[index]
    try:
        return read_page(page, name, index + 1)
    finally:
        page.close()


def _letters(words: list[Word]) -> int:
    return sum(ch.isalpha() for w in words for ch in w.text)


def _compose(pages: list[list[Word]], read: dict[int, str]) -> str:
    """Runs of pages with a text layer laid out together, OCR'd pages' text between them."""
    parts: list[str] = []
    run: list[list[Word]] = []
    for index, words in enumerate(pages):
        if index in read:
            parts += [page_text(run), read[index]]
            run = []
        else:
            run.append(words)
    parts.append(page_text(run))
    return "\n\n".join(part for part in parts if part.strip())


def _read_pages(document, name: str, max_text_bytes: int | None) -> list[list[Word]]:
    """Every page's words; the text is counted as it comes, and the clock checked."""
    started, pages, size, count = time.monotonic(), [], 0, len(document)
    for index in range(count):
        if time.monotonic() - started > PDF_SECONDS:
            raise InputError(
                f"{name}: refused, reading the PDF took longer than {PDF_SECONDS} s "
                f"(stopped at page {index + 1} of {count}; a document built to be slow?)"
            )
        words = _page_words(document, index, name)
        size += sum(len(w.text.encode()) for w in words)  # the text less its spaces
        if max_text_bytes is not None and size > max_text_bytes:
            raise text_over_limit(name, size, max_text_bytes, "at least ")
        pages.append(words)
    return pages


def _page_words(document, index: int, name: str = "") -> list[Word]:
    """The words of one page, each with the box around its characters."""
    page = document[index]
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count > MAX_PAGE_CHARS:
            raise InputError(
                f"{name}: refused, page {index + 1} holds {count:,} characters, over the "
                f"limit of {MAX_PAGE_CHARS:,} a page (text drawn over and over?)"
            )
        text = textpage.get_text_range(0, count) if count else ""
        if len(text) != count:  # characters beyond the BMP: read one by one instead
            import pypdfium2.raw as raw

            text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
        return _words(text, textpage.get_charbox)
    finally:
        textpage.close()
        page.close()


def _words(text: str, charbox) -> list[Word]:
    """Split characters into words at spaces and at jumps of position.

    `charbox(i, loose=True)` gives (left, bottom, right, top) on the line's full height,
    so characters of one line share bottom and top whatever their shape.
    """
    words: list[Word] = []
    chars: list[str] = []
    current: Word | None = None
    for index, char in enumerate(text):
        if char.isspace() or char == "\x00":
            current = _close(current, chars, words)
            continue
        left, bottom, right, top = charbox(index, loose=True)
        if current is not None:
            height = current.top - current.bottom
            if (
                abs(bottom - current.bottom) > 0.5 * height
                or left < current.x1 - height  # went back: another line or column
                or left - current.x1 > 0.35 * height  # a gap with no space character
                or mark_break(char, chars, bottom - current.bottom, height)  # `Quellpakete¹`
            ):
                current = _close(current, chars, words)
        if current is None:
            current = Word("", left, right, bottom, top)
        chars.append(_HYPHEN_CODES.get(char, char))
        current.x1 = max(current.x1, right)
        current.bottom, current.top = min(current.bottom, bottom), max(current.top, top)
    _close(current, chars, words)
    return words


def _close(current: Word | None, chars: list[str], words: list[Word]) -> None:
    if current is not None and chars:
        # A character beyond the BMP, read one by one, comes as its two UTF-16 halves.
        current.text = (
            "".join(chars).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        )
        words.append(current)
    chars.clear()
    return None
