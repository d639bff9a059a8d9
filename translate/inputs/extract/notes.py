"""What format libraries say while they read a document, kept as the document's notes.

trafilatura logs ("discarding data: None"), BeautifulSoup warns (a page that looks like a
file name, XML read as HTML: fifteen lines), PDFium's bindings warn. Left alone, those lines
reach the terminal raw and name no file. Here they are caught while one document is read,
each made one line, and handed back with the document, which reports them as its own.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator

from translate.display import one_line

# A note longer than this is cut: a library's message about the document, kept on one line
# (BeautifulSoup's warnings run to 800 characters, a corrupt file's repr could run to MBs).
NOTE_CHARS = 1000
# Notes kept per document: a page that warns on every element is one problem, not 10,000.
MAX_NOTES = 20


def _ours(record: logging.LogRecord) -> bool:
    return record.name == "translate" or record.name.startswith("translate.")


class _Catch(logging.Handler):
    """Keeps the records of every logger that is not our own (those reach our log)."""

    def __init__(self, notes: list[str]):
        super().__init__(logging.WARNING)
        self.notes = notes

    def emit(self, record: logging.LogRecord) -> None:
        if not _ours(record):
            with contextlib.suppress(Exception):
                self.notes.append(note(record.name.split(".")[0], record.getMessage()))


def _not_caught(record: logging.LogRecord) -> bool:
    """The filter that keeps the other handlers from showing what is caught here."""
    return _ours(record) or record.levelno < logging.WARNING


def note(source: str, message: str) -> str:
    """`source: message` on one line, escaped, cut at NOTE_CHARS."""
    text = " ".join(str(message).split())
    if len(text) > NOTE_CHARS:
        text = text[: NOTE_CHARS - 1] + "…"
    return one_line(f"{source}: {text}")


@contextlib.contextmanager
def library_notes() -> Iterator[list[str]]:
    """Catch the warnings and log records (WARNING and up) of other libraries in the block.

    The list it yields is filled when the block ends: each note once, at most MAX_NOTES.
    Python's warnings are caught for the whole process while the block runs (the standard
    library offers no narrower scope); documents are read one at a time per process.
    """
    notes: list[str] = []
    handler = _Catch(notes)
    root = logging.getLogger()
    # Libraries that do not propagate to the root are caught where they log.
    others = [logging.getLogger(n) for n in ("trafilatura", "htmldate", "courlan", "bs4")]
    loggers = [root, *(lg for lg in others if not lg.propagate)]
    shown = [h for lg in loggers for h in lg.handlers]
    for logger in loggers:
        logger.addHandler(handler)
    for other in shown:
        other.addFilter(_not_caught)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield notes
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        for other in shown:
            other.removeFilter(_not_caught)
        notes[:0] = [note(_source(w), f"{w.category.__name__}: {w.message}") for w in caught]
        notes[:] = list(dict.fromkeys(notes))[:MAX_NOTES]


def _source(caught: warnings.WarningMessage) -> str:
    """The library a warning came from: the top package of its category's module."""
    module = getattr(caught.category, "__module__", "") or ""
    return module.split(".")[0] if module not in ("builtins", "") else "python"
