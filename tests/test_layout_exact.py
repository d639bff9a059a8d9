"""layout.py pinned exactly (issue 32): which rows are running lines, which type is a
heading, where a paragraph ends. Pages are words with boxes built by hand (PDF points, y
upward; `_line` sets half an em a letter, 0.3 em between words, words 1.2 em tall)."""

from __future__ import annotations

import pytest

from tests.test_extract import _line
from translate.inputs.extract.layout import Word, page_text

# Lines of one length (so none is short), and distinct (so none repeats as a running line).
LINES = [
    "Der Rat tagt heute im alten Saal am Markt.",
    "Die Stadt baut eine neue Schule am Fluss.",
    "Das Amt prüft alle Anträge bis zum Sommer.",
    "Ein Gast fragt nach den Kosten des Baus.",
    "Die Mehrheit stimmt dem Plan am Ende zu.",
    "Man vertagt die Frage auf den Herbst hin.",
    "Ein Bericht folgt in der nächsten Woche.",
    "Die Presse sitzt in der letzten Reihe da.",
]


def rows(lines: list[str], top: float = 700, pitch: float = 12, x: float = 50) -> list[Word]:
    words: list[Word] = []
    for index, text in enumerate(lines):
        words += _line(text, x, top - pitch * index)
    return words


def joined(lines: list[str]) -> str:
    return " ".join(lines)


# ---------------------------------------------------------------- running lines


@pytest.mark.parametrize(("on", "kept"), [(2, 2), (3, 0), (5, 0)])
def test_a_header_is_running_on_at_least_half_the_pages(on, kept):
    pages = []
    for page in range(5):
        words = rows(LINES[page : page + 3])
        if page < on:
            words += _line("Stadtwerke Bericht", 50, 800)
        pages.append(words)
    assert page_text(pages).count("Stadtwerke Bericht") == kept


def test_a_header_on_two_pages_of_three_or_four_is_running():
    for count in (3, 4):
        pages = [rows(LINES[p : p + 3]) for p in range(count)]
        pages[0] += _line("Stadtwerke Bericht", 50, 800)
        pages[1] += _line("Stadtwerke Bericht", 50, 800)
        assert "Stadtwerke" not in page_text(pages)


def test_a_header_on_one_page_of_two_is_not_running():
    pages = [rows(LINES[:3]) + _line("Stadtwerke Bericht", 50, 800), rows(LINES[3:6])]
    assert page_text(pages).count("Stadtwerke") == 1


@pytest.mark.parametrize(("drop", "kept"), [(18, 0), (18.5, 1)])
def test_a_running_line_stays_within_one_and_a_half_lines_of_its_place(drop, kept):
    pages = [rows(LINES[p : p + 3]) + _line("Kopfzeile des Berichts", 50, 800) for p in range(2)]
    pages.append(rows(LINES[2:5]) + _line("Kopfzeile des Berichts", 50, 800 - drop))
    assert page_text(pages).count("Kopfzeile") == kept


def test_a_line_repeated_in_another_place_on_each_page_is_not_running():
    pages = [rows(LINES[:3]) + _line("Kopfzeile", 50, 800 - 300 * p) for p in range(2)]
    assert page_text(pages).count("Kopfzeile") == 2


def test_only_the_two_rows_at_each_end_of_a_page_can_be_running():
    repeated = "Hinweis der Redaktion zum Text"
    pages = [rows([*LINES[p : p + 2], repeated, *LINES[p + 4 : p + 6]]) for p in range(3)]
    assert page_text(pages).count(repeated) == 3
    # the second row and the last but one are ends too
    for at in (1, 3):
        pages = []
        for p in range(3):
            lines = LINES[p : p + 5]
            lines[at] = repeated
            pages.append(rows(lines))
        assert page_text(pages).count(repeated) == 0, at


@pytest.mark.parametrize(
    "header",
    ["Bericht 2024 Seite {n}", "{roman} Vorwort", "Vorwort {roman}", "{roman}. Vorwort"],
)
def test_page_numbers_in_running_lines_do_not_make_them_differ(header):
    pages = []
    for page, roman in enumerate(["iv", "v", "vi"]):
        words = rows(LINES[page : page + 3])
        words += _line(header.format(n=page + 7, roman=roman), 50, 800)
        pages.append(words)
    text = page_text(pages)
    assert "Vorwort" not in text and "Bericht" not in text


def test_a_parts_capital_roman_number_makes_its_line_differ():
    pages = [
        rows(LINES[p : p + 3]) + _line(f"Teil {number} Aufbau", 50, 800)
        for p, number in enumerate(["I", "II", "III"])
    ]
    assert page_text(pages).count("Aufbau") == 3


@pytest.mark.parametrize(
    "number",
    ["7", "Seite 4", "S. 5", "page 6 of 10", "7 / 10", "8 von 10", "xii", "- 9 -", "Page 3"],
)
def test_a_page_number_at_a_pages_foot_is_dropped(number):
    assert page_text([rows(LINES[:3]) + _line(number, 200, 40)]) == joined(LINES[:3])


@pytest.mark.parametrize("line", ["XII", "I", "Seite vier", "12345"])
def test_what_is_no_page_number_is_kept(line):
    # far below the text: no paragraph break can be told, so it goes on the paragraph
    assert page_text([rows(LINES[:3]) + _line(line, 200, 40)]) == f"{joined(LINES[:3])} {line}"


def test_a_page_number_amid_a_page_is_kept():
    lines = [*LINES[:2], "7", *LINES[2:4]]
    words = rows(lines[:2]) + _line("7", 50, 676) + rows(lines[3:], top=664)
    assert "7" in page_text([words]).split()


def test_a_header_over_a_pages_single_line_is_running():
    pages = [_line("Stadtwerke Bericht", 50, 800) + _line(line, 50, 700) for line in LINES[:3]]
    assert page_text(pages) == joined(LINES[:3])


def test_a_line_that_is_the_whole_of_each_page_is_kept():
    pages = [_line("Willkommen zur Sitzung", 50, 700) for _ in range(3)]
    assert page_text(pages).count("Willkommen") == 3


# ---------------------------------------------------------------- headings


def test_larger_type_becomes_headings_of_three_levels_at_most():
    words = _line("Eins", 50, 800, size=24) + _line("Zwei", 50, 760, size=20)
    words += _line("Drei", 50, 730, size=16) + _line("Vier", 50, 700, size=13)
    words += rows(LINES[:4], top=680)
    assert page_text([words]) == "\n\n".join(
        ["# Eins", "## Zwei", "### Drei", "### Vier", joined(LINES[:4])]
    )


@pytest.mark.parametrize(("size", "heading"), [(11.6, True), (11.4, False)])
def test_type_at_least_fifteen_percent_larger_is_a_heading(size, heading):
    words = _line("Titel", 50, 720, size=size) + rows(LINES[:4])
    text = page_text([words])
    assert text.startswith("# Titel\n\n") == heading
    assert text.startswith("Titel") != heading


def test_the_body_size_is_the_size_most_letters_are_set_in():
    # More letters in 14 pt than in 10 pt: 14 pt is the body, 10 pt no heading.
    big = [f"Langer Satz in großer Schrift Nummer {i}." for i in range(3)]
    words = _line("Kleine Zeile", 50, 800) + rows([], top=0)
    for index, text in enumerate(big):
        words += _line(text, 50, 760 - 17 * index, size=14)
    assert not page_text([words]).startswith("#")


# ---------------------------------------------------------------- paragraphs


@pytest.mark.parametrize(("gap", "apart"), [(15.5, False), (15.7, True), (35, True), (36, False)])
def test_space_of_more_than_a_third_of_a_line_above_a_row_begins_a_paragraph(gap, apart):
    # lines 12 pt apart; a step past 1.3 of that is a break, but a step of 3 lines or more
    # is another column or page: no telling
    words = rows(LINES[:3]) + rows(LINES[3:6], top=700 - 24 - gap)
    expected = joined(LINES[:3]) + ("\n\n" if apart else " ") + joined(LINES[3:6])
    assert page_text([words]) == expected


@pytest.mark.parametrize(("indent", "apart"), [(12.5, True), (11.5, False)])
def test_a_first_line_indented_by_more_than_an_em_begins_a_paragraph(indent, apart):
    words = rows(LINES[:3]) + _line(LINES[3], 50 + indent, 664) + rows(LINES[4:6], top=652)
    expected = joined(LINES[:3]) + ("\n\n" if apart else " ") + joined(LINES[3:6])
    assert page_text([words]) == expected


def test_an_indented_row_after_an_indented_row_is_no_new_paragraph():
    words = rows(LINES[:2]) + rows(LINES[2:4], top=676, x=63) + rows(LINES[4:6], top=652)
    text = page_text([words])
    assert text.split("\n\n")[0] == joined(LINES[:2])
    assert joined(LINES[2:4]) in text


def test_a_short_line_ending_a_sentence_ends_a_paragraph_where_nothing_else_does():
    words = rows(LINES[:2]) + _line("Kurz.", 50, 676) + rows(LINES[2:4], top=664)
    assert page_text([words]) == joined(LINES[:2]) + " Kurz.\n\n" + joined(LINES[2:4])
    words = rows(LINES[:2]) + _line("Kurz und", 50, 676) + rows(LINES[2:4], top=664)
    assert page_text([words]) == joined([*LINES[:2], "Kurz und", *LINES[2:4]])


def test_short_lines_are_no_sign_where_paragraphs_are_spaced():
    words = rows(LINES[:2]) + _line("Kurz.", 50, 676) + rows(LINES[2:4], top=664)
    words += rows(LINES[4:6], top=620)
    assert page_text([words]) == (
        joined([*LINES[:2], "Kurz.", *LINES[2:4]]) + "\n\n" + joined(LINES[4:6])
    )


@pytest.mark.parametrize(
    ("line", "short"),
    [
        ("Der Rat tagt heute im alten Saal am Ma.", False),  # 3 letters less: not short
        ("Der Rat tagt heute im alten Saal a.", True),  # 7 less: more than 12 % short
    ],
)
def test_a_line_is_short_past_twelve_percent_of_the_column(line, short):
    words = rows(LINES[:2]) + _line(line, 50, 676) + rows(LINES[2:4], top=664)
    assert ("\n\n" in page_text([words])) == short


def test_a_change_of_type_size_ends_a_paragraph():
    words = rows(LINES[:2]) + _line("Kleiner gesetzt.", 50, 676, size=8.9)
    words += rows(LINES[2:4], top=664)
    assert page_text([words]).count("\n\n") == 2
    words = rows(LINES[:2]) + _line("Fast gleich gesetzt", 50, 676, size=9.1)
    words += rows(LINES[2:4], top=664)
    assert "\n\n" not in page_text([words])


# ---------------------------------------------------------------- lists


def test_bullets_become_markdown_items_each_a_block():
    words = rows(["Die Punkte:"]) + rows(["• Erster Punkt", "• Zweiter Punkt"], top=688)
    words += rows(["- Dritter Punkt", "•"], top=664)
    assert page_text([words]) == (
        "Die Punkte:\n\n- Erster Punkt\n\n- Zweiter Punkt\n\n- Dritter Punkt •"
    )


def test_a_wrapped_item_goes_on_under_its_text_and_the_next_item_begins_a_block():
    words = _line("• Der erste Punkt ist lang und geht", 50, 700)
    words += _line("weiter auf der nächsten Zeile", 58, 688)
    words += _line("• Zweiter", 50, 676)
    words += _line("Danach wieder gewöhnlicher Text hier", 50, 664)
    assert page_text([words]) == (
        "- Der erste Punkt ist lang und geht weiter auf der nächsten Zeile\n\n- Zweiter\n\n"
        "Danach wieder gewöhnlicher Text hier"
    )


def test_a_hanging_line_too_far_below_its_item_begins_a_block():
    words = _line("• Der erste Punkt ist lang und geht", 50, 700)
    words += _line("weiter nach einer Lücke hier", 58, 680)
    words += _line("und noch eine Zeile weiter so", 58, 668)
    words += rows(LINES[:3], top=656)
    text = page_text([words])
    assert text.startswith("- Der erste Punkt ist lang und geht\n\nweiter nach einer Lücke")


@pytest.mark.parametrize(
    ("items", "apart"),
    [
        (["1. Begrüßung", "2. Bericht"], True),
        (["TOP 1 Begrüßung", "TOP 2 Bericht"], True),
        (["§ 1 Geltung", "§ 2 Zweck"], True),
        (["a) Anfang", "b) Ende"], True),
        (["TOP 1 Begrüßung", "TOP 2a Bericht"], True),  # the number's first digit
        (["TOP Begrüßung", "TOP Bericht"], False),  # no number after it
        (["TOP 1", "TOP 2"], False),  # a number and nothing more: no item
        (["Im Jahr", "2024 gebaut"], False),
    ],
)
def test_numbered_items_each_begin_a_block(items, apart):
    words = _line(items[0], 50, 700) + _line(items[1], 50, 688)
    assert page_text([words]) == items[0] + ("\n\n" if apart else " ") + items[1]


def test_a_number_after_a_full_line_ending_a_sentence_begins_an_item():
    words = rows(LINES[:2]) + _line("2. Bericht", 50, 676)
    assert page_text([words]) == joined(LINES[:2]) + "\n\n2. Bericht"
    lines = [LINES[0], "Die Stadt baut eine neue Schule am Fluss am"]
    words = rows(lines) + _line("5. Dezember", 50, 676)
    assert page_text([words]) == joined([*lines, "5. Dezember"])


# ---------------------------------------------------------------- columns


def test_two_columns_are_read_left_then_right_with_each_columns_paragraphs():
    left = [f"Links Zeile {i} mit etwas Text." for i in range(6)]
    right = [f"Rechts Zeile {i} mit Text dazu." for i in range(6)]
    words = []
    for index, (a, b) in enumerate(zip(left, right)):
        words += _line(a, 50, 700 - 12 * index) + _line(b, 300, 700 - 12 * index)
    text = page_text([words])
    assert text.split() == joined(left + right).split()
    assert text.index("Rechts") > text.rindex("Links")


def test_an_empty_document_is_empty():
    assert page_text([]) == ""
    assert page_text([[], []]) == ""


# ---------------------------------------------------------------- edges, exact to the point

ITEM = "• Der erste Punkt ist lang und geht"
HANGING = "weiter auf der nächsten Zeile hier"  # wider than ITEM from any indent up to 8


@pytest.mark.parametrize(("indent", "apart"), [(5, False), (6, False), (6.5, True), (8, True)])
def test_back_at_an_items_edge_after_a_hanging_indent_of_over_half_an_em_is_a_new_block(
    indent, apart
):
    words = _line(ITEM, 50, 700) + _line(HANGING, 50 + indent, 688)
    words += _line("und hier wieder am Rand", 50, 676)
    first = "- Der erste Punkt ist lang und geht weiter auf der nächsten Zeile hier"
    assert page_text([words]) == first + ("\n\n" if apart else " ") + "und hier wieder am Rand"


def test_two_word_items_each_begin_a_block():
    assert page_text([_line("• Eins", 50, 700) + _line("• Zwei", 50, 688)]) == "- Eins\n\n- Zwei"


def test_a_bullet_alone_on_its_line_marks_the_text_after_it():
    words = _line("•", 50, 700) + rows(LINES[:2], top=688)
    assert page_text([words]) == "- " + joined(LINES[:2])


@pytest.mark.parametrize("mark", ["!", "?", ":"])
def test_a_number_after_a_full_line_ending_an_exclamation_or_question_begins_an_item(mark):
    lines = [LINES[0], LINES[1][:-1] + mark]
    assert page_text([rows(lines) + _line("2. Bericht", 50, 676)]) == (
        joined(lines) + "\n\n2. Bericht"
    )


def test_a_change_of_exactly_a_tenth_of_the_type_size_is_no_break():
    def line(text: str, y: float, height: float) -> list[Word]:
        return _exact(text, 50, y, height)

    words = line("Der Rat tagt heute", 700, 10) + line("im alten Saal am M", 688, 9)
    words += line("Die Stadt baut nun", 676, 10)
    assert page_text([words]) == "Der Rat tagt heute im alten Saal am M Die Stadt baut nun"


def _exact(text: str, x: float, y: float, height: float) -> list[Word]:
    """A line of words of a whole number of points: five a letter, three between words."""
    words, left = [], x
    for token in text.split():
        words.append(Word(token, left, left + 5 * len(token), y, y + height))
        left += 5 * len(token) + 3
    return words


def test_a_line_exactly_twelve_percent_short_is_not_short():
    # the column is 50-150 (100 pt); 12 % is 12 pt: a line ending at 138 is not short
    words = _exact("Aaaaaaaaaaaaaaaaaaaa", 50, 700, 12)  # 100 pt
    words += [Word("Bbbbbbbbbbbbbbbbbbb.", 50, 138, 688, 700)]
    words += _exact("Cccccccccccccccccccc", 50, 676, 12)
    assert page_text([words]) == "Aaaaaaaaaaaaaaaaaaaa Bbbbbbbbbbbbbbbbbbb. Cccccccccccccccccccc"
    words[1] = Word("Bbbbbbbbbbbbbbbbbbb.", 50, 137.9, 688, 700)
    assert page_text([words]) == "Aaaaaaaaaaaaaaaaaaaa Bbbbbbbbbbbbbbbbbbb.\n\nCccccccccccccccccccc"


def test_space_of_exactly_1_3_lines_is_no_paragraph_break():
    # lines 10 pt apart: a step of 13 pt is not more than 1.3 lines
    words = rows(LINES[:3], pitch=10) + rows(LINES[3:5], top=680 - 13, pitch=10)
    assert page_text([words]) == joined(LINES[:5])


def test_a_hanging_line_exactly_1_3_lines_below_its_item_goes_on():
    words = rows(LINES[:3], pitch=10)
    words += _line(ITEM, 50, 670) + _line(HANGING, 58, 670 - 13)
    assert page_text([words]).endswith(
        "\n\n- Der erste Punkt ist lang und geht weiter auf der nächsten Zeile hier"
    )


@pytest.mark.parametrize(("indent", "apart"), [(12, False), (12.5, True)])
def test_a_first_line_indent_of_exactly_an_em_is_none(indent, apart):
    words = rows(LINES[:3]) + _line(LINES[3], 50 + indent, 664) + rows(LINES[4:6], top=652)
    assert ("\n\n" in page_text([words])) == apart


@pytest.mark.parametrize(("before", "apart"), [(5, True), (6, False)])
def test_an_indent_counts_only_after_a_line_indented_less_than_half_an_em(before, apart):
    words = rows(LINES[:2]) + _line(LINES[2], 50 + before, 676)
    words += _line(LINES[3], 50 + 13, 664) + rows(LINES[4:6], top=652)
    assert ("\n\n" in page_text([words])) == apart


@pytest.mark.parametrize(("drop", "apart"), [(0, False), (0.5, True)])
def test_a_row_at_the_same_height_on_the_next_page_is_no_step_but_just_below_is(drop, apart):
    # an indented row: a paragraph break if it is a step down in the column, no telling
    # across a page break (a step of nothing or upward)
    pages = [rows(LINES[:3], top=124)]
    pages.append(_line(LINES[3], 63, 100 - drop) + rows(LINES[4:6], top=88 - drop))
    assert ("\n\n" in page_text(pages)) == apart


@pytest.mark.parametrize("drop", [0, 0.5])
def test_a_hanging_line_at_or_just_below_its_items_height_on_the_next_page(drop):
    pages = [_line(ITEM, 50, 100), _line(HANGING, 58, 100 - drop) + _line("• Zwei", 50, 88)]
    expected = "- Der erste Punkt ist lang und geht"
    if drop:  # just below: the item goes on
        expected += " weiter auf der nächsten Zeile hier"
    else:  # at the same height: no hanging line of it
        expected += "\n\nweiter auf der nächsten Zeile hier"
    assert page_text(pages) == expected + "\n\n- Zwei"


def test_type_exactly_fifteen_percent_larger_is_a_heading():
    words = _exact("Titel", 50, 740, 11.5)
    for index, line in enumerate(LINES[:4]):
        words += _exact(line, 50, 720 - 12 * index, 10)
    assert page_text([words]).startswith("# Titel\n\n")


def test_a_page_that_is_one_table_reads_as_the_table():
    words = []
    for index in range(6):
        words += _line(f"Links {index} mit Text.", 50, 700 - 12 * index)
        words += _line(f"R{index}", 300, 700 - 12 * index)
    assert page_text([words]) == "\n".join(
        ["| Links 0 mit Text. | R0 |", "| --- | --- |"]
        + [f"| Links {i} mit Text. | R{i} |" for i in range(1, 6)]
    )


def test_a_table_below_two_columns_comes_after_both_columns():
    words = _line("Aus dem Stadtrat", 50, 800, size=16)
    for i in range(6):
        words += _line(f"Links Zeile {i} mit etwas Text.", 50, 760 - 12 * i)
        words += _line(f"Rechts Zeile {i} mit Text dazu.", 300, 760 - 12 * i - 5)
    cells = [("Bereich", "Betrag", "Jahr"), ("Schulen", "4", "2024"), ("Bäder", "1", "2026")]
    for i, (a, b, c) in enumerate(cells):
        y = 660 - 14 * i
        words += _line(a, 50, y) + _line(b, 250, y) + _line(c, 450, y)
    left = " ".join(f"Links Zeile {i} mit etwas Text." for i in range(6))
    right = " ".join(f"Rechts Zeile {i} mit Text dazu." for i in range(6))
    table = "| Bereich | Betrag | Jahr |\n| --- | --- | --- |\n| Schulen | 4 | 2024 |\n"
    table += "| Bäder | 1 | 2026 |"
    assert page_text([words]) == f"# Aus dem Stadtrat\n\n{left} {right}\n\n{table}"


@pytest.mark.parametrize(("step", "apart"), [(36, True), (40, True), (50, False)])
def test_rows_too_far_apart_to_give_the_line_pitch_are_measured_by_the_type(step, apart):
    # no step under three lines' height: the pitch is 1.2 of the type (14.4 pt); a step up
    # to three pitches (43.2 pt) is a paragraph break, more is no telling
    words = _line(LINES[0], 50, 700) + _line(LINES[1], 50, 700 - step)
    assert page_text([words]) == LINES[0] + ("\n\n" if apart else " ") + LINES[1]


@pytest.mark.parametrize("indent", [5, 6])
def test_a_line_back_to_half_an_em_after_a_hanging_indent_begins_a_block(indent):
    words = _line(ITEM, 50, 700) + _line(HANGING, 58, 688)
    words += _line("und hier weiter", 50 + indent, 676)
    assert page_text([words]) == (
        "- Der erste Punkt ist lang und geht weiter auf der nächsten Zeile hier\n\nund hier weiter"
    )


def test_a_running_line_exactly_one_and_a_half_lines_off_on_two_pages_is_running():
    # the band's middle is the median place (800); 782 and 818 are 18 pt (1.5 lines) off
    pages = [
        rows(LINES[p : p + 3]) + _line("Kopfzeile des Berichts", 50, top)
        for p, top in enumerate([800, 782, 818])
    ]
    assert "Kopfzeile" not in page_text(pages)


def test_a_table_after_a_full_width_title_over_two_columns_keeps_the_title():
    title = "Aus dem Stadtrat der Stadt Musterhausen im Jahr"
    words = _line(title, 50, 800, size=16)
    for i in range(6):
        words += _line(f"Links Zeile {i} mit etwas Text.", 50, 760 - 12 * i)
        words += _line(f"Rechts Zeile {i} mit Text dazu.", 300, 760 - 12 * i - 5)
    cells = [("Bereich", "Betrag", "Jahr"), ("Schulen", "4", "2024"), ("Bäder", "1", "2026")]
    for i, (a, b, c) in enumerate(cells):
        y = 660 - 14 * i
        words += _line(a, 50, y) + _line(b, 250, y) + _line(c, 450, y)
    text = page_text([words])
    assert text.startswith(f"# {title}\n\nLinks Zeile 0")
    assert text.endswith("| Bäder | 1 | 2026 |")
