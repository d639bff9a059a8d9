"""Finding documents: what a run reads, where each output goes, and what it leaves out, why.

Folders are walked iteratively (any depth), hidden entries and the tool's own outputs are
left out silently, and every other entry that looks like a document but is not read (a
FIFO, a device, a dangling or outward symlink, a folder that cannot be listed) is reported
with its reason. A file named on the command line is always read, links and all.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from translate.config import (
    BILINGUAL_SUFFIX,
    DIGEST_STEM,
    INPUT_SUFFIXES,
    SUMMARY_SUFFIX,
    TRANSLATION_SUFFIX,
)
from translate.inputs.ignore import IgnoreRules
from translate.outputs.naming import assign_stems, too_long
from translate.safe_open import file_kind

_OUTPUT_SUFFIXES = (SUMMARY_SUFFIX, TRANSLATION_SUFFIX, BILINGUAL_SUFFIX)


def is_own_output(path: Path) -> bool:
    """True for files this tool writes, so a folder run never feeds them back in."""
    name = path.name
    return name.endswith(_OUTPUT_SUFFIXES) or name.startswith(f"{DIGEST_STEM}.")


def _is_candidate(name: str) -> bool:
    """A name a folder run reads: a document suffix, not hidden, not one of our outputs."""
    return (
        not name.startswith(".")
        and name.lower().endswith(INPUT_SUFFIXES)
        and not is_own_output(Path(name))
    )


@dataclass(frozen=True)
class Document:
    """An input file, the folder its outputs go to and their name stem."""

    path: Path
    output_dir: Path
    stem: str = ""  # set by `discover`: the output name stem, unique in `output_dir`
    # False for files found as plain files in a folder: reading them never follows a link
    # (one swapped in after the listing is refused).
    follow_symlinks: bool = True

    @property
    def output_stem(self) -> str:
        return self.stem or self.path.stem


@dataclass(frozen=True)
class Dropped:
    """Something named or found that is not processed, and why (`reason` has no path)."""

    path: Path
    status: str  # skipped | failed | ignored (.translateignore: not read, not a failure)
    reason: str


@dataclass
class _Found:
    path: Path
    key: tuple[int, int]  # (device, inode): a file reached twice is read once
    via_link: bool
    base: Path  # the folder its outputs mirror under --output-dir


def discover(
    paths: list[Path],
    recursive: bool = False,
    output_root: Path | None = None,
    follow_symlinks: bool = False,
    include: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> tuple[list[Document], list[Dropped]]:
    """Find the documents named by `paths` (files, or folders of the INPUT_SUFFIXES formats).

    Returns the documents (each real file once, in a stable order, with one-to-one output
    names) and what was left out with a reason. In folders, symlinks that lead outside the
    folders given are skipped unless `follow_symlinks`, and only files matching an `include`
    glob (if any) and no `exclude` glob are taken, silently; a glob matches the file name
    or its path below the folder given, ignoring case. Files named in `paths` are always read.
    """
    roots = [Path(os.path.realpath(p)) for p in paths if os.path.isdir(p)]
    walker = _Walker(roots, recursive, follow_symlinks, _Globs(include, exclude))
    for path in paths:
        walker.add_root(path)
    documents = _place(walker.unique(), output_root)
    documents, clashes = _name(documents)
    first: dict[Path, Dropped] = {}  # each once: a FIFO named, and in a folder named
    for drop in walker.dropped:
        first.setdefault(drop.path, drop)
    return documents, [*first.values(), *clashes]


@dataclass(frozen=True)
class _Globs:
    include: tuple[str, ...]
    exclude: tuple[str, ...]

    def wanted(self, path: Path, root: Path) -> bool:
        names = (path.name.lower(), os.path.relpath(path, root).replace(os.sep, "/").lower())

        def matches(patterns: tuple[str, ...]) -> bool:
            return any(fnmatch.fnmatchcase(n, p.lower()) for p in patterns for n in names)

        return (not self.include or matches(self.include)) and not matches(self.exclude)


class _Walker:
    def __init__(self, roots: list[Path], recursive: bool, follow_symlinks: bool, globs: _Globs):
        self.roots, self.recursive, self.follow = roots, recursive, follow_symlinks
        self.globs = globs
        self.found: list[_Found] = []
        self.dropped: list[Dropped] = []
        self._walked: set[tuple[int, int]] = set()

    def add_root(self, path: Path) -> None:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            why = "a dangling symbolic link" if os.path.islink(path) else "no such file or folder"
            self.dropped.append(Dropped(path, "failed", why))
            return
        except OSError as exc:  # e.g. inside a folder without search permission
            self.dropped.append(Dropped(path, "failed", f"cannot be reached ({exc.strerror})"))
            return
        if stat.S_ISDIR(info.st_mode):
            self._walk(path)
        elif is_own_output(path):
            self.dropped.append(Dropped(path, "failed", "is an output of translate, not an input"))
        elif stat.S_ISREG(info.st_mode):
            self.found.append(_Found(path, _key(info), True, path.parent))
        else:
            why = f"is {file_kind(info.st_mode)}, not a regular file"
            self.dropped.append(Dropped(path, "failed", why))

    def _walk(self, root: Path) -> None:
        # A stack, not recursion: a tree 10,000 folders deep is fine.
        pending = [(root, IgnoreRules())]
        while pending:
            folder, rules = pending.pop()
            try:
                key = _key(os.stat(folder))
                if key in self._walked:  # a symlink loop, or a folder reached twice
                    continue
                self._walked.add(key)
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                why = f"folder cannot be read ({exc.strerror}); nothing in it was processed"
                self.dropped.append(Dropped(folder, "failed", why))
                continue
            rules = rules.below(folder)
            subfolders = [self._entry(entry, root, rules) for entry in entries]
            pending.extend(reversed([(f, rules) for f in subfolders if f is not None]))

    def _entry(self, entry: os.DirEntry, root: Path, rules: IgnoreRules) -> Path | None:
        """Record one folder entry; return it if it is a folder to walk into."""
        if entry.name.startswith("."):
            return None
        if rules.layers and (why := rules.why_ignored(Path(entry.path), _is_folder(entry))):
            if _is_candidate(entry.name):  # a folder left out is not a document: no line
                self.dropped.append(Dropped(Path(entry.path), "ignored", why))
            return None
        candidate = _is_candidate(entry.name) and self.globs.wanted(Path(entry.path), root)
        # Only names that could be documents, and folders to walk into, cost a stat.
        if not candidate and not (self.recursive and entry.is_dir()):
            return None
        path = Path(entry.path)
        link = entry.is_symlink()
        try:
            info = entry.stat()
        except OSError as exc:
            if link and isinstance(exc, FileNotFoundError):
                self.dropped.append(Dropped(path, "skipped", "a dangling symbolic link"))
            else:
                self.dropped.append(Dropped(path, "failed", f"cannot be read ({exc.strerror})"))
            return None
        is_dir = stat.S_ISDIR(info.st_mode)
        if link and not self.follow and not self._inside_roots(path):
            what = "folder" if is_dir else "file"
            why = (
                f"a symbolic link to a {what} outside the folders given "
                f"({os.path.realpath(path)}); --follow-symlinks reads it"
            )
            self.dropped.append(Dropped(path, "skipped", why))
        elif is_dir:
            if self.recursive:
                return path
            self.dropped.append(Dropped(path, "skipped", "is a folder (--recursive reads it)"))
        elif stat.S_ISREG(info.st_mode):
            self.found.append(_Found(path, _key(info), link, root))
        else:
            why = f"is {file_kind(info.st_mode)}, not a regular file"
            self.dropped.append(Dropped(path, "skipped", why))
        return None

    def _inside_roots(self, path: Path) -> bool:
        real = Path(os.path.realpath(path))
        return any(real == root or root in real.parents for root in self.roots)

    def unique(self) -> list[_Found]:
        """Each file once, by path order; a plain entry is preferred to a link to it."""
        best: dict[tuple[int, int], _Found] = {}
        for item in sorted(self.found, key=lambda f: (f.via_link, f.path)):
            best.setdefault(item.key, item)
        return sorted(best.values(), key=lambda f: f.path)


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _key(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _place(found: list[_Found], output_root: Path | None) -> list[Document]:
    """Each document's output folder: beside it, or its mirror under `output_root`.

    With several inputs, each is mirrored by its path below the folder they all share,
    so `a/x.txt` and `b/x.txt` go to `out/a/` and `out/b/`, never to one file.
    """
    if output_root is None:
        return [Document(f.path, f.path.parent, follow_symlinks=f.via_link) for f in found]
    bases = {os.path.abspath(f.base) for f in found}
    common = os.path.commonpath(bases) if bases else ""
    return [
        Document(
            f.path,
            output_root / os.path.relpath(os.path.abspath(f.path.parent), common),
            follow_symlinks=f.via_link,
        )
        for f in found
    ]


def _name(documents: list[Document]) -> tuple[list[Document], list[Dropped]]:
    """Give each document its output stem; refuse clashes and names too long, up front."""
    stems, clashes = assign_stems([(d.path, d.output_dir) for d in documents])
    clashing = {path for path, _, _ in clashes}
    dropped = [
        Dropped(path, "failed", f"{other} would write the same output {output}; rename one")
        for path, other, output in clashes
    ]
    named = []
    for doc in documents:
        if doc.path in clashing:
            continue
        why = too_long(doc.output_dir, stems[doc.path])
        if why:
            dropped.append(Dropped(doc.path, "failed", why))
            continue
        named.append(Document(doc.path, doc.output_dir, stems[doc.path], doc.follow_symlinks))
    return named, dropped
