"""The store itself: one SQLite file under the cache folder, shared by every run on the machine.

WAL mode and a busy timeout let concurrent runs read and write it at once; each write is one
short transaction, so `kill -9` loses at most the batch being written and never leaves a half
row (SQLite's own journal). A store that SQLite finds corrupt or not a database is set aside
(renamed `.corrupt-<time>`) with a warning and made again; each row carries a checksum of
its text, and a row that fails it is dropped, never used. The store never fails a run: what
cannot be read is translated, what cannot be written is only not kept (one warning).

Its size is bounded: past `max_bytes`, the least recently used translations are evicted.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from translate.config import default_cache_dir

log = logging.getLogger(__name__)

STORE_NAME = "translations.sqlite3"
SCHEMA_VERSION = 1
DEFAULT_MAX_BYTES = 512 * 1_000_000
BUSY_TIMEOUT_S = 30.0  # another run's write is one batch: milliseconds, but a busy disk
_CORRUPT = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB
_ROW_OVERHEAD = 120  # bytes a row costs besides its text (key, checksum, times, index)
_IN_CHUNK = 500  # keys per `IN (...)`: under SQLite's variable limit
_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    key TEXT PRIMARY KEY, english TEXT NOT NULL, meta TEXT NOT NULL, checksum TEXT NOT NULL,
    bytes INTEGER NOT NULL, created REAL NOT NULL, last_used REAL NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_last_used ON chunks (last_used);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def store_path() -> Path:
    """Where the store is: `translations.sqlite3` in the cache folder (TRANSLATE_CACHE)."""
    return default_cache_dir() / STORE_NAME


def open_store(max_bytes: int = DEFAULT_MAX_BYTES, path: Path | None = None):
    """The store at `path` (default: `store_path()`), or None (with a warning) when it cannot
    be opened at all: the run then goes on without it."""
    store = TranslationStore(path or store_path(), max_bytes)
    return store if store.usable else None


class TranslationStore:
    """Translated chunks by key: `get_many` before translating, `put_many` after each batch."""

    def __init__(self, path: Path, max_bytes: int = DEFAULT_MAX_BYTES):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.hits = 0  # in this process: lookups answered
        self.stored = 0  # in this process: translations put in
        self._conn: sqlite3.Connection | None = None
        self._warned = False
        self._connect()

    @property
    def usable(self) -> bool:
        return self._conn is not None

    def get_many(self, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """The stored (english, meta) of each key found; marks them used now."""
        asked = list(keys)
        wanted = list(dict.fromkeys(asked))
        found: dict[str, tuple[str, str]] = {}
        bad: list[str] = []
        for part in _parts(wanted):
            rows = self._do(
                f"SELECT key, english, meta, checksum FROM chunks WHERE key IN ({_marks(part)})",
                part,
            )
            for key, english, meta, checksum in rows or []:
                if checksum == _checksum(key, english, meta):
                    found[key] = (english, meta)
                else:
                    bad.append(key)
        if bad:
            log.warning("the translation store had %d damaged entries; dropped", len(bad))
        hits = sum(key in found for key in asked)  # a chunk twice in a run: two hits
        self._write(lambda c: self._mark_used(c, list(found), bad, hits, len(asked) - hits))
        self.hits += hits
        return found

    def put_many(self, items: Iterable[tuple[str, str, str]]) -> None:
        """Keep (key, english, meta) triples, in one transaction; then keep the size bound."""
        now = time.time()
        rows = [
            (k, e, m, _checksum(k, e, m), len(e.encode("utf-8", "surrogatepass")) + len(m), now)
            for k, e, m in items
        ]
        if not rows:
            return

        def put(conn: sqlite3.Connection) -> None:
            conn.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(*row, row[-1]) for row in rows],
            )
            _count(conn, "stored", len(rows))

        if self._write(put):
            self.stored += len(rows)
            self._write(self._evict)

    def info(self) -> dict:
        """What `translate cache info` shows: where, how many, how big, how often used."""
        counters = dict(self._do("SELECT name, value FROM counters") or [])
        entries = self._do("SELECT COUNT(*) FROM chunks")
        return {
            "path": str(self.path),
            "entries": entries[0][0] if entries else 0,
            "bytes": sum(p.stat().st_size for p in _files(self.path) if p.exists()),
            "max_bytes": self.max_bytes,
            "hits": counters.get("hits", 0),
            "misses": counters.get("misses", 0),
            "stored": counters.get("stored", 0),
        }

    def clear(self) -> int:
        """Remove every entry (the counters too); returns how many there were."""
        entries = self._do("SELECT COUNT(*) FROM chunks")
        self._write(_delete_all)
        self._do("VACUUM")  # give the space back (it waits for, then skips, a busy run)
        return entries[0][0] if entries else 0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> TranslationStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- inside --

    def _connect(self, retry: bool = True) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version > SCHEMA_VERSION:
                    conn.close()
                    return self._give_up(f"it was made by a newer translate ({version})")
                if version == 0:  # before any table: evicting then shrinks the file
                    conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a kill -9
                conn.execute("PRAGMA journal_size_limit=8000000")
                if version == 0:
                    conn.executescript(_SCHEMA)
                    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                conn.execute("SELECT COUNT(*) FROM counters").fetchone()
            except BaseException:
                conn.close()
                raise
        except sqlite3.DatabaseError as exc:
            if _is_corrupt(exc) and retry:
                self._set_aside(exc)
                return self._connect(retry=False)
            return self._give_up(str(exc))
        except OSError as exc:
            return self._give_up(str(exc))
        self._conn = conn

    def _set_aside(self, exc: Exception) -> None:
        """Rename the corrupt store (and its journal files) out of the way, with a warning."""
        self.close()
        stamp = time.strftime("%Y%m%dT%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        log.warning(
            "the translation store %s is damaged (%s); set aside as %s, starting a new one",
            self.path,
            exc,
            aside.name,
        )
        for file, suffix in zip(_files(self.path), ("", "-wal", "-shm")):
            with contextlib.suppress(FileNotFoundError):
                file.rename(aside.with_name(aside.name + suffix))

    def _give_up(self, why: str) -> None:
        self.close()
        if not self._warned:
            log.warning("the translation store %s is not used: %s", self.path, why)
            self._warned = True

    def _do(self, sql: str, args: Iterable = ()) -> list | None:
        """Rows of a read, or None when the store cannot answer (it is then left alone, or
        set aside if corrupt)."""
        if self._conn is None:
            return None
        try:
            return self._conn.execute(sql, tuple(args)).fetchall()
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
            return None

    def _write(self, action) -> bool:
        """Run `action(conn)` in one immediate transaction; False if it could not be done."""
        if self._conn is None:
            return False
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                action(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return True
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
            return False

    def _failed(self, exc: sqlite3.DatabaseError) -> None:
        if _is_corrupt(exc):
            self._set_aside(exc)
            self._connect(retry=False)
        elif not self._warned:  # busy past the timeout, disk full, read-only: not kept
            log.warning("the translation store %s: %s (translations not kept)", self.path, exc)
            self._warned = True

    def _mark_used(self, conn, used: list[str], bad: list[str], hits: int, misses: int) -> None:
        now = time.time()
        for part in _parts(used):
            conn.execute(
                f"UPDATE chunks SET last_used = ? WHERE key IN ({_marks(part)})", (now, *part)
            )
        for part in _parts(bad):
            conn.execute(f"DELETE FROM chunks WHERE key IN ({_marks(part)})", part)
        _count(conn, "hits", hits)
        _count(conn, "misses", misses)

    def _evict(self, conn: sqlite3.Connection) -> None:
        """Past the bound, drop the least recently used entries down to 90 % of it."""
        total = conn.execute(
            f"SELECT COALESCE(SUM(bytes), 0) + COUNT(*) * {_ROW_OVERHEAD} FROM chunks"
        ).fetchone()[0]
        if total <= self.max_bytes:
            return
        excess = total - int(self.max_bytes * 0.9)
        conn.execute(
            "DELETE FROM chunks WHERE key IN (SELECT key FROM (SELECT key, SUM(bytes + ?) OVER "
            "(ORDER BY last_used, key) - (bytes + ?) AS before FROM chunks) WHERE before < ?)",
            (_ROW_OVERHEAD, _ROW_OVERHEAD, excess),
        )
        conn.execute("PRAGMA incremental_vacuum")


def _delete_all(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM chunks")
    conn.execute("DELETE FROM counters")


def _count(conn: sqlite3.Connection, name: str, amount: int) -> None:
    if amount:
        conn.execute(
            "INSERT INTO counters VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = value + excluded.value",
            (name, amount),
        )


def _checksum(key: str, english: str, meta: str) -> str:
    data = "\0".join((key, english, meta)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:16]


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _CORRUPT
    return "malformed" in str(exc) or "not a database" in str(exc)


def _files(path: Path) -> tuple[Path, Path, Path]:
    return path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


def _parts(keys: list[str]) -> list[list[str]]:
    return [keys[i : i + _IN_CHUNK] for i in range(0, len(keys), _IN_CHUNK)]


def _marks(part: list[str]) -> str:
    return ", ".join("?" * len(part))
