"""The steps one document goes through, each usable on its own (by `run.py` on one machine,
or by a distributed runner): prepare (read, decide whether it needs work), claim its outputs,
translate (in waves shared with other documents), render its outputs, write them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from translate import __version__
from translate.config import BILINGUAL_SUFFIX, SUMMARY_SUFFIX, TRANSLATION_SUFFIX, RunOptions
from translate.display import display_name, utf8_name
from translate.engines.common import TextGenerator
from translate.engines.modelset import ModelSet
from translate.errors import InputError, TranslateError, UnsupportedLanguageError
from translate.flow.pipeline import (
    DocumentTranslation,
    Summary,
    TranslationStats,
    segment_for_translation,
    summarize_many,
    translate_segmentations,
)
from translate.inputs.discovery import Document, Dropped
from translate.inputs.extract import extract, max_file_bytes
from translate.inputs.files import read_source
from translate.outputs.front_matter import fingerprint, render
from translate.outputs.review import bilingual, marked_translation
from translate.outputs.writing import (
    OutputLock,
    clean_leftovers_of_done,
    make_folders,
    outputs_up_to_date,
    remove_leftovers,
    write_atomic,
)
from translate.progress import Progress
from translate.text.language import detect, language_name
from translate.text.segment import Segmentation, plain_text, split_blocks, split_sentences

log = logging.getLogger(__name__)

UP_TO_DATE = "up to date"  # the reason a document is skipped when its outputs are current
# Recipe entries the front matter leaves out: `quantize` is what was asked for, while each
# model's settings say what ran (compute_type: int8 even for --quantize none on CTranslate2).
_NOT_SHOWN = ("quantize",)


@dataclass(frozen=True)
class DocumentResult:
    path: Path
    status: str  # written | skipped | failed
    outputs: tuple[Path, ...] = ()
    reason: str | None = None  # why it failed or was skipped
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class Job:
    """A document that needs work, between reading it and writing its summary."""

    document: Document
    text: str
    sha256: str
    source_mode: int  # outputs are made no more readable than the input
    source: dict  # how its text was extracted: format, extractor, pages... (extract.py)
    language: str  # what it is treated as: de (translate) or en (summarize only)
    detected_language: str | None  # what language identification found (None: too little text)
    summary_path: Path
    translation_path: Path | None
    fingerprint: str
    bilingual_path: Path | None = None
    lock: OutputLock | None = None
    english_blocks: frozenset[int] = frozenset()
    segmentation: Segmentation | None = None  # None: nothing to translate (English source)
    sentences: int = 0  # sentences found in the source, by the rules of its language
    # Time spent on this document alone plus its share of the shared translation and summary
    # batches; not model loading or conversion, which serve the whole run (README: `seconds`).
    seconds: float = 0.0
    english: str | None = None  # the translation, once done
    stats: TranslationStats | None = None
    summary: Summary | TranslateError | None = None  # once summarized (see summarize_jobs)
    translation: DocumentTranslation | None = None  # chunk by chunk, with the checks' verdicts
    translation_settings: dict | None = None  # as the translator that did it describes them

    @property
    def outputs(self) -> tuple[Path, ...]:
        paths = (self.summary_path, self.translation_path, self.bilingual_path)
        return tuple(p for p in paths if p is not None)


@dataclass(frozen=True)
class Rendered:
    """A document's outputs, made and ready to write: path -> file text."""

    files: dict[Path, str]
    counts: dict
    seconds: float


def prepare(document: Document, options: RunOptions, recipe: dict) -> Job | DocumentResult:
    """Read a document, extract and identify its text; decide whether it needs work at all."""
    started = time.perf_counter()
    limit = max_file_bytes(document.path, options.max_input_bytes)
    source = read_source(document.path, limit, document.follow_symlinks)
    extracted = extract(document.path, source.data, options.max_input_bytes, ocr=options.ocr)
    sha256 = hashlib.sha256(source.data).hexdigest()
    stem = document.output_stem
    summary_path = document.output_dir / f"{stem}{SUMMARY_SUFFIX}"
    translation_path = (
        document.output_dir / f"{stem}{TRANSLATION_SUFFIX}" if options.keep_translation else None
    )
    if extracted.metadata.get("legacy_lines"):  # redo outputs made before mixed encodings
        recipe = {**recipe, "source_encoding": extracted.metadata["encoding"]}  # were read right
    bilingual_path = (
        document.output_dir / f"{stem}{BILINGUAL_SUFFIX}" if options.bilingual else None
    )
    expected = fingerprint(sha256, recipe)
    outputs = tuple(p for p in (summary_path, translation_path, bilingual_path) if p)
    if not options.force and outputs_up_to_date(outputs, expected):
        clean_leftovers_of_done(outputs)
        return skipped(document, outputs, UP_TO_DATE)
    language, detected, english_blocks = decide_language(
        document.path, extracted.text, options.source_lang
    )
    return Job(
        document=document,
        text=extracted.text,
        sha256=sha256,
        source_mode=source.mode,
        source=extracted.metadata,
        language=language,
        detected_language=detected,
        summary_path=summary_path,
        translation_path=translation_path,
        fingerprint=expected,
        bilingual_path=bilingual_path,
        english_blocks=english_blocks,
        seconds=time.perf_counter() - started,
    )


def claim(job: Job, options: RunOptions) -> DocumentResult | None:
    """Take the document's lock; a result instead if another run has it or has just done it.

    Under the lock no other run writes these outputs: temporaries found now are leftovers
    of a killed run, and are removed.
    """
    make_folders(job.summary_path.parent, job.source_mode)
    lock = OutputLock(job.summary_path)
    outputs = job.outputs
    if not lock.acquire():
        return skipped(
            job.document, outputs, f"another translate run is working on it ({lock.path.name})"
        )
    try:
        remove_leftovers(outputs)
        # The other run may have finished it since we looked: look again, under the lock.
        done = not options.force and outputs_up_to_date(outputs, job.fingerprint)
    except BaseException:
        lock.release()
        raise
    if done:
        lock.release()
        return skipped(job.document, outputs, "done meanwhile by another run")
    job.lock = lock
    return None


def release(job: Job) -> None:
    if job.lock is not None:
        job.lock.release()
        job.lock = None


def failed(path: Path, exc: Exception) -> DocumentResult:
    """A failed document with a one-line reason; the traceback goes to the debug log."""
    log.debug("%s failed", path, exc_info=exc)  # the traceback, shown with --verbose
    message = str(exc) if isinstance(exc, TranslateError) else f"{type(exc).__name__}: {exc}"
    # Cut the message to its first line, but never inside the file's name (it may hold one).
    message = message.removeprefix(f"{path}: ")
    first = message.splitlines()[0] if message.strip() else message
    return DocumentResult(path=path, status="failed", reason=f"{path}: {first}")


def from_dropped(drop: Dropped) -> DocumentResult:
    """The result for something discovery left out (a failed one's reason names it)."""
    reason = f"{drop.path}: {drop.reason}" if drop.status == "failed" else drop.reason
    return DocumentResult(path=drop.path, status=drop.status, reason=reason)


def skipped(document: Document, outputs: tuple[Path, ...], reason: str) -> DocumentResult:
    return DocumentResult(path=document.path, status="skipped", outputs=outputs, reason=reason)


def decide_language(
    path: Path, text: str, forced: str | None
) -> tuple[str, str | None, frozenset[int]]:
    """The language to treat the text as, the language detected (None: too little text to
    tell), and the English blocks to copy untranslated (none when a language is forced)."""
    if forced not in (None, "de", "en"):
        raise InputError(
            f"--source-lang {forced}: only de (translate) and en (summarize only) are supported"
        )
    report = detect(text)
    if forced:
        return forced, report.language, frozenset()
    if report.language in ("de", "en"):
        blocks = report.english_blocks if report.language == "de" else frozenset()
        return report.language, report.language, blocks
    if report.language is None:
        raise UnsupportedLanguageError(
            f"{path}: too little text to identify its language; "
            "use --source-lang de (or en) to process it anyway"
        )
    name = language_name(report.language)
    top = list(report.shares.items())[:3]
    shares = ", ".join(f"{language_name(lang)} {share:.0%}" for lang, share in top)
    mix = f" ({shares})" if len(top) > 1 else ""
    raise UnsupportedLanguageError(
        f"{path}: the text looks like {name} ({report.language}), not German{mix}; "
        "use --source-lang de to translate it anyway"
    )


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
    jobs: list[Job], models: ModelSet, options: RunOptions, progress: Progress | None = None
) -> None:
    """Translate the segmented jobs together in shared batches; set each one's `english`,
    `stats`, and its share of the time. English sources keep their text.

    Raises whatever the translator raises: the jobs share batches, so they fail together.
    """
    to_translate = [j for j in jobs if j.segmentation is not None]
    for job in jobs:
        if job.segmentation is None:
            job.english = job.text
    if not to_translate:
        return
    translator = models.translator  # loaded before the clock starts: loading is the run's
    started = time.perf_counter()
    results = translate_segmentations(
        translator,
        [j.segmentation for j in to_translate],
        options.translation,
        options.batch_tokens,
        keep_blocks=[j.english_blocks for j in to_translate],
        progress=progress,
    )
    elapsed = time.perf_counter() - started
    total_chunks = max(1, sum(r.stats.chunks for r in results))
    described = translator.describe(options.translation)
    for job, result in zip(to_translate, results):
        job.translation, job.english, job.stats = result, result.text, result.stats
        job.translation_settings = described
        job.seconds += elapsed * result.stats.chunks / total_chunks


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
    # (ct2._STATE_BYTES: the default run stays under 1.2 GB; docs/benchmarks.md).
    summaries = summarize_many(
        summarizer,
        # The summarizer reads prose: Markdown markers and table rules would be noise to it.
        [plain_text(job.english if job.english is not None else job.text) for job in jobs],
        options.summary,
        options.batch_tokens,
    )
    elapsed = time.perf_counter() - started
    sizes = [len(job.english if job.english is not None else job.text) or 1 for job in jobs]
    for job, summary, size in zip(jobs, summaries, sizes):
        job.summary = summary
        job.seconds += elapsed * size / sum(sizes)


def render_outputs(job: Job, models: ModelSet, options: RunOptions) -> Rendered:
    """Make the job's output files (not written yet), summarizing it first if not done."""
    if job.summary is None:
        summarize_jobs([job], models, options)
    if isinstance(job.summary, TranslateError):
        raise job.summary
    started = time.perf_counter()
    english = job.english if job.english is not None else job.text
    summary = job.summary
    seconds = job.seconds + time.perf_counter() - started
    stats = job.stats
    counts = {
        "sentences": job.sentences,
        "translation_chunks": stats.chunks if stats else 0,
        "recovered_chunks": stats.recovered if stats else 0,
        "retranslated_chunks": stats.retranslated if stats else 0,
        "suspect_chunks": stats.suspect if stats else 0,
        "summary_passes": summary.passes,
    }
    front = _front_matter(job, models, options, counts, seconds)
    name = display_name(job.document.path.name)
    files = {}
    if job.translation_path is not None:
        body = marked_translation(job.translation) if job.translation else english
        files[job.translation_path] = render(front, f"English translation of {name}", body)
    if job.bilingual_path is not None:
        body = bilingual(job.translation) if job.translation else _untranslated(job.text)
        files[job.bilingual_path] = render(front, f"German and English: {name}", body)
    files[job.summary_path] = render(
        front, f"Summary of {name}", _notes(job, summary) + summary.text
    )
    return Rendered(files=files, counts=counts, seconds=seconds)


def write_outputs(job: Job, rendered: Rendered) -> DocumentResult:
    """Write the rendered files atomically (the summary last: it marks the document done)."""
    for path, text in rendered.files.items():
        write_atomic(path, text, job.source_mode)
    return DocumentResult(
        path=job.document.path,
        status="written",
        outputs=tuple(rendered.files),
        counts=rendered.counts,
        seconds=rendered.seconds,
    )


def _notes(job: Job, summary) -> str:
    """Plain-words remarks for the reader on what was done differently from the usual."""
    notes = []
    if job.segmentation is None:
        notes.append("The source is in English: it was summarized without translation.")
    elif job.english_blocks:
        notes.append(
            f"{len(job.english_blocks)} paragraph(s) already in English were kept as they are."
        )
    if job.source.get("legacy_lines"):
        notes.append(
            f"{job.source['legacy_lines']} line(s) of the source were not UTF-8 and were read "
            f"as {job.source['encoding'].split('+')[-1]}."
        )
    suspect = job.stats.suspect if job.stats else 0
    if suspect:
        notes.append(
            f"{suspect} passage(s) of the translation may have lost content (a number, a "
            "sentence, or its end is missing even when translated sentence by sentence); "
            "--keep-translation and --bilingual mark them for checking against the source."
        )
    if not summary.passes:
        notes.append("The document is no longer than a summary: this is its full text.")
    if job.source.get("pages_without_text"):
        pages = ", ".join(map(str, job.source["pages_without_text"]))
        notes.append(
            f"Page(s) {pages} have no text layer (scanned?) and were not read (--ocr reads them)."
        )
    if job.source.get("attachments"):
        notes.append(f"Attachments, not translated: {', '.join(job.source['attachments'])}.")
    return "".join(f"_{note}_\n\n" for note in notes)


def _front_matter(
    job: Job, models: ModelSet, options: RunOptions, counts: dict, seconds: float
) -> dict:
    source = {k: v for k, v in job.source.items() if k != "legacy_lines"}
    encoding = source.pop("encoding", None)
    return {
        "source": utf8_name(_source_from(job.summary_path.parent, job.document.path)),
        "source_sha256": job.sha256,  # of the file's bytes, whatever its format
        **({"source_encoding": encoding} if encoding else {}),
        "source_format": source.pop("format", None),
        **source,  # extractor (library and version); pages, attachments...
        "source_language": job.language,
        "detected_language": job.detected_language,
        "translated": job.segmentation is not None,
        "english_paragraphs_kept": len(job.english_blocks),
        **{
            k: v
            for k, v in models.recipe().items()
            if not k.endswith("_settings") and k not in _NOT_SHOWN
        },
        "backend": models.summarizer.backend,  # what `auto` resolved to
        "device": models.device,
        "translation_settings": job.translation_settings,
        "summary_settings": models.summarizer.describe(options.summary),
        "seconds": round(seconds, 2),
        **counts,
        "generator": f"translate {__version__}",
        "fingerprint": job.fingerprint,
    }


def _source_from(folder: Path, source: Path) -> str:
    """The input as a path from the output's folder, so a reader of the output finds it
    ("report.txt" beside it; "../../inbox/report.txt" from under --output-dir)."""
    try:
        return Path(os.path.relpath(source.absolute(), folder.absolute())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return source.absolute().as_posix()


def _untranslated(text: str) -> str:
    return "_The source is in English: nothing was translated._\n\n" + text.strip()
