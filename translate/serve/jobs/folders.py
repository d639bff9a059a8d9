"""A job's folder, `<data dir>/jobs/<id>/`: the upload as `source<suffix>`, the outputs
under `out/`. Paths come from the job's id and a checked suffix only; the client's file
name (made safe by params.safe_name) is kept as text, and shown in the outputs where
`translate run` shows the input's name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from pathlib import Path

from translate.config import BILINGUAL_SUFFIX, INPUT_SUFFIXES, SUMMARY_SUFFIX, TRANSLATION_SUFFIX
from translate.display import display_name, utf8_name
from translate.errors import InputError
from translate.outputs.front_matter import CONTENT_BYTES_KEY, CONTENT_KEY, read_intact, render
from translate.outputs.markdown import md_text
from translate.outputs.writing import write_atomic

STEM = "source"
RESULTS = {
    "summary": SUMMARY_SUFFIX,
    "translation": TRANSLATION_SUFFIX,
    "bilingual": BILINGUAL_SUFFIX,
}
# The titles render.py gives each output, before the document's name.
_TITLES = ("Summary of ", "English translation of ", "German and English: ")


def checked_suffix(name: str) -> str:
    """The name's suffix, lowercased, if it is a format `run` reads.

    Raises:
        InputError: as `run` words it for a file of another format.
    """
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in INPUT_SUFFIXES:
        raise InputError(
            f"{display_name(name)}: {suffix or 'files without a suffix'} is not a format "
            f"this tool reads ({', '.join(INPUT_SUFFIXES)})"
        )
    return suffix


def job_folder(jobs_dir: Path, job_id: str) -> Path:
    return jobs_dir / job_id


def source_path(jobs_dir: Path, job_id: str, suffix: str) -> Path:
    return jobs_dir / job_id / f"{STEM}{suffix}"


def output_folder(jobs_dir: Path, job_id: str) -> Path:
    return jobs_dir / job_id / "out"


def result_path(jobs_dir: Path, job_id: str, kind: str) -> Path:
    return output_folder(jobs_dir, job_id) / f"{STEM}{RESULTS[kind]}"


def save_upload(data: bytes, target: Path) -> str:
    """Keep the upload at `target` durably (the file and its folder fsync'd: an answered
    202 survives a power cut); its sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    try:
        with open(partial, "xb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
        sync_folder(target.parent)
        sync_folder(target.parent.parent)  # the job's folder itself
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return hashlib.sha256(data).hexdigest()


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_folder(jobs_dir: Path, job_id: str) -> None:
    shutil.rmtree(job_folder(jobs_dir, job_id), ignore_errors=True)


def name_outputs(outputs: list[Path], stored: Path, name: str) -> None:
    """Give the outputs the client's name where `run` shows the input's: the title and the
    front matter's `source` (the file's path on this machine means nothing to a client).
    So a job's summary is the one `run` writes beside a file of that name."""
    for path in outputs:
        rename_document(path, path, md_text(display_name(stored.name)), name)


def copy_outputs(sources: list[Path], targets: list[Path], earlier_name: str, name: str) -> None:
    """An earlier job's outputs for the same bytes and settings, under this job's name."""
    for source, target in zip(sources, targets):
        rename_document(source, target, md_text(display_name(earlier_name)), name)


def rename_document(source: Path, target: Path, shown: str, name: str) -> None:
    """Write `source`'s output to `target`, the document it is of called `name` instead of
    `shown` (as its title shows it). Raises InputError if `source` is not intact."""
    intact = read_intact(source)
    if intact is None:
        raise InputError(f"{source.name}: the stored result is damaged")
    front, content = intact
    title, _, body = content.removeprefix("\n# ").partition("\n\n")
    for prefix in _TITLES:
        if title == prefix + shown:
            title = prefix + md_text(display_name(name))
    front = {k: v for k, v in front.items() if k not in (CONTENT_BYTES_KEY, CONTENT_KEY)}
    front["source"] = utf8_name(name)
    write_atomic(target, render(front, title, body))
