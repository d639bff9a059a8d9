"""The digest of a folder run: one file listing every document with its summary and flags,
built from the outputs on disk, written only when it changed, names shown as text in every
form. End to end through the CLI with the tiny models; the renderers also alone."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SEED_DOC
from translate.cli import app
from translate.outputs.digest import Digest, Entry, made_on, render
from translate.outputs.front_matter import read_front_matter
from translate.outputs.markdown import md_text

runner = CliRunner()
GERMAN = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"
FRENCH = (
    "Le président a déclaré lundi à Berlin que le gouvernement agirait bientôt. Les loyers ont "
    "fortement augmenté dans les grandes villes au cours des dix dernières années.\n"
)
DIGEST = "translate-digest.en.md"
HOSTILE = "<script>alert(1)</script> ](x) | **fett**\nzweite Zeile"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def front(text: str) -> dict:
    head = text.split("\n---\n", 1)[0].removeprefix("---\n")
    return {k: json.loads(v) for k, v in (line.split(": ", 1) for line in head.splitlines())}


def sections(text: str) -> list[tuple[str, str]]:
    """Each entry of a Markdown digest: its heading, and its text."""
    parts = re.split(r"^### ", text, flags=re.M)[1:]
    return [(p.split("\n", 1)[0], p) for p in parts]


@pytest.fixture
def archive(tmp_path) -> Path:
    """A folder with every kind of document a run meets: German (with a heading), one in a
    sub-folder, an English one, an empty one, a French one, and one whose output slot is a
    folder (it fails when written)."""
    docs = tmp_path / "archive"
    (docs / "2024").mkdir(parents=True)
    (docs / "bericht.md").write_text(f"# Jahresbericht der Stadt\n\n{GERMAN}", encoding="utf-8")
    (docs / "2024" / "seed.txt").write_bytes(SEED_DOC.read_bytes())
    (docs / "english.txt").write_text(
        "The city council met on Monday and agreed on a new budget for the coming year.\n"
        "It will spend more on schools and less on roads, the mayor said after the vote.\n",
        encoding="utf-8",
    )
    (docs / "leer.txt").write_bytes(b"")
    (docs / "franz.txt").write_text(FRENCH, encoding="utf-8")
    (docs / "blockiert.txt").write_text(GERMAN, encoding="utf-8")
    (docs / "blockiert.summary.en.md").mkdir()  # its summary cannot be written there
    return docs


def test_a_folder_run_lists_every_document_with_its_summary_and_flags(archive, model_args):
    result = invoke("run", str(archive), "--recursive", *model_args)
    assert result.exit_code == 1, result.output  # three documents failed
    assert f"digest: {archive / DIGEST}" in result.stderr
    text = (archive / DIGEST).read_text(encoding="utf-8")
    head = front(text)
    assert head["generator"].startswith("translate ") and head["digest"] == str(archive)
    assert {k: head[k] for k in ("summarized", "failed", "skipped", "pending")} == {
        "summarized": 3, "failed": 3, "skipped": 0, "pending": 0,
    }  # fmt: skip
    assert re.search(r"^date: \"\d{4}-\d\d-\d\d \d\d:\d\d UTC\"$", text, re.M)
    assert "6 documents: 3 summarized, 3 failed." in text
    marian, bart = model_args[1], model_args[3]
    models = re.search(r"^Models: (.*)\.$", text, re.M)[1].replace("\\", "")  # unescaped
    assert f"{marian} (revision local-" in models and f"{bart} (revision local-" in models
    # Grouped by folder, in path order: this folder's documents, then 2024/.
    assert text.index("## This folder") < text.index("## 2024/")
    entries = dict(sections(text))
    assert list(entries) == [  # by path: bericht.md, blockiert.txt, ..., then 2024/seed.txt
        "Jahresbericht der Stadt", "blockiert.txt", "english.txt", "franz.txt", "leer.txt",
        "seed.txt",
    ]  # fmt: skip
    report = entries["Jahresbericht der Stadt"]  # the document's own heading is its title
    summary = (archive / "bericht.summary.en.md").read_text(encoding="utf-8")
    summary_text = summary.rsplit("\n\n", 1)[1].strip()
    assert "[bericht.md](bericht.md) · [summary](bericht.summary.en.md) · de · " in report
    assert report.rstrip().endswith(md_text(summary_text))
    words = read_front_matter(archive / "bericht.summary.en.md")["words"]
    assert words == len(f"# Jahresbericht der Stadt\n\n{GERMAN}".split())
    assert f"· {words} words" in report
    seed = entries["seed.txt"]
    assert "[2024/seed.txt](2024/seed.txt) · [summary](2024/seed.summary.en.md)" in seed
    english = entries["english.txt"]
    assert "⚠ the source is in English: summarized without translation" in english
    assert "**Failed:** the file is empty" in entries["leer.txt"]
    assert "looks like French (fr), not German" in entries["franz.txt"]
    assert "**Failed:**" in entries["blockiert.txt"] and "[summary]" not in entries["blockiert.txt"]


def test_a_rerun_that_skips_everything_leaves_the_digest_whole_and_untouched(
    archive, model_args
):
    assert invoke("run", str(archive), "-r", *model_args).exit_code == 1
    digest = archive / DIGEST
    before, stamp = digest.read_bytes(), digest.stat().st_mtime_ns
    os.utime(digest, ns=(stamp - 10**9, stamp - 10**9))  # an older file: a rewrite shows
    again = invoke("run", str(archive), "-r", *model_args)
    assert "0 written, 3 skipped, 3 failed" in again.stderr
    assert f"digest: {digest} (unchanged)" in again.stderr
    assert digest.read_bytes() == before and digest.stat().st_mtime_ns == stamp - 10**9

    (archive / "bericht.md").unlink()  # a document deleted since leaves the digest
    (archive / "neu.txt").write_text(GERMAN, encoding="utf-8")  # a new one joins it
    third = invoke("run", str(archive), "-r", *model_args)
    assert "1 written, 2 skipped, 3 failed" in third.stderr
    entries = dict(sections(digest.read_text(encoding="utf-8")))
    assert "Jahresbericht der Stadt" not in entries and "neu.txt" in entries
    assert "seed.txt" in entries and "[summary](2024/seed.summary.en.md)" in entries["seed.txt"]


def test_the_digest_is_never_read_as_a_document(tmp_path, model_args):
    (tmp_path / "a.txt").write_text(GERMAN, encoding="utf-8")
    for form in ("md", "html", "jsonl", "csv"):
        assert invoke("run", str(tmp_path), *model_args, "--digest-format", form).exit_code == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert [n for n in names if n.startswith("translate-digest.")] == [
        f"translate-digest.en.{f}" for f in ("csv", "html", "jsonl", "md")
    ]
    again = invoke("run", str(tmp_path), *model_args, "--json", "--digest-format", "html")
    assert [Path(d["path"]).name for d in json.loads(again.stdout)["documents"]] == ["a.txt"]
    # A digest named with --digest, even with a document's suffix, is not read either.
    own = tmp_path / "briefing.html"
    assert invoke("run", str(tmp_path), *model_args, "--digest", str(own)).exit_code == 0
    assert made_on(own.read_text(encoding="utf-8"), "md") is not None  # Markdown by default
    third = invoke("run", str(tmp_path), *model_args, "--digest", str(own), "--json")
    report = json.loads(third.stdout)
    assert [Path(d["path"]).name for d in report["documents"]] == ["a.txt"]
    assert report["digests"] == [{"path": str(own), "outcome": "unchanged"}]


def test_one_digest_of_the_whole_run_with_digest_path(tmp_path, model_args):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "brief.txt").write_text(GERMAN, encoding="utf-8")
    single = tmp_path / "einzeln.txt"
    single.write_text(GERMAN, encoding="utf-8")
    target = tmp_path / "out" / "woche.md"
    args = [str(tmp_path / "a"), str(tmp_path / "b"), str(single), "--digest", str(target)]
    result = invoke("run", *args, *model_args)
    assert result.exit_code == 0, result.output
    entries = sections(target.read_text(encoding="utf-8"))
    assert [title for title, _ in entries] == ["einzeln.txt", "brief.txt", "brief.txt"]
    assert "[../a/brief.txt](../a/brief.txt) · [summary](../a/brief.summary.en.md)" in entries[1][1]
    assert "[../b/brief.txt](../b/brief.txt) · [summary](../b/brief.summary.en.md)" in entries[2][1]
    assert not (tmp_path / "a" / DIGEST).exists()  # one digest, not one per folder


def test_no_digest_and_refusals(tmp_path, model_args):
    (tmp_path / "a.txt").write_text(GERMAN, encoding="utf-8")
    assert invoke("run", str(tmp_path), *model_args, "--no-digest").exit_code == 0
    assert not (tmp_path / DIGEST).exists()
    both = invoke("run", str(tmp_path), *model_args, "--no-digest", "--digest", "x.md")
    assert both.exit_code == 2 and "contradict" in both.stderr
    folder = invoke("run", str(tmp_path), *model_args, "--digest", str(tmp_path))
    assert folder.exit_code == 2 and "is a folder" in folder.stderr
    # A file of that name that translate did not write is left as it is, and said.
    (tmp_path / DIGEST).write_text("Meine Notizen\n", encoding="utf-8")
    mine = invoke("run", str(tmp_path), *model_args)
    assert mine.exit_code == 0, mine.output  # the documents are done; the digest is a warning
    assert "warning: digest not written" in mine.stderr and "not written by translate" in (
        mine.stderr
    )
    assert (tmp_path / DIGEST).read_text(encoding="utf-8") == "Meine Notizen\n"


def test_a_digest_is_no_more_readable_than_the_inputs_it_quotes(tmp_path, model_args):
    (tmp_path / "offen.txt").write_text(GERMAN, encoding="utf-8")
    private = tmp_path / "privat.txt"
    private.write_text(GERMAN, encoding="utf-8")
    private.chmod(0o600)
    assert invoke("run", str(tmp_path), *model_args).exit_code == 0
    assert stat.S_IMODE((tmp_path / DIGEST).stat().st_mode) & 0o077 == 0


def test_hostile_names_and_titles_are_text_in_every_form(tmp_path, model_args):
    name = "<b>x<b> [a](b) |c|.md"
    (tmp_path / name).write_text(
        f"# {HOSTILE.splitlines()[0]}\n\n{GERMAN}", encoding="utf-8"
    )
    (tmp_path / "=HYPERLINK(1).txt").write_bytes(b"")  # fails: a row that starts with =
    for form in ("md", "html", "jsonl", "csv"):
        assert invoke("run", str(tmp_path), *model_args, "--digest-format", form).exit_code == 1
    text = {f: (tmp_path / f"translate-digest.en.{f}").read_text("utf-8") for f in
            ("md", "html", "jsonl", "csv")}  # fmt: skip
    title = "<script>alert(1)</script> ](x) | **fett**"
    shown = "\\<script\\>alert(1)\\</script\\> \\](x) \\| \\*\\*fett\\*\\*"
    assert f"### {shown}\n" in text["md"]
    assert "<script>" not in text["html"] and html.escape(title) in text["html"]
    assert html.escape(name) in text["html"] and "<b>" not in text["html"]
    rows = [json.loads(line) for line in text["jsonl"].splitlines()]
    assert {r.get("title") for r in rows[1:]} == {title, "=HYPERLINK(1).txt"}
    table = list(csv.DictReader(io.StringIO(text["csv"])))
    assert {r["title"] for r in table} == {title, "'=HYPERLINK(1).txt"}  # not a formula
    assert {r["path"] for r in table} == {name, "'=HYPERLINK(1).txt"}


def test_the_renderers_show_any_text_as_text():
    entry = Entry(
        path="a|b\n## forged.txt",
        folder=".",
        status="failed",
        title=HOSTILE + "\x1b[31m",
        links={"source": "a%7Cb%0A%23%23%20forged.txt"},
        reason="bad <img src=x onerror=alert(1)>\n---\nfingerprint: forged",
    )
    digest = Digest("ordner\n# forged", (entry,), ("m (revision r)",))
    md = render(digest, "md", "2026-12-05 10:00 UTC")
    assert "\x1b" not in md and "\n## forged" not in md and "\n# forged" not in md
    assert "\n---\nfingerprint" not in md and "\nfingerprint: forged" not in md
    assert md.count("\n---\n") == 1  # the front matter's end, and no other
    page = render(digest, "html", "2026-12-05 10:00 UTC")
    assert "<img" not in page and "<script>" not in page and "\x1b" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # nothing outside the file
    assert '<a href="a%7Cb%0A%23%23%20forged.txt">a|b\\n## forged.txt</a>' in page
    lines = render(digest, "jsonl", "2026-12-05 10:00 UTC").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["title"] == HOSTILE + "\x1b[31m"
    for form in ("md", "html", "jsonl", "csv"):
        assert made_on(render(digest, form, "D"), form) == ("" if form == "csv" else "D")
        assert made_on("my own notes\n", form) is None


def test_an_entry_says_what_its_front_matter_says(tmp_path):
    """Flags, pages and the outputs made with the summary, read from the files on disk."""
    from translate.config import DigestOptions, RunOptions
    from translate.flow import digest as digests
    from translate.flow.job import DocumentResult
    from translate.inputs.discovery import Document
    from translate.outputs.front_matter import render as render_output

    source = tmp_path / "akte.pdf"
    source.write_bytes(b"%PDF-1.4")
    made = {
        "title": "Akte 7", "detected_language": "de", "words": 1234, "pages": 3,
        "pages_without_text": [2], "translated": True, "english_paragraphs_kept": 1,
        "suspect_chunks": 2, "summary_passes": 0, "fingerprint": "f1",
        "translation_model": "mt", "translation_model_revision": "abcdef0123456789",
        "summary_model": "sum", "summary_model_revision": None,
    }  # fmt: skip
    note = "_The document is no longer than a summary: this is its full text._\n\n"
    (tmp_path / "akte.summary.en.md").write_text(
        render_output(made, "Summary of akte.pdf", note + "The file is short."), "utf-8"
    )
    (tmp_path / "akte.en.md").write_text(render_output(made, "T", "x"), "utf-8")
    stale = {**made, "fingerprint": "an older run's"}
    (tmp_path / "akte.de-en.md").write_text(render_output(stale, "T", "x"), "utf-8")
    document = Document(source, tmp_path, "akte")
    planned = digests.plan([tmp_path], [document], RunOptions(), DigestOptions(form="jsonl"))
    result = DocumentResult(source, "skipped", reason="up to date")
    [(path, outcome)] = digests.write_digests(planned, [document], [], [result])
    assert (path, outcome) == (tmp_path / "translate-digest.en.jsonl", "written")
    head, entry = (json.loads(line) for line in path.read_text("utf-8").splitlines())
    assert head["models"] == ["mt (revision abcdef012345)", "sum"]
    assert head["counts"] == {"summarized": 1, "failed": 0, "skipped": 0, "pending": 0}
    assert entry["links"] == {
        "source": "akte.pdf", "summary": "akte.summary.en.md", "translation": "akte.en.md",
    }  # fmt: skip  (the bilingual view is of another run's summary: not linked)
    assert (entry["title"], entry["pages"], entry["words"]) == ("Akte 7", 3, 1234)
    assert entry["summary"] == "The file is short."  # the remark above it is a flag instead
    assert entry["flags"] == [
        "2 passage(s) of the translation may have lost content; --keep-translation or "
        "--bilingual marks them",
        "1 paragraph(s) already in English were kept as they are",
        "page(s) 2 have no text layer and were not read (--ocr reads them)",
        "no longer than a summary: this is its full text",
    ]
    # Edited since: the summary is no longer what translate wrote, and is not quoted.
    summary = tmp_path / "akte.summary.en.md"
    summary.write_text(summary.read_text("utf-8") + "my note\n", "utf-8")
    digests.write_digests(planned, [document], [], [result])
    edited = json.loads(path.read_text("utf-8").splitlines()[1])
    assert (edited["status"], edited["summary"]) == ("pending", None)


def test_an_empty_folder_gets_no_digest_and_an_emptied_one_says_so(tmp_path, model_args):
    assert invoke("run", str(tmp_path), *model_args).exit_code == 0
    assert list(tmp_path.iterdir()) == []  # nothing to list: no file made
    (tmp_path / "a.txt").write_text(GERMAN, encoding="utf-8")
    assert invoke("run", str(tmp_path), *model_args).exit_code == 0
    (tmp_path / "a.txt").unlink()
    assert invoke("run", str(tmp_path), *model_args).exit_code == 0
    text = (tmp_path / DIGEST).read_text(encoding="utf-8")
    assert "0 documents. Made" in text and "###" not in text
