"""Text extraction: real documents built at test time (tests/documents.py), read back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import documents
from translate.errors import FormatSupportMissing, InputError
from translate.inputs.extract import extract, ocr
from translate.inputs.extract.common import normalize_text
from translate.inputs.extract.layout import Word, join_lines, page_text
from translate.text.segment import split_blocks

CORPUS = [
    line for line in (Path(__file__).parent / "data" / "corpus_de.txt").read_text().splitlines()
]
# The first paragraph is set in these very lines: a hyphenated word, a compound whose
# hyphen stays, a suspended compound, ligatures and a soft hyphen inside a line.
FIRST_LINES = [
    "Der Verkehrs-",
    "minister eröffnete am Montag die",
    "neue Nord-Süd-",
    "Verbindung mit der Ein-",
    "und Ausfahrt am Bahn\u00adhof. Die ﬁnale",
    "Strecke ist ﬂach.",
]
FIRST_TEXT = (
    "Der Verkehrsminister eröffnete am Montag die neue Nord-Süd-Verbindung mit der Ein- und "
    "Ausfahrt am Bahnhof. Die finale Strecke ist flach."
)
TITLE = "Verkehr in der Region"


def blocks(text: str) -> list[str]:
    return [text[s:e] for s, e in split_blocks(text)]


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory) -> tuple[Path, list[str]]:
    """Two pages, two columns, a title, a running header and page numbers."""
    if not documents.FONT.is_file():
        pytest.skip("the PDF builder needs fonts-dejavu-core (apt-get)")
    paragraphs = [" ".join(CORPUS[i : i + 4]) for i in range(0, 48, 4)]
    path = tmp_path_factory.mktemp("pdf") / "bericht.pdf"
    pages = documents.layout_pdf(path, [FIRST_LINES, *paragraphs], documents.PdfLayout(title=TITLE))
    assert pages == 2
    return path, paragraphs


# ---------------------------------------------------------------- PDF


def test_pdf_reads_columns_in_order_and_joins_hyphenated_words(report_pdf):
    path, paragraphs = report_pdf
    result = extract(path, path.read_bytes())
    expected = " ".join([TITLE, FIRST_TEXT, *paragraphs])
    # Every word, in reading order: column by column, page by page, hyphens resolved.
    assert result.text.replace("# ", "").split() == expected.split()
    assert result.metadata["format"] == "pdf" and result.metadata["pages"] == 2
    assert result.metadata["extractor"].startswith("pypdfium2 ")
    assert "pages_without_text" not in result.metadata


def test_pdf_drops_running_headers_and_page_numbers_and_keeps_paragraphs(report_pdf):
    path, paragraphs = report_pdf
    text = extract(path, path.read_bytes()).text
    assert "Jahresbericht" not in text and "Stadtwerke" not in text
    assert not re.search(r"^\d+$", text, re.MULTILINE)
    found = blocks(text)
    assert found[0] == TITLE and text.startswith(f"# {TITLE}\n\n")  # a heading, on its own
    assert found[1] == FIRST_TEXT
    assert "Verkehrs-" not in text and "\u00ad" not in text and "ﬁ" not in text
    # Paragraph breaks survive as blank lines (a column break may hide one, no more).
    expected = len(paragraphs) + 2  # the title and the first paragraph besides
    assert expected - 1 <= text.count("\n\n") + 1 <= expected


def test_scanned_pdf_is_refused_as_having_no_text_layer(tmp_path):
    path = documents.scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(InputError, match=r"scan\.pdf: no text layer \(scanned\?\)"):
        extract(path, path.read_bytes())


def _has_german_tesseract() -> bool:
    try:
        ocr.tesseract.cache_clear()
        ocr.tesseract()
        return True
    except FormatSupportMissing:
        return False


@pytest.mark.skipif(
    not documents.FONT.is_file() or not _has_german_tesseract(),
    reason="--ocr needs tesseract-ocr and tesseract-ocr-deu (apt-get), the scan fonts-dejavu-core",
)
def test_ocr_reads_a_scanned_pdf_in_german(tmp_path):
    lines = ["Der Verkehrsminister eröffnete am", "Montag die neue Brücke über die Elbe."]
    path = documents.scanned_pdf(tmp_path / "scan.pdf", lines)
    result = extract(path, path.read_bytes(), ocr=True)
    assert (
        result.text == "Der Verkehrsminister eröffnete am Montag die neue Brücke über die Elbe.\n"
    )
    assert result.metadata["ocr_pages"] == [1]
    assert re.fullmatch(r"pypdfium2 \S+ \+ tesseract \S+ \(deu\)", result.metadata["extractor"])


def test_ocr_without_tesseract_names_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    ocr.tesseract.cache_clear()
    path = documents.scanned_pdf(tmp_path / "scan.pdf")
    monkeypatch.setenv("PATH", str(tmp_path))  # and for the child process that reads PDFs
    try:
        with pytest.raises(
            FormatSupportMissing, match="apt-get install tesseract-ocr tesseract-ocr-deu"
        ):
            extract(path, path.read_bytes(), ocr=True)
    finally:
        ocr.tesseract.cache_clear()


def test_encrypted_truncated_and_corrupt_pdfs_are_refused(tmp_path):
    encrypted = documents.encrypted_pdf(tmp_path / "geheim.pdf")
    with pytest.raises(InputError, match="encrypted"):
        extract(encrypted, encrypted.read_bytes())
    data = encrypted.read_bytes()
    with pytest.raises(InputError, match="truncated"):
        extract(tmp_path / "halb.pdf", data[: len(data) // 2])
    with pytest.raises(InputError, match="corrupt"):
        extract(tmp_path / "kaputt.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")


def test_layout_keeps_suspended_and_capitalised_hyphens():
    assert join_lines(["der Verkehrs-", "minister"]) == "der Verkehrsminister"
    assert join_lines(["die Nord-Süd-", "Verbindung"]) == "die Nord-Süd-Verbindung"
    assert join_lines(["die Ein-", "und Ausfahrt"]) == "die Ein- und Ausfahrt"
    assert join_lines(["Bahn\x02", "hof"]) == "Bahnhof"  # PDFium's line-end hyphen mark
    assert join_lines(["Preis –", "und Leistung"]) == "Preis – und Leistung"


def _line(text: str, x: float, y: float, size: float = 10.0) -> list[Word]:
    words, left = [], x
    for token in text.split():
        width = 0.5 * size * len(token)
        words.append(Word(token, left, left + width, y, y + 1.2 * size))
        left += width + 0.3 * size
    return words


def test_layout_reads_a_page_with_a_title_over_two_columns():
    page = _line("Zwei Spalten", 50, 800, size=16)
    for row in range(8):
        page += _line(f"links {row} " + "wort " * 7, 50, 760 - 12 * row)
        page += _line(f"rechts {row} " + "wort " * 7, 300, 760 - 12 * row - 5)  # own baselines
    text = page_text([page])
    assert text.split("\n\n")[0] == "# Zwei Spalten"
    words = text.split()
    assert words.index("links") < words.index("7") < words.index("rechts")
    assert [w for w in words if w.isdigit()] == [str(i) for i in range(8)] * 2


# ---------------------------------------------------------------- Office, web, e-book, e-mail


def test_docx_headings_lists_and_table_cells_come_out_as_blocks(tmp_path):
    path = documents.docx(tmp_path / "haushalt.docx")
    result = extract(path, path.read_bytes())
    assert result.text.startswith("# Haushalt 2025\n\nDer Stadtrat")
    assert "\n## Die wichtigsten Punkte\n\n- Mehr Geld für Schulen\n- Neue Radwege" in result.text
    assert "| Schulen | 4 Mio. Euro |" in result.text
    assert blocks(result.text) == [
        "Haushalt 2025",
        "Der Stadtrat hat den Haushalt am Montag beschlossen.",
        "Die wichtigsten Punkte",
        "Mehr Geld für Schulen",
        "Neue Radwege in der Altstadt",
        "Bereich",
        "Betrag",
        "Schulen",
        "4 Mio. Euro",
        "Die Opposition stimmte dagegen.",
    ]
    assert result.metadata["extractor"].startswith("python-docx ")


def test_odt_headings_lists_and_table_cells_come_out_as_blocks(tmp_path):
    path = documents.odt(tmp_path / "rathaus.odt")
    result = extract(path, path.read_bytes())
    assert result.text.startswith("# Bericht aus dem Rathaus\n\n")
    assert "\n- Ein neues Schwimmbad\n- Längere Öffnungszeiten der Bibliothek\n" in result.text
    found = blocks(result.text)
    assert found[0] == "Bericht aus dem Rathaus"
    assert {"Schwimmbad", "12 Mio. Euro", "Ein neues Schwimmbad"} <= set(found)
    assert found[-1] == "Die Bürger können bis Ende März Einwände erheben."


def test_web_page_gives_the_article_without_menus_banners_or_footers(tmp_path):
    pytest.importorskip("trafilatura", reason="web pages need the [formats] extra")
    path = documents.html_page(tmp_path / "artikel.html")
    result = extract(path, path.read_bytes())
    for boilerplate in (
        "Cookies",
        "akzeptieren",
        "Startseite",
        "Meistgelesen",
        "Impressum",
        "Skript",
        "Lokalzeitung",
    ):
        assert boilerplate not in result.text
    assert result.text.startswith("# Neue Brücke über die Elbe eröffnet\n\nNach vier Jahren")
    assert "\n## Was sich für Pendler ändert\n" in result.text
    assert "\n- Die Fähre stellt ihren Betrieb Ende des Monats ein.\n- Radfahrer" in result.text
    assert result.text.rstrip().endswith("deutlich über der ersten Schätzung.")


def test_epub_chapters_in_spine_order_with_their_headings(tmp_path):
    path = documents.epub(tmp_path / "roman.epub")
    result = extract(path, path.read_bytes())
    found = blocks(result.text)
    assert found == [
        "Erstes Kapitel: Die Ankunft",
        "Am Abend erreichte der Zug die kleine Stadt am Fluss.",
        "Niemand wartete am Bahnsteig auf die Reisende.",
        "Zweites Kapitel: Der Brief",
        "Am nächsten Morgen lag ein Brief vor ihrer Tür.",
        "Er trug keinen Absender.",
    ]
    assert "# Zweites Kapitel: Der Brief\n" in result.text
    assert result.metadata["chapters"] == 2 and result.metadata["source_title"] == "Die Reisende"


@pytest.mark.parametrize("html", [False, True], ids=["plain", "html"])
def test_email_subject_and_body_with_attachments_listed_not_read(tmp_path, html):
    path = documents.eml(tmp_path / "einladung.eml", html=html)
    result = extract(path, path.read_bytes())
    assert result.text.startswith("# Einladung zur Pressekonferenz am Freitag\n\n")
    assert "lädt Sie herzlich zur Pressekonferenz am Freitag um 10 Uhr ein." in result.text
    assert "not really" not in result.text and "PDF" not in result.text
    assert result.metadata["attachments"] == ["Programm.pdf"]


def test_rtf_paragraphs_and_umlauts(tmp_path):
    path = documents.rtf(tmp_path / "kita.rtf")
    assert extract(path, path.read_bytes()).text == (
        "Die Gemeinde Grünwald plant einen neuen Kindergarten.\n\n"
        "Der Bau soll im Frühjahr beginnen und kostet rund zwei Millionen Euro.\n"
    )


def test_normalize_spells_out_ligatures_and_drops_soft_hyphens():
    assert normalize_text("Die ﬁnale ﬂache Stra\u00adße\u00a0am\u200b Ziel  \r\n\n\n\nEnde") == (
        "Die finale flache Straße am Ziel\n\nEnde\n"
    )


# ---------------------------------------------------------------- refusals


def test_password_protected_office_files_are_refused(tmp_path):
    pytest.importorskip("msoffcrypto", reason="building an encrypted .docx needs msoffcrypto")
    for path in (
        documents.encrypted_docx(tmp_path / "geheim.docx"),
        documents.encrypted_odt(tmp_path / "geheim.odt"),
    ):
        with pytest.raises(InputError, match=f"{path.name}: .*password-protected"):
            extract(path, path.read_bytes())


def test_drm_protected_epub_is_refused(tmp_path):
    path = documents.epub(tmp_path / "gesperrt.epub", drm=True)
    with pytest.raises(InputError, match="gesperrt.epub: the e-book is DRM-protected"):
        extract(path, path.read_bytes())


@pytest.mark.parametrize("name", ["bombe.docx", "bombe.epub", "bombe.odt"])
def test_zip_bombs_are_refused_before_unpacking(tmp_path, name):
    path = documents.zip_bomb(tmp_path / name)
    assert path.stat().st_size < 100_000
    with pytest.raises(InputError, match=r"would unpack to 20 MB .*zip bomb"):
        extract(path, path.read_bytes())


def test_truncated_and_damaged_archives_are_refused(tmp_path):
    data = documents.docx(tmp_path / "a.docx").read_bytes()
    with pytest.raises(InputError, match="corrupt or truncated"):
        extract(tmp_path / "halb.docx", data[: len(data) // 2])
    with pytest.raises(InputError, match="corrupt or truncated"):
        extract(tmp_path / "halb.epub", documents.epub(tmp_path / "b.epub").read_bytes()[:300])


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bericht.docx", "pdf", "the content is a PDF document, not a Word document"),
        ("bericht.pdf", "docx", "the content is a Word document (.docx), not a PDF document"),
        ("roman.epub", "odt", "the content is an OpenDocument text (.odt), not an EPUB"),
        ("seite.html", "pdf", "a binary file (a PDF document), not text as the name .html"),
        ("notiz.txt", "docx", "a binary file (a Word document (.docx)), not text"),
        ("alt.docx", "ole", "an old Word 97-2003 (.doc) file, not .docx"),
    ],
)
def test_a_name_that_lies_about_the_content_is_refused(tmp_path, name, content, message):
    builders = {
        "pdf": lambda p: documents.encrypted_pdf(p).read_bytes(),
        "docx": lambda p: documents.docx(p).read_bytes(),
        "odt": lambda p: documents.odt(p).read_bytes(),
        "ole": lambda p: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"WordDocument",
    }
    data = builders[content](tmp_path / f"source.{content}")
    with pytest.raises(InputError, match=re.escape(message)):
        extract(tmp_path / name, data)


def test_text_that_mentions_a_signature_is_still_text(tmp_path):
    data = b"Notiz: Dateien, die mit %PDF-1.7 beginnen, sind PDFs.\n"
    assert extract(tmp_path / "notiz.md", data).text == data.decode()
    pdf = documents.encrypted_pdf(tmp_path / "x.pdf").read_bytes()
    with pytest.raises(InputError, match="encrypted"):  # junk before the header is allowed
        extract(tmp_path / "junk.pdf", b"HTTP/1.1 200 OK\r\n\r\n" + pdf)


def test_not_an_email_and_too_much_text_are_refused(tmp_path):
    with pytest.raises(InputError, match="not an e-mail"):
        extract(tmp_path / "x.eml", b"Dies ist nur ein Satz ohne Kopfzeilen.\n")
    with pytest.raises(InputError, match=r"its text, 0.0 MB, is over the 0.0 MB input limit"):
        extract(tmp_path / "lang.txt", b"Ein Satz. " * 10, max_text_bytes=50)
    with pytest.raises(InputError, match=r"\.xlsx is not a format this tool reads"):
        extract(tmp_path / "tabelle.xlsx", b"PK")


def test_a_missing_library_names_the_install_command(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "trafilatura", None)  # as if it were not installed
    path = documents.html_page(tmp_path / "artikel.html")
    with pytest.raises(FormatSupportMissing) as caught:
        extract(path, path.read_bytes())
    assert "pip install 'translate-digest[formats]'" in str(caught.value)
    assert "\n" not in str(caught.value)
