"""Logging for the command line: one line per record on stderr, libraries kept quiet."""

from __future__ import annotations

import logging
import sys


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time, so log lines scroll above progress."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def setup_logging(verbose: bool, quiet: bool = False) -> None:
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Libraries say only what is wrong; --verbose adds our own details, not their DEBUG chatter.
    root.setLevel(logging.ERROR if quiet else logging.WARNING)
    logging.getLogger("translate").setLevel(logging.DEBUG if verbose else logging.NOTSET)
    if not verbose:  # transformers' advice and deprecation notes are not for our users
        logging.getLogger("transformers").setLevel(logging.ERROR)
