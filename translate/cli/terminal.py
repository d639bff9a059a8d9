"""What a person at a terminal sees while a run works: the current phase (locating and
loading models, a one-time conversion, reading, translating, summarizing) with its own
count, and the documents written so far; messages scroll above it.

Drawn with rich; the CLI imports this module only when stderr is a terminal.
"""

from __future__ import annotations

import sys

from rich.console import Console
from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress
from rich.text import Text


class TerminalProgress:
    """A `translate.progress.Progress` drawn on stderr, cleared when the run ends."""

    def __init__(self, documents: int):
        self._display = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=24),
            _Count(),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr, highlight=False, emoji=False),
            transient=True,
            refresh_per_second=5,
            redirect_stdout=False,
        )
        self._documents = self._display.add_task("documents written", total=documents, unit="")
        self._phase = self._display.add_task("starting", total=None, unit="")
        self._display.start()

    def phase(self, kind: str, text: str, total: int | None = None, unit: str = "") -> None:
        # A new task, not a reset one: rich cannot set a counted task back to uncounted.
        self._display.remove_task(self._phase)
        self._phase = self._display.add_task(text, total=total, unit=unit)
        self._display.refresh()  # show each phase, however short, as it begins

    def advance(self, amount: int = 1) -> None:
        self._display.advance(self._phase, amount)

    def document_done(self, written: bool) -> None:
        """Count a written document; one skipped or failed leaves the work to do instead,
        so a refused file never looks like progress."""
        task = self._display.tasks[self._documents]
        if written:
            self._display.advance(self._documents, 1)
        elif task.total:
            self._display.update(self._documents, total=task.total - 1)

    def say(self, message: str) -> None:
        """A line above the progress display."""
        self._display.console.print(message, markup=False, highlight=False, soft_wrap=True)

    def close(self) -> None:
        self._display.stop()


class _Count(ProgressColumn):
    """'1,234/5,678 tokens' when the phase is counted, nothing when it is not."""

    def render(self, task) -> Text:
        if task.total is None:
            return Text("")
        unit = task.fields.get("unit", "")
        return Text(f"{int(task.completed):,}/{int(task.total):,} {unit}".rstrip())
