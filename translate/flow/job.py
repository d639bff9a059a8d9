"""A document becomes a job: read it, decide whether it needs work and in which language,
and claim its outputs; or a result that says why not (skipped, failed).

The first of the steps one document goes through (then `steps.py`: translate and summarize
in batches shared with other documents; `render.py`: make and write its outputs). Each step
is usable on its own, by `run.py` on one machine or by the distributed runner.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from translate.config import BILINGUAL_SUFFIX, SUMMARY_SUFFIX, TRANSLATION_SUFFIX, RunOptions
from translate.errors import InputError, TranslateError, UnsupportedLanguageError
from translate.flow.pipeline import Summary
from translate.inputs.discovery import Document, Dropped
from translate.inputs.extract import extract, max_file_bytes
from translate.inputs.files import read_source
from translate.outputs.front_matter import content_intact, fingerprint
from translate.outputs.writing import (
    OutputLock,
    check_replaceable,
    clean_leftovers_of_done,
    make_folders,
    outputs_up_to_date,
    remove_leftovers,
)
from translate.text.language import detect, language_name
from translate.text.segment import Segmentation
from translate.text.translated import DocumentTranslation, TranslationStats

log = logging.getLogger(__name__)

UP_TO_DATE = "up to date"  # the reason a document is skipped when its outputs are current


@dataclass(frozen=True)
class DocumentResult:
    path: Path
    status: str  # written | skipped | failed
    outputs: tuple[Path, ...] = ()
    reason: str | None = None  # why it failed or was skipped
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()  # what libraries warned of while reading it, one line each


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
    # batches; not model loading or conversion, which serve the whole run (docs/usage.md).
    seconds: float = 0.0
    english: str | None = None  # the translation, once done
    stats: TranslationStats | None = None
    summary: Summary | TranslateError | None = None  # once summarized (see summarize_jobs)
    translation: DocumentTranslation | None = None  # chunk by chunk, with the checks' verdicts
    translation_settings: dict | None = None  # as the translator that did it describes them
    notes: tuple[str, ...] = ()  # the format libraries' warnings while reading it (extract)

    @property
    def outputs(self) -> tuple[Path, ...]:
        paths = (self.summary_path, self.translation_path, self.bilingual_path)
        return tuple(p for p in paths if p is not None)


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
    if options.force:  # redone, but never over a file translate did not write
        check_replaceable(outputs)
    elif outputs_up_to_date(outputs, expected):
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
        notes=extracted.notes,
    )


def claim(job: Job, options: RunOptions) -> DocumentResult | None:
    """Take the document's lock; a result instead if another run has it or has just done it.

    Under the lock no other run writes these outputs: temporaries found now are leftovers
    of a killed run, and are removed.
    """
    make_folders(job.summary_path.parent, job.source_mode)
    outputs = job.outputs
    # The job holds its lock before the lock is taken: a signal landing just after it is
    # taken still finds it there to release (release() frees only a lock that is held).
    job.lock = lock = OutputLock(job.summary_path)
    if not lock.acquire():
        job.lock = None
        return skipped(
            job.document, outputs, f"another translate run is working on it ({lock.path.name})"
        )
    try:
        remove_leftovers(outputs)
        # The other run may have finished it since we looked: look again, under the lock
        # (and, with --force, that no file of someone else's has appeared there since).
        done = outputs_up_to_date(outputs, job.fingerprint) and not options.force
    except BaseException:
        release(job)
        raise
    if done:
        release(job)
        return skipped(job.document, outputs, "done meanwhile by another run")
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


def written_since(
    documents: list[Document], options: RunOptions, since_ns: int
) -> list[DocumentResult]:
    """The documents whose summary on disk is whole and was written at or after `since_ns`
    (`time.time_ns()`): after an interruption, the work done whose result never reached the
    caller (a Ray worker's, or a write that held the signal back until it was done)."""
    results = []
    for document in documents:
        folder, stem = document.output_dir, document.output_stem
        summary = folder / f"{stem}{SUMMARY_SUFFIX}"
        try:
            if summary.stat().st_mtime_ns < since_ns or not content_intact(summary):
                continue
        except OSError:
            continue
        wanted = (TRANSLATION_SUFFIX,) * options.keep_translation + (BILINGUAL_SUFFIX,) * (
            options.bilingual
        )
        others = [p for p in (folder / f"{stem}{suffix}" for suffix in wanted) if p.exists()]
        results.append(
            DocumentResult(
                path=document.path,
                status="written",
                outputs=(*others, summary),
                reason="written as the run was interrupted",
            )
        )
    return results


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
