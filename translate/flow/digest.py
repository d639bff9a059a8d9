"""A run's digest: which digests a run writes, each built from the outputs' own front matter
(so it is whole after a rerun that skipped everything), and written only when it changed.

A folder given to the run gets `translate-digest.en.<form>` in its output folder (the folder
itself, or its mirror under --output-dir) listing the documents under it; `--digest PATH`
writes one digest of the whole run there instead.
"""

from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from translate.config import (
    BILINGUAL_SUFFIX,
    DIGEST_STEM,
    SUMMARY_SUFFIX,
    TRANSLATION_SUFFIX,
    DigestOptions,
    RunOptions,
)
from translate.display import display_name, utf8_name
from translate.errors import OutputError
from translate.flow.job import DocumentResult
from translate.inputs.discovery import Document, Dropped
from translate.outputs.digest import Digest, Entry, made_on, render
from translate.outputs.front_matter import read_front_matter, read_intact
from translate.outputs.writing import make_folders, write_atomic
from translate.safe_open import read_head

# A summary is a few KB; a digest of a large archive some MB. Neither is read past these.
_SUMMARY_MAX_BYTES = 1 << 20
_DIGEST_MAX_BYTES = 256 << 20
_NOTE = re.compile(r"_[^\n]*_")  # the italic remarks above a summary (flow/render.py)


@dataclass(frozen=True)
class Planned:
    """One digest to write: where, in which form, and which folder's documents it lists."""

    path: Path
    covers: Path | None  # None: every document of the run
    name: str
    form: str


def plan(
    paths: list[Path], documents: list[Document], options: RunOptions, digest: DigestOptions
) -> list[Planned]:
    """The digests a run writes: one per folder given, or the one `digest.path` names."""
    if not digest.enabled:
        return []
    if digest.path is not None:
        return [Planned(Path(os.path.abspath(digest.path)), None, "this run", digest.form)]
    # Each folder's digest is named by the folder as given, as valid UTF-8 whatever its bytes.
    folders = [p for p in paths if os.path.isdir(p)]
    planned = {}
    for folder in folders:
        where = _output_folder(folder, documents, options.output_dir)
        path = Path(os.path.abspath(where / f"{DIGEST_STEM}.{digest.form}"))
        name = utf8_name(str(folder))
        covers = Path(os.path.abspath(folder))
        planned.setdefault(path, Planned(path, covers, name, digest.form))
    return list(planned.values())


def without_digests(documents: list[Document], planned: list[Planned]) -> list[Document]:
    """The documents less any digest (a `--digest` path can have a document's suffix)."""
    digests = {p.path for p in planned}
    return [d for d in documents if Path(os.path.abspath(d.path)) not in digests]


def _output_folder(folder: Path, documents: list[Document], output_root: Path | None) -> Path:
    """Where a folder's outputs go: the folder, or its mirror under --output-dir (found from
    a document under it, which discovery placed)."""
    if output_root is None:
        return Path(folder)
    top = Path(os.path.abspath(folder))
    for doc in documents:
        parent = Path(os.path.abspath(doc.path.parent))
        if parent == top or top in parent.parents:
            return Path(os.path.normpath(doc.output_dir / os.path.relpath(top, parent)))
    return output_root


def write_digests(
    planned: list[Planned],
    documents: list[Document],
    dropped: list[Dropped],
    results: list[DocumentResult],
) -> list[tuple[Path, str]]:
    """Write each planned digest; say of each: written, unchanged, or why it was not."""
    by_path = {r.path: r for r in results}
    outcomes = []
    for one in planned:
        folder = one.path.parent
        members = [d for d in documents if _covered(d.path, one.covers)]
        made = [_entry(d, by_path.get(d.path), folder) for d in members]
        entries = [entry for entry, _ in made]
        entries += [_left_out(d, folder) for d in dropped if _covered(d.path, one.covers)]
        if not entries and not os.path.lexists(one.path):
            continue  # a folder with nothing to list gets no new file (an old digest: emptied)
        # This folder's documents first, then each sub-folder's, in path order.
        entries.sort(key=lambda e: (e.folder != ".", e.folder, e.path))
        models = list(dict.fromkeys(m for _, front in made for m in _models(front)))
        digest = Digest(one.name, tuple(entries), tuple(models))
        try:
            outcomes.append((one.path, _write(one.path, digest, one.form, _mode(members))))
        except (OutputError, OSError) as exc:  # the documents are done: a warning, not a crash
            outcomes.append((one.path, f"not written: {exc}"))
    return outcomes


def _covered(path: Path, folder: Path | None) -> bool:
    return folder is None or folder in Path(os.path.abspath(path)).parents


def _write(path: Path, digest: Digest, form: str, mode: int | None) -> str:
    old = read_head(path, _DIGEST_MAX_BYTES)
    if old is None and os.path.lexists(path):
        raise OutputError(f"{display_name(path)} is not a regular file; left as it is")
    if old is not None:
        text = old.decode("utf-8", "replace")
        date = made_on(text, form)
        if date is None:
            raise OutputError(
                f"{display_name(path)} was not written by translate; left as it is "
                "(--digest PATH writes the digest elsewhere)"
            )
        if render(digest, form, date) == text:
            return "unchanged"
    make_folders(path.parent)
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    write_atomic(path, render(digest, form, now), mode)
    return "written"


def _mode(documents: list[Document]) -> int | None:
    """No more readable than the most private summary it quotes."""
    modes = []
    for doc in documents:
        try:
            modes.append(stat.S_IMODE(os.stat(_outputs(doc)["summary"]).st_mode))
        except OSError:
            continue
    if not modes:
        return None
    common = 0o777
    for mode in modes:
        common &= mode
    return common


def _outputs(doc: Document) -> dict[str, Path]:
    folder, stem = doc.output_dir, doc.output_stem
    suffixes = {"summary": SUMMARY_SUFFIX, "translation": TRANSLATION_SUFFIX}
    suffixes["bilingual"] = BILINGUAL_SUFFIX
    return {label: folder / f"{stem}{suffix}" for label, suffix in suffixes.items()}


def _href(path: Path, folder: Path) -> str:
    """A link from the digest's folder: relative, URL-encoded from the name's own bytes."""
    return quote(os.fsencode(_relative(path, folder)))


def _relative(path: Path, folder: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(path), folder)).as_posix()


def _entry(doc: Document, result: DocumentResult | None, folder: Path) -> tuple[Entry, dict]:
    """The document's entry, and the front matter of its summary ({} when it has none)."""
    where = utf8_name(_relative(doc.path, folder))
    title = utf8_name(doc.path.name)
    base = {"path": where, "folder": os.path.dirname(where) or ".", "title": title}
    source = {"source": _href(doc.path, folder)}
    if result is None or result.status == "failed":
        reason = result.reason if result else "not done: the run stopped before it"
        return Entry(**base, status="failed", links=source, reason=_without_path(reason, doc)), {}
    outputs = _outputs(doc)
    read = read_intact(outputs["summary"], _SUMMARY_MAX_BYTES)
    if read is None:  # e.g. another run holds it, or its summary was edited since
        reason = utf8_name(result.reason or "")
        return Entry(**base, status="pending", links=source, reason=reason), {}
    front, body = read
    links = {**source, "summary": _href(outputs["summary"], folder)}
    for label in ("translation", "bilingual"):  # only those made with this summary
        other = read_front_matter(outputs[label])
        if other is not None and other.get("fingerprint") == front.get("fingerprint"):
            links[label] = _href(outputs[label], folder)
    entry = Entry(
        **{**base, "title": front.get("title") or title},
        status="summarized",
        links=links,
        language=front.get("detected_language"),
        words=front.get("words"),
        pages=front.get("pages"),
        summary=_summary_text(body),
        flags=_flags(front),
    )
    return entry, front


def _left_out(drop: Dropped, folder: Path) -> Entry:
    where = utf8_name(_relative(drop.path, folder))
    status = "failed" if drop.status == "failed" else "skipped"
    links = {"source": _href(drop.path, folder)}
    name = utf8_name(drop.path.name)
    return Entry(where, os.path.dirname(where) or ".", status, name, links, reason=drop.reason)


def _without_path(reason: str | None, doc: Document) -> str | None:
    return utf8_name(reason.removeprefix(f"{doc.path}: ")) if reason else reason


def _summary_text(body: str) -> str:
    """The summary under its heading, without the remarks above it (they become flags)."""
    text = body.strip().split("\n", 1)[-1] if body.lstrip().startswith("# ") else body
    paragraphs = [p.strip() for p in text.strip().split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p and not _NOTE.fullmatch(p))


def _flags(front: dict) -> tuple[str, ...]:
    flags = []
    if front.get("suspect_chunks"):
        flags.append(
            f"{front['suspect_chunks']} passage(s) of the translation may have lost content; "
            "--keep-translation or --bilingual marks them"
        )
    if front.get("translated") is False:
        flags.append("the source is in English: summarized without translation")
    elif front.get("english_paragraphs_kept"):
        kept = front["english_paragraphs_kept"]
        flags.append(f"{kept} paragraph(s) already in English were kept as they are")
    if front.get("pages_without_text"):
        pages = ", ".join(map(str, front["pages_without_text"]))
        flags.append(f"page(s) {pages} have no text layer and were not read (--ocr reads them)")
    if front.get("summary_passes") == 0:
        flags.append("no longer than a summary: this is its full text")
    return tuple(flags)


def _models(front: dict) -> list[str]:
    models = []
    for role in ("translation", "summary"):
        name, revision = front.get(f"{role}_model"), front.get(f"{role}_model_revision")
        if name and (role == "summary" or front.get("translated")):
            models.append(f"{name} (revision {str(revision)[:12]})" if revision else name)
    return models
