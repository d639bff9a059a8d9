"""Files: decoding inputs, discovering documents, naming outputs, writing atomically."""

from __future__ import annotations

import codecs
import contextlib
import os
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from translate.config import INPUT_SUFFIXES, SUMMARY_SUFFIX, TRANSLATION_SUFFIX
from translate.errors import InputError, OutputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Legacy encodings a German text file plausibly has when it is not UTF-8.
_LEGACY_ENCODINGS = ["cp1252", "iso8859_15", "latin_1"]
_ALLOWED_CONTROLS = {"\n", "\t", "\f", "\v"}


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def decode_document(data: bytes, name: str) -> DecodedText:
    """Decode a document's bytes into normalized text (LF line ends, NFC).

    Raises:
        InputError: the bytes are empty, whitespace only, binary or not decodable.
    """
    if not data:
        raise InputError(f"{name}: the file is empty")
    encoding = _sniff_encoding(data, name)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError(f"{name}: cannot be decoded as {encoding} ({exc.reason})") from None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _looks_binary(text):
        raise InputError(f"{name}: looks like a binary file, not text")
    if not text.strip():
        raise InputError(f"{name}: the file contains only whitespace")
    return DecodedText(text=text, encoding=encoding)


def _sniff_encoding(data: bytes, name: str) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if b"\x00" in data:
        raise InputError(f"{name}: looks like a binary file, not text (it contains NUL bytes)")
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only needed for legacy files

    best = from_bytes(data, cp_isolation=_LEGACY_ENCODINGS).best()
    if best is None:
        raise InputError(f"{name}: not UTF-8 and not a recognizable legacy (cp1252/latin-1) text")
    return best.encoding


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
    )
    return controls > max(2, len(sample) // 100)


def read_document(path: Path, max_bytes: int) -> tuple[bytes, DecodedText]:
    """Read and decode one input file, refusing files above `max_bytes`."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"{path}: {size / 1e6:.1f} MB is over the {max_bytes / 1e6:.1f} MB input limit "
                "(raise it with --max-input-mb)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    return data, decode_document(data, str(path))


# ---------------------------------------------------------------- discovery


def is_own_output(path: Path) -> bool:
    """True for files this tool writes, so a folder run never feeds them back in."""
    return path.name.endswith((SUMMARY_SUFFIX, TRANSLATION_SUFFIX))


@dataclass(frozen=True)
class Document:
    """An input file and the folder its outputs go to."""

    path: Path
    output_dir: Path


def discover(
    paths: Iterable[Path], recursive: bool = False, output_root: Path | None = None
) -> tuple[list[Document], list[tuple[Path, str]]]:
    """Find the documents named by `paths` (files, or folders of *.txt/*.md).

    Returns the documents (each real file once, in a stable order) and the paths refused
    at discovery with a reason. Hidden files and folders are skipped, symlink loops end.
    """
    documents: list[Document] = []
    refused: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.exists():
            refused.append((root, "no such file or folder"))
            continue
        if root.is_dir():
            found = sorted(_walk(root, recursive))
            base = root
        elif is_own_output(root):
            refused.append((root, "is an output of translate, not an input"))
            continue
        else:
            found, base = [root], root.parent
        for path in found:
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
            out_dir = path.parent
            if output_root is not None:
                out_dir = output_root / path.parent.relative_to(base)
            documents.append(Document(path=path, output_dir=out_dir))
    return documents, refused


def _walk(root: Path, recursive: bool) -> Iterator[Path]:
    visited: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        stat = os.stat(dirpath)
        key = (stat.st_dev, stat.st_ino)
        if key in visited:  # a symlink loop or a second link to a folder already walked
            dirnames[:] = []
            continue
        visited.add(key)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")) if recursive else []
        for name in filenames:
            path = Path(dirpath) / name
            if (
                not name.startswith(".")
                and name.lower().endswith(INPUT_SUFFIXES)
                and not is_own_output(path)
                and path.is_file()
            ):
                yield path


def output_names(documents: list[Document]) -> dict[Path, str]:
    """Map each input to its output stem: the file stem, or the full name when two inputs
    in one output folder share a stem (report.txt and report.md)."""
    counts: dict[tuple[Path, str], int] = {}
    for doc in documents:
        key = (doc.output_dir, doc.path.stem)
        counts[key] = counts.get(key, 0) + 1
    return {
        doc.path: doc.path.stem if counts[(doc.output_dir, doc.path.stem)] == 1 else doc.path.name
        for doc in documents
    }


# ---------------------------------------------------------------- writing


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text so that readers see the old file or the whole new one, never a part.

    Raises:
        OutputError: the folder is missing or not writable, or the disk is full.
    """
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs should read like any file
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write output ({exc.strerror or exc})") from None
    finally:
        # Also runs on KeyboardInterrupt: no stray temp file survives an interruption.
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)


class OutputLock:
    """A per-output lock, so two runs over one folder never work on the same document.

    Non-blocking: the second run skips what the first is doing and says so. The lock file
    is hidden (folder runs skip it) and removed on release; the OS frees the lock itself
    if the process dies.
    """

    def __init__(self, output: Path):
        from filelock import FileLock

        self.path = output.parent / f".{output.name}.lock"
        self._lock = FileLock(self.path, timeout=0)

    def acquire(self) -> bool:
        from filelock import Timeout

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except Timeout:
            return False
        except OSError as exc:
            raise OutputError(
                f"{self.path.parent}: cannot write here ({exc.strerror or exc})"
            ) from None
        return True

    def release(self) -> None:
        if self._lock.is_locked:
            with contextlib.suppress(OSError):
                self.path.unlink()
            self._lock.release()
