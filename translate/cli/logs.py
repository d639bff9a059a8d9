"""Logging for the command line: one line per record on stderr, libraries kept quiet."""

from __future__ import annotations

import io
import logging
import re
import sys
import threading

from translate.display import one_line


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time, so log lines scroll above progress."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class _OneLine(logging.Formatter):
    """`LEVEL logger: message` on one line whatever the message holds (a library's may run
    to fifteen lines, or carry escape sequences); a traceback only with --verbose."""

    def __init__(self, verbose: bool):
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        message = one_line(" ".join(record.getMessage().split()))
        line = f"{record.levelname} {record.name}: {message}"
        if record.exc_info and self.verbose:
            line += "\n" + self.formatException(record.exc_info)
        elif record.exc_info:
            line += " (--verbose shows where)"
        return line


def setup_logging(verbose: bool, quiet: bool = False) -> None:
    handler = _StderrHandler()
    handler.setFormatter(_OneLine(verbose))
    # Python warnings (a library's DeprecationWarning...) as log lines, not raw source lines;
    # those raised while a document is read are that document's (inputs/extract/notes.py).
    logging.captureWarnings(True)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Libraries say only what is wrong; --verbose adds our own details, not their DEBUG chatter.
    root.setLevel(logging.ERROR if quiet else logging.WARNING)
    logging.getLogger("translate").setLevel(logging.DEBUG if verbose else logging.NOTSET)
    if not verbose:  # transformers' advice and deprecation notes are not for our users
        logging.getLogger("transformers").setLevel(logging.ERROR)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
RAY_NOTE_CHARS = 160  # of a message Ray prints, shown in the run's warning line


class RayConsole(io.TextIOBase):
    """What Ray prints on the driver's stdout while a run lasts: a worker's death or error,
    as `(raylet) ...` lines, a traceback below. Each such message becomes one warning
    (`warn`), coloured prefixes and all, and every line of it a DEBUG record (--verbose)."""

    def __init__(self, warn):
        super().__init__()
        self.warn = warn
        self.pending = ""
        self.lock = threading.Lock()  # Ray prints from its own threads

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self.lock:
            self.pending += text
            lines = self.pending.split("\n")
            self.pending = lines.pop()
        for line in lines:
            self._line(line)
        return len(text)

    def flush(self) -> None:
        with self.lock:
            line, self.pending = self.pending, ""
        self._line(line)

    def _line(self, line: str) -> None:
        plain = " ".join(_ANSI.sub("", line).split())
        if not plain:
            return
        logging.getLogger("translate.cli.ray").debug("%s", plain)
        if plain.startswith("(raylet)"):  # a message starts; its traceback lines follow
            message = plain.removeprefix("(raylet)").strip()
            if len(message) > RAY_NOTE_CHARS:
                message = message[: RAY_NOTE_CHARS - 1] + "…"
            self.warn(f"Ray: {message} (--verbose shows Ray's report)")
