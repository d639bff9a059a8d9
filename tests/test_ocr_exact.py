"""ocr.py pinned exactly (issue 32). A stand-in `tesseract` program (a shell script on PATH)
records what it is sent and answers as Tesseract does, so the page image handed over, the
command line and each refusal are checked without depending on OCR quality; the real
Tesseract reads a scan where it is installed."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests import documents
from translate.errors import FormatSupportMissing, InputError
from translate.inputs.extract import ocr

INSTALL = "apt-get install tesseract-ocr tesseract-ocr-deu"


def fake_tesseract(
    folder: Path,
    langs: str = "eng\ndeu",
    version: str = "tesseract 5.9.1\\n leptonica-1.84",
    text: str = "Erste Zeile\n",
    status: int = 0,
    error: str = "",
    seconds: float = 0,
) -> Path:
    script = folder / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{folder}/args"\n'
        'case "$1" in\n'
        f"  --list-langs) printf 'List of available languages (2):\\n{langs}\\n' ;;\n"
        f"  --version) printf '{version}\\n' ;;\n"
        + f"  *) /bin/cat > \"{folder}/image.pgm\"; printf '{text}'; printf '{error}' >&2;"
        + (f" exec /bin/sleep {seconds};" if seconds else "")
        + f" exit {status} ;;\n"
        "esac\n"
    )
    script.chmod(0o755)
    return script


@pytest.fixture
def fake(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    ocr.tesseract.cache_clear()
    yield tmp_path
    ocr.tesseract.cache_clear()


def test_tesseract_is_named_with_its_version_and_language(fake):
    fake_tesseract(fake)
    assert ocr.tesseract() == "tesseract 5.9.1 (deu)"
    assert (fake / "args").read_text() == "--list-langs\n--version\n"


def test_a_version_line_of_one_word_gives_a_question_mark(fake):
    fake_tesseract(fake, version="tesseract")
    assert ocr.tesseract() == "tesseract ? (deu)"


def test_tesseract_without_german_names_what_to_install(fake):
    fake_tesseract(fake, langs="eng\ndeu_frak\nosd")
    with pytest.raises(FormatSupportMissing) as caught:
        ocr.tesseract()
    assert str(caught.value) == (
        f"--ocr needs Tesseract's German data (deu), which is not installed: {INSTALL}"
    )


def test_no_tesseract_names_what_to_install(fake):
    with pytest.raises(FormatSupportMissing) as caught:
        ocr.tesseract()
    assert str(caught.value) == f"--ocr needs Tesseract, which is not installed: {INSTALL}"


def test_a_failing_program_is_an_error_with_the_end_of_what_it_said(fake):
    fake_tesseract(fake, status=1, error="x" * 300 + "Error: cannot read image  ")
    with pytest.raises(subprocess.SubprocessError) as caught:
        ocr._run([str(fake / "tesseract"), "page"], b"")
    assert str(caught.value) == ("x" * 300 + "Error: cannot read image")[-200:]
    assert ocr._run([str(fake / "tesseract"), "--version"], b"") == (
        "tesseract 5.9.1\n leptonica-1.84\n"
    )


@pytest.fixture
def scan_page(tmp_path):
    if not documents.FONT.is_file():
        pytest.skip("the scan needs fonts-dejavu-core (apt-get)")
    import pypdfium2 as pdfium

    path = documents.scanned_pdf(tmp_path / "scan.pdf", ["Die neue Brücke über die Elbe."])
    document = pdfium.PdfDocument(path.read_bytes())
    page = document[0]
    yield page
    page.close()
    document.close()


def test_the_page_goes_to_tesseract_as_a_300_dpi_greyscale_pgm(fake, scan_page):
    fake_tesseract(fake, text="Die neue Brü-\\ncke.\\n\\nZweiter Absatz.\\n")
    assert ocr.read_page(scan_page, "scan.pdf", 1) == "Die neue Brücke.\n\nZweiter Absatz."
    assert (fake / "args").read_text() == "stdin stdout -l deu\n"
    image = (fake / "image.pgm").read_bytes()
    bitmap = scan_page.render(scale=300 / 72, grayscale=True)
    width, height, stride, buffer = bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer)
    assert (width, height) == (1751, 2480)  # A4 at 300 dpi
    header = b"P5\n%d %d\n255\n" % (width, height)
    assert image.startswith(header) and len(image) == len(header) + width * height
    assert image[len(header) :][:width] == buffer[:width]
    assert image[-width:] == buffer[(height - 1) * stride : (height - 1) * stride + width]
    assert len(set(image[len(header) :])) > 1  # the text is on it, not a blank page


def test_a_page_tesseract_fails_on_is_refused_with_its_number(fake, scan_page):
    fake_tesseract(fake, status=1, error="Error in pixReadMem")
    with pytest.raises(InputError) as caught:
        ocr.read_page(scan_page, "scan.pdf", 3)
    assert str(caught.value) == "scan.pdf: OCR of page 3 failed (Error in pixReadMem)"


def test_tesseract_reads_a_scanned_german_line(scan_page):
    try:
        ocr.tesseract.cache_clear()
        ocr.tesseract()
    except FormatSupportMissing:
        pytest.skip("needs tesseract-ocr and tesseract-ocr-deu (apt-get)")
    assert ocr.read_page(scan_page, "scan.pdf", 1) == "Die neue Brücke über die Elbe."


@pytest.mark.parametrize(
    ("lines", "paragraphs"),
    [
        ("Der Rat tagt am\nMontag.\n\nDann folgt\n\n", "Der Rat tagt am Montag.\n\nDann folgt"),
        # a blank line after an unfinished sentence is a column or page break
        ("Der Rat tagt am\n\nMontag im Saal.\n", "Der Rat tagt am Montag im Saal."),
        ("Der Verkehrs-\nminister sprach:\n \t\nJa.", "Der Verkehrsminister sprach:\n\nJa."),
        ("Er sagte „Ja“\n\nund ging.", "Er sagte „Ja“\n\nund ging."),
        ("(siehe oben)\n\nweiter", "(siehe oben)\n\nweiter"),
        ("Fragen?\n\nAntworten!\n\n…\n\nEnde", "Fragen?\n\nAntworten!\n\n…\n\nEnde"),
        ('a;\n\nb «c»\n\nd »e«\n\nf"\n\ng', 'a;\n\nb «c»\n\nd »e«\n\nf"\n\ng'),
        ("\n \n\n", ""),
        (" \n\nDer Rat tagt.", "Der Rat tagt."),  # a blank block first: skipped
    ],
)
def test_tesseract_lines_become_paragraphs(lines, paragraphs):
    assert ocr._paragraphs(lines) == paragraphs


def test_the_ocr_settings():
    assert (ocr.DPI, ocr.LANGUAGE, ocr.PAGE_TIMEOUT) == (300, "deu", 300)
    assert re.fullmatch(r"apt-get install tesseract-ocr tesseract-ocr-deu", ocr.INSTALL)


def test_a_page_that_takes_too_long_is_refused(fake, scan_page, monkeypatch):
    fake_tesseract(fake, seconds=30)
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT", 0.5)
    with pytest.raises(
        InputError, match=r"^scan\.pdf: OCR of page 2 failed \(.*timed out after 0\.5"
    ):
        ocr.read_page(scan_page, "scan.pdf", 2)


def test_bytes_that_are_not_utf8_are_replaced_in_what_tesseract_says(fake):
    fake_tesseract(fake, status=1, error="Fehler \\377 hier")
    with pytest.raises(subprocess.SubprocessError) as caught:
        ocr._run([str(fake / "tesseract"), "page"], b"")
    assert str(caught.value) == "Fehler \ufffd hier"
    fake_tesseract(fake, text="Gr\\374\\337e")  # Latin-1 bytes
    assert ocr._run([str(fake / "tesseract"), "page"], b"") == "Gr\ufffd\ufffde"
