"""PDF: the text layer read with PDFium (pypdfium2), laid out by `layout`.

PDFium gives each character with its box; words are built from those boxes, so text that
a PDF writes out of order (columns interleaved, headers written last) is put in reading
order by position, not by the order of the file.
"""

from __future__ import annotations

from translate.errors import InputError
from translate.extract.common import Extracted, library, require
from translate.extract.layout import HYPHEN_MARK, Word, page_text

# A document with fewer letters than this in all has no real text layer (a stray page
# number or a scanner's stamp is not one).
MIN_LETTERS = 20
_HYPHEN_CODES = {"\x02": HYPHEN_MARK, "\ufffe": HYPHEN_MARK}


def extract(data: bytes, name: str) -> Extracted:
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
        pages = [_page_words(document, index) for index in range(len(document))]
    finally:
        document.close()
    letters = sum(ch.isalpha() for words in pages for w in words for ch in w.text)
    if letters < MIN_LETTERS:
        raise InputError(
            f"{name}: no text layer (scanned?): its {len(pages)} page(s) hold only images"
        )
    empty = [number for number, words in enumerate(pages, 1) if not words]
    metadata = {"extractor": library("pypdfium2"), "pages": len(pages)}
    if empty:
        metadata["pages_without_text"] = empty
    return Extracted(text=page_text(pages), metadata=metadata)


def _page_words(document, index: int) -> list[Word]:
    """The words of one page, each with the box around its characters."""
    page = document[index]
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
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
        current.text = "".join(chars)
        words.append(current)
    chars.clear()
    return None
