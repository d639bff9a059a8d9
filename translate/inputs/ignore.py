"""`.translateignore`: the documents a folder's owner has said to leave alone.

A `.translateignore` file in any folder a run walks holds gitignore patterns for that
folder and those below it, as a `.gitignore` does (`scans/`, `*.jpg.pdf`, `!keep.pdf`); a
deeper file's patterns come after, and win over, those of the folders above. What they
match is not read and not counted as a failure: a document that can never be read (a scan
without --ocr, a letter in Latin) stops making every nightly run fail. A file named on the
command line is always read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from translate.safe_open import read_head

IGNORE_FILE = ".translateignore"
_MAX_BYTES = 1_000_000  # a list of names, not a document: a larger one is read this far


@dataclass(frozen=True)
class IgnoreRules:
    """The patterns in force in one folder: each ignore file's, outermost first."""

    layers: tuple[tuple[Path, object], ...] = ()  # (the file's folder, its pathspec)

    def below(self, folder: Path) -> IgnoreRules:
        """The rules in `folder`: these, and its own ignore file's after them."""
        data = read_head(folder / IGNORE_FILE, _MAX_BYTES)
        if data is None:
            return self
        import pathspec

        lines = data.decode("utf-8", errors="replace").splitlines()
        return IgnoreRules((*self.layers, (folder, pathspec.GitIgnoreSpec.from_lines(lines))))

    def why_ignored(self, path: Path, is_dir: bool = False) -> str | None:
        """The ignore file that leaves `path` out, or None when it is read."""
        verdict = None
        for folder, spec in self.layers:
            relative = os.path.relpath(path, folder).replace(os.sep, "/") + ("/" if is_dir else "")
            result = spec.check_file(relative)
            if result.include is not None:
                verdict = folder / IGNORE_FILE if result.include else None
        return f"listed in {verdict}" if verdict is not None else None
