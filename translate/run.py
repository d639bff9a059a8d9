"""Processing files: find documents, skip the ones done, translate and summarize the rest.

`iter_results` yields one result per document as soon as it is final, so a caller can show
progress and, when interrupted, still knows exactly what was done.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from translate import __version__
from translate.config import SUMMARY_SUFFIX, TRANSLATION_SUFFIX, RunOptions
from translate.errors import InputError, TranslateError, UnsupportedLanguageError
from translate.files import (
    Document,
    OutputLock,
    discover,
    output_names,
    read_document,
    write_atomic,
)
from translate.language import detect
from translate.models import ModelLocation, TextGenerator, load, locate, pick_device
from translate.output import fingerprint, is_up_to_date, render
from translate.pipeline import segment_for, summarize, translate_segmentations
from translate.segment import Segmentation

log = logging.getLogger(__name__)

# Translate this many chunks (of several documents) together before summarizing them:
# big enough for full batches, small enough that an interruption loses little work.
WAVE_CHUNKS = 256


@dataclass(frozen=True)
class DocumentResult:
    path: Path
    status: str  # written | skipped | failed
    outputs: tuple[Path, ...] = ()
    reason: str | None = None  # why it failed or was skipped
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


class ModelSet:
    """The two models of a run: located up front (cheap), loaded once on first use."""

    def __init__(self, options: RunOptions):
        self.options = options
        m = options.models
        self.mt_location: ModelLocation = locate(m.mt_model, m.mt_revision)
        self.summary_location: ModelLocation = locate(m.summary_model, m.summary_revision)
        # A GPU asked for but missing is a run-wide error, raised before any document is read;
        # "auto" and "cpu" need no check, so a run with nothing to do never imports torch.
        self._device: str | None = None if m.device in ("auto", "cpu") else pick_device(m.device)
        self._failed: dict[str, Exception] = {}
        self._translator: TextGenerator | None = None
        self._summarizer: TextGenerator | None = None

    @property
    def device(self) -> str:
        """The device, resolved when first needed: no torch import for runs with nothing to do."""
        if self._device is None:
            self._device = pick_device(self.options.models.device)
        return self._device

    @property
    def translator(self) -> TextGenerator:
        if self._translator is None:
            self._translator = self._load(self.mt_location)
        return self._translator

    @property
    def summarizer(self) -> TextGenerator:
        if self._summarizer is None:
            self._summarizer = self._load(self.summary_location)
        return self._summarizer

    def _load(self, location: ModelLocation) -> TextGenerator:
        if location.name in self._failed:  # don't retry a broken model for every document
            raise self._failed[location.name]
        m = self.options.models
        if m.threads:
            import torch

            torch.set_num_threads(m.threads)
        try:
            return load(location, self.device, backend=m.backend, quantize=m.quantize)
        except Exception as exc:
            self._failed[location.name] = exc
            raise

    def recipe(self) -> dict:
        """What, besides the source, decides the output: models, versions, settings."""
        o = self.options
        return {
            "translation_model": self.mt_location.name,
            "translation_model_revision": self.mt_location.revision,
            "summary_model": self.summary_location.name,
            "summary_model_revision": self.summary_location.revision,
            "backend": o.models.backend,
            "quantize": o.models.quantize,
            "translation_settings": _settings_dict(o.translation),
            "summary_settings": _settings_dict(o.summary),
            "chunk_tokens": o.chunk_tokens,
            "source_lang": o.source_lang,
        }


def _settings_dict(settings) -> dict:
    return {k: v for k, v in settings.__dict__.items() if v is not None}


@dataclass
class _Job:
    """A document that needs work, between reading it and writing its summary."""

    document: Document
    text: str
    sha256: str
    language: str
    summary_path: Path
    translation_path: Path | None
    fingerprint: str
    lock: OutputLock | None = None
    english_blocks: frozenset[int] = frozenset()
    segmentation: Segmentation | None = None

    @property
    def outputs(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.summary_path, self.translation_path) if p is not None)

    seconds: float = 0.0  # its share of the shared translation batches, then its own work


def iter_results(
    documents: list[Document], options: RunOptions, models: ModelSet | None = None
) -> Iterator[DocumentResult]:
    """Process `documents` (see `files.discover`), yielding a result for each as it is final.

    Raises:
        ModelNotAvailableError: a model cannot be found; raised before any document is read.
    """
    if not documents:
        return
    models = models or ModelSet(options)
    recipe = models.recipe()
    names = output_names(documents)
    # First read every input, so bad ones are reported at once, not after hours of work.
    jobs: list[_Job] = []
    for document in documents:
        try:
            job = _prepare(document, names[document.path], options, recipe)
        except Exception as exc:
            yield _failed(document.path, exc)
            continue
        if isinstance(job, DocumentResult):
            yield job
        else:
            jobs.append(job)
    wave: list[_Job] = []
    try:
        for job in jobs:
            try:
                claimed = _claim(job, options)
                if claimed is not None:
                    yield claimed
                    continue
                if job.language != "en":
                    job.segmentation = segment_for(
                        models.translator, job.text, options.chunk_tokens
                    )
            except Exception as exc:
                _release(job)
                yield _failed(job.document.path, exc)
                continue
            wave.append(job)
            if sum(len(j.segmentation.chunks) for j in wave if j.segmentation) >= WAVE_CHUNKS:
                yield from _finish_wave(wave, models, options)
                wave = []
        yield from _finish_wave(wave, models, options)
    finally:  # also on Ctrl-C: free the locks of documents not finished
        for job in wave:
            _release(job)


def _claim(job: _Job, options: RunOptions) -> DocumentResult | None:
    """Take the document's lock; a result instead if another run has it or has just done it."""
    lock = OutputLock(job.summary_path)
    outputs = job.outputs
    if not lock.acquire():
        return _skipped(
            job.document, outputs, f"another translate run is working on it ({lock.path.name})"
        )
    # The other run may have finished it since we looked: look again, under the lock.
    if not options.force and all(is_up_to_date(p, job.fingerprint) for p in outputs):
        lock.release()
        return _skipped(job.document, outputs, "done meanwhile by another run")
    job.lock = lock
    return None


def _release(job) -> None:
    if isinstance(job, _Job) and job.lock is not None:
        job.lock.release()
        job.lock = None


def _prepare(
    document: Document, stem: str, options: RunOptions, recipe: dict
) -> _Job | DocumentResult:
    """Read, decode and identify a document; decide whether it needs work at all."""
    data, decoded = read_document(document.path, options.max_input_bytes)
    sha256 = hashlib.sha256(data).hexdigest()
    summary_path = document.output_dir / f"{stem}{SUMMARY_SUFFIX}"
    translation_path = (
        document.output_dir / f"{stem}{TRANSLATION_SUFFIX}" if options.keep_translation else None
    )
    expected = fingerprint(sha256, recipe)
    outputs = tuple(p for p in (summary_path, translation_path) if p)
    if not options.force and all(is_up_to_date(p, expected) for p in outputs):
        return _skipped(document, outputs, "up to date; --force redoes it")
    language, english_blocks = _language(document.path, decoded.text, options.source_lang)
    return _Job(
        document=document,
        text=decoded.text,
        sha256=sha256,
        language=language,
        summary_path=summary_path,
        translation_path=translation_path,
        fingerprint=expected,
        english_blocks=english_blocks,
    )


def _failed(path: Path, exc: Exception) -> DocumentResult:
    """A failed document with a one-line reason; the traceback goes to the debug log."""
    if isinstance(exc, TranslateError):
        reason = str(exc) if str(exc).startswith(str(path)) else f"{path}: {exc}"
    else:
        log.debug("unexpected error on %s", path, exc_info=exc)
        reason = f"{path}: {type(exc).__name__}: {exc}"
    return DocumentResult(path=path, status="failed", reason=reason.splitlines()[0])


def _skipped(document: Document, outputs: tuple[Path, ...], reason: str) -> DocumentResult:
    return DocumentResult(path=document.path, status="skipped", outputs=outputs, reason=reason)


def _language(path: Path, text: str, forced: str | None) -> tuple[str, frozenset[int]]:
    """The language to treat the text as, and the English blocks to copy untranslated."""
    if forced == "de":
        return "de", frozenset()
    if forced == "en":
        return "en", frozenset()
    if forced:
        raise InputError(
            f"--source-lang {forced}: only de (translate) and en (summarize only) are supported"
        )
    report = detect(text)
    if report.language in ("de", "en"):
        return report.language, report.english_blocks if report.language == "de" else frozenset()
    shares = ", ".join(f"{lang} {share:.0%}" for lang, share in list(report.shares.items())[:3])
    raise UnsupportedLanguageError(
        f"{path}: the text looks like {report.language!r}, not German ({shares}); "
        "use --source-lang de to translate it anyway"
    )


def _finish_wave(
    wave: list[_Job], models: ModelSet, options: RunOptions
) -> Iterator[DocumentResult]:
    to_translate = [j for j in wave if j.segmentation is not None]
    translations: dict[int, str] = {}
    stats = {}
    if to_translate:
        started = time.perf_counter()
        try:
            texts, per_doc = translate_segmentations(
                models.translator,
                [j.segmentation for j in to_translate],
                options.translation,
                options.batch_tokens,
                keep_blocks=[j.english_blocks for j in to_translate],
            )
        except Exception as exc:  # the whole wave shares the batches, so it fails together
            for job in wave:
                _release(job)
                yield _failed(job.document.path, exc)
            return
        elapsed = time.perf_counter() - started
        total_chunks = max(1, sum(stat.chunks for stat in per_doc))
        for job, text, stat in zip(to_translate, texts, per_doc):
            translations[id(job)] = text
            stats[id(job)] = stat
            job.seconds += elapsed * stat.chunks / total_chunks
    for job in wave:
        try:
            result = _finish(
                job, translations.get(id(job), job.text), stats.get(id(job)), models, options
            )
        except Exception as exc:
            result = _failed(job.document.path, exc)
        finally:
            _release(job)
        yield result


def _finish(
    job: _Job, english: str, stats, models: ModelSet, options: RunOptions
) -> DocumentResult:
    started = time.perf_counter()
    # One window per call: batching 1,024-token windows gained nothing on 2 cores and cost
    # +1.3 GB with torch fp32 (measured: 17.1 s a window alone, 16.8 s four at once).
    summarizer = models.summarizer
    summary = summarize(summarizer, english, options.summary, summarizer.max_input_tokens)
    seconds = job.seconds + time.perf_counter() - started
    seg = job.segmentation
    counts = {
        "sentences": seg.sentence_count if seg else 0,
        "translation_chunks": stats.chunks if stats else 0,
        "recovered_chunks": stats.recovered if stats else 0,
        "summary_passes": summary.passes,
    }
    front = _front_matter(job, models, options, counts, seconds)
    outputs = [job.summary_path]
    if job.translation_path is not None:
        write_atomic(
            job.translation_path,
            render(front, f"English translation of {job.document.path.name}", english),
        )
        outputs.append(job.translation_path)
    write_atomic(
        job.summary_path,
        render(front, f"Summary of {job.document.path.name}", _notes(job, summary) + summary.text),
    )
    return DocumentResult(
        path=job.document.path,
        status="written",
        outputs=tuple(outputs),
        counts=counts,
        seconds=seconds,
    )


def _notes(job: _Job, summary) -> str:
    """Plain-words remarks for the reader on what was done differently from the usual."""
    notes = []
    if job.segmentation is None:
        notes.append("The source is in English: it was summarized without translation.")
    elif job.english_blocks:
        notes.append(
            f"{len(job.english_blocks)} paragraph(s) already in English were kept as they are."
        )
    if not summary.passes:
        notes.append("The document is no longer than a summary: this is its full text.")
    return "".join(f"_{note}_\n\n" for note in notes)


def _front_matter(
    job: _Job, models: ModelSet, options: RunOptions, counts: dict, seconds: float
) -> dict:
    translator_settings = (
        models.translator.describe(options.translation) if job.segmentation else None
    )
    return {
        "source": job.document.path.name,
        "source_sha256": job.sha256,
        "source_language": job.language,
        "translated": job.segmentation is not None,
        "english_paragraphs_kept": len(job.english_blocks),
        **{k: v for k, v in models.recipe().items() if not k.endswith("_settings")},
        "backend": models.summarizer.backend,  # what `auto` resolved to
        "device": models.device,
        "translation_settings": translator_settings,
        "summary_settings": models.summarizer.describe(options.summary),
        "seconds": round(seconds, 2),
        **counts,
        "generator": f"translate {__version__}",
        "fingerprint": job.fingerprint,
    }


def run_all(
    paths: Iterable[Path], options: RunOptions, models: ModelSet | None = None
) -> list[DocumentResult]:
    """Process every document under `paths` and return all results (the one-call entry point)."""
    documents, refused = discover(paths, options.recursive, options.output_dir)
    results = [DocumentResult(path=p, status="failed", reason=f"{p}: {why}") for p, why in refused]
    return results + list(iter_results(documents, options, models))


process_paths = run_all
