"""Text out of documents: one entry point, one module per format.

`extract(path, data)` turns a document's bytes into Markdown-ish text for the segmenter
(paragraphs apart by blank lines, a heading `# ...` or list item `- ...` on its own line,
table rows as `| cell | cell |`), or refuses it with a one-line reason (`InputError`)
before any model runs. Format libraries are imported only when a document needs them.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from translate.config import INPUT_FORMATS
from translate.display import display_name
from translate.errors import InputError
from translate.inputs.extract.common import Extracted, normalize_text, text_over_limit
from translate.inputs.extract.notes import library_notes
from translate.inputs.extract.sniff import check_content

# Suffix -> format; each format is read by translate/inputs/extract/<module>.py.
FORMATS: dict[str, str] = INPUT_FORMATS
_MODULES = {"text": "text", "markdown": "text", "email": "mail"}
SUFFIXES: tuple[str, ...] = tuple(FORMATS)
TEXT_FORMATS = frozenset({"text", "markdown", "html", "email", "rtf"})
# Packaged formats (PDF, Office, e-books) hold much less text than their size: pictures,
# fonts, compression. Their files may be this many times the text limit (--max-input-mb);
# the text extracted from them is held to the text limit itself.
PACKAGED_SIZE_FACTOR = 50

log = logging.getLogger(__name__)

__all__ = ["FORMATS", "SUFFIXES", "Extracted", "extract", "format_of", "max_file_bytes"]


def format_of(path: Path) -> str | None:
    """The format a file's name says it has, or None when this tool cannot read it."""
    return FORMATS.get(path.suffix.lower())


def max_file_bytes(path: Path, max_text_bytes: int) -> int:
    """The largest file of this format worth reading when texts may be `max_text_bytes`."""
    if format_of(path) in TEXT_FORMATS:
        return max_text_bytes
    return max_text_bytes * PACKAGED_SIZE_FACTOR


def extract(
    path: Path, data: bytes, max_text_bytes: int | None = None, ocr: bool = False
) -> Extracted:
    """The text of the document `data` (the bytes of the file at `path`).

    Args:
        path: the file; its suffix names the format (see FORMATS), and it names the
            document in error messages.
        data: the file's bytes.
        max_text_bytes: refuse documents whose text (UTF-8) is longer than this.
        ocr: read PDF pages without a text layer with Tesseract (translate/inputs/extract/ocr.py).

    Raises:
        InputError: unknown format, empty, corrupt, encrypted, scanned, a zip bomb, content
            that is not what the suffix says, no text, too much text, or a missing library
            (FormatSupportMissing, with the command that installs it).
    """
    name = str(path)
    fmt = format_of(path)
    if fmt is None:
        raise InputError(
            f"{name}: {path.suffix or 'files without a suffix'} is not a format "
            f"this tool reads ({', '.join(SUFFIXES)})"
        )
    if not data:
        raise InputError(f"{name}: the file is empty")
    check_content(name, fmt, data)
    module = importlib.import_module(f"translate.inputs.extract.{_MODULES.get(fmt, fmt)}")
    options = {"ocr": ocr} if fmt == "pdf" else {}
    if fmt in ("epub", "pdf"):  # read chapter by chapter, page by page: stopped at the limit
        options["max_text_bytes"] = max_text_bytes
    try:
        with library_notes() as notes:  # the libraries' warnings, as this document's notes
            extracted: Extracted = module.extract(data, name, **options)
    except InputError:  # the refusal says what is wrong; what the libraries said, --verbose
        for note in notes:
            log.debug("%s: %s", display_name(path), note)
        raise
    text = normalize_text(extracted.text)
    if not text.strip():
        raise InputError(f"{name}: no text found in the {fmt} file")
    if max_text_bytes is not None and (size := len(text.encode())) > max_text_bytes:
        raise text_over_limit(name, size, max_text_bytes)
    return Extracted(
        text=text,
        metadata={"format": fmt, **extracted.metadata},
        notes=tuple(dict.fromkeys([*notes, *extracted.notes])),
    )
