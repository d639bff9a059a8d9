"""Pins behaviours a review found unguarded (issue 32): each test here failed against the
bug the review described, and passes on the code as it is."""

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.inputs.discovery import discover
from translate.inputs.extract import extract
from translate.outputs.front_matter import read_front_matter
from translate.outputs.writing import OutputLock, leftover_temporaries, remove_leftovers

GERMAN = (
    "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n\n"
    "Die Opposition kritisierte den Plan und forderte mehr Geld für die Schulen.\n"
)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def reasons(dropped) -> dict[str, tuple[str, str]]:
    return {d.path.name: (d.status, d.reason) for d in dropped}


# ---------------------------------------------------------------- item 3: the device


@pytest.mark.slow
def test_the_summary_front_matter_names_the_device_it_ran_on(tmp_path, model_args):
    doc = tmp_path / "bericht.txt"
    doc.write_text(GERMAN, encoding="utf-8")
    assert invoke("run", str(doc), *model_args, "--device", "cpu").exit_code == 0
    summary = tmp_path / "bericht.summary.en.md"
    assert read_front_matter(summary)["device"] == "cpu"
    assert '\ndevice: "cpu"\n' in summary.read_text(encoding="utf-8")


# ---------------------------------------------------------------- item 4: inside the folders


def test_a_link_into_a_sibling_folder_sharing_the_name_prefix_is_outside(tmp_path):
    docs, old = tmp_path / "docs", tmp_path / "docs-old"  # "docs" is a prefix of "docs-old"
    docs.mkdir()
    (old / "sub").mkdir(parents=True)
    (old / "alt.txt").write_text(GERMAN, encoding="utf-8")
    (old / "sub" / "tief.txt").write_text(GERMAN, encoding="utf-8")
    (docs / "neu.txt").write_text(GERMAN, encoding="utf-8")
    (docs / "alt.txt").symlink_to(old / "alt.txt")
    (docs / "sub").symlink_to(old / "sub")
    found, dropped = discover([docs], recursive=True)
    assert [d.path.name for d in found] == ["neu.txt"]
    why = reasons(dropped)
    assert why["alt.txt"] == (
        "skipped",
        f"a symbolic link to a file outside the folders given ({old / 'alt.txt'}); "
        "--follow-symlinks reads it",
    )
    assert why["sub"][0] == "skipped" and "a folder outside the folders given" in why["sub"][1]
    followed, dropped = discover([docs], recursive=True, follow_symlinks=True)
    assert sorted(d.path.name for d in followed) == ["alt.txt", "neu.txt", "tief.txt"]
    assert dropped == []
    both, _ = discover([docs, old], recursive=True)  # given too: inside, each file read once
    assert sorted(d.path.name for d in both) == ["alt.txt", "neu.txt", "tief.txt"]


# ---------------------------------------------------------------- item 5: name bytes


def test_a_name_within_the_limit_in_characters_but_over_it_in_bytes_is_refused(tmp_path):
    # 125 x "ü" is 250 bytes (the file's own name, 254 bytes, fits), but only 125 characters:
    # its summary name is 264 bytes, over the 255 of the file system, though 139 characters.
    # (130 x "ü" would not do: that file's own name is over the limit, it cannot be made.)
    umlauts = tmp_path / ("ü" * 125 + ".txt")
    umlauts.write_text(GERMAN, encoding="utf-8")
    (tmp_path / "kurz.txt").write_text(GERMAN, encoding="utf-8")
    found, dropped = discover([tmp_path])
    assert [d.path.name for d in found] == ["kurz.txt"]
    assert reasons(dropped) == {
        umlauts.name: (
            "failed",
            "its output name would be 264 bytes, over the file system's limit of 255; "
            "rename it to a name of at most 241 bytes before the suffix",
        )
    }


# ---------------------------------------------------------------- item 6: leftovers and locks


@pytest.mark.slow
def test_a_skipping_run_leaves_a_locked_documents_temporary_alone(tmp_path, model_args):
    doc = tmp_path / "brief.txt"
    doc.write_text(GERMAN, encoding="utf-8")
    assert invoke("run", str(doc), *model_args).exit_code == 0
    output = tmp_path / "brief.summary.en.md"
    done = output.read_bytes()
    # A --force run is writing the document: it holds the lock, its temporary is beside it.
    writing = tmp_path / ".brief.summary.en.md.k3x9q2ab.tmp"
    writing.write_text("a summary being written")
    assert leftover_temporaries(output) == [writing]  # the name is a temporary's
    holder = OutputLock(output)
    assert holder.acquire()
    try:
        report = json.loads(invoke("run", str(doc), *model_args, "--json").stdout)
        assert [d["status"] for d in report["documents"]] == ["skipped"]
        assert writing.read_text() == "a summary being written"  # not the skipper's to remove
    finally:
        holder.release()
    assert output.read_bytes() == done
    # Nobody holds the lock now: the next run that finds the document done clears it.
    report = json.loads(invoke("run", str(doc), *model_args, "--json").stdout)
    assert [d["status"] for d in report["documents"]] == ["skipped"]
    assert not writing.exists()
    assert output.read_bytes() == done


# ---------------------------------------------------------------- item 10: DOCX numbering


def test_docx_paragraphs_numbered_directly_are_list_items(tmp_path):
    docx = pytest.importorskip("docx", reason="Word files need the [formats] extra")
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("Der Stadtrat hat drei Punkte beschlossen.")
    for text in ("Mehr Geld für Schulen", "Neue Radwege in der Altstadt", "Ein neues Hallenbad"):
        paragraph = document.add_paragraph(text)  # style Normal: numbered by numPr alone
        num_pr = OxmlElement("w:numPr")
        for tag, value in (("w:ilvl", "0"), ("w:numId", "1")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            num_pr.append(child)
        paragraph._p.get_or_add_pPr().append(num_pr)
        assert paragraph.style.name == "Normal"
    document.add_paragraph("Die Opposition stimmte dagegen.")
    path = tmp_path / "beschluss.docx"
    document.save(str(path))
    result = extract(path, path.read_bytes())
    assert result.text == (
        "Der Stadtrat hat drei Punkte beschlossen.\n\n"
        "- Mehr Geld für Schulen\n"
        "- Neue Radwege in der Altstadt\n"
        "- Ein neues Hallenbad\n\n"
        "Die Opposition stimmte dagegen.\n"
    )


# ---------------------------------------------------------------- item 11: reader comments

ARTICLE = (
    "Nach zwei Jahren Bauzeit soll das neue Hallenbad im Oktober eröffnet werden. Die Stadt "
    "rechnet mit bis zu tausend Besuchern am Tag und verlängert die Buslinie bis zum Eingang.",
    "Der Eintritt kostet für Erwachsene sechs Euro, Kinder unter zwölf Jahren zahlen die "
    "Hälfte. Schulen dürfen das Becken an Vormittagen kostenlos nutzen.",
    "Die Baukosten stiegen von zwölf auf fünfzehn Millionen Euro, vor allem wegen teurerer "
    "Baustoffe und einer aufwendigeren Lüftungsanlage.",
)
COMMENTS = (
    "Endlich! Wir mussten jahrelang mit den Kindern bis in die Nachbarstadt fahren.",
    "Sechs Euro Eintritt finde ich für eine Familie mit drei Kindern viel zu teuer.",
    "Wieder einmal sind die Kosten explodiert, und am Ende zahlen wir Bürger die Rechnung.",
)


def _comments(kind: str) -> str:
    """The reader comments: a section after the article, with a heading and the comments in
    paragraphs; or, as many CMSs put them, inside the article, the text straight in divs
    (trafilatura told to collect comments leaves this one in the article's text)."""
    if kind == "after-article":
        items = "".join(
            f'<div class="comment"><p class="comment-author">Leser {n}</p><p>{text}</p></div>\n'
            for n, text in enumerate(COMMENTS, 1)
        )
        return f'<section id="comments" class="comments">\n<h2>Kommentare</h2>\n{items}</section>\n'
    items = "".join(
        f'<div class="comment"><div class="comment-author">Leser {n}</div>'
        f'<div class="comment-text">{text}</div></div>\n'
        for n, text in enumerate(COMMENTS, 1)
    )
    return f'<section id="comments" class="comments">\n{items}</section>\n'


@pytest.mark.parametrize("kind", ["after-article", "inside-article"])
def test_a_web_pages_reader_comments_are_not_part_of_its_text(tmp_path, kind):
    pytest.importorskip("trafilatura", reason="web pages need the [formats] extra")
    paragraphs = "".join(f"<p>{p}</p>\n" for p in ARTICLE)
    inside = _comments(kind) if kind == "inside-article" else ""
    after = _comments(kind) if kind == "after-article" else ""
    page = (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        "<title>Hallenbad – Stadtanzeiger</title></head><body><main>\n"
        f"<article>\n<h1>Das neue Hallenbad öffnet im Herbst</h1>\n{paragraphs}{inside}</article>\n"
        f"{after}</main></body></html>\n"
    )
    path = tmp_path / "hallenbad.html"
    path.write_text(page, encoding="utf-8")
    text = extract(path, path.read_bytes()).text
    for comment in COMMENTS:
        assert comment[:30] not in text
    assert "Kommentare" not in text and "Leser 1" not in text
    assert text.startswith("# Das neue Hallenbad öffnet im Herbst\n\n")
    for paragraph in ARTICLE:
        assert paragraph in text


# ---------------------------------------------------------------- item 12: --json `error`


@pytest.mark.slow
def test_json_error_is_null_unless_the_document_failed(tmp_path, model_args):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "alt.txt").write_text(GERMAN, encoding="utf-8")
    assert invoke("run", str(docs / "alt.txt"), *model_args).exit_code == 0
    (docs / "neu.txt").write_text(GERMAN.replace("Montag", "Dienstag"), encoding="utf-8")
    (docs / "kaputt.docx").write_bytes(b"PK\x03\x04 this is no Word file")
    result = invoke("run", str(docs), *model_args, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    got = {Path(d["path"]).name: d for d in report["documents"]}
    assert {n: d["status"] for n, d in got.items()} == {
        "alt.txt": "skipped",
        "kaputt.docx": "failed",
        "neu.txt": "written",
    }
    assert got["alt.txt"]["error"] is None and got["alt.txt"]["reason"] == "up to date"
    assert got["neu.txt"]["error"] is None and got["neu.txt"]["reason"] is None
    failure = got["kaputt.docx"]["error"]
    assert isinstance(failure, str) and failure.startswith(str(docs / "kaputt.docx") + ": ")
    assert failure == got["kaputt.docx"]["reason"]
    assert (report["written"], report["skipped"], report["failed"]) == (1, 1, 1)


# ---------------------------------------------------------------- more: what counts as a leftover


def test_only_names_of_the_exact_temporary_pattern_are_removed_as_leftovers(tmp_path):
    output = tmp_path / "x.summary.en.md"
    output.write_text("done")
    leftover = tmp_path / ".x.summary.en.md.a1b2c3d4.tmp"  # a killed run's: 8 random chars
    leftover.write_text("half")
    kept = [
        tmp_path / ".x.summary.en.md.lock",  # the lock: never a temporary
        tmp_path / ".x.summary.en.md.backup.tmp",  # a user's file, 6 characters
        tmp_path / ".x.summary.en.md.a1b2c3d4e.tmp",  # 9 characters
        tmp_path / ".x.summary.en.md.a1b2c3d4.tmp.bak",
        tmp_path / "x.summary.en.md.a1b2c3d4.tmp",  # not hidden: not ours
        tmp_path / ".y.summary.en.md.a1b2c3d4.tmp",  # another output's
        tmp_path / ".x.en.md.a1b2c3d4.tmp",  # the translation's, not asked about
    ]
    for path in kept:
        path.write_text("keep")
    target = tmp_path / "precious"
    target.write_text("keep")
    link = tmp_path / ".x.summary.en.md.zzzzzzzz.tmp"  # a link with a temporary's name
    link.symlink_to(target)
    folder = tmp_path / ".x.summary.en.md.qqqqqqqq.tmp"  # a folder with one
    folder.mkdir()
    assert leftover_temporaries(output) == [leftover]
    assert remove_leftovers((output,)) == 1
    assert not leftover.exists()
    assert all(p.read_text() == "keep" for p in kept)
    assert os.path.islink(link) and target.read_text() == "keep" and folder.is_dir()
    assert output.read_text() == "done"
