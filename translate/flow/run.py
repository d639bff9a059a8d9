"""Processing files on one machine: find documents, skip the ones done, translate and
summarize the rest in waves that share translation batches across documents.

`iter_results` yields one result per document as soon as it is final, so a caller can show
progress and, when interrupted, still knows exactly what was done. The per-document steps
are in `job.py` (read, decide, claim), `steps.py` (the model steps) and `render.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from translate.config import RunOptions
from translate.engines.modelset import ModelSet
from translate.errors import ConfigError
from translate.flow.job import DocumentResult, Job, claim, failed, from_dropped, prepare, release
from translate.flow.render import render_outputs, write_outputs
from translate.flow.steps import segment_job, summarize_jobs, translate_jobs
from translate.flow.stored import store_for
from translate.inputs.discovery import Document, discover
from translate.progress import NoProgress, Progress
from translate.store import TranslationStore

log = logging.getLogger(__name__)

__all__ = ["DocumentResult", "ModelSet", "iter_results", "process_paths", "run_all"]

# Translate this many chunks (of several documents) together before summarizing them:
# big enough for full batches, small enough that an interruption loses little work.
WAVE_CHUNKS = 256
# The first wave of each block holds this many chunks, and each next one twice as many up to
# WAVE_CHUNKS: the first documents are written early, later waves batch as fully as before
# (docs/store.md: the first output at ~10 % of a 25-document run instead of ~65 %).
FIRST_WAVE_CHUNKS = 32
# A wave never spans two blocks of this many documents (in the run's order): a Ray run
# prepares each block in its own task, and both runs then batch, and so translate, alike.
WAVE_DOCUMENTS = 64
# Summarize this many documents of a wave together: short documents' windows then share
# batches (see pipeline.summarize_many), and results still come out every few documents.
SUMMARY_GROUP = 8


def summary_groups(wave: list[Job]) -> list[list[Job]]:
    """The documents of a wave that are summarized together, in order (a Ray run too)."""
    return [wave[start : start + SUMMARY_GROUP] for start in range(0, len(wave), SUMMARY_GROUP)]


def wave_is_full(wave: list[Job], limit: int | None = None) -> bool:
    chunks = sum(len(j.segmentation.chunks) for j in wave if j.segmentation)
    return chunks >= (WAVE_CHUNKS if limit is None else limit)


def wave_limit(number: int) -> int:
    """How many chunks the `number`th wave of a block (from 0) holds: growing to WAVE_CHUNKS."""
    return min(WAVE_CHUNKS, FIRST_WAVE_CHUNKS << min(number, 16))


def plan_waves(jobs: Iterable[tuple[int, Job]]) -> Iterator[list[Job]]:
    """Group segmented jobs, each with its document's index in the run, into the waves that
    are translated together: in order, closed when full (`wave_limit`: each block's first
    waves are small, so that its first documents are written early) or at a block boundary."""
    wave: list[Job] = []
    block = None
    number = 0  # of the wave in its block
    for index, job in jobs:
        if index // WAVE_DOCUMENTS != block:
            if wave:
                yield wave
                wave = []
            number = 0
        block = index // WAVE_DOCUMENTS
        wave.append(job)
        if wave_is_full(wave, wave_limit(number)):
            yield wave
            wave = []
            number += 1
    if wave:
        yield wave


def iter_results(
    documents: list[Document],
    options: RunOptions,
    models: ModelSet | None = None,
    progress: Progress | None = None,
) -> Iterator[DocumentResult]:
    """Process `documents` (see `discovery.discover`), yielding a result for each as it is final.

    `progress` hears of each phase (locating and loading models, reading, translating,
    summarizing) and of the work done in it.

    Raises:
        TranslateError: a run-wide problem, before any output is written: a model that is
            not available or cannot be loaded, a device that is not there.
    """
    if not documents:
        return
    progress = progress or NoProgress()
    models = models or ModelSet(options, progress)
    # First read every input, so bad ones are reported at once, not after hours of work.
    jobs: list[Job] = []
    for result in _prepare_all(documents, options, models.recipe(), progress):
        if isinstance(result, Job):
            jobs.append(result)
        else:
            yield result
    index_of = {document.path: i for i, document in enumerate(documents)}
    set_aside: list[DocumentResult] = []  # skipped or failed while waves form: said next
    claimed: list[Job] = []  # whose locks the `finally` below frees, if still held
    store, opened = None, False
    try:
        ready = _ready(jobs, options, models, set_aside, claimed)
        for wave in plan_waves((index_of[job.document.path], job) for job in ready):
            # One translation store for the run, opened when first needed, once the models
            # are loaded (a run that cannot start says only why). None: --no-cache, or it
            # cannot be opened (a warning said why): the run goes on as with --no-cache.
            if not opened and any(job.segmentation is not None for job in wave):
                store, opened = store_for(options), True
                options = options if store is not None else replace(options, cache=False)
            yield from _drain(set_aside)
            yield from _finish_wave(wave, models, options, progress, store)
        yield from _drain(set_aside)
    finally:  # also on Ctrl-C: free the locks of documents not finished
        for job in claimed:
            release(job)
        if store is not None:
            store.close()


def _ready(
    jobs: list[Job],
    options: RunOptions,
    models: ModelSet,
    set_aside: list[DocumentResult],
    claimed: list[Job],
) -> Iterator[Job]:
    """The jobs this run claims and segments, in order; the others' results set aside."""
    loaded = False
    for job in jobs:
        claimed.append(job)  # before its lock is taken: freed by the caller, whatever lands
        result = _claim(job, options)
        if result is not None:
            set_aside.append(result)
            continue
        if not loaded:  # a model that fails to load fails the run once, here
            models.load(translation=any(j.language != "en" for j in jobs))
            loaded = True
        result = _segment(job, models, options)
        if result is not None:
            set_aside.append(result)
            continue
        yield job


def _drain(results: list[DocumentResult]) -> Iterator[DocumentResult]:
    while results:
        yield results.pop(0)


def _prepare_all(
    documents: list[Document], options: RunOptions, recipe: dict, progress: Progress
) -> Iterator[Job | DocumentResult]:
    progress.phase("read", "reading the documents", total=len(documents), unit="documents")
    for document in documents:
        try:
            yield prepare(document, options, recipe)
        except Exception as exc:
            yield failed(document.path, exc)
        progress.advance()


def _claim(job: Job, options: RunOptions) -> DocumentResult | None:
    """None when the job is ours to do; else why not (done, or another run has it)."""
    try:
        return claim(job, options)
    except Exception as exc:
        return failed(job.document.path, exc)


def _segment(job: Job, models: ModelSet, options: RunOptions) -> DocumentResult | None:
    """Split a German job into chunks for the translator; a failure's result, else None."""
    try:
        translator = models.translator if job.language != "en" else None
        segment_job(job, translator, options.chunk_tokens)
    except Exception as exc:
        release(job)
        return failed(job.document.path, exc)
    return None


def _finish_wave(
    wave: list[Job],
    models: ModelSet,
    options: RunOptions,
    progress: Progress,
    store: TranslationStore | None = None,
) -> Iterator[DocumentResult]:
    if not wave:
        return
    try:
        translate_jobs(wave, models, options, progress, store)
    except ConfigError:  # fails every document alike: one run-wide error (locks: see caller)
        raise
    except Exception as exc:  # the whole wave shares the batches, so it fails together
        for job in wave:
            release(job)
            yield failed(job.document.path, exc)
        return
    progress.phase("summarize", "summarizing", total=len(wave), unit="documents")
    for group in summary_groups(wave):
        try:
            summarize_jobs(group, models, options)  # their windows share batches
        except ConfigError:
            raise
        except Exception:  # e.g. the summarizer failed to load: each job then fails alone
            log.debug("summarizing documents together failed", exc_info=True)
        for job in group:
            try:
                result = write_outputs(job, render_outputs(job, models, options))
            except ConfigError:
                raise
            except Exception as exc:
                result = failed(job.document.path, exc)
            finally:
                release(job)
            progress.advance()
            yield result


def run_all(
    paths: Iterable[Path], options: RunOptions, models: ModelSet | None = None
) -> list[DocumentResult]:
    """Process every document under `paths` and return all results (the one-call entry point)."""
    documents, dropped = discover(
        list(paths),
        options.recursive,
        options.output_dir,
        options.follow_symlinks,
        include=options.include,
        exclude=options.exclude,
    )
    results = [from_dropped(drop) for drop in dropped]
    return results + list(iter_results(documents, options, models))


process_paths = run_all
