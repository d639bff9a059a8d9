"""Document jobs for the app: the data folder (taken by one service at a time), the store,
the worker, and what the routes ask of them.

An accepted job is never lost: its bytes are on disk (fsync'd) and its row committed before
the 202 is answered. On start, jobs a stopped or killed service left running wait again and
are redone from their upload (outputs a killed round had finished already are kept: `run`
finds them up to date). Finished jobs are removed after `keep_days`, at start and hourly.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from filelock import FileLock, Timeout

from translate.errors import ConfigError, InputError
from translate.serve.errors import ApiError
from translate.serve.jobs import folders
from translate.serve.jobs.store import (
    DONE,
    QUEUED,
    STORE_NAME,
    DocumentOptions,
    JobRecord,
    JobStore,
    new_job_id,
)
from translate.serve.jobs.worker import Worker, job_models, run_options, settings_key

log = logging.getLogger(__name__)

LOCK_NAME = "service.lock"
JOBS_FOLDER = "jobs"
STOP_TIMEOUT_S = 20.0  # a round stops at its next progress report: a batch, a summary
RETRY_AFTER_S = 30  # a full queue: about the time a short document takes on a CPU


def take_data_dir(data_dir: Path) -> FileLock:
    """The data folder's lock, held while the service lives (the OS frees it if the process
    dies). Raises ConfigError when another service holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(data_dir / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise ConfigError(
            f"another translate serve is already using the data folder {data_dir}; "
            "stop it first, or give this one another --data-dir"
        ) from None
    return lock


class JobService:
    """The jobs of one service: made (taking the data folder) before the server starts,
    so a second service is refused before it listens; `start` before use, `stop` on the
    way out.

    Raises (on construction) ConfigError when another service has the data folder.
    """

    def __init__(self, engine, settings):
        self.engine = engine
        self.settings = settings
        self.data_dir = Path(settings.data_dir)
        self.jobs_dir = self.data_dir / JOBS_FOLDER
        self.store: JobStore | None = None
        self.worker: Worker | None = None
        self._lock = take_data_dir(self.data_dir)
        self._admit = threading.Lock()  # the queue's bound: counted and added as one step
        # Set when the service stops: event streams and waiting /v1/summarize calls end, so
        # the server's shutdown, which waits for open responses, is not held up by them.
        self.closing = threading.Event()

    def start(self) -> None:
        """Open the store, resume waiting and interrupted jobs, prune old ones, start the
        worker.

        Raises:
            ConfigError: the store is unusable (e.g. made by a newer version).
        """
        try:
            self.store = JobStore(self.data_dir / STORE_NAME)
            resumed = self.store.requeue_running()
            if resumed:
                log.info("%d job(s) interrupted by the last stop will be redone", resumed)
            self.worker = Worker(self.engine, self.store, self.jobs_dir, self.settings.keep_days)
            self.worker.prune(orphans=True)
        except BaseException:
            self._lock.release()
            raise
        self.worker.start()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Take no more jobs; the running round finishes its document or waits again (it is
        redone on the next start). Returns within about `timeout` seconds."""
        self.closing.set()
        if self.worker is None or self.store is None:
            self._lock.release()
            return
        if self.worker.stop(timeout):
            self.store.close()
            self._lock.release()
        else:  # still in a model call: the process's exit ends it; the next start redoes it
            log.warning("a job was still running at exit; it will be redone on the next start")

    @property
    def queue_length(self) -> int:
        """Jobs waiting or running."""
        return self.store.count_active() if self.store is not None else 0

    def submit(self, name: str, data: bytes, options: DocumentOptions) -> JobRecord:
        """Keep an upload as a new job, durably, and wake the worker.

        Raises:
            ApiError: 400 for a format `run` does not read; 429 when the queue is full.
        """
        try:
            suffix = folders.checked_suffix(name)
        except InputError as exc:
            raise ApiError(400, str(exc)) from None
        recipe = job_models(self.engine, run_options(self.engine.options, options)).recipe()
        key = settings_key(recipe, options)
        with self._admit:
            if self.store.count_active() >= self.settings.max_queue:
                raise ApiError(
                    429,
                    f"the queue is full ({self.settings.max_queue} jobs); try again later",
                    {"Retry-After": str(RETRY_AFTER_S)},
                )
            job_id = new_job_id()
            target = folders.source_path(self.jobs_dir, job_id, suffix)
            sha256 = folders.save_upload(data, target)
            job = JobRecord(
                id=job_id,
                state=QUEUED,
                phase=None,
                phase_text=None,
                done=None,
                total=None,
                unit=None,
                keep_translation=options.keep_translation,
                bilingual=options.bilingual,
                source_lang=options.source_lang,
                name=name,
                suffix=suffix,
                sha256=sha256,
                settings_key=key,
                created=time.time(),
                started=None,
                finished=None,
                error=None,
                reused_from=None,
            )
            self.store.add(job)
        if self.worker.reuse(job):  # answered now from a stored result: 202 says done
            return self.store.get(job.id) or job
        self.worker.wake()
        return job

    def job(self, job_id: str) -> tuple[JobRecord, dict | None]:
        """A job and, while it runs, its round's phase and counts now.

        Raises:
            ApiError: 404 when there is no such job.
        """
        job = self.store.get(job_id)
        if job is None:
            raise ApiError(404, f"no job {job_id}")
        return job, self.worker.live(job_id)

    def live(self, job_id: str) -> dict | None:
        """A running job's round's phase and counts now (None when not running)."""
        return self.worker.live(job_id)

    def jobs(self, limit: int) -> list[JobRecord]:
        return self.store.all(limit)

    def delete(self, job_id: str) -> None:
        if not self.worker.delete(job_id):
            raise ApiError(404, f"no job {job_id}")

    def result(self, job_id: str, kind: str) -> Path:
        """The file of a finished job's result: summary, translation or bilingual.

        Raises:
            ApiError: 404 for no such job or a result it was not asked for; 409 while it
                is not done.
        """
        job, _ = self.job(job_id)
        if job.state != DONE:
            why = f": {job.error}" if job.error else ""
            raise ApiError(409, f"job {job_id} is {job.state}{why}; it has no results")
        option = {"translation": "keep_translation", "bilingual": "bilingual"}.get(kind)
        if option and not getattr(job, option):
            raise ApiError(404, f"job {job_id} was not asked for a {kind} ({option})")
        path = folders.result_path(self.jobs_dir, job_id, kind)
        if not path.is_file():
            raise ApiError(404, f"job {job_id}: its {kind} is gone")
        return path
