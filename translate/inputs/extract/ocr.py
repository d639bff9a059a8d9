"""OCR for scanned PDF pages (`--ocr`): PDFium renders the page, Tesseract reads it in German.

Tesseract is a program, not a Python package: Debian's `tesseract-ocr tesseract-ocr-deu`
(or the same from Homebrew / the UB Mannheim installer). It reads the page as a greyscale
PGM on its stdin, so no imaging library is needed.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess

from translate.errors import FormatSupportMissing, InputError
from translate.inputs.extract.layout import join_lines

DPI = 300  # Tesseract's documented sweet spot for body text
LANGUAGE = "deu"
PAGE_TIMEOUT = 300  # seconds; a page that takes longer is not a page of text
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-deu"
_SENTENCE_END = re.compile(r"[.!?:;…\"“”»«)]$")


@functools.lru_cache(maxsize=1)
def tesseract() -> str:
    """`tesseract X.Y.Z (deu)`, for the front matter.

    Raises:
        FormatSupportMissing: Tesseract or its German data is not installed.
    """
    program = shutil.which("tesseract")
    if program is None:
        raise FormatSupportMissing(f"--ocr needs Tesseract, which is not installed: {INSTALL}")
    languages = _run([program, "--list-langs"], b"").split()
    if LANGUAGE not in languages:
        raise FormatSupportMissing(
            f"--ocr needs Tesseract's German data ({LANGUAGE}), which is not installed: {INSTALL}"
        )
    version = _run([program, "--version"], b"").split()
    return f"tesseract {version[1] if len(version) > 1 else '?'} ({LANGUAGE})"


def read_page(page, name: str, number: int) -> str:
    """The text Tesseract reads on one PDF page: paragraphs apart by blank lines."""
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    try:
        width, height, stride = bitmap.width, bitmap.height, bitmap.stride
        buffer = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    rows = b"".join(buffer[row * stride : row * stride + width] for row in range(height))
    image = b"P5\n%d %d\n255\n" % (width, height) + rows
    try:
        text = _run(["tesseract", "stdin", "stdout", "-l", LANGUAGE], image)
    except subprocess.SubprocessError as exc:
        raise InputError(f"{name}: OCR of page {number} failed ({exc})") from None
    return _paragraphs(text)


def _paragraphs(text: str) -> str:
    """Tesseract's lines as paragraphs: wrapped lines and hyphenated words joined; a blank
    line after an unfinished sentence is a column or page artefact, not a paragraph end."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        joined = join_lines([line for line in block.splitlines() if line.strip()])
        if not joined:
            continue
        if paragraphs and not _SENTENCE_END.search(paragraphs[-1]):
            paragraphs[-1] = join_lines([paragraphs[-1], joined])
        else:
            paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def _run(command: list[str], data: bytes) -> str:
    done = subprocess.run(
        command, input=data, capture_output=True, timeout=PAGE_TIMEOUT, check=False
    )
    if done.returncode != 0:
        raise subprocess.SubprocessError(done.stderr.decode(errors="replace").strip()[-200:])
    return done.stdout.decode("utf-8", errors="replace")
