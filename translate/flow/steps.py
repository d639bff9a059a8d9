"""The model steps, in batches shared by many documents: segment each job's text,
translate the jobs together, summarize them together; each job gets its share of the time.

Both runners (run.py, distributed/stages.py) go through here, so their outputs agree.
"""

from __future__ import annotations

import time

from translate.config import RunOptions
from translate.engines.common import TextGenerator
from translate.engines.modelset import ModelSet
from translate.flow.job import Job
from translate.flow.pipeline import segment_for_translation, summarize_many, translate_segmentations
from translate.flow.stored import StoredTranslation, store_for
from translate.progress import Progress
from translate.store import TranslationStore
from translate.text.roles import kept_verbatim, summary_text
from translate.text.segment import split_blocks, split_sentences
from translate.text.translated import DocumentTranslation


def segment_job(job: Job, counter: TextGenerator | None, chunk_tokens: int) -> None:
    """Split a German job into chunks for the translator (`counter` counts its tokens: the
    translator, or a tokenizer alone); count an English job's sentences. Both runners
    (run.py, distributed/stages.py) segment through here, so their outputs agree."""
    started = time.perf_counter()
    if job.language == "en":
        # By the rules of the language it is written in, even where en was forced.
        job.sentences = count_sentences(job.text, "de" if job.detected_language == "de" else "en")
    else:
        job.segmentation = segment_for_translation(counter, job.text, chunk_tokens)
        job.sentences = job.segmentation.sentence_count
    job.seconds += time.perf_counter() - started


def count_sentences(text: str, lang: str) -> int:
    return sum(len(split_sentences(text[s:e], lang)) for s, e in split_blocks(text))


def translate_jobs(
    jobs: list[Job],
    models: ModelSet,
    options: RunOptions,
    progress: Progress | None = None,
    store: TranslationStore | None = None,
) -> None:
    """Translate the segmented jobs together in shared batches; set each one's `english`,
    `stats`, and its share of the time. English sources keep their text.

    Chunks are looked up in the translation store first, and the others put in as each batch
    is done: `store`, or (no store given: a Ray worker) the one under this machine's
    TRANSLATE_CACHE, opened for this call; none with --no-cache (`options.cache`).

    Raises whatever the translator raises: the jobs share batches, so they fail together.
    """
    to_translate = [j for j in jobs if j.segmentation is not None]
    for job in jobs:
        if job.segmentation is None:
            job.english = job.text
    if not to_translate:
        return
    translator = models.translator  # loaded before the clock starts: loading is the run's
    own_store = store is None and options.cache
    started = time.perf_counter()
    if own_store:
        store = store_for(options)
    try:
        results = translate_segmentations(
            translator,
            [j.segmentation for j in to_translate],
            options.translation,
            options.batch_tokens,
            keep_blocks=[j.english_blocks | kept_verbatim(j.text) for j in to_translate],
            progress=progress,
            through=StoredTranslation.of(store, translator, models.recipe(), options).translate
            if options.cache  # --no-cache: every chunk translated, as before the store
            else None,
        )
    finally:
        if own_store and store is not None:
            store.close()
    elapsed = time.perf_counter() - started
    described = translator.describe(options.translation)
    for job, result in zip(to_translate, results):
        job.translation, job.english, job.stats = result, result.text, result.stats
        job.translation_settings = described
        job.seconds += elapsed * _share(result, results)


def _share(result: DocumentTranslation, results: list[DocumentTranslation]) -> float:
    """A document's share of a wave's translation time: by the chunks it had translated (a
    chunk from the store costs next to nothing), by all its chunks when none was."""
    translated = sum(r.stats.chunks - r.stats.from_store for r in results)
    if translated:
        return (result.stats.chunks - result.stats.from_store) / translated
    return result.stats.chunks / max(1, sum(r.stats.chunks for r in results))


def summarize_jobs(jobs: list[Job], models: ModelSet, options: RunOptions) -> None:
    """Summarize the jobs' English texts together (short documents' windows share batches);
    set each one's `summary` (or the error that stops it) and its share of the time."""
    if not jobs:
        return
    summarizer = models.summarizer  # loaded before the clock starts: loading is the run's
    started = time.perf_counter()
    # Batches of --batch-tokens padded tokens, as translation's (by default up to two full
    # 1,024-token windows; a longer window goes alone): CTranslate2 decodes shorter windows
    # two or more at a time, faster, and splits what its memory bound does not allow
    # (ct2.schedule._STATE_BYTES: the default run stays under 1.2 GB; docs/benchmarks.md).
    summaries = summarize_many(
        summarizer,
        # The summarizer reads prose: Markdown markers and table rules would be noise to it.
        [summary_text(job.english if job.english is not None else job.text) for job in jobs],
        options.summary,
        options.batch_tokens,
    )
    elapsed = time.perf_counter() - started
    sizes = [len(job.english if job.english is not None else job.text) or 1 for job in jobs]
    for job, summary, size in zip(jobs, summaries, sizes):
        job.summary = summary
        job.seconds += elapsed * size / sum(sizes)
