"""Output names: one output per input, named before any model runs.

`<stem>.summary.en.md` (and `<stem>.en.md`) beside the input, or in its mirror under
--output-dir. When two inputs would share an output, each of them is named by its full file
name instead (`report.txt.summary.en.md`); what cannot be named apart that way is refused,
naming both inputs. Names are checked against the filesystem's length limit up front, and
the hidden temporary and lock names are shortened rather than let to fail.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections import defaultdict
from pathlib import Path

from translate.config import SUMMARY_SUFFIX, TRANSLATION_SUFFIX

DEFAULT_NAME_MAX = 255
# A temporary is `.<key>.<8 random>.tmp` (the lock, `.<key>.lock`, is shorter).
_TEMP_EXTRA = len(".") + len(".") + 8 + len(".tmp")
_HASH_CHARS = 8


def output_name(stem: str) -> str:
    return f"{stem}{SUMMARY_SUFFIX}"


def translation_name(stem: str) -> str:
    return f"{stem}{TRANSLATION_SUFFIX}"


def assign_stems(
    inputs: list[tuple[Path, Path]],
) -> tuple[dict[Path, str], list[tuple[Path, Path, Path]]]:
    """Output stems for `(input, output folder)` pairs, one-to-one.

    Returns each input's stem, and the inputs that no naming keeps apart, each as
    (input, another input, the output both would write). Names are compared case- and
    normalization-blind to choose them (so a case-insensitive disk, as on a Mac, never merges
    two outputs), but only exact clashes are refused.
    """
    by_stem: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    for path, folder in inputs:
        by_stem[(folder, _fold(path.stem))].append(path)
    full = {p for group in by_stem.values() if len(group) > 1 for p in group}
    while True:  # each round names more inputs in full; it ends when no clash is left
        stems = {path: path.name if path in full else path.stem for path, _ in inputs}
        newly = {p for _, group in _clashes(inputs, stems, _fold) for p in group} - full
        if not newly:
            break
        full |= newly
    refused: dict[Path, tuple[Path, Path, Path]] = {}
    for output, group in _clashes(inputs, stems, str):
        for path in group:
            other = next(p for p in group if p != path)
            refused.setdefault(path, (path, other, output))
    return stems, list(refused.values())


def _clashes(inputs, stems, key) -> list[tuple[Path, list[Path]]]:
    """(output, inputs) for each output (summary or translation) that several would write."""
    owners: dict[tuple[Path, str], list[Path]] = defaultdict(list)
    names: dict[tuple[Path, str], Path] = {}
    for path, folder in inputs:
        for name in (output_name(stems[path]), translation_name(stems[path])):
            owners[(folder, key(name))].append(path)
            names.setdefault((folder, key(name)), folder / name)
    return [
        (names[k], list(dict.fromkeys(paths))) for k, paths in owners.items() if len(set(paths)) > 1
    ]


def _fold(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


# ---------------------------------------------------------------- name lengths


def name_max(folder: Path) -> int:
    """The longest file name (in bytes) allowed in `folder`, or its nearest existing parent."""
    for candidate in (folder, *folder.parents):
        try:
            return os.pathconf(candidate, "PC_NAME_MAX")
        except (OSError, ValueError):
            continue
    return DEFAULT_NAME_MAX


def name_bytes(name: str) -> int:
    return len(os.fsencode(name))


def too_long(folder: Path, stem: str) -> str | None:
    """Why an output named from `stem` cannot be written in `folder`, or None if it can."""
    name, limit = output_name(stem), name_max(folder)
    if name_bytes(name) <= limit:
        return None
    room = limit - name_bytes(output_name(""))
    return (
        f"its output name would be {name_bytes(name)} bytes, over the file system's limit of "
        f"{limit}; rename it to a name of at most {room} bytes before the suffix"
    )


def sibling_key(output: Path) -> str:
    """The name part of an output's hidden temporary and lock files.

    The output's own name when the temporary name fits the folder's limit; otherwise a
    prefix of it plus a hash of the whole, so two long names never share a key.
    """
    name = output.name
    limit = name_max(output.parent)
    if name_bytes(name) + _TEMP_EXTRA <= limit:
        return name
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:_HASH_CHARS]
    room = limit - _TEMP_EXTRA - len("~") - _HASH_CHARS
    prefix = ""
    for ch in name:  # whole characters only, so the key stays a readable name
        if name_bytes(prefix + ch) > room:
            break
        prefix += ch
    return f"{prefix}~{digest}"
