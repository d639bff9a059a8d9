"""Opening files safely: regular files only, never blocking, capped by the bytes read.

Every read of a file the tool did not write (an input, or an old output at an output's path)
opens without blocking, checks what it opened (a regular file, not a FIFO or a device) and is
capped by the bytes actually read, never by what `stat` claims.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from translate.errors import InputError

READ_CHUNK = 1 << 20
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | os.O_CLOEXEC


def file_kind(mode: int) -> str:
    """What a `st_mode` is, in words, for refusals."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISLNK, "a symbolic link"),
    )
    return next((words for test, words in kinds if test(mode)), "not a regular file")


def open_regular(path: Path, follow_symlinks: bool) -> tuple[int, os.stat_result]:
    """Open `path` for reading without blocking; refuse anything but a regular file.

    The type is checked on the descriptor itself, so a FIFO or device swapped in after the
    folder was listed is refused too. Raises OSError, or InputError for a wrong type.
    """
    listed = os.stat(path, follow_symlinks=follow_symlinks)
    if not stat.S_ISREG(listed.st_mode):  # devices are refused without even opening them
        raise InputError(f"{path}: is {file_kind(listed.st_mode)}, not a regular file")
    flags = _OPEN_FLAGS | (0 if follow_symlinks else getattr(os, "O_NOFOLLOW", 0))
    fd = os.open(path, flags)
    opened = os.fstat(fd)
    if not stat.S_ISREG(opened.st_mode):
        os.close(fd)
        raise InputError(f"{path}: is {file_kind(opened.st_mode)}, not a regular file")
    return fd, opened


def read_at_most(fd: int, limit: int) -> bytes:
    parts, size = [], 0
    while size < limit:
        try:
            part = os.read(fd, min(READ_CHUNK, limit - size))
        except BlockingIOError:  # a regular file never does this; be safe, not stuck
            break
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def read_head(path: Path, max_bytes: int) -> bytes | None:
    """The first `max_bytes` of a regular file (following links), or None if there is none.

    For old outputs: a FIFO or `/dev/zero` at an output's path is "no earlier output".
    """
    try:
        fd, _ = open_regular(path, follow_symlinks=True)
    except (OSError, InputError):
        return None
    try:
        return read_at_most(fd, max_bytes)
    except OSError:
        return None
    finally:
        os.close(fd)

