"""The digest of a run: one file that lists every document with its summary and flags, as
Markdown (the default), one self-contained HTML page, JSON Lines or CSV.

Pure rendering of `Digest` data, which the flow builds from the outputs' own front matter.
Names, titles and summaries come from documents nobody vetted: every form shows them as
text (escaped for Markdown and HTML, quoted by the json and csv modules, control characters
made visible), and a CSV cell that a spreadsheet would run as a formula is defused.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import asdict, dataclass

from translate.config import VERSION
from translate.display import one_line
from translate.outputs.front_matter import front_lines, front_matter_of
from translate.outputs.markdown import md_text

GENERATOR = f"translate {VERSION}"
STATUSES = ("summarized", "failed", "skipped", "pending")
CSV_COLUMNS = (
    "path", "folder", "status", "title", "language", "words", "pages", "summary", "flags",
    "reason", "source", "summary_file", "translation_file", "bilingual_file",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Entry:
    """One document of the digest."""

    path: str  # the document, relative to the digest's folder (POSIX)
    folder: str  # its folder, relative to the digest's folder ("." for that folder itself)
    status: str  # one of STATUSES (skipped: left out when the folder was read)
    title: str  # its own title, else its file name
    # label (source, summary, translation, bilingual) -> a relative, URL-encoded link
    links: dict[str, str]
    language: str | None = None  # as detected
    words: int | None = None
    pages: int | None = None
    summary: str | None = None
    flags: tuple[str, ...] = ()  # what a reader should know: passages in doubt, English kept
    reason: str | None = None  # why it failed, was left out, or is pending


@dataclass(frozen=True)
class Digest:
    name: str  # what it covers, as the user named it (a folder, or "this run")
    entries: tuple[Entry, ...]  # in path order
    models: tuple[str, ...]  # the models that made the summaries, with their revisions

    def counts(self) -> dict[str, int]:
        return {s: sum(e.status == s for e in self.entries) for s in STATUSES}


def render(digest: Digest, form: str, date: str) -> str:
    """The digest as the text of its file; `date` is shown as when it was made."""
    text = {"md": _markdown, "html": _html, "jsonl": _json_lines, "csv": _csv}[form](digest, date)
    # Whatever a document's text held (a lone surrogate), the file is valid UTF-8.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def made_on(text: str, form: str) -> str | None:
    """The date an earlier digest of ours shows, or None when `text` is not one of ours (a
    file translate did not write is never replaced). CSV has no date: its own header row
    marks it."""
    first = text.partition("\n")[0]
    if form == "md":
        front = front_matter_of(text) or {}
        ours = str(front.get("generator", "")).startswith("translate ") and "digest" in front
        return front.get("date") if ours else None
    if form == "html":
        match = re.search(r'<meta name="translate-digest-date" content="([^"]*)">', text[:4096])
        ours = '<meta name="generator" content="translate ' in text[:4096]
        return html.unescape(match[1]) if match and ours else None
    if form == "jsonl":
        head = _json_or_none(first)
        ours = isinstance(head, dict) and str(head.get("generator", "")).startswith("translate ")
        return head.get("date") if ours and "digest" in head else None
    if form == "csv":
        return "" if first.rstrip("\r") == ",".join(CSV_COLUMNS) else None
    raise ValueError(form)


def _json_or_none(text: str | None):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _summary_line(digest: Digest) -> str:
    counts = digest.counts()
    parts = [f"{n} {status}" for status, n in counts.items() if n]
    total = len(digest.entries)
    return f"{total} document{'s' * (total != 1)}" + (": " + ", ".join(parts) if parts else "")


def _folders(digest: Digest) -> list[tuple[str, list[Entry]]]:
    groups: dict[str, list[Entry]] = {}
    for entry in digest.entries:
        groups.setdefault(entry.folder, []).append(entry)
    return list(groups.items())


def _label(entry: Entry, link: str) -> str:
    """A link's words: the source by its path (the title may be its heading), else its kind."""
    return entry.path if link == "source" else link


def _facts(entry: Entry) -> list[str]:
    facts = [entry.language] if entry.language else []
    if entry.words is not None:
        facts.append(f"{entry.words:,} words")
    if entry.pages:
        facts.append(f"{entry.pages} page{'s' * (entry.pages != 1)}")
    return facts


# ---------------------------------------------------------------- Markdown


def _md_link(label: str, href: str) -> str:
    return f"[{md_text(label)}]({href})"


def _markdown(digest: Digest, date: str) -> str:
    front = {"generator": GENERATOR, "digest": digest.name, "date": date, **digest.counts()}
    lines = ["---", *front_lines(front)]
    lines += ["---", "", f"# Digest of {md_text(digest.name)}", ""]
    lines += [f"{_summary_line(digest)}. Made {md_text(date)}.", ""]
    if digest.models:
        lines += ["Models: " + "; ".join(md_text(m) for m in digest.models) + ".", ""]
    for folder, entries in _folders(digest):
        lines += [f"## {md_text('This folder' if folder == '.' else folder + '/')}", ""]
        for entry in entries:
            lines += _md_entry(entry)
    return "\n".join(lines).rstrip() + "\n"


def _md_entry(entry: Entry) -> list[str]:
    links = " · ".join(_md_link(_label(entry, label), href) for label, href in entry.links.items())
    lines = [f"### {md_text(entry.title)}", "", " · ".join([links, *map(md_text, _facts(entry))])]
    if entry.status != "summarized":
        lines += ["", f"**{entry.status.capitalize()}:** {md_text(entry.reason or '')}"]
    lines += [f"\n⚠ {md_text(flag)}" for flag in entry.flags]
    if entry.summary:
        lines += ["", *(md_text(p) for p in entry.summary.split("\n\n") if p.strip())]
    return [*lines, ""]


# ---------------------------------------------------------------- HTML

_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;background:#fff}h2{margin-top:2.5rem;border-bottom:1px solid #ccc}
.facts{color:#444;font-size:.9rem}.flag{color:#8a4b00}.status{color:#a00000;font-weight:bold}
a{color:#0645ad}@media(prefers-color-scheme:dark){body{color:#eee;background:#121212}
.facts{color:#bbb}.flag{color:#f0b35a}.status{color:#ff8080}a{color:#8ab4f8}}"""


def _html(digest: Digest, date: str) -> str:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta name="generator" content="{e(GENERATOR)}">',
        f'<meta name="translate-digest-date" content="{e(date)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Digest of {e(one_line(digest.name))}</title><style>{_STYLE}</style></head>",
        f"<body><h1>Digest of {e(one_line(digest.name))}</h1>",
        f"<p>{e(_summary_line(digest))}. Made {e(date)}.</p>",
    ]
    if digest.models:
        parts.append(f"<p>Models: {e('; '.join(digest.models))}.</p>")
    for folder, entries in _folders(digest):
        parts.append(f"<h2>{e('This folder' if folder == '.' else one_line(folder) + '/')}</h2>")
        parts += [_html_entry(entry) for entry in entries]
    return "\n".join([*parts, "</body></html>"]) + "\n"


def _html_entry(entry: Entry) -> str:
    e = html.escape
    links = " · ".join(
        f'<a href="{e(href)}">{e(one_line(_label(entry, label)))}</a>'
        for label, href in entry.links.items()
    )
    facts = " · ".join([links, *(e(f) for f in _facts(entry))])
    parts = [f"<article><h3>{e(one_line(entry.title))}</h3>", f'<p class="facts">{facts}</p>']
    if entry.status != "summarized":
        status = e(entry.status.capitalize())
        parts.append(f'<p><span class="status">{status}:</span> {e(entry.reason or "")}</p>')
    parts += [f'<p class="flag">⚠ {e(flag)}</p>' for flag in entry.flags]
    if entry.summary:
        parts += [f"<p>{e(one_line(p))}</p>" for p in entry.summary.split("\n\n") if p.strip()]
    return "\n".join([*parts, "</article>"])


# ---------------------------------------------------------------- JSON Lines and CSV


def _json_lines(digest: Digest, date: str) -> str:
    head = {"digest": digest.name, "generator": GENERATOR, "date": date}
    head |= {"counts": digest.counts(), "models": list(digest.models)}
    rows = [head, *(asdict(entry) for entry in digest.entries)]
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)


def _csv(digest: Digest, date: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for entry in digest.entries:
        row = {**asdict(entry), "flags": "; ".join(entry.flags)}
        row |= {"source": entry.links.get("source")}
        row |= {f"{k}_file": entry.links.get(k) for k in ("summary", "translation", "bilingual")}
        writer.writerow([_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet runs a cell that starts like this as a formula: keep it text.
    return "'" + text if text.startswith(_FORMULA_START) else text
