"""The PDF layout's geometry pinned to the point (issue 32): rows, footnote markers, tables,
contents pages and joined lines, on words with boxes built by hand (PDF points, y upward).

The PDF tests read documents in a child process (isolated.py), which mutation testing does
not see; these call the geometry in-process, with the boundaries worked out by hand.
"""

from __future__ import annotations

import pytest

from tests.wordboxes import BUDGET, cells, row, table_rows
from translate.inputs.extract.joins import join_lines
from translate.inputs.extract.rows import Row, Word, group_rows, is_marker, mark_break
from translate.inputs.extract.tables import Table, find_tables
from translate.inputs.extract.toc import Contents, entry_title, find_contents


def word(text: str, x0: float, x1: float, bottom: float = 0.0, top: float | None = None) -> Word:
    return Word(text, x0, x1, bottom, bottom + 10.0 if top is None else top)


# ---------------------------------------------------------------- rows


def test_a_word_s_height_and_middle_come_from_its_box():
    box = Word("Haus", 10, 30, bottom=100, top=112)
    assert box.height == 12 and box.middle == 106


def test_a_row_s_edges_baseline_and_size_are_its_words():
    line = Row([word("a", 5, 9, 2, 10), word("b", 20, 31, 0, 12), word("c", 40, 44, 1, 9)])
    assert (line.x0, line.x1, line.bottom) == (5, 44, 0)
    assert line.baseline == 1 and line.size == 8  # medians: bottoms 0 1 2, heights 8 8 12


def test_words_whose_middles_differ_by_up_to_four_tenths_of_the_smaller_height_share_a_row():
    low, high = word("b", 50, 60, 0, 10), word("a", 0, 10, 4, 14)  # middles 5 and 9
    assert [[w.text for w in r.words] for r in group_rows([low, high])] == [["a", "b"]]
    higher = word("a", 0, 10, 4.2, 14.2)
    assert [[w.text for w in r.words] for r in group_rows([low, higher])] == [["a"], ["b"]]
    # A tall word beside a small one: the smaller height sets the tolerance (4, not 8).
    tall = word("T", 0, 10, 0, 20)  # middle 10
    small = word("s", 20, 25, 0.5, 10.5)  # middle 5.5: 4.5 apart
    assert len(group_rows([tall, small])) == 2


def test_rows_run_top_to_bottom_and_each_left_to_right():
    words = [word("c", 40, 45, 0), word("a", 0, 5, 20), word("d", 10, 15, 0), word("b", 20, 25, 20)]
    assert [[w.text for w in r.words] for r in group_rows(words)] == [["a", "b"], ["d", "c"]]


def test_a_row_is_matched_against_its_first_word_not_its_last():
    # Each word 3 points above the one before: the third is 6 above the first (> 4).
    words = [word("a", 0, 5, 0), word("b", 10, 15, 3), word("c", 20, 25, 6)]
    grouped = group_rows(words)
    assert [[w.text for w in r.words] for r in grouped] == [["b", "c"], ["a"]]


@pytest.mark.parametrize(
    ("char", "chars", "rise", "breaks"),
    [
        ("1", list("Wort"), 2.6, True),  # raised more than a quarter of the height: a marker
        ("1", list("Wort"), 2.5, False),  # exactly a quarter: not raised
        ("a", list("Wort"), 5.0, False),  # raised, but not a number
        ("F", list("12"), -2.6, True),  # back down after a raised number: `¹Für`
        ("F", list("12"), -2.5, False),
        ("F", list("ab"), -5.0, False),  # back down after letters: no marker ends
        ("F", list("1"), 0.0, False),
    ],
)
def test_a_marker_breaks_a_word_where_it_rises_or_falls_a_quarter_of_its_height(
    char, chars, rise, breaks
):
    assert mark_break(char, chars, rise, 10.0) is breaks


@pytest.mark.parametrize(
    ("text", "bottom", "height", "marker"),
    [
        ("1", 1.6, 5, True),
        ("1", 1.5, 5, False),  # raised 0.15 em exactly: on the line
        ("1", 2.0, 8.4, True),
        ("1", 2.0, 8.5, False),  # barely raised and full size: a number on the line
        ("1", 2.6, 9, True),  # full size but raised more than a quarter em
        ("1", 2.5, 9, False),
        ("*", 3, 5, True),
        ("†", 3, 5, True),
        ("123", 3, 5, True),
        ("1234", 3, 5, False),
        ("a", 3, 5, False),
    ],
)
def test_a_footnote_marker_is_a_small_or_well_raised_number(text, bottom, height, marker):
    assert is_marker(word(text, 0, 5, bottom, bottom + height), 10.0, 0.0) is marker


def _with_raised(before: str, mark: str, gap: float, after: str | None = "wurden") -> Row:
    words = [word(before, 0, 50), word(mark, 50 + gap, 55 + gap, 4, 10)]
    if after:
        words.append(word(after, 70, 100))
    return Row(words)


def test_a_raised_number_glued_to_a_word_is_its_footnote_marker():
    assert _with_raised("Quellpakete", "1", 0.5).text == "Quellpakete[^1] wurden"
    assert _with_raised("Quellpakete", "1", 2.9).text == "Quellpakete[^1] wurden"
    assert _with_raised("Quellpakete", "1", 0.5, after=None).text == "Quellpakete[^1]"


def test_a_raised_number_set_apart_is_left_a_word():
    assert _with_raised("Quellpakete", "1", 3.0).text == "Quellpakete 1 wurden"


def test_a_raised_number_after_a_unit_is_a_power():
    assert _with_raised("m", "2", 0.5).text == "m 2 wurden"
    assert _with_raised("KM", "2", 0.5).text == "KM 2 wurden"


def test_a_raised_number_that_begins_a_row_is_the_footnote_itself():
    line = Row([word("1", 0, 5, 4, 10), word("Für", 6, 30), word("alle", 33, 50)])
    assert line.text == "[^1]: Für alle"
    twice = Row(
        [word("1", 0, 5, 4, 10), word("2", 5.5, 10, 4, 10)]
        + [word(w, 16 + 30 * i, 40 + 30 * i) for i, w in enumerate(["Für", "alle", "Pakete"])]
    )
    assert (
        twice.text == "[^1]: 2 Für alle Pakete"
    )  # the second marker is not glued to the first's `:`


def test_a_row_of_one_raised_word_is_that_word():
    assert Row([word("1", 0, 5, 4, 10)]).text == "1"


@pytest.mark.parametrize("unit", ["m", "cm", "mm", "km", "qm", "dm"])
def test_a_raised_two_after_each_unit_is_a_power_not_a_footnote(unit):
    assert _with_raised(unit, "2", 0.5).text == f"{unit} 2 wurden"


# ---------------------------------------------------------------- joined lines


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        ([], ""),
        (["", "  Wort  "], "Wort"),  # an empty first line starts nothing
        (["  Der  ", " Verkehr "], "Der Verkehr"),
        (["Verkehrs-", "minister ist"], "Verkehrsminister ist"),
        (["Verkehrs-", "Minister"], "Verkehrs-Minister"),
        (["-", "und"], "- und"),  # a hyphen alone is no word's
        (["1-", "bis"], "1- bis"),  # a hyphen after a digit is no word's hyphen either
        (["Ein-", "Oder Aus"], "Ein- Oder Aus"),
        (["Bahn\x02", "hof"], "Bahnhof"),
        (["Bahn\x02", "Hof"], "Bahn-Hof"),
        (["Ein\x02", "und Aus"], "Ein- und Aus"),
        (["a\x02b"], "a-b"),  # PDFium's mark left inside a line is a hyphen
        (
            ["siehe https://example.org/a/", "b/c.html dort"],
            "siehe https://example.org/a/b/c.html dort",
        ),
        (["https://a.org/faq/\x02", "x.html"], "https://a.org/faq/x.html"),
        (["https://a.org/faq/-", "x.html"], "https://a.org/faq/x.html"),
        (["https://example.org/doc", "-faq ist"], "https://example.org/doc-faq ist"),
        (["https://example.org/doc", "/ und"], "https://example.org/doc / und"),
        (["https://a.org/", "über"], "https://a.org/ über"),  # not ASCII: prose goes on
        (["https://a.org/X-", "ABC"], "https://a.org/X-ABC"),
        (["auf www.debian.", "org senden"], "auf www.debian.org senden"),
        (["auf www.debian.", "org."], "auf www.debian.org."),
        (["auf www.debian.", "orgé"], "auf www.debian. orgé"),
        (["auf www.debian.org.", "Dort."], "auf www.debian.org. Dort."),
        (["schreib an max@", "verein.de"], "schreib an max@verein.de"),
        (["schreib an max@", "Verein"], "schreib an max@ Verein"),
        (["mailto:", "max"], "mailto: max"),
        (["ftp://a.de/x_", "y_z"], "ftp://a.de/x_y_z"),
        (["ftp://a.de/x_", "yz"], "ftp://a.de/x_ yz"),  # after `_` only an address goes on
        (["die www.a-", "b.de"], "die www.a-b.de"),
        (["die https://a.de/ und Wort/", "b.html"], "die https://a.de/ und Wort/ b.html"),
    ],
)
def test_lines_are_joined_as_words_and_addresses_were_broken(lines, joined):
    assert join_lines(lines) == joined


@pytest.mark.parametrize("word", ["und", "oder", "bzw.", "bzw", "sowie", "bis", "beziehungsweise"])
def test_a_hyphen_before_each_conjunction_is_a_suspended_compound(word):
    assert join_lines(["Ein-", f"{word} Ausfahrt"]) == f"Ein- {word} Ausfahrt"


# ---------------------------------------------------------------- contents pages


def entry(title: str, page: str, y: float, x: float = 50, leaders: bool = True) -> Row:
    """A contents entry: its title at x, dot leaders (or white space) to x 380, the page
    number at x 400; 10-point type."""
    words = cells([(x, title)], y)
    if leaders:
        words.append(Word(".....", words[-1].x1 + 3, 380, y, y + 10))
    words.append(Word(page, 400, 400 + 5 * len(page), y, y + 10))
    return Row(words)


def heading(text: str, y: float = 800) -> Row:
    return row([(50, text)], y)


def test_an_entry_s_title_is_the_row_without_its_leaders_and_page_number():
    assert entry_title(entry("1.2 Ziele", "7", 700)) == "1.2 Ziele"
    assert entry_title(entry("Vorwort", "iv", 700)) == "Vorwort"
    assert entry_title(entry("Vorwort", "XIV", 700)) == "Vorwort"
    assert entry_title(entry("Anhang", "1234", 700)) == "Anhang"
    assert entry_title(entry("Anhang", "12345", 700)) is None
    assert entry_title(entry("Anhang", "7a", 700)) is None
    assert entry_title(Row([Word("7", 400, 405, 700, 710)])) is None
    only_leaders = Row([Word(".....", 50, 380, 700, 710), Word("7", 400, 405, 700, 710)])
    assert entry_title(only_leaders) is None


def test_without_leaders_a_page_number_must_stand_two_line_heights_apart():
    def spaced(gap: float) -> Row:
        return Row(
            [
                word("1.2", 50, 65, 700),
                word("Ziele", 75, 100, 700),
                word("7", 100 + gap, 105 + gap, 700),
            ]
        )

    assert entry_title(spaced(20.0)) == "1.2 Ziele"
    assert entry_title(spaced(19.9)) is None
    # With leaders, the number may follow closely.
    close = Row([word("Ziele", 50, 75, 700), word("...", 76, 80, 700), word("7", 81, 86, 700)])
    assert entry_title(close) == "Ziele"


def test_a_row_with_wide_gaps_inside_its_title_is_a_table_row_not_an_entry():
    def person(gap: float) -> Row:
        return Row(
            [
                word("Person", 0, 30, 700),
                word("1", 35, 40, 700),
                word("29", 40 + gap, 50 + gap, 700),
                word("30", 150, 160, 700),
            ]
        )

    assert entry_title(person(10.0)) is None  # a gap of a line height after the 2nd word
    assert entry_title(person(9.9)) == "Person 1 29"
    # The gap after a section number is allowed.
    numbered = Row([word("1.1", 0, 15, 700), word("Ziele", 40, 65, 700), word("7", 150, 155, 700)])
    assert entry_title(numbered) == "1.1 Ziele"


def test_two_entries_side_by_side_are_not_read_as_one():
    two = Row(
        cells([(50, "Abend .... 3 Bahn")], 700)
        + [Word(".....", 150, 380, 700, 710), Word("9", 400, 405, 700, 710)]
    )
    assert entry_title(two) is None
    three_dots = Row(
        cells([(50, "Abend ... 3 Bahn")], 700)
        + [Word(".....", 150, 380, 700, 710), Word("9", 400, 405, 700, 710)]
    )
    assert entry_title(three_dots) == "Abend ... 3 Bahn"


def _entries(titles_pages, x=50, leaders=True, top=780):
    return [entry(t, p, top - 12 * i, x, leaders) for i, (t, p) in enumerate(titles_pages)]


THREE = [("Einleitung", "1"), ("Pakete", "4"), ("Mitarbeit", "9")]


def test_three_entries_with_leaders_are_a_contents_list():
    rows = _entries(THREE)
    [(first, end, contents)] = find_contents(rows)
    assert (first, end) == (0, 3)
    assert contents.entries == [(0, "Einleitung"), (0, "Pakete"), (0, "Mitarbeit")]
    assert contents.rows == rows and contents.heading is None
    assert contents.markdown() == (
        "<!-- contents -->\n\n- Einleitung\n- Pakete\n- Mitarbeit\n\n<!-- /contents -->"
    )


def test_two_entries_are_no_contents_list():
    assert find_contents(_entries(THREE[:2])) == []
    assert find_contents([heading("Inhalt"), *_entries(THREE[:2], top=780)]) == []


def test_the_heading_above_a_contents_list_is_its_own():
    rows = [
        row([(50, "Vorbemerkung zum Text")], 820),
        heading("Inhaltsverzeichnis:"),
        *_entries(THREE),
    ]
    [(first, end, contents)] = find_contents(rows)
    assert (first, end) == (1, 5) and contents.rows == rows[1:5]
    assert contents.heading == "Inhaltsverzeichnis:"
    assert contents.markdown().startswith("<!-- contents -->\n\nInhaltsverzeichnis:\n\n- Einl")


@pytest.mark.parametrize(
    "title", ["Inhalt", "INHALT", "Inhaltsübersicht", "Contents", "Table of Contents", "Inhalt:"]
)
def test_entries_without_leaders_are_a_contents_list_only_under_its_heading(title):
    rows = [heading(title), *_entries(THREE, leaders=False)]
    [(first, end, contents)] = find_contents(rows)
    assert (first, end) == (0, 4) and contents.heading == title


def test_entries_without_leaders_or_heading_are_a_table_of_names_and_numbers():
    assert find_contents(_entries(THREE, leaders=False)) == []
    assert find_contents([heading("Ergebnisse"), *_entries(THREE, leaders=False)]) == []
    # A heading below the entries (the last row) is no heading of theirs.
    rows = [*_entries(THREE, leaders=False), heading("Inhalt", 700)]
    assert find_contents(rows) == []


def test_page_numbers_that_go_back_are_no_contents_without_leaders():
    back = [("Einleitung", "4"), ("Pakete", "1"), ("Mitarbeit", "9")]
    assert find_contents([heading("Inhalt"), *_entries(back, leaders=False)]) == []
    # Roman numbers of the front matter do not count.
    roman = [("Vorwort", "v"), ("Einleitung", "1"), ("Pakete", "4"), ("Mitarbeit", "9")]
    assert len(find_contents([heading("Inhalt"), *_entries(roman, leaders=False)])) == 1


def test_page_numbers_must_mostly_differ():
    same = [("A", "5"), ("B", "5"), ("C", "6"), ("D", "6")]
    assert len(find_contents([heading("Inhalt"), *_entries(same, leaders=False)])) == 1
    alike = [("A", "5"), ("B", "5"), ("C", "5"), ("D", "5"), ("E", "6")]
    assert find_contents([heading("Inhalt"), *_entries(alike, leaders=False)]) == []


def test_an_index_with_leaders_may_go_by_its_titles_not_its_pages():
    index = [
        (f"{letter}wort", str(page))
        for letter, page in zip("abcdefghij", [9, 3, 7, 1, 8, 2, 6, 4, 5, 1])
    ]
    assert len(find_contents(_entries(index))) == 1
    # One title out of order in ten is allowed, two are not.
    one_slip = index[:]
    one_slip[0], one_slip[1] = one_slip[1], one_slip[0]
    assert len(find_contents(_entries(one_slip))) == 1
    two_slips = one_slip[:]
    two_slips[4], two_slips[5] = two_slips[5], two_slips[4]
    assert find_contents(_entries(two_slips)) == []


def test_most_rows_need_leaders_for_a_list_without_a_heading():
    half = _entries([("A", "1"), ("B", "2")]) + _entries(
        [("C", "3"), ("D", "4")], leaders=False, top=756
    )
    assert len(find_contents(half)) == 1  # two of four: half is enough
    fewer = _entries([("A", "1")]) + _entries([("B", "2"), ("C", "3")], leaders=False, top=768)
    assert find_contents(fewer) == []


def test_a_wrapped_entry_s_first_line_joins_its_title():
    # It reaches 0.6 of the way to the page number below (x 50 to 405: x 263).
    wrapped = Row([word("Wer", 50, 70, 768), word("steht", 90, 263, 768)])
    rows = [*_entries(THREE[:1]), wrapped, *_entries(THREE[1:], top=756, x=50)]
    [(first, end, contents)] = find_contents(rows)
    assert (first, end) == (0, 4)
    assert contents.entries == [(0, "Einleitung"), (0, "Wer steht Pakete"), (0, "Mitarbeit")]
    shorter = Row([word("Wer", 50, 70, 768), word("steht", 90, 262.9, 768)])
    assert find_contents([*_entries(THREE[:1]), shorter, *_entries(THREE[1:], top=756)]) == []
    larger = Row([word("Wer", 50, 70, 768, 779), word("steht", 90, 263, 768, 779)])
    assert find_contents([*_entries(THREE[:1]), larger, *_entries(THREE[1:], top=756)]) == []
    dotted = Row(
        [word("Wer", 50, 70, 768), word("....", 85, 100, 768), word("steht", 105, 263, 768)]
    )
    assert find_contents([*_entries(THREE[:1]), dotted, *_entries(THREE[1:], top=756)]) == []


def test_a_short_line_above_an_entry_is_not_its_first_line():
    short = row([(50, "Teil")], 768)
    rows = [*_entries(THREE[:1]), short, *_entries(THREE[1:], top=756)]
    assert find_contents(rows) == []  # the list is cut in two of fewer than three


def test_indents_a_few_points_apart_are_one_level_and_levels_stop_at_four():
    xs = [50, 57, 50, 58, 50, 59.4, 70, 80, 90, 100]  # 57 and 58 are 50's level; 59 is not
    rows = [entry(f"T{i}", str(i + 1), 780 - 12 * i, x=x) for i, x in enumerate(xs)]
    [(_, _, contents)] = find_contents(rows)
    assert [level for level, _ in contents.entries] == [0, 0, 0, 0, 0, 1, 2, 3, 3, 3]


def test_a_contents_list_goes_on_over_the_next_page():
    one = Contents([(0, "A")], ["r1"], "Inhalt")
    assert one.continue_with(Contents([(1, "B")], ["r2"])) is True
    assert one.entries == [(0, "A"), (1, "B")] and one.rows == ["r1", "r2"]
    assert one.markdown() == "<!-- contents -->\n\nInhalt\n\n- A\n  - B\n\n<!-- /contents -->"


# ---------------------------------------------------------------- tables




def test_rows_with_the_same_white_gaps_are_a_table_of_their_cells():
    rows = table_rows(BUDGET)
    [(first, end, table)] = find_tables(rows)
    assert (first, end) == (0, 4) and table.cells == BUDGET and table.rows == rows
    assert table.gaps == [(88.0, 150), (180.0, 250)]  # `Posten 1` ends at 88, `Betrag` at 180
    assert table.width == 3
    assert table.markdown() == (
        "| Bereich | Betrag | Jahr |\n| --- | --- | --- |\n| Posten 1 | 7 | 2024 |\n"
        "| Posten 2 | 14 | 2024 |\n| Posten 3 | 21 | 2025 |"
    )


def test_a_table_s_pipes_are_escaped_and_an_empty_table_has_no_width():
    assert Table([["a|b", "c"], ["1", "2"]]).markdown() == "| a\\|b | c |\n| --- | --- |\n| 1 | 2 |"
    assert Table([]).width == 0


def test_a_table_goes_on_with_the_same_columns_its_repeated_header_dropped():
    table = Table([["Name", "Wert"], ["a", "1"]], ["r1"])
    assert table.continue_with(Table([[" name ", "WERT"], ["b", "2"]], ["r2"])) is True
    assert table.cells == [["Name", "Wert"], ["a", "1"], ["b", "2"]] and table.rows == ["r1", "r2"]
    assert table.continue_with(Table([["c", "3"], ["d", "4"]], ["r3"])) is True
    assert table.cells[-2:] == [["c", "3"], ["d", "4"]]
    assert table.continue_with(Table([["x", "y", "z"]], ["r4"])) is False
    assert len(table.cells) == 5 and table.rows == ["r1", "r2", "r3"]


def test_rows_further_apart_than_three_line_heights_end_the_table():
    rows = table_rows(BUDGET[:3], step=25) + table_rows(BUDGET[3:], top=800 - 50 - 30)
    assert find_tables(rows)[0][:2] == (0, 4)  # 30 points: three line heights, still in
    rows = table_rows(BUDGET[:3], step=25) + table_rows(BUDGET[3:], top=800 - 50 - 30.1)
    assert [f[:2] for f in find_tables(rows)] == [(0, 3)]


def test_a_row_much_further_than_the_table_s_usual_step_ends_it():
    rows = table_rows(BUDGET[:3], step=10) + table_rows(BUDGET[3:], top=800 - 20 - 16)
    assert find_tables(rows)[0][:2] == (0, 4)  # 16 = 1.6 times the usual 10
    rows = table_rows(BUDGET[:3], step=10) + table_rows(BUDGET[3:], top=800 - 20 - 16.1)
    assert find_tables(rows)[0][:2] == (0, 3)


def test_a_row_above_the_one_before_ends_the_table():
    rows = table_rows(BUDGET[:3]) + table_rows(BUDGET[3:], top=800 - 24 + 20)
    found = find_tables(rows)
    assert found[0][:2] == (0, 3)


def test_a_trailing_row_of_one_cell_is_no_row_of_the_table():
    rows = table_rows(BUDGET) + [row([(150, "Seite 3")], 800 - 48)]
    assert [f[:2] for f in find_tables(rows)] == [(0, 4)]


def test_a_header_with_fewer_cells_than_the_rows_heads_the_table():
    rows = [row([(50, "Bereich"), (250, "Jahr")], 800), *table_rows(BUDGET[1:], top=788)]
    [(first, end, table)] = find_tables(rows)
    assert (first, end) == (0, 4)
    assert table.cells[0] == ["Bereich", "", "Jahr"]


def test_a_header_with_more_cells_ends_at_the_row_that_fills_its_gaps():
    rows = [
        row([(50, "A"), (150, "B"), (250, "C")], 800),
        row([(50, "Posten eins zwei drei vier fünf sechs sieben")], 788),
    ]
    assert find_tables(rows) == []


def test_two_columns_need_three_rows_with_a_gap_and_no_gutter_inside_it():
    pairs = [["Name", "Wert"], ["Anna", "12"], ["Bernd", "14"]]
    [(_, _, table)] = find_tables(table_rows(pairs, xs=(50, 150)))
    assert table.cells == pairs and table.gaps == [(75.0, 150)]
    assert find_tables(table_rows(pairs[:2], xs=(50, 150))) == []
    assert find_tables(table_rows(pairs, xs=(50, 150)), lambda: 75.0) == []
    assert find_tables(table_rows(pairs, xs=(50, 150)), lambda: 151.0) == []
    assert len(find_tables(table_rows(pairs, xs=(50, 150)), lambda: 151.1)) == 1
    assert len(find_tables(table_rows(pairs, xs=(50, 150)), lambda: 74.9)) == 1


def test_a_gap_must_have_words_on_both_sides_in_two_rows():
    rows = [
        row([(50, "Bereich"), (150, "Betrag")], 800),
        row([(50, "Posten")], 788),
        row([(150, "Summe")], 776),
    ]
    assert find_tables(rows) == []


def test_a_list_with_its_marks_set_apart_is_no_table():
    for marks in (
        ["•", "•", "•"],
        ["1.", "2.", "3."],
        ["a)", "b)", "c)"],
        ["(i)", "(ii)", "(iii)"],
        ["2.1", "2.2", "2.3"],
    ):
        lines = [[mark, "Ein Punkt", "der Liste"] for mark in marks]
        assert find_tables(table_rows(lines)) == [], marks
    lines = [[mark, "Ein Punkt", "der Liste"] for mark in ["•", "X", "•"]]
    assert len(find_tables(table_rows(lines))) == 1


def test_two_columns_of_prose_are_no_table():
    left = ["Der Stadtrat hat am Montag", "den neuen Haushalt für das", "kommende Jahr beschlossen"]
    right = ["Die Opposition hat gegen", "die hohen Ausgaben für den", "Neubau gestimmt und ist"]
    rows = table_rows([[a, b] for a, b in zip(left, right)], xs=(50, 200))
    assert find_tables(rows) == []


def test_short_cells_of_few_words_are_a_table_however_full():
    lines = [
        ["Ja Nein Summe", "Ja Nein Summe"],
        ["eins zwei drei", "eins zwei drei"],
        ["vier fünf sechs", "vier fünf sechs"],
    ]
    assert len(find_tables(table_rows(lines, xs=(50, 200)))) == 1


def test_the_next_line_of_a_wrapped_cell_joins_it():
    rows = [
        row([(50, "Bereich"), (150, "Betrag"), (250, "Jahr")], 800),
        row([(50, "Verkehrs-"), (150, "7"), (250, "2024")], 788),
        row([(50, "minister")], 779),  # closer than the usual 12
        row([(50, "Schulen"), (150, "9"), (250, "2025")], 767),
        row([(50, "Radwege"), (150, "3"), (250, "2026")], 755),
    ]
    [(_, _, table)] = find_tables(rows)
    assert table.cells == [
        ["Bereich", "Betrag", "Jahr"],
        ["Verkehrsminister", "7", "2024"],
        ["Schulen", "9", "2025"],
        ["Radwege", "3", "2026"],
    ]


def _first_line(x0: float, x1: float, y: float, last: str = "wie") -> Row:
    return Row([word("Wer", x0, x0 + 20, y), word(last, x0 + 30, x1, y)])


def test_a_wrapped_entry_just_above_the_last_entry_joins_it():
    rows = [*_entries(THREE[:2]), _first_line(50, 263, 756), entry("Mitarbeit", "9", 744)]
    [(_, end, contents)] = find_contents(rows)
    assert end == 4 and contents.entries[-1] == (0, "Wer wie Mitarbeit")


def test_a_line_ending_in_leaders_is_no_first_line_of_an_entry():
    rows = [
        *_entries(THREE[:1]),
        _first_line(50, 263, 768, last="...."),
        *_entries(THREE[1:], top=756),
    ]
    assert find_contents(rows) == []


def test_a_wrapped_entry_takes_its_level_from_its_first_line():
    rows = [
        entry("Eins", "1", 780, x=50),
        _first_line(50, 263, 768),
        entry("Zwei", "2", 756, x=60),
        entry("Drei", "3", 744, x=60),
    ]
    [(_, _, contents)] = find_contents(rows)
    assert contents.entries == [(0, "Eins"), (0, "Wer wie Zwei"), (1, "Drei")]
    rows = [
        entry("Eins", "1", 780, x=60),
        _first_line(50, 263, 768),
        entry("Zwei", "2", 756, x=60),
        entry("Drei", "3", 744, x=60),
    ]
    [(_, _, contents)] = find_contents(rows)
    assert contents.entries == [(0, "Eins"), (0, "Wer wie Zwei"), (0, "Drei")]


def test_a_three_column_table_of_two_rows_is_a_table():
    [(first, end, table)] = find_tables(table_rows(BUDGET[:2]))
    assert (first, end) == (0, 2) and table.cells == BUDGET[:2]


def test_an_index_s_titles_are_compared_in_lower_case_and_equal_ones_are_in_order():
    # `a_b` before `aa` in lower case (`_` sorts before `a`), not in upper (`_` after `A`).
    assert len(find_contents(_entries([("a_b", "9"), ("aa", "3"), ("b", "7")]))) == 1
    assert len(find_contents(_entries([("a", "9"), ("a", "3"), ("b", "7")]))) == 1
    assert find_contents(_entries([("b", "9"), ("a", "3"), ("c", "7")])) == []


def test_titles_in_order_are_no_contents_without_leaders_when_pages_go_back():
    rows = [heading("Inhalt"), *_entries([("A", "4"), ("B", "1"), ("C", "9")], leaders=False)]
    assert find_contents(rows) == []


def test_only_spaces_and_colons_are_stripped_from_a_contents_heading():
    rows = [heading("Inhalt X"), *_entries(THREE, leaders=False)]
    assert find_contents(rows) == []


def _mono(texts: list[str], space: float, y: float, per_char: tuple[float, ...] = ()) -> Row:
    """Words of monospaced type, 6 points a character (or `per_char` for each word), `space`
    points apart."""
    words, x = [], 50.0
    for n, text in enumerate(texts):
        width = (per_char[n] if n < len(per_char) else 6.0) * len(text)
        words.append(Word(text, x, x + width, y, y + 10))
        x += width + space
    return Row(words)


def test_code_in_monospaced_type_is_no_table_at_single_spaces():
    code = [_mono(["int", "abc", "=", "1;"], 6, 800 - 12 * i) for i in range(3)]
    assert find_tables(code) == []


def test_monospaced_columns_two_spaces_apart_are_a_table():
    rows = [_mono(["abc", "def", "ghi"], 12, 800 - 12 * i) for i in range(3)]
    [(_, _, table)] = find_tables(rows)
    assert table.cells == [["abc", "def", "ghi"]] * 3


def test_type_is_monospaced_when_its_letters_differ_by_at_most_four_percent():
    # 3 % apart: monospaced, single spaces are no cells; 5 % apart: proportional type.
    mono = [_mono(["int", "abc", "=", "1;"], 6, 800 - 12 * i, (6.0, 5.82)) for i in range(3)]
    assert find_tables(mono) == []
    proportional = [_mono(["int", "abc", "=", "1;"], 6, 800 - 12 * i, (6.0, 5.7)) for i in range(3)]
    assert len(find_tables(proportional)) == 1


def test_a_gap_straddled_by_one_row_only_splits_no_cells():
    rows = [
        row([(50, "Name"), (150, "Wert"), (250, "Notiz")], 800),
        row([(50, "Anna"), (150, "12")], 788),
        row([(50, "Bernd"), (150, "14")], 776),
    ]
    [(_, _, table)] = find_tables(rows)
    assert table.cells == [["Name", "Wert Notiz"], ["Anna", "12"], ["Bernd", "14"]]


def test_an_empty_cell_at_the_usual_step_is_a_row_of_its_own():
    lines = [["A", "1", "x"], ["B", "", "y"], ["C", "3", "z"]]
    [(_, _, table)] = find_tables(table_rows(lines))
    assert table.cells == lines


def test_a_wrapped_cell_joins_the_row_above_also_past_an_empty_cell_and_deep_in_the_table():
    rows = [
        row([(50, "Bereich"), (150, "Betrag"), (250, "Jahr")], 800),
        row([(50, "Schulen"), (150, "9"), (250, "2025")], 790),
        row([(50, "Verkehrs-"), (250, "2024")], 780),
        row([(50, "minister")], 773),  # 7 points: less than 0.8 of the usual 10
        row([(50, "Radwege"), (150, "3"), (250, "2026")], 763),
    ]
    [(_, _, table)] = find_tables(rows)
    assert table.cells == [
        ["Bereich", "Betrag", "Jahr"],
        ["Schulen", "9", "2025"],
        ["Verkehrsminister", "", "2024"],
        ["Radwege", "3", "2026"],
    ]


def test_a_row_at_exactly_0_8_of_the_usual_step_is_no_wrapped_line():
    rows = [
        row([(50, "Bereich"), (150, "Betrag"), (250, "Jahr")], 800),
        row([(50, "Schulen"), (150, "9"), (250, "2025")], 790),
        row([(50, "Verkehrs-"), (150, "7"), (250, "2024")], 780),
        row([(50, "minister")], 772),  # 8 points: 0.8 of the usual 10
        row([(50, "Radwege"), (150, "3"), (250, "2026")], 762),
        row([(50, "Brücken"), (150, "5"), (250, "2027")], 752),
    ]
    [(_, _, table)] = find_tables(rows)
    assert ["minister", "", ""] in table.cells


def test_a_column_of_bullets_with_a_closing_row_is_a_table():
    lines = [["•", "Ein Punkt", "x"], ["•", "Ein Punkt", "y"], ["Fazit", "", "z"]]
    assert len(find_tables(table_rows(lines))) == 1


def _two_columns(left: list[str], right: list[str], gap_x: float = 250) -> list[Row]:
    return [
        row([(50, a), (gap_x, b)], 800 - 12 * i) if a else row([(gap_x, b)], 800 - 12 * i)
        for i, (a, b) in enumerate(zip(left, right))
    ]


def test_prose_of_four_words_a_line_in_two_columns_is_no_table():
    left = ["Der Rat hat heute", "den neuen Haushalt mit", "großer Mehrheit klar"]
    right = ["Die Opposition war dagegen", "und stimmte geschlossen mit", "Nein in allen Punkten"]
    assert find_tables(_two_columns(left, right)) == []


def test_long_cells_that_do_not_fill_their_column_are_a_table():
    left = ["Ein Ort am Fluss und Berg", "", "Ein Dorf", "Ein Weg"]  # the widest, then short
    right = [
        "Es gibt dort viele Häuser",
        "Es gibt dort wenige Häuser",
        "Es gibt dort keine Häuser",
        "Es gibt dort alte Häuser",
    ]
    [(_, _, table)] = find_tables(_two_columns(left, right, gap_x=350))
    assert table.cells[1] == ["", "Es gibt dort wenige Häuser"]


def test_a_column_filled_to_three_quarters_in_most_rows_is_prose():
    # The widest line sets the column's width (100 points); the others reach 75 of it.
    def line(y: float, end: float) -> Row:
        words = [
            Word(w, 50 + 20 * n, 67 + 20 * n, y, y + 10)
            for n, w in enumerate(["ab", "cd", "ef", "gh"])
        ]
        words[-1].x1 = end
        return Row(
            words
            + [
                Word(w, 200 + 20 * n, 217 + 20 * n, y, y + 10)
                for n, w in enumerate(["ij", "kl", "mn", "op"])
            ]
        )

    assert find_tables([line(800, 150), line(788, 125), line(776, 125)]) == []
    assert len(find_tables([line(800, 150), line(788, 124.9), line(776, 124.9)])) == 1


def test_three_columns_of_prose_are_no_table():
    rows = [
        row(
            [
                (50, "Der Rat hat heute"),
                (200, "Die Opposition war klar"),
                (350, "Die Bürger sind froh"),
            ],
            800 - 12 * i,
        )
        for i in range(3)
    ]
    assert find_tables(rows) == []


def test_a_row_after_the_entries_is_no_part_of_them():
    rows = [*_entries(THREE), row([(50, "Vorwort")], 740)]
    assert [f[:2] for f in find_contents(rows)] == [(0, 3)]


def test_a_row_above_the_entries_that_is_no_contents_heading_is_left_out():
    rows = [row([(50, "Vorbemerkung")], 800), *_entries(THREE)]
    [(first, end, contents)] = find_contents(rows)
    assert (first, end, contents.heading) == (1, 4, None)


def test_a_wrapped_line_above_the_second_last_entry_is_read_with_it():
    rows = [
        *_entries(THREE[:2]),
        _first_line(50, 263, 756),
        entry("Anhang", "9", 744),
        row([(50, "Vorwort")], 732),
    ]
    [(first, end, contents)] = find_contents(rows)
    assert (first, end) == (0, 4) and contents.entries[-1] == (0, "Wer wie Anhang")


def test_two_lines_without_page_numbers_end_the_entries_above_them():
    rows = [
        *_entries(THREE),
        _first_line(50, 263, 744),
        _first_line(50, 263, 732),
        *_entries(THREE, top=720),
    ]
    assert [f[:2] for f in find_contents(rows)] == [(0, 3), (5, 8)]


def test_a_wrapped_line_is_matched_to_the_entry_below_it_in_size():
    big = Row(
        [
            Word("Teil", 50, 90, 780, 792),
            Word(".....", 93, 380, 780, 792),
            Word("1", 400, 405, 780, 792),
        ]
    )  # 12 points, the line below is 10
    rows = [big, _first_line(50, 263, 768), *_entries(THREE[1:], top=756)]
    [(_, end, contents)] = find_contents(rows)
    assert end == 4 and contents.entries[1] == (0, "Wer wie Pakete")


def test_dot_leaders_set_as_single_dots_count_as_leaders():
    def dotted(title: str, page: str, y: float) -> Row:
        words = cells([(50, title)], y)
        words += [Word(".", 200 + 6 * n, 202 + 6 * n, y, y + 10) for n in range(20)]
        return Row([*words, Word(page, 400, 405, y, y + 10)])

    rows = [dotted(t, p, 780 - 12 * i) for i, (t, p) in enumerate(THREE)]
    [(_, _, contents)] = find_contents(rows)
    assert contents.entries == [(0, "Einleitung"), (0, "Pakete"), (0, "Mitarbeit")]


def test_indents_of_rows_before_the_contents_do_not_make_levels():
    rows = [
        entry("Alt", "1", 800, x=40),
        entry("Alter", "2", 788, x=40),
        row([(50, "kurz")], 776),
        *_entries(THREE, top=764),
    ]
    [(first, end, contents)] = find_contents(rows)
    assert (first, end) == (3, 6) and [lv for lv, _ in contents.entries] == [0, 0, 0]


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["ftp://a.de/x_", "yz ab_c d"], "ftp://a.de/x_ yz ab_c d"),  # the first word decides
        (["www.debian.", "örg.de"], "www.debian. örg.de"),  # not ASCII: no address goes on
        (["https://a.org/X", "b.html"], "https://a.org/X b.html"),  # no break after a letter
        (["https://example.org/doc", "Xyz"], "https://example.org/doc Xyz"),
        (["https://example.org/doc", "/a.html"], "https://example.org/doc/a.html"),
        (["www.debian.", "orgX"], "www.debian. orgX"),  # not lower case: a new sentence
    ],
)
def test_an_address_goes_on_only_where_the_next_line_s_first_word_says_so(lines, joined):
    assert join_lines(lines) == joined


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["TAX", "frei"], "TAX frei"),  # only a hyphen (or PDFium's mark) joins a word
        (["a-", "b"], "ab"),
        (["Ein-", "und Aus Fahrt"], "Ein- und Aus Fahrt"),  # the first word is the conjunction
        (["Verkehrs-", "mInister"], "VerkehrsmInister"),  # its first letter decides
    ],
)
def test_a_hyphen_joins_by_the_next_line_s_first_word(lines, joined):
    assert join_lines(lines) == joined


def test_an_empty_line_after_an_address_joins_nothing_to_it():
    assert join_lines(["https://a.org/-", ""]).rstrip() == "https://a.org/-"


def test_words_exactly_a_cell_gap_apart_are_cells():
    rows = [
        Row(
            [
                Word(t, x, x + 10, 800 - 12 * i, 810 - 12 * i)
                for t, x in (("aa", 50), ("bb", 64), ("cc", 78))
            ]
        )
        for i in range(3)
    ]
    [(_, _, table)] = find_tables(rows)  # 4 points apart: 0.4 of the 10-point type
    assert table.cells == [["aa", "bb", "cc"]] * 3


def test_a_trailing_row_of_one_cell_is_left_out_of_a_table_of_two_rows():
    rows = table_rows(BUDGET[:2]) + [row([(150, "Seite 3")], 800 - 24)]
    assert [f[:2] for f in find_tables(rows)] == [(0, 2)]
