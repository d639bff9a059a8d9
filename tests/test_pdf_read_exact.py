"""pdf.py pinned exactly (issue 32), read in this process with `read_pdf` (the child that
`extract` starts runs the same function): whole documents' text, each refusal's words, the
metadata, and the word building from PDFium's character boxes. PDFs are built at test time
(fpdf2, or object by object as in test_pdf_bombs)."""

from __future__ import annotations

import pytest

from tests import documents
from tests.test_extract import CORPUS, FIRST_LINES, TITLE
from tests.test_pdf_bombs import raw_pdf
from tests.test_pdf_structure import (
    AGENDA,
    AGENDA_LINES,
    VOTES,
    contents_pdf,
    lines_pdf,
    minutes_pdf,
)
from translate.errors import InputError
from translate.inputs.extract import ocr, pdf
from translate.inputs.extract.layout import Word

FONTS = b"<< /Font << /F1 3 0 R >> >>"
LIMIT_HINT = "input limit (raise it with --max-input-mb)"

needs_font = pytest.mark.skipif(
    not documents.FONT.is_file(), reason="the PDF builder needs fonts-dejavu-core (apt-get)"
)


def page(*lines: bytes) -> bytes:
    """A page's content stream: Helvetica 11 pt, one line of text after another."""
    content = b"BT /F1 11 Tf 72 760 Td 14 TL " + b" T* ".join(b"(%s) Tj" % t for t in lines)
    content += b" ET"
    return b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)


def read(data: bytes, name: str = "x.pdf", **options) -> str:
    return pdf.read_pdf(data, name, **options).text


# ---------------------------------------------------------------- whole documents


@needs_font
def test_a_two_column_report_reads_as_its_paragraphs_in_order(tmp_path):
    paragraphs = [" ".join(CORPUS[i : i + 4]) for i in range(0, 48, 4)]
    path = tmp_path / "bericht.pdf"
    documents.layout_pdf(path, [FIRST_LINES, *paragraphs], documents.PdfLayout(title=TITLE))
    first = (
        "Der Verkehrsminister eröffnete am Montag die neue Nord-Süd-Verbindung mit der Ein- und "
        "Ausfahrt am Bahn\u00adhof. Die finale Strecke ist flach."
    )
    extracted = pdf.read_pdf(path.read_bytes(), "bericht.pdf")
    assert extracted.text == "\n\n".join([f"# {TITLE}", first, *paragraphs])
    assert extracted.metadata["pages"] == 2
    assert set(extracted.metadata) == {"extractor", "pages"}


@needs_font
def test_minutes_read_as_agenda_items_a_table_and_a_footnote(tmp_path):
    text = read(minutes_pdf(tmp_path / "protokoll.pdf").read_bytes())
    table = [
        "| Kandidat/in | Ja | Nein | Enthaltung | Summe |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {' | '.join(row)} |" for row in VOTES),
    ]
    assert text == "\n\n".join(
        [
            "# Protokoll",
            "Die Versammlung wurde um 19 Uhr eröffnet. Es gilt folgende Tagesordnung:",
            *(item.strip() for item in AGENDA),
            "Die Quellpakete[^1] wurden vorgestellt. Die Wahl ergab:",
            "\n".join(table),
            "[^1]: Für die Debian-Quellpakete gilt die DFSG.",
        ]
    )


@needs_font
def test_a_manual_reads_as_its_contents_list_then_its_chapters(tmp_path):
    text = read(contents_pdf(tmp_path / "faq.pdf").read_bytes())
    assert text == (
        "<!-- contents -->\n\nInhaltsverzeichnis\n\n- Vorwort\n- 1 Einleitung\n"
        "  - 1.1 Was ist Debian?\n"
        "  - 1.2 Wer steht hinter dem Projekt und wie wird es über viele organisiert?\n"
        "- 2 Pakete\n  - 2.1 Quellpakete\n  - 2.2 Binärpakete\n- 3 Mitarbeit\n\n"
        "<!-- /contents -->\n\n# Vorwort\n\n"
        "Dieses Dokument beantwortet häufig gestellte Fragen zu Debian.\n\n# Einleitung\n\n"
        "Debian ist ein freies Betriebssystem, das Freiwillige entwickeln."
    )


@needs_font
def test_a_paragraph_reads_on_past_a_footnote_at_its_pages_foot(tmp_path):
    from tests.test_pdf_structure import footnote_at_a_page_foot_pdf

    document = footnote_at_a_page_foot_pdf()
    assert read(bytes(document.output())) == (
        "Alle Pakete des Archivs werden aus ihren Quellen neu gebaut, und zwar auch die "
        "Quellpakete[^2] selbst, die jeden Tag geprüft werden.\n\n"
        "[^2]: Für die Debian-Quellpakete gilt die DFSG, die Richtlinie für freie Software."
    )


@needs_font
def test_wrapped_list_items_and_a_date_after_a_wrapped_line_read_as_blocks(tmp_path):
    path = lines_pdf(
        tmp_path / "liste.pdf",
        AGENDA_LINES,
    )
    assert read(path.read_bytes()) == (
        "Die Tagesordnung:\n\n"
        "3. Bericht über die Arbeit des Verkehrsministeriums im vergangenen Geschäftsjahr\n\n"
        "4. Verschiedenes\n\n"
        "- Termine der nächsten Sitzungen und Arbeitsgruppen im Herbst\n\n"
        "Nach der langen Pause im Sommer trafen wir uns wieder am 5. Dezember im Rathaus."
    )


@needs_font
def test_a_character_beyond_the_bmp_is_read_whole_not_as_two_halves():
    # PDFium counts such a character as two (its UTF-16 halves); reading them one by one
    # gave lone surrogates, and the document was refused (UnicodeEncodeError).
    from fpdf import FPDF

    document = FPDF()
    document.add_font("DejaVu", "", str(documents.FONT))
    document.add_page()
    document.set_font("DejaVu", size=11)
    document.text(20, 30, "Altitalisch \U00010300\U00010301 Buchstaben sind selten")
    assert (
        read(bytes(document.output())) == "Altitalisch \U00010300\U00010301 Buchstaben sind selten"
    )


# ---------------------------------------------------------------- metadata, letters, refusals


def test_pages_without_text_are_listed_by_number():
    data = raw_pdf([page(b"Hallo Welt und alle Leute"), page(), page(b"abc"), page()], FONTS)
    extracted = pdf.read_pdf(data, "x.pdf")
    assert extracted.text == "Hallo Welt und alle Leute abc"
    assert extracted.metadata["extractor"].startswith("pypdfium2 ")
    assert extracted.metadata["pages"] == 4
    assert extracted.metadata["pages_without_text"] == [2, 4]
    assert "ocr_pages" not in extracted.metadata


def test_twenty_letters_are_a_text_layer_and_nineteen_are_not():
    assert read(raw_pdf([page(b"Hallo Welt und alle Luxe 1 2 3")], FONTS)) == (
        "Hallo Welt und alle Luxe 1 2 3"
    )
    with pytest.raises(InputError) as caught:
        read(raw_pdf([page(b"Hallo Welt und alle Lux 1 2 3"), page()], FONTS), "scan.pdf")
    assert str(caught.value) == (
        "scan.pdf: no text layer (scanned?): its 2 page(s) hold only images; "
        "--ocr reads them with Tesseract"
    )


def test_letters_are_counted_over_all_pages():
    text = read(raw_pdf([page(b"Hallo Welt"), page(b"und alle Luxe")], FONTS))
    assert text == "Hallo Welt und alle Luxe"


def test_a_pdf_without_an_end_marker_in_its_last_kilobyte_is_truncated():
    data = raw_pdf([page(b"Hallo Welt und alle Leute")], FONTS)
    assert data.endswith(b"%%EOF\n")
    assert read(data + b" " * 1018) == "Hallo Welt und alle Leute"  # %%EOF in the last 1,024
    with pytest.raises(InputError) as caught:
        read(data + b" " * 1019, "halb.pdf")
    assert str(caught.value) == "halb.pdf: the PDF is truncated or damaged (it has no end marker)"


def test_an_encrypted_and_a_corrupt_pdf_are_refused_in_words(tmp_path):
    encrypted = documents.encrypted_pdf(tmp_path / "geheim.pdf").read_bytes()
    with pytest.raises(InputError) as caught:
        read(encrypted, "geheim.pdf")
    assert str(caught.value) == (
        "geheim.pdf: the PDF is encrypted (password-protected); save a copy without a "
        "password to translate it"
    )
    with pytest.raises(InputError) as caught:
        read(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n", "kaputt.pdf")
    assert str(caught.value).startswith("kaputt.pdf: the PDF is corrupt or truncated (")
    assert "password" not in str(caught.value)


def test_the_text_limit_counts_the_words_without_spaces_exactly():
    data = raw_pdf([page(b"Hallo Welt und"), page(b"alle Luxe"), page(b"Ende")], FONTS)
    # 12 + 8 + 4 bytes: the limit is checked after each page
    assert read(data, max_text_bytes=24) == "Hallo Welt und alle Luxe Ende"
    with pytest.raises(InputError) as caught:
        read(data, "lang.pdf", max_text_bytes=23)
    assert str(caught.value) == (
        f"lang.pdf: its text, at least 0.0 MB, is over the 0.0 MB {LIMIT_HINT}"
    )
    with pytest.raises(InputError, match=r"at least 0\.0 MB"):
        read(data, max_text_bytes=19)  # over after the second page


def test_umlauts_count_as_their_utf8_bytes_in_the_text_limit():
    data = raw_pdf([page(b"Gr\xfc\xdfe aus K\xf6ln und Bonner")], FONTS)  # WinAnsi
    assert read(data, max_text_bytes=24) == "Grüße aus Köln und Bonner"
    with pytest.raises(InputError):
        read(data, max_text_bytes=23)


def test_a_page_over_the_character_limit_is_refused_in_words(monkeypatch):
    data = raw_pdf([page(b"Hallo Welt und alle Leute")], FONTS)  # 25 characters
    monkeypatch.setattr(pdf, "MAX_PAGE_CHARS", 25)
    assert read(data) == "Hallo Welt und alle Leute"
    monkeypatch.setattr(pdf, "MAX_PAGE_CHARS", 24)
    with pytest.raises(InputError) as caught:
        read(raw_pdf([page(b"ok"), page(b"Hallo Welt und alle Leute")], FONTS), "voll.pdf")
    assert str(caught.value) == (
        "voll.pdf: refused, page 2 holds 25 characters, over the limit of 24 a page "
        "(text drawn over and over?)"
    )


def test_the_character_limit_is_written_with_thousands_separators(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGE_CHARS", 1000)
    line = b"Der Rat der Stadt tagt am Montag im Rathaus und beraet den Haushalt."
    with pytest.raises(InputError, match=r"page 1 holds 1,048 characters, over the limit of "
                       r"1,000 a page"):  # fmt: skip
        read(raw_pdf([page(*[line] * 15)], FONTS))


def test_reading_stops_at_the_time_limit_with_the_page_it_reached(monkeypatch):
    ticks = iter([0.0, 0.0, 1.0, 200.0])
    monkeypatch.setattr(pdf.time, "monotonic", lambda: next(ticks))
    data = raw_pdf([page(b"Hallo Welt und alle Leute")] * 3, FONTS)
    with pytest.raises(InputError) as caught:
        read(data, "slow.pdf")
    assert str(caught.value) == (
        "slow.pdf: refused, reading the PDF took longer than 120 s (stopped at page 3 of 3; "
        "a document built to be slow?)"
    )


def test_reading_at_exactly_the_time_limit_goes_on(monkeypatch):
    ticks = iter([0.0, 120.0, 120.0])
    monkeypatch.setattr(pdf.time, "monotonic", lambda: next(ticks))
    data = raw_pdf([page(b"Hallo Welt und alle Leute")] * 2, FONTS)
    assert read(data) == "Hallo Welt und alle Leute Hallo Welt und alle Leute"


# ---------------------------------------------------------------- OCR'd pages among others


def test_ocr_text_stands_between_the_runs_of_pages_with_a_text_layer():
    words = [Word("Eins", 0, 20, 700, 712)], [Word("Zwei", 0, 20, 700, 712)]
    pages = [words[0], [], words[1], []]
    assert pdf._compose(pages, {1: "Gelesen.", 3: "Auch."}) == "Eins\n\nGelesen.\n\nZwei\n\nAuch."
    assert pdf._compose(pages, {1: "  ", 3: ""}) == "Eins\n\nZwei"
    assert pdf._compose([[], words[0], words[1]], {0: "Vorne."}) == "Vorne.\n\nEins Zwei"
    assert pdf._compose([words[0], words[1]], {}) == "Eins Zwei"


def _german_tesseract() -> bool:
    try:
        ocr.tesseract.cache_clear()
        ocr.tesseract()
        return True
    except Exception:
        return False


needs_tesseract = pytest.mark.skipif(
    not documents.FONT.is_file() or not _german_tesseract(),
    reason="OCR needs tesseract-ocr and tesseract-ocr-deu (apt-get), the scan fonts-dejavu-core",
)


@needs_tesseract
def test_a_scanned_page_between_text_pages_is_read_by_ocr_in_its_place(tmp_path):
    scan = documents.scanned_pdf(tmp_path / "scan.pdf", ["Die neue Brücke über die Elbe."])
    import pypdfium2 as pdfium

    merged = pdfium.PdfDocument.new()
    text = pdfium.PdfDocument(raw_pdf([page(b"Vorne steht der Bericht des Rates.")], FONTS))
    merged.import_pages(text)
    merged.import_pages(pdfium.PdfDocument(scan.read_bytes()))
    merged.import_pages(text)
    out = tmp_path / "gemischt.pdf"
    merged.save(str(out))
    extracted = pdf.read_pdf(out.read_bytes(), "gemischt.pdf", ocr=True)
    assert extracted.text == (
        "Vorne steht der Bericht des Rates.\n\nDie neue Brücke über die Elbe.\n\n"
        "Vorne steht der Bericht des Rates."
    )
    assert extracted.metadata["ocr_pages"] == [2]
    assert extracted.metadata["extractor"].endswith(f" + {ocr.tesseract()}")
    assert extracted.metadata["extractor"].startswith("pypdfium2 ")
    assert "pages_without_text" not in extracted.metadata


@needs_tesseract
def test_a_blank_scan_read_by_ocr_is_still_refused_without_the_ocr_hint(tmp_path):
    blank = raw_pdf([page()], FONTS)
    with pytest.raises(InputError) as caught:
        read(blank, "leer.pdf", ocr=True)
    assert str(caught.value) == (
        "leer.pdf: no text layer (scanned?): its 1 page(s) hold only images"
    )


# ---------------------------------------------------------------- words from character boxes


def boxes(*chars: tuple[str, float, float, float, float]):
    """`_words`' arguments for characters given as (char, left, bottom, right, top)."""
    text = "".join(c[0] for c in chars)

    def charbox(index: int, loose: bool = False):
        assert loose
        return chars[index][1:]

    return text, charbox


def test_words_are_split_at_spaces_and_nul_and_take_their_characters_boxes():
    text, charbox = boxes(
        ("a", 0, 0, 5, 10),
        ("b", 5, -1, 10, 11),
        (" ", 10, 0, 13, 10),
        ("c", 13, 0, 18, 10),
        ("\x00", 18, 0, 18, 10),
        ("d", 18, 0, 23, 10),
        ("\x02", 23, 0, 26, 10),
    )
    assert pdf._words(text, charbox) == [
        Word("ab", 0, 10, -1, 11),
        Word("c", 13, 18, 0, 10),
        Word("d\x02", 18, 26, 0, 10),
    ]


def test_a_word_ends_where_the_next_character_jumps_away():
    def first_two(second: tuple[float, float, float, float]) -> list[str]:
        text, charbox = boxes(("a", 10, 0, 15, 10), ("b", *second))
        return [w.text for w in pdf._words(text, charbox)]

    assert first_two((15, 5, 20, 15)) == ["ab"]  # half the height up: one line still
    assert first_two((15, 5.1, 20, 15.1)) == ["a", "b"]  # more: another line
    assert first_two((15, -5, 20, 5)) == ["ab"]
    assert first_two((15, -5.1, 20, 4.9)) == ["a", "b"]
    assert first_two((18.5, 0, 23, 10)) == ["ab"]  # a gap of 0.35 of the height
    assert first_two((18.6, 0, 23, 10)) == ["a", "b"]
    assert first_two((5, 0, 10, 10)) == ["ab"]  # back by the height: still one word
    assert first_two((4.9, 0, 9.9, 10)) == ["a", "b"]  # further back: another column


def test_a_raised_number_after_a_word_is_a_word_of_its_own():
    text, charbox = boxes(("a", 0, 0, 5, 10), ("1", 5, 3, 8, 13), ("2", 8, 3, 11, 13))
    assert [w.text for w in pdf._words(text, charbox)] == ["a", "12"]


def test_no_characters_are_no_words():
    assert pdf._words("", None) == []
    assert pdf._words("  \x00 ", None) == []


def test_a_page_tesseract_fails_on_is_named_by_its_number(tmp_path, monkeypatch):
    from tests.test_ocr_exact import fake_tesseract

    fake_tesseract(tmp_path, status=1, error="Error in pixReadMem")
    monkeypatch.setenv("PATH", str(tmp_path))
    ocr.tesseract.cache_clear()
    data = raw_pdf([page(b"Hallo Welt und alle Leute"), page(b"Der Rat"), page()], FONTS)
    try:
        with pytest.raises(InputError) as caught:
            read(data, "teils.pdf", ocr=True)
    finally:
        ocr.tesseract.cache_clear()
    assert str(caught.value) == "teils.pdf: OCR of page 3 failed (Error in pixReadMem)"


def test_a_lone_half_of_a_character_beyond_the_bmp_is_replaced():
    text, charbox = boxes(("a", 0, 0, 5, 10), ("\ud800", 5, 0, 10, 10), ("b", 10, 0, 15, 10))
    assert [w.text for w in pdf._words(text, charbox)] == ["a\ufffdb"]


def test_pdf_without_pypdfium2_names_the_package(monkeypatch):
    import sys

    from translate.errors import FormatSupportMissing

    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    with pytest.raises(FormatSupportMissing) as caught:
        read(raw_pdf([page(b"Hallo")], FONTS))
    assert str(caught.value) == (
        "reading PDF files needs pypdfium2, which is not installed: "
        "pip install 'translate-digest[formats]'"
    )


@needs_font
def test_a_pdf_of_a_table_alone_reads_as_the_table():
    # Layout crashed on a document with no row outside a table (UnboundLocalError in
    # _blocks): the PDF was refused as unreadable.
    from tests.test_pdf_structure import _pdf

    document = _pdf()
    document.add_page()
    document.set_font("DejaVu", size=11)
    cells = [("Bereich", "Betrag"), ("Schulen", "4 Mio. Euro"), ("Straßen", "2 Mio. Euro")]
    with document.table() as table:
        for values in cells:
            row = table.row()
            for value in values:
                row.cell(value)
    assert read(bytes(document.output())) == (
        "| Bereich | Betrag |\n| --- | --- |\n| Schulen | 4 Mio. Euro |\n| Straßen | 2 Mio. Euro |"
    )


def test_extract_reads_without_ocr_unless_asked():
    with pytest.raises(InputError) as caught:
        pdf.extract(raw_pdf([page()], FONTS), "leer.pdf")
    assert str(caught.value).endswith("; --ocr reads them with Tesseract")


@pytest.mark.parametrize(("ocr_asked", "refused"), [(False, True), (True, False)])
def test_the_childs_time_is_the_reading_time_and_the_ocr_time_when_asked(
    monkeypatch, ocr_asked, refused
):
    from translate.inputs.extract import isolated

    monkeypatch.setattr(isolated, "GRACE_SECONDS", 0)
    monkeypatch.setattr(pdf, "PDF_SECONDS", 0)
    monkeypatch.setattr(pdf, "OCR_SECONDS", 100)
    data = raw_pdf([page(b"Hallo Welt und alle Leute")], FONTS)
    if not refused:
        assert pdf.extract(data, "x.pdf", ocr=ocr_asked).text == "Hallo Welt und alle Leute"
        return
    with pytest.raises(InputError) as caught:
        pdf.extract(data, "x.pdf", ocr=ocr_asked)
    assert str(caught.value) == (
        "x.pdf: refused, reading the PDF took longer than 0 s (a document built to be slow?)"
    )
