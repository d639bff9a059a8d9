"""The translated documents of `/translate_file`, kept for download: each under
`DATA_DIR/files/<random id>/<safe name>`, removed once older than --keep-days.

The random id (128 bits) is what makes a download private, as LibreTranslate's download
URLs are: whoever has the URL has the file. A client's file name never becomes a path: it
is made safe first (`params.safe_name`), and a download's id and name are checked against
what this module writes before any path is built from them.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import time
from pathlib import Path

from translate.errors import InputError
from translate.safe_open import open_regular, read_at_most
from translate.serve.errors import ApiError

log = logging.getLogger(__name__)

FOLDER = "files"
_ID = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
_NAME = re.compile(r"[^/\\\x00]{1,200}")
MAX_DOWNLOAD_BYTES = 1 << 30  # far above any translation of an accepted upload


def save(data_dir: Path, name: str, text: str, keep_days: float) -> tuple[str, str]:
    """Keep `text` as the file `name` (a safe name) under a new random id; returns
    (id, name). Removes files older than `keep_days` while here."""
    remove_expired(data_dir, keep_days)
    file_id = secrets.token_urlsafe(16)
    folder = data_dir / FOLDER / file_id
    folder.mkdir(parents=True, mode=0o700)
    path = folder / name
    temporary = folder / f".{file_id}.partial"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return file_id, name


def read(data_dir: Path, file_id: str, name: str) -> bytes:
    """The bytes of a kept file.

    Raises:
        ApiError: 404 when there is no such file (or the id or name could not be one).
    """
    if not (_ID.fullmatch(file_id) and _NAME.fullmatch(name)) or name.startswith("."):
        raise ApiError(404, "Not found: no such translated file (it may have expired)")
    path = data_dir / FOLDER / file_id / name
    try:
        fd, _ = open_regular(path, follow_symlinks=False)
        try:
            return read_at_most(fd, MAX_DOWNLOAD_BYTES)
        finally:
            os.close(fd)
    except (OSError, InputError):
        raise ApiError(404, "Not found: no such translated file (it may have expired)") from None


def remove_expired(data_dir: Path, keep_days: float) -> None:
    """Remove the kept files older than `keep_days` (never what is not ours)."""
    root = data_dir / FOLDER
    cutoff = time.time() - keep_days * 86_400
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return
    for entry in entries:
        try:
            if _ID.fullmatch(entry.name) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                shutil.rmtree(entry.path)
        except OSError as exc:  # another process removed it first, or it is not ours to remove
            log.debug("could not remove expired %s: %s", entry.path, exc)
