"""Folders of mixed documents: discovery, --include/--exclude, output names, end to end."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import documents
from translate.cli import app
from translate.config import INPUT_SUFFIXES
from translate.inputs.discovery import discover
from translate.outputs.front_matter import read_front_matter

SUFFIXES = [".txt", ".md", ".pdf", ".docx", ".odt", ".html", ".htm", ".xhtml", ".epub"]


def test_folder_runs_find_every_supported_format_and_nothing_else(tmp_path):
    for suffix in [*INPUT_SUFFIXES, ".PDF", ".xlsx", ".doc", ".png"]:
        (tmp_path / f"a{suffix}").write_bytes(b"x")
    docs, dropped = discover([tmp_path])
    names = sorted(d.path.name for d in docs)
    assert names == sorted([*(f"a{s}" for s in INPUT_SUFFIXES), "a.PDF"]) and not dropped
    assert set(SUFFIXES) <= set(INPUT_SUFFIXES) and {".eml", ".rtf"} <= set(INPUT_SUFFIXES)


def test_include_and_exclude_narrow_folder_runs_but_not_named_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ["bericht.pdf", "Brief.PDF", "notiz.txt", "sub/anhang.pdf", "sub/entwurf.docx"]:
        (tmp_path / name).write_bytes(b"x")

    def found(*args, **kwargs) -> list[str]:
        docs, _ = discover(*args, recursive=True, **kwargs)
        return [d.path.relative_to(tmp_path).as_posix() for d in docs]

    assert found([tmp_path], include=["*.pdf"]) == ["Brief.PDF", "bericht.pdf", "sub/anhang.pdf"]
    assert found([tmp_path], include=["*.pdf"], exclude=["sub/*"]) == ["Brief.PDF", "bericht.pdf"]
    assert found([tmp_path], exclude=["*.pdf", "notiz*"]) == ["sub/entwurf.docx"]
    assert found([tmp_path / "notiz.txt"], include=["*.pdf"]) == ["notiz.txt"]  # named: taken


def test_same_stem_inputs_of_different_formats_get_distinct_outputs(tmp_path):
    for name in ["bericht.pdf", "bericht.docx", "bericht.txt", "brief.eml"]:
        (tmp_path / name).write_bytes(b"x")
    docs, _ = discover([tmp_path])
    assert sorted(d.output_stem for d in docs) == [
        "bericht.docx",
        "bericht.pdf",
        "bericht.txt",
        "brief",
    ]


@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    if not documents.FONT.is_file():
        pytest.skip("the PDF builder needs fonts-dejavu-core (apt-get)")
    folder = tmp_path / "eingang"
    folder.mkdir()
    corpus = (Path(__file__).parent / "data" / "corpus_de.txt").read_text().splitlines()
    documents.layout_pdf(
        folder / "bericht.pdf",
        [" ".join(corpus[i : i + 3]) for i in range(0, 36, 3)],
        documents.PdfLayout(title="Verkehr in der Region"),
    )
    documents.docx(folder / "bericht.docx")
    documents.odt(folder / "rathaus.odt")
    documents.html_page(folder / "artikel.html")
    documents.epub(folder / "roman.epub")
    documents.eml(folder / "einladung.eml")
    documents.rtf(folder / "kita.rtf")
    (folder / "notiz.txt").write_text(" ".join(corpus[40:43]) + "\n", encoding="utf-8")
    documents.scanned_pdf(folder / "scan.pdf")
    return folder


def _body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


@pytest.mark.slow
def test_a_folder_of_mixed_documents_end_to_end(mixed_folder, model_args):
    pytest.importorskip("trafilatura", reason="web pages need the [formats] extra")
    inputs = {p.name: p.read_bytes() for p in mixed_folder.iterdir()}
    runner = CliRunner()
    args = ["run", str(mixed_folder), *model_args, "--keep-translation", "--json"]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 1  # the scan failed; everything else was written
    report = json.loads(result.stdout)
    by_name = {Path(d["path"]).name: d for d in report["documents"]}
    assert report["documents"][0]["path"].endswith("scan.pdf")  # refused before any model ran
    assert "scan.pdf: no text layer (scanned?)" in by_name["scan.pdf"]["error"]
    assert {n: d["status"] for n, d in by_name.items() if n != "scan.pdf"} == {
        n: "written" for n in inputs if n != "scan.pdf"
    }
    assert {p.name: p.read_bytes() for p in mixed_folder.iterdir() if p.name in inputs} == inputs

    # Same stems, different formats: the outputs carry the full names.
    pdf = read_front_matter(mixed_folder / "bericht.pdf.summary.en.md")
    assert (mixed_folder / "bericht.docx.summary.en.md").is_file()
    assert pdf["source"] == "bericht.pdf" and pdf["source_format"] == "pdf"
    assert pdf["extractor"].startswith("pypdfium2 ") and pdf["pages"] == 2
    assert pdf["source_sha256"] == hashlib.sha256(inputs["bericht.pdf"]).hexdigest()
    assert pdf["sentences"] >= 36
    for name, fmt in [
        ("rathaus", "odt"),
        ("artikel", "html"),
        ("roman", "epub"),
        ("einladung", "email"),
        ("kita", "rtf"),
        ("notiz", "text"),
    ]:
        assert read_front_matter(mixed_folder / f"{name}.summary.en.md")["source_format"] == fmt
    mail = read_front_matter(mixed_folder / "einladung.summary.en.md")
    assert mail["attachments"] == ["Programm.pdf"]
    assert "Attachments, not translated: Programm.pdf." in _body(
        mixed_folder / "einladung.summary.en.md"
    )

    # --keep-translation keeps the Word file's headings, list items and table as Markdown.
    translation = _body(mixed_folder / "bericht.docx.en.md").split("\n\n", 1)[1]
    lines = translation.splitlines()
    assert re.fullmatch(r"# \S.*", lines[0]) and any(re.fullmatch(r"## \S.*", x) for x in lines)
    assert len([x for x in lines if re.fullmatch(r"- \S.*", x)]) == 2
    rule = lines.index("| --- | --- |")  # under the table's header row, which is above it
    assert re.fullmatch(r"\| \S.* \| \S.* \|", lines[rule - 1])
    assert re.fullmatch(r"\| \S.* \| \S.* \|", lines[rule + 1])

    # Again, narrowed by globs: up to date, so skipped; the scan is refused again.
    narrowed = [*args, "--include", "*.PDF", "--include", "bericht.*", "--exclude", "*.txt"]
    again = runner.invoke(app, narrowed, catch_exceptions=False)
    statuses = {Path(d["path"]).name: d["status"] for d in json.loads(again.stdout)["documents"]}
    assert statuses == {"scan.pdf": "failed", "bericht.pdf": "skipped", "bericht.docx": "skipped"}
