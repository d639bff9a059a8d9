"""The jobs, in one SQLite file under the data folder.

WAL and a busy timeout, as the translation store uses them: each change is one short
transaction, so `kill -9` leaves every job as it was after its last change, never half
changed. The schema carries a version (`PRAGMA user_version`); a file made by a newer
version is refused rather than misread. One connection, shared by the worker thread and
the routes' threads under a lock: every statement is milliseconds.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path

from translate.errors import ConfigError

STORE_NAME = "jobs.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
QUEUED, RUNNING, DONE, FAILED, REFUSED = "queued", "running", "done", "failed", "refused"
ACTIVE = (QUEUED, RUNNING)
FINAL = (DONE, FAILED, REFUSED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    phase TEXT,
    phase_text TEXT,
    done INTEGER,
    total INTEGER,
    unit TEXT,
    keep_translation INTEGER NOT NULL,
    bilingual INTEGER NOT NULL,
    source_lang TEXT,
    name TEXT NOT NULL,
    suffix TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    error TEXT,
    reused_from TEXT);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created);
CREATE INDEX IF NOT EXISTS jobs_result ON jobs (sha256, settings_key, state);
"""


def new_job_id() -> str:
    """16 URL-safe characters (96 random bits): unguessable, and safe as a folder name."""
    return secrets.token_urlsafe(12)


@dataclass(frozen=True)
class DocumentOptions:
    """`run`'s options that a job may set for its own document."""

    keep_translation: bool = False
    bilingual: bool = False
    source_lang: str | None = None  # None: detect; de translates anything, en summarizes


@dataclass(frozen=True)
class JobRecord:
    id: str
    state: str
    phase: str | None
    phase_text: str | None
    done: int | None
    total: int | None
    unit: str | None
    keep_translation: bool
    bilingual: bool
    source_lang: str | None
    name: str  # the client's file name: shown, never used as a path
    suffix: str  # its suffix, lowercased, checked against the formats read (the stored name)
    sha256: str
    settings_key: str  # models, settings and document options: see worker.settings_key
    created: float
    started: float | None
    finished: float | None
    error: str | None
    reused_from: str | None  # the job whose finished result this one's was copied from

    @property
    def options(self) -> DocumentOptions:
        return DocumentOptions(self.keep_translation, self.bilingual, self.source_lang)


_COLUMNS = ", ".join(f.name for f in fields(JobRecord))


class JobStore:
    """Jobs by id. Raises ConfigError on opening a store it cannot use."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        try:
            self._conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")  # an answered 202 survives power loss
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"{path}: made by a newer version of translate (schema {version}); "
                    "use that version, or another --data-dir"
                )
            with self._conn:
                self._conn.executescript(_SCHEMA)
                self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"{path}: cannot open the job store ({exc})") from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _rows(self, sql: str, args: tuple = ()) -> list[JobRecord]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {_COLUMNS} FROM jobs {sql}", args).fetchall()
        return [_record(row) for row in rows]

    def _change(self, sql: str, args: tuple = ()) -> int:
        with self._lock, self._conn:
            return self._conn.execute(sql, args).rowcount

    def add(self, job: JobRecord) -> None:
        marks = ", ".join("?" * len(fields(JobRecord)))
        values = tuple(getattr(job, f.name) for f in fields(JobRecord))
        self._change(f"INSERT INTO jobs ({_COLUMNS}) VALUES ({marks})", values)

    def get(self, job_id: str) -> JobRecord | None:
        found = self._rows("WHERE id = ?", (job_id,))
        return found[0] if found else None

    def all(self, limit: int) -> list[JobRecord]:
        """The newest `limit` jobs, newest first."""
        return self._rows("ORDER BY created DESC, id LIMIT ?", (limit,))

    def queued(self) -> list[JobRecord]:
        """The waiting jobs, oldest first (the order they are taken in)."""
        return self._rows("WHERE state = ? ORDER BY created, id", (QUEUED,))

    def count_active(self) -> int:
        with self._lock:
            query = "SELECT COUNT(*) FROM jobs WHERE state IN (?, ?)"
            return self._conn.execute(query, ACTIVE).fetchone()[0]

    def finished_result(self, sha256: str, settings_key: str) -> JobRecord | None:
        """The newest finished job for these bytes and settings, if any."""
        found = self._rows(
            "WHERE sha256 = ? AND settings_key = ? AND state = ? ORDER BY finished DESC LIMIT 1",
            (sha256, settings_key, DONE),
        )
        return found[0] if found else None

    def mark_running(self, job_id: str) -> None:
        self._change(
            "UPDATE jobs SET state = ?, started = ? WHERE id = ?", (RUNNING, time.time(), job_id)
        )

    def requeue_running(self) -> int:
        """Jobs a stopped or killed service left running wait again (they are redone)."""
        return self._change(
            "UPDATE jobs SET state = ?, phase = NULL, phase_text = NULL, done = NULL, "
            "total = NULL, unit = NULL WHERE state = ?",
            (QUEUED, RUNNING),
        )

    def requeue(self, job_id: str) -> None:
        self._change(
            "UPDATE jobs SET state = ?, phase = NULL, phase_text = NULL, done = NULL, "
            "total = NULL, unit = NULL WHERE id = ? AND state = ?",
            (QUEUED, job_id, RUNNING),
        )

    def progress(self, job_ids: list[str], phase: dict) -> None:
        """The phase the jobs' round is in: kind, text, done, total, unit."""
        with self._lock, self._conn:
            self._conn.executemany(
                "UPDATE jobs SET phase = ?, phase_text = ?, done = ?, total = ?, unit = ? "
                "WHERE id = ? AND state = ?",
                [
                    (phase["phase"], phase["text"], phase["done"], phase["total"], phase["unit"])
                    + (job_id, RUNNING)
                    for job_id in job_ids
                ],
            )

    def finish(
        self, job_id: str, state: str, error: str | None = None, reused_from: str | None = None
    ) -> bool:
        """A job's end (done, failed or refused); False if it is gone (deleted meanwhile)."""
        return bool(
            self._change(
                "UPDATE jobs SET state = ?, error = ?, reused_from = ?, finished = ? WHERE id = ?",
                (state, error, reused_from, time.time(), job_id),
            )
        )

    def delete(self, job_id: str) -> bool:
        return bool(self._change("DELETE FROM jobs WHERE id = ?", (job_id,)))

    def finished_before(self, when: float) -> list[str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id FROM jobs WHERE state IN (?, ?, ?) AND finished < ?", (*FINAL, when)
            ).fetchall()
        return [row[0] for row in rows]

    def ids(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT id FROM jobs")}


def _record(row: tuple) -> JobRecord:
    values = dict(zip((f.name for f in fields(JobRecord)), row))
    values["keep_translation"] = bool(values["keep_translation"])
    values["bilingual"] = bool(values["bilingual"])
    return JobRecord(**values)
