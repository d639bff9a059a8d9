"""The one thread that runs jobs, in rounds, through the flow `translate run` uses.

A round is the oldest waiting job and every other waiting job with the same document
options: they go through `iter_results` together, as a folder run's documents do, so their
sentences share decode batches (and every batch yields to interactive requests: see
engine.py). Jobs that arrive while a round runs wait for the next one. A job whose bytes
and settings match a finished job's is answered from that job's result instead of being
run again; two such jobs waiting together run once (the second waits a round and is then
answered from the first).

Stopping, and deleting every job of a round, take effect at the round's next progress
report (a decode batch, a document): `Cancelled` is raised from there, the flow's generator
is closed (its locks freed), and the round's unfinished jobs wait again, to be redone.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
import logging
import threading
import time
from pathlib import Path

from translate.config import RunOptions
from translate.display import display_name
from translate.engines.modelset import ModelSet
from translate.errors import TranslateError
from translate.flow.job import UP_TO_DATE, DocumentResult
from translate.flow.run import iter_results
from translate.inputs.discovery import discover
from translate.serve.jobs import folders
from translate.serve.jobs.store import DONE, FAILED, REFUSED, DocumentOptions, JobRecord, JobStore

log = logging.getLogger(__name__)

STORE_EVERY_S = 1.0  # progress reaches the store at most this often (and at each phase)
PRUNE_EVERY_S = 3600.0


class Cancelled(BaseException):
    """Raised from a round's progress report to stop it: a BaseException, so that the flow's
    per-document `except Exception` lets it through, as it lets Ctrl-C through."""


def run_options(base: RunOptions, options: DocumentOptions) -> RunOptions:
    """`run`'s options for a job: the service's, with the job's document options."""
    return dataclasses.replace(
        base,
        keep_translation=options.keep_translation,
        bilingual=options.bilingual,
        source_lang=options.source_lang,
        force=False,  # outputs a killed round finished are up to date: kept, not redone
        output_dir=None,
    )


def job_models(engine, options: RunOptions) -> ModelSet:
    """The engine's loaded, gated models, with a recipe that names the job's options (its
    source language), as `run`'s recipe does."""
    models = copy.copy(engine.job_models())
    models.options = options
    return models


def settings_key(recipe: dict, options: DocumentOptions) -> str:
    """What besides the bytes decides a job's result: the models and their settings (the
    recipe `run` fingerprints outputs with) and which outputs are asked for."""
    payload = {"recipe": recipe, **dataclasses.asdict(options)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Worker:
    def __init__(self, engine, store: JobStore, jobs_dir: Path, keep_days: float):
        self.engine, self.store, self.jobs_dir, self.keep_days = engine, store, jobs_dir, keep_days
        self._wake = threading.Condition()
        self._stopping = False
        self._round: set[str] = set()  # ids of the jobs running now
        self._deleted: set[str] = set()  # of those, the ones deleted meanwhile
        self._live: dict[str, dict] = {}  # running job id -> its round's phase and counts
        self._thread = threading.Thread(target=self._loop, name="translate-jobs", daemon=True)
        self._next_prune = 0.0

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        with self._wake:
            self._wake.notify()

    def stop(self, timeout: float) -> bool:
        """Stop at the next progress report; True if the thread ended within `timeout`."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def live(self, job_id: str) -> dict | None:
        with self._wake:
            phase = self._live.get(job_id)
            return dict(phase) if phase else None

    def delete(self, job_id: str) -> bool:
        """Forget a job. A running one's round stops if none of its jobs is left; else its
        result is dropped when it comes. False if there is no such job."""
        with self._wake:
            if not self.store.delete(job_id):
                return False
            if job_id in self._round:
                self._deleted.add(job_id)  # its folder goes when the round lets go of it
            else:
                folders.remove_folder(self.jobs_dir, job_id)
            return True

    def cancelled(self) -> bool:
        with self._wake:
            return self._stopping or bool(self._round) and self._round <= self._deleted

    def prune(self, orphans: bool = False) -> int:
        """Remove finished jobs older than keep_days; with `orphans`, also folders without a
        job (an upload cut off by a kill). Returns how many jobs were removed."""
        expired = self.store.finished_before(time.time() - self.keep_days * 86_400)
        for job_id in expired:
            self.delete(job_id)
        if orphans and self.jobs_dir.is_dir():
            known = self.store.ids()
            for folder in self.jobs_dir.iterdir():
                if folder.name not in known:
                    folders.remove_folder(self.jobs_dir, folder.name)
        return len(expired)

    def _loop(self) -> None:
        while True:
            with self._wake:
                if self._stopping:
                    return
            try:
                if time.monotonic() >= self._next_prune:
                    self._next_prune = time.monotonic() + PRUNE_EVERY_S
                    self.prune()
                jobs = self._take()
                if jobs:
                    self._run_round(jobs)
                    continue
            except Exception:  # the store or the disk failed: log it, keep serving
                log.exception("the job worker hit an error; it goes on")
            with self._wake:
                if not self._stopping:
                    self._wake.wait(1.0)

    def _take(self) -> list[JobRecord]:
        """The next round's jobs, marked running; jobs answered from stored results first."""
        with self._wake:
            waiting = [job for job in self.store.queued() if not self.reuse(job)]
            if not waiting:
                return []
            options, keys, round_ = waiting[0].options, set(), []
            for job in waiting:
                if job.options == options and job.settings_key + job.sha256 not in keys:
                    keys.add(job.settings_key + job.sha256)
                    round_.append(job)
                    self.store.mark_running(job.id)
            self._round, self._deleted = {job.id for job in round_}, set()
            return round_

    def reuse(self, job: JobRecord) -> bool:
        """Answer a waiting job from a finished job's result for the same bytes and settings
        (its outputs copied, under this job's name); False when there is none to use."""
        with self._wake:  # the earlier job is not deleted meanwhile
            earlier = self.store.finished_result(job.sha256, job.settings_key)
            return earlier is not None and earlier.id != job.id and self._copy(earlier, job)

    def _copy(self, earlier: JobRecord, job: JobRecord) -> bool:
        kinds = [kind for kind in folders.RESULTS if self._wants(job, kind)]
        try:
            folders.copy_outputs(
                [folders.result_path(self.jobs_dir, earlier.id, kind) for kind in kinds],
                [folders.result_path(self.jobs_dir, job.id, kind) for kind in kinds],
                earlier.name,
                job.name,
            )
        except TranslateError:  # the earlier result is damaged or gone: run it instead
            log.warning("job %s: the stored result of job %s is unusable", job.id, earlier.id)
            return False
        self.store.finish(job.id, DONE, reused_from=earlier.id)
        return True

    @staticmethod
    def _wants(job: JobRecord, kind: str) -> bool:
        return {"translation": job.keep_translation, "bilingual": job.bilingual}.get(kind, True)

    def _run_round(self, jobs: list[JobRecord]) -> None:
        pending = {job.id: job for job in jobs}  # not settled yet
        try:
            options = run_options(self.engine.options, jobs[0].options)
            documents, by_path = self._documents(jobs, pending)
            progress = RoundProgress(self, [by_path[d.path].id for d in documents])
            models = job_models(self.engine, options)
            with contextlib.closing(iter_results(documents, options, models, progress)) as results:
                for result in results:
                    job = by_path[result.path]
                    self._settle(pending.pop(job.id), result, progress.kind)
                    if self.cancelled():
                        raise Cancelled
        except Cancelled:
            for job in pending.values():
                self.store.requeue(job.id)
            pending = {}
        except Exception as exc:  # a round-wide error (e.g. a model failed): every job left
            log.debug("a round of %d jobs failed", len(jobs), exc_info=True)
            message = str(exc) if isinstance(exc, TranslateError) else repr(exc)
            for job in pending.values():
                self._end(job, FAILED, message)
            pending = {}
        finally:
            self._end_round()
        for job in pending.values():  # the flow gave no result for it (never expected)
            self._end(job, FAILED, "the run gave no result for this document")

    def _documents(self, jobs: list[JobRecord], pending: dict[str, JobRecord]):
        """The round's documents, oldest job first (the flow finishes them in this order),
        each writing to its job's out/ folder; and the job of each document's path."""
        by_path = {folders.source_path(self.jobs_dir, j.id, j.suffix): j for j in jobs}
        documents, dropped = discover(list(by_path))
        for drop in dropped:  # e.g. the upload was removed behind our back
            self._end(pending.pop(by_path[drop.path].id), FAILED, drop.reason)
        out = {d.path: folders.output_folder(self.jobs_dir, by_path[d.path].id) for d in documents}
        documents = [dataclasses.replace(d, output_dir=out[d.path]) for d in documents]
        documents.sort(key=lambda d: (by_path[d.path].created, by_path[d.path].id))
        return documents, by_path

    def _end_round(self) -> None:
        with self._wake:
            for job_id in self._deleted:
                folders.remove_folder(self.jobs_dir, job_id)
            for job_id in self._round:
                self._live.pop(job_id, None)
            self._round, self._deleted = set(), set()

    def _settle(self, job: JobRecord, result: DocumentResult, phase: str | None) -> None:
        if result.status == "written" or result.reason == UP_TO_DATE:
            try:
                folders.name_outputs(list(result.outputs), result.path, job.name)
            except TranslateError as exc:
                self._end(job, FAILED, str(exc))
                return
            self._end(job, DONE)
            return
        # Refused: what fails while documents are read (format, content, language, size);
        # failed: what goes wrong later, in the models or on writing.
        state = REFUSED if phase in (None, "read") else FAILED
        self._end(job, state, _as_named(result.reason or result.status, result.path, job.name))

    def _end(self, job: JobRecord, state: str, error: str | None = None) -> None:
        self.store.finish(job.id, state, error)
        with self._wake:
            self._live.pop(job.id, None)

    def publish(self, job_ids: list[str], phase: dict, to_store: bool) -> None:
        with self._wake:
            for job_id in job_ids:
                if job_id in self._round:
                    self._live[job_id] = dict(phase)
        if to_store:
            self.store.progress(job_ids, phase)


def _as_named(reason: str, path: Path, name: str) -> str:
    """`run`'s message, the stored file's path replaced by the client's name."""
    shown = display_name(name)
    reason = reason.removeprefix(f"{path}: ")
    return f"{shown}: {reason.replace(str(path), shown)}"


class RoundProgress:
    """A `translate.progress.Progress` for a round: each job in it shows the round's phase
    and counts; the store hears of them at most every STORE_EVERY_S. Raises Cancelled
    when the round is to stop."""

    def __init__(self, worker: Worker, job_ids: list[str]):
        self.worker, self.job_ids = worker, job_ids
        self.kind: str | None = None
        self._phase: dict = {}
        self._stored_at = 0.0

    def phase(self, kind: str, text: str, total: int | None = None, unit: str = "") -> None:
        self._check()
        self.kind = kind
        done = 0 if total is not None else None
        self._phase = {"phase": kind, "text": text, "done": done, "total": total, "unit": unit}
        self._report(force=True)

    def advance(self, amount: int = 1) -> None:
        self._check()
        if self._phase.get("done") is not None:
            self._phase["done"] += amount
            self._report(force=False)

    def _check(self) -> None:
        if self.worker.cancelled():
            raise Cancelled

    def _report(self, force: bool) -> None:
        now = time.monotonic()
        to_store = force or now - self._stored_at >= STORE_EVERY_S
        if to_store:
            self._stored_at = now
        self.worker.publish(self.job_ids, self._phase, to_store)
