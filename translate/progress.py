"""What a run says about its work while it works, for a caller that shows progress.

The library never prints: it calls a `Progress` object, which the CLI draws as a bar (and
anyone else may log, or ignore). `NoProgress` is the default.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives the phases of a run and the work done in each."""

    def phase(self, kind: str, text: str, total: int | None = None, unit: str = "") -> None:
        """A phase begins. `kind`: locate | read | load | convert | translate | summarize;
        `text` says what happens in words; `total` units of work (None: not counted)."""

    def advance(self, amount: int = 1) -> None:
        """`amount` more units of the current phase are done."""


class NoProgress:
    """A `Progress` that shows nothing."""

    def phase(self, kind: str, text: str, total: int | None = None, unit: str = "") -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass
