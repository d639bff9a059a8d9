"""A job's outputs: the summary, and on request the translation and the bilingual view,
each with the same front matter; made first, then written atomically (the summary last).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from translate.config import VERSION, RunOptions
from translate.display import display_name, utf8_name
from translate.engines.modelset import ModelSet
from translate.errors import TranslateError
from translate.flow.job import DocumentResult, Job
from translate.flow.steps import summarize_jobs
from translate.outputs.front_matter import render
from translate.outputs.markdown import md_text
from translate.outputs.review import bilingual, marked_translation
from translate.outputs.writing import write_atomic
from translate.text.blocks import first_heading

# Recipe entries the front matter leaves out: `quantize` is what was asked for, while each
# model's settings say what ran (compute_type: int8 even for --quantize none on CTranslate2).
_NOT_SHOWN = ("quantize",)


@dataclass(frozen=True)
class Rendered:
    """A document's outputs, made and ready to write: path -> file text."""

    files: dict[Path, str]
    counts: dict
    seconds: float


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
        "words": len(job.text.split()),
        "sentences": job.sentences,
        "translation_chunks": stats.chunks if stats else 0,
        "recovered_chunks": stats.recovered if stats else 0,
        "retranslated_chunks": stats.retranslated if stats else 0,
        "suspect_chunks": stats.suspect if stats else 0,
        "chunks_from_store": stats.from_store if stats else 0,
        "summary_passes": summary.passes,
    }
    front = _front_matter(job, models, options, counts, seconds)
    name = md_text(display_name(job.document.path.name))  # a name is never markup
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
        warnings=job.notes,
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
        names = ", ".join(md_text(name) for name in job.source["attachments"])
        notes.append(f"Attachments, not translated: {names}.")
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
        # The document's own title: an e-book's, else its first heading (the digest's entry).
        "title": source.pop("source_title", None) or first_heading(job.text),
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
        "generator": f"translate {VERSION}",
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
