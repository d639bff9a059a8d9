"""Writing outputs: atomically, no more readable than their input, under a per-output lock,
and clearing the temporaries a killed run left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from pathlib import Path

from translate.errors import OutputError, TranslateError
from translate.outputs.front_matter import FINGERPRINT_KEY, content_intact, read_front_matter
from translate.outputs.naming import sibling_key
from translate.safe_open import file_kind

_TEMP_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def output_mode(source_mode: int | None) -> int:
    """Permissions for an output: as for any new file, but never readable (or writable) by
    group or others who cannot read (or write) the input. The owner can always read it."""
    mode = 0o666 & ~_umask()
    if source_mode is not None:
        mode &= 0o600 | (source_mode & 0o066)
    return mode


def make_folders(folder: Path, source_mode: int | None = None) -> None:
    """Create `folder` and its missing parents (mirrors under --output-dir), each no more
    open than the input: private files get private folders, so not even their names show.

    Raises:
        OutputError: a folder cannot be created.
    """
    missing = []
    while not os.path.isdir(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    mode = 0o777
    if source_mode is not None:  # group/other may list and enter it if they may read the input
        readable = source_mode & 0o044
        mode = 0o700 | readable | readable >> 2
    for new in reversed(missing):
        try:
            os.mkdir(new, mode)
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(f"{new}: cannot create the output folder ({exc.strerror})") from None


# O_EXCL: never an existing file; O_NOFOLLOW: never through a link planted at the name.
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)


def write_atomic(path: Path, text: str, source_mode: int | None = None) -> None:
    """Write UTF-8 text so that readers see the old file or the whole new one, never a part.

    `source_mode`: the input's permission bits; the output is made no more readable.

    Raises:
        OutputError: the folder is missing or not writable, or the disk is full.
    """
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{sibling_key(path)}."
        # The name is known before the file exists (mkstemp tells it only after): a signal
        # landing at any point leaves nothing the `finally` below does not remove. Blocking
        # signals around mkstemp did not do that: other threads (the engines') take them.
        while True:
            tmp_name = str(path.parent / f"{prefix}{secrets.token_hex(4)}{_TEMP_SUFFIX}")
            try:
                fd = os.open(tmp_name, _TEMP_FLAGS, 0o600)
                break
            except FileExistsError:  # another writer's (2**32 names): draw again
                tmp_name = None
        os.fchmod(fd, output_mode(source_mode))  # before a byte of text is in it
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


def check_output_slot(path: Path) -> None:
    """Refuse, before any work, an output path taken by something that is not a file:
    a folder, FIFO or device there would fail or be replaced only after all the work.
    A symlink is fine: the output replaces the link, never writes into its target."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: cannot check the output path ({exc.strerror})") from None
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise OutputError(f"{path}: the output path is {file_kind(info.st_mode)}; not replacing it")


def leftover_temporaries(output: Path) -> list[Path]:
    """Temporaries of `output` left by a killed run (`.<name>.XXXXXXXX.tmp`)."""
    prefix = f".{sibling_key(output)}."
    try:
        with os.scandir(output.parent) as listing:
            return [
                Path(entry.path)
                for entry in listing
                if entry.name.startswith(prefix)
                and entry.name.endswith(_TEMP_SUFFIX)
                and len(entry.name) == len(prefix) + 8 + len(_TEMP_SUFFIX)
                and entry.is_file(follow_symlinks=False)
            ]
    except OSError:
        return []


def remove_leftovers(outputs: tuple[Path, ...]) -> int:
    """Remove the leftover temporaries of `outputs`; call it holding their lock, so that
    no live run is writing them. Returns how many were removed."""
    removed = 0
    for output in outputs:
        for leftover in leftover_temporaries(output):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
                removed += 1
    return removed


def check_replaceable(outputs: tuple[Path, ...]) -> list[dict | None]:
    """The front matter of each output there is. Raises OutputError when an output's path
    holds something translate did not write: it is never replaced, --force or not."""
    fronts = []
    for path in outputs:
        check_output_slot(path)
        front = read_front_matter(path)
        if os.path.lexists(path) and not str((front or {}).get("generator", "")).startswith(
            "translate"
        ):
            raise OutputError(
                f"{path}: exists and was not written by translate; not replacing it "
                "(move it away, or use --output-dir)"
            )
        fronts.append(front)
    return fronts


def outputs_up_to_date(outputs: tuple[Path, ...], expected: str) -> bool:
    """True when every output is there with this fingerprint. Raises OutputError as
    `check_replaceable` does."""
    fronts = check_replaceable(outputs)
    return all(
        front and front.get(FINGERPRINT_KEY) == expected and content_intact(path)
        for path, front in zip(outputs, fronts)
    )


def clean_leftovers_of_done(outputs: tuple[Path, ...]) -> None:
    """Remove temporaries a killed run left beside finished outputs, if no run holds them."""
    if not any(leftover_temporaries(p) for p in outputs):
        return
    lock = OutputLock(outputs[0])  # the summary's lock guards all of a document's outputs
    try:
        if lock.acquire():
            remove_leftovers(outputs)
    except TranslateError:
        pass  # a lock that cannot be taken: leave them for a later run
    finally:
        lock.release()


class OutputLock:
    """A per-output lock, so two runs over one folder never work on the same document.

    Non-blocking: the second run skips what the first is doing and says so. The lock file
    is hidden (folder runs skip it) and removed on release; the OS frees the lock itself
    if the process dies. A symlink planted at the lock's path is refused, never followed
    (filelock >= 3.20.1 opens it with O_NOFOLLOW; older ones truncated the link's target).
    """

    def __init__(self, output: Path):
        from filelock import FileLock

        self.path = output.parent / f".{sibling_key(output)}.lock"
        self._lock = FileLock(self.path, timeout=0)

    def acquire(self) -> bool:
        from filelock import Timeout

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except Timeout:
            return False
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise OutputError(
                    f"{self.path}: the lock file is a symbolic link; not following it "
                    "(remove the link)"
                ) from None
            raise OutputError(
                f"{self.path.parent}: cannot write here ({exc.strerror or exc})"
            ) from None
        return True

    def release(self) -> None:
        if self._lock.is_locked:
            with contextlib.suppress(OSError):
                self.path.unlink()
            self._lock.release()
