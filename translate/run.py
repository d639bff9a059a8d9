"""Processing files on one machine: find documents, skip the ones done, translate and
summarize the rest in waves that share translation batches across documents.

`iter_results` yields one result per document as soon as it is final, so a caller can show
progress and, when interrupted, still knows exactly what was done. The per-document steps
are in `steps.py`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from pathlib import Path

from translate.config import RunOptions
from translate.discovery import Document, discover
from translate.errors import ConfigError
from translate.modelset import ModelSet
from translate.pipeline import segment_for
from translate.steps import (
    DocumentResult,
    Job,
    claim,
    failed,
    from_dropped,
    prepare,
    release,
    render_outputs,
    summarize_jobs,
    translate_jobs,
    write_outputs,
)

log = logging.getLogger(__name__)

__all__ = ["DocumentResult", "ModelSet", "iter_results", "process_paths", "run_all"]

# Translate this many chunks (of several documents) together before summarizing them:
# big enough for full batches, small enough that an interruption loses little work.
WAVE_CHUNKS = 256
# Summarize this many documents of a wave together: short documents' windows then share
# batches (see pipeline.summarize_many), and results still come out every few documents.
SUMMARY_GROUP = 8


def iter_results(
    documents: list[Document], options: RunOptions, models: ModelSet | None = None
) -> Iterator[DocumentResult]:
    """Process `documents` (see `discovery.discover`), yielding a result for each as it is final.

    Raises:
        ModelNotAvailableError: a model cannot be found; raised before any document is read.
    """
    if not documents:
        return
    models = models or ModelSet(options)
    recipe = models.recipe()
    # First read every input, so bad ones are reported at once, not after hours of work.
    jobs: list[Job] = []
    for document in documents:
        try:
            job = prepare(document, options, recipe)
        except Exception as exc:
            yield failed(document.path, exc)
            continue
        if isinstance(job, DocumentResult):
            yield job
        else:
            jobs.append(job)
    wave: list[Job] = []
    try:
        for job in jobs:
            try:
                claimed = claim(job, options)
                if claimed is not None:
                    yield claimed
                    continue
                if job.language != "en":
                    job.segmentation = segment_for(
                        models.translator, job.text, options.chunk_tokens
                    )
            except ConfigError:  # fails every document alike: one run-wide error
                release(job)
                raise
            except Exception as exc:
                release(job)
                yield failed(job.document.path, exc)
                continue
            wave.append(job)
            if sum(len(j.segmentation.chunks) for j in wave if j.segmentation) >= WAVE_CHUNKS:
                yield from _finish_wave(wave, models, options)
                wave = []
        yield from _finish_wave(wave, models, options)
    finally:  # also on Ctrl-C: free the locks of documents not finished
        for job in wave:
            release(job)


def _finish_wave(
    wave: list[Job], models: ModelSet, options: RunOptions
) -> Iterator[DocumentResult]:
    try:
        translate_jobs(wave, models, options)
    except ConfigError:  # fails every document alike: one run-wide error (locks: see caller)
        raise
    except Exception as exc:  # the whole wave shares the batches, so it fails together
        for job in wave:
            release(job)
            yield failed(job.document.path, exc)
        return
    for start in range(0, len(wave), SUMMARY_GROUP):
        group = wave[start : start + SUMMARY_GROUP]
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
