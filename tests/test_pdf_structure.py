"""PDFs as their authors laid them out (issue 27): tables, numbered agendas, contents pages,
addresses broken at line ends, footnote markers. Each PDF is built at test time with fpdf2
the way a word processor or typesetter sets such a page, and read back through PDFium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import documents
from translate.cli import app
from translate.inputs.extract import extract
from translate.inputs.extract.layout import join_lines
from translate.text.segment import plain_text, split_blocks

AGENDA = [
    "1. Begrüßung",
    "2. Finanzbericht",
    "    2.1 Kassenbericht",
    "    2.2 Bericht der Kassenprüfer",
    "3. Wahlen",
    "4. Anträge",
    "5. Verschiedenes",
    "6. Sitzungsende",
]
HEADER = ("Kandidat/in", "Ja", "Nein", "Enthaltung", "Summe")
VOTES = [(f"Kandidat {n}", str(30 - n % 4), str(n % 4), "0", "30") for n in range(1, 56)]
CONTENTS = [  # (level, entry, page): a roman page, and an entry wrapped over two lines
    (0, "Vorwort", "v"),
    (0, "1 Einleitung", "1"),
    (1, "1.1 Was ist Debian?", "1"),
    (1, "1.2 Wer steht hinter dem Projekt und wie wird es über viele", "2"),
    (0, "2 Pakete", "4"),
    (1, "2.1 Quellpakete", "5"),
    (1, "2.2 Binärpakete", "7"),
    (0, "3 Mitarbeit", "9"),
]


def _pdf():
    if not documents.FONT.is_file():
        pytest.skip("the PDF builder needs fonts-dejavu-core (apt-get)")
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(documents.FONT))
    pdf.add_font("DejaVu", "B", str(documents.FONT_BOLD))
    return pdf


def minutes_pdf(path: Path) -> Path:
    """Minutes as a word processor sets them: an agenda, a paragraph with a footnote, and
    a voting table over three pages whose header row is repeated on each (fpdf2 does, as
    Word and LibreOffice do); a running header and `Seite N` on every page."""
    pdf = _pdf()

    def running() -> None:
        pdf.set_font("DejaVu", size=8)
        pdf.text(20, 12, "Protokoll der Mitgliederversammlung 2024")
        pdf.text(100, 290, f"Seite {pdf.page_no()}")
        pdf.set_font("DejaVu", size=11)

    pdf.header = running
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, "Protokoll", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=11)
    pdf.write(6, "Die Versammlung wurde um 19 Uhr eröffnet. Es gilt folgende Tagesordnung:\n")
    for item in AGENDA:
        pdf.cell(0, 6, item, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.write(6, "Die Quellpakete")
    pdf.char_vpos = "SUP"
    pdf.write(6, "1")
    pdf.char_vpos = "LINE"
    pdf.write(6, " wurden vorgestellt. Die Wahl ergab:\n")
    pdf.ln(2)
    widths, align = (60, 25, 25, 30, 25), ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    with pdf.table(col_widths=widths, text_align=align) as table:
        for values in [HEADER, *VOTES]:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.set_auto_page_break(False)
    pdf.set_xy(20, 272)
    pdf.set_font("DejaVu", size=8)
    pdf.char_vpos = "SUP"
    pdf.write(5, "1")
    pdf.char_vpos = "LINE"
    pdf.write(5, "Für die Debian-Quellpakete gilt die DFSG.")
    pdf.output(str(path))
    return path


def lines_pdf(path: Path, lines: list[tuple[float, str]]) -> Path:
    """One page set line by line as given (indent in mm, text), 11 pt at 6 mm."""
    pdf = _pdf()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    for number, (indent, text) in enumerate(lines):
        pdf.text(20 + indent, 30 + 6 * number, text)
    pdf.output(str(path))
    return path


def contents_pdf(path: Path) -> Path:
    """A manual's front matter: a contents page with dot leaders and right-aligned page
    numbers (`iv` at its foot), a foreword (`v`), then chapters; the running header
    `Die Debian-FAQ` on every page."""
    pdf = _pdf()
    pdf.set_auto_page_break(False)

    def page(number: str, heading: str) -> None:
        pdf.add_page()
        pdf.set_font("DejaVu", size=8)
        pdf.text(20, 12, "Die Debian-FAQ")
        pdf.text(105, 290, number)
        pdf.set_font("DejaVu", "B", 16)
        pdf.text(20, 30, heading)
        pdf.set_font("DejaVu", size=11)

    page("iv", "Inhaltsverzeichnis")
    y = 45
    for level, entry, number in CONTENTS:
        x = 20 + 8 * level
        if entry.startswith("1.2"):
            pdf.text(x, y, entry)
            entry, y = "organisiert?", y + 6
        pdf.text(x, y, entry)
        dot = x + pdf.get_string_width(entry) + 3
        while dot < 180:
            pdf.text(dot, y, ".")
            dot += 3
        pdf.text(190 - pdf.get_string_width(number), y, number)
        y += 6
    page("v", "Vorwort")
    pdf.text(20, 45, "Dieses Dokument beantwortet häufig gestellte Fragen zu Debian.")
    page("1", "Einleitung")
    pdf.text(20, 45, "Debian ist ein freies Betriebssystem, das Freiwillige entwickeln.")
    pdf.output(str(path))
    return path


def read(path: Path) -> str:
    return extract(path, path.read_bytes()).text


def blocks(text: str) -> list[str]:
    return [text[s:e] for s, e in split_blocks(text)]


@pytest.fixture(scope="module")
def minutes(tmp_path_factory) -> str:
    return read(minutes_pdf(tmp_path_factory.mktemp("pdf") / "protokoll.pdf"))


def test_a_table_over_pages_is_one_markdown_table_its_repeated_header_row_kept_once(minutes):
    lines = [line for line in minutes.splitlines() if line.startswith("|")]
    assert lines[0] == "| Kandidat/in | Ja | Nein | Enthaltung | Summe |"
    assert lines[1] == "| --- | --- | --- | --- | --- |"
    assert lines[2:] == [f"| {' | '.join(row)} |" for row in VOTES]  # every row, in order
    assert minutes.count("Kandidat/in") == 1  # repeated on pages 2 and 3, not as rows
    # Running lines are still dropped: they stand in the header and footer bands.
    assert "Protokoll der Mitgliederversammlung" not in minutes and "Seite" not in minutes
    # Each cell is a block of its own for the translator; the rule under the header is not.
    cells = blocks(minutes)
    assert cells[cells.index("Kandidat 7") :][:5] == ["Kandidat 7", "27", "3", "0", "30"]
    assert not any("---" in cell for cell in cells)


def test_a_numbered_agenda_keeps_each_item_a_block_with_its_number(minutes):
    found = blocks(minutes)
    assert [item.strip() for item in AGENDA] == [
        b for b in found if b in {a.strip() for a in AGENDA}
    ]
    assert "Es gilt folgende Tagesordnung:" in found[1]
    assert not any("Begrüßung" in b and "Finanzbericht" in b for b in found)


def test_footnote_markers_are_separated_and_kept_as_markdown_footnotes(minutes):
    assert "Die Quellpakete[^1] wurden vorgestellt." in minutes
    assert "\n[^1]: Für die Debian-Quellpakete gilt die DFSG." in minutes
    assert "1Für" not in minutes and "Quellpakete1" not in minutes
    # The footnote's marker is layout, as a list item's is: the translator reads its text.
    assert "Für die Debian-Quellpakete gilt die DFSG." in blocks(minutes)


def footnote_at_a_page_foot_pdf():
    """A paragraph that goes on to the next page past footnote 2 at the foot of the first."""
    pdf = _pdf()
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    pdf.text(20, 30, "Alle Pakete des Archivs werden aus ihren Quellen neu gebaut, und")
    pdf.set_xy(20, 32)
    pdf.write(6, "zwar auch die Quellpakete")
    pdf.char_vpos = "SUP"
    pdf.write(6, "2")
    pdf.char_vpos = "LINE"
    pdf.write(6, " selbst, die")
    pdf.set_xy(20, 272)
    pdf.set_font("DejaVu", size=8)
    pdf.char_vpos = "SUP"
    pdf.write(5, "2")
    pdf.char_vpos = "LINE"
    pdf.write(5, "Für die Debian-Quellpakete gilt die DFSG, die")
    pdf.text(20, 282, "Richtlinie für freie Software.")
    pdf.add_page()
    pdf.set_font("DejaVu", size=11)
    pdf.text(20, 30, "jeden Tag geprüft werden.")
    return pdf


def test_a_paragraph_goes_on_past_a_footnote_at_the_foot_of_its_page(tmp_path):
    pdf = footnote_at_a_page_foot_pdf()
    text = read(pdf.output(str(tmp_path / "fussnote.pdf")) or tmp_path / "fussnote.pdf")
    assert blocks(text) == [
        "Alle Pakete des Archivs werden aus ihren Quellen neu gebaut, und zwar auch die "
        "Quellpakete[^2] selbst, die jeden Tag geprüft werden.",
        "Für die Debian-Quellpakete gilt die DFSG, die Richtlinie für freie Software.",
    ]
    assert text.strip().endswith(
        "\n\n[^2]: Für die Debian-Quellpakete gilt die DFSG, die Richtlinie für freie Software."
    )


# An agenda: wrapped, hyphenated list items, and a date after a wrapped line ((indent, text)).
AGENDA_LINES = [
    (0, "Die Tagesordnung:"),
    (0, "3. Bericht über die Arbeit des Verkehrs-"),
    (4.5, "ministeriums im vergangenen Geschäftsjahr"),
    (0, "4. Verschiedenes"),
    (0, "• Termine der nächsten Sitzungen und Arbeits-"),
    (3, "gruppen im Herbst"),
    (0, "Nach der langen Pause im Sommer trafen wir uns wieder am"),
    (0, "5. Dezember im Rathaus."),
]


def test_a_hyphenated_word_in_a_wrapped_list_item_is_joined_and_items_stay_apart(tmp_path):
    path = lines_pdf(
        tmp_path / "liste.pdf",
        AGENDA_LINES,
    )
    assert blocks(read(path)) == [
        "Die Tagesordnung:",
        "3. Bericht über die Arbeit des Verkehrsministeriums im vergangenen Geschäftsjahr",
        "4. Verschiedenes",
        "Termine der nächsten Sitzungen und Arbeitsgruppen im Herbst",
        # A date after a wrapped line is no list item.
        "Nach der langen Pause im Sommer trafen wir uns wieder am 5. Dezember im Rathaus.",
    ]


def test_addresses_broken_at_line_ends_are_joined(tmp_path):
    path = lines_pdf(
        tmp_path / "faq.pdf",
        [
            (0, "Hinweise stehen unter https://www.debian.org/doc/manuals/debian-faq/-"),
            (0, "contributing.de.html und werden oft aktualisiert. Fragen an"),
            (0, "debian-user-german@lists.debian.-"),
            (0, "org senden oder https://www.debian.org/"),
            (0, "besuchen."),
        ],
    )
    assert read(path).strip() == (
        "Hinweise stehen unter https://www.debian.org/doc/manuals/debian-faq/contributing.de.html"
        " und werden oft aktualisiert. Fragen an debian-user-german@lists.debian.org senden oder"
        " https://www.debian.org/ besuchen."
    )


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (
            ["siehe https://example.org/a/", "b/c.html dort"],
            "siehe https://example.org/a/b/c.html dort",
        ),
        (["siehe https://example.org/doc", "/faq.html"], "siehe https://example.org/doc/faq.html"),
        (["www.bundes-", "regierung.de lesen"], "www.bundes-regierung.de lesen"),
        (["an info@", "verein.de schreiben"], "an info@verein.de schreiben"),
        (["an max.muster-", "mann@verein.de"], "an max.mustermann@verein.de"),
        (["auf www.debian.org.", "Dort steht"], "auf www.debian.org. Dort steht"),
        (["https://example.org", "- ein Link"], "https://example.org - ein Link"),
        (["Verkehrs-", "minister"], "Verkehrsminister"),
    ],
)
def test_join_lines_mends_addresses_and_leaves_prose_alone(lines, joined):
    assert join_lines(lines) == joined


def test_a_contents_page_is_a_list_of_entries_kept_out_of_the_summary(tmp_path):
    text = read(contents_pdf(tmp_path / "faq.pdf"))
    listed = re.search(r"<!-- contents -->\n\n(.*?)\n\n<!-- /contents -->", text, re.S)
    assert listed is not None, text
    assert listed.group(1).splitlines() == [
        "Inhaltsverzeichnis",
        "",
        "- Vorwort",
        "- 1 Einleitung",
        "  - 1.1 Was ist Debian?",
        "  - 1.2 Wer steht hinter dem Projekt und wie wird es über viele organisiert?",
        "- 2 Pakete",
        "  - 2.1 Quellpakete",
        "  - 2.2 Binärpakete",
        "- 3 Mitarbeit",
    ]
    # The running header and the roman and arabic page numbers are gone, leaders too.
    assert "Debian-FAQ" not in text and not re.search(r"^(iv|v|1)$", text, re.M)
    assert ". ." not in text
    # Entries are translated as list items; the markers never are, and the summarizer
    # reads the foreword and chapters only.
    assert "1.1 Was ist Debian?" in blocks(text)
    assert not any("contents" in block for block in blocks(text))
    assert plain_text(text).split("\n\n") == [
        "Vorwort",
        "Dieses Dokument beantwortet häufig gestellte Fragen zu Debian.",
        "Einleitung",
        "Debian ist ein freies Betriebssystem, das Freiwillige entwickeln.",
    ]


@pytest.mark.slow
def test_a_pdf_table_comes_out_as_a_markdown_table_numbers_untouched(tmp_path, model_args):
    folder = tmp_path / "eingang"
    folder.mkdir()
    minutes_pdf(folder / "protokoll.pdf")
    args = ["run", str(folder), *model_args, "--keep-translation"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    translation = (folder / "protokoll.en.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:-1] for line in translation.splitlines() if line.startswith("|")]
    assert rows[1] == [" --- "] * 5 and len(rows) == 2 + len(VOTES)
    assert all(len(row) == 5 for row in rows)
    # The numbers are copied, not translated: each cell exactly as in the PDF.
    assert [[cell.strip() for cell in row[1:]] for row in rows[2:]] == [list(v[1:]) for v in VOTES]
