"""Table detection pinned where mutation testing showed the geometry tests leave it loose:
where find_tables starts looking again after a run of rows (and a table under a caption
whose words fill its gaps, which was missed), the header row's exception in a run, steps
under a point, the monospace threshold at exactly 4 %, how full a column of prose is, and
header rows compared across a page break. Word boxes built by hand (PDF points, y upward),
as in test_pdf_geometry_exact.py.
"""

from __future__ import annotations

from tests.wordboxes import BUDGET, row, table_rows
from translate.inputs.extract import tables
from translate.inputs.extract.rows import Row, Word
from translate.inputs.extract.tables import Table, find_tables

PAIRS = [["Name", "Wert"], ["Anna", "12"], ["Bernd", "14"], ["Clara", "16"]]


def spans(found) -> list[tuple[int, int]]:
    return [(first, end) for first, end, _ in found]


# ---------------------------------------------------------------- where the search goes on


def test_a_table_right_under_a_heading_of_one_cell_starts_on_the_next_row():
    rows = [row([(50, "Haushalt 2024")], 830), *table_rows(BUDGET)]
    [(first, end, table)] = find_tables(rows)
    assert (first, end) == (1, 5) and table.cells == BUDGET


def test_a_table_that_starts_on_the_second_row_of_a_short_run_that_is_none_is_found():
    # Rows 1-2 are a run of two rows (row 3 is further than 1.6 times their step of 10) of
    # two columns: no table (a two-column table needs three rows). The table is rows 2-5.
    rows = [
        row([(50, "Haushalt 2024")], 830),
        row([(50, "Stand"), (150, "März")], 810),
        *table_rows(PAIRS, xs=(50, 150), top=800, step=20),
    ]
    assert spans(find_tables(rows)) == [(2, 6)]


def test_the_rows_of_a_table_found_are_not_read_again():
    # A three-column table of two rows (rows 1-2); row 3 is 20 points on after a step of 10,
    # which ends it, but is within three line heights of row 2: rows 2-3 are no second table.
    rows = [
        row([(50, "Haushalt 2024")], 830),
        *table_rows(BUDGET[:2], top=800, step=10),
        *table_rows(BUDGET[2:3], top=770),
    ]
    assert spans(find_tables(rows)) == [(1, 3)]


def test_the_last_rows_of_three_columns_of_prose_are_no_table_of_their_own():
    # Three rows of three columns of prose: the run is prose. Its last two rows alone (the
    # last lines of paragraphs, short) would pass for a table; they are not looked at again.
    full = "Der Stadtrat hat am"
    short = "Ende."
    lines = [[full, full, full], [full, full, full], [short, short, full]]
    rows = table_rows(lines, xs=(50, 200, 350))
    assert find_tables(rows) == []


def test_a_table_under_a_caption_with_a_note_set_right_is_found():
    # The caption's words fill the table's gaps and its own gap (270-420) is straddled by
    # no row of the table: the caption and the table are one run, and that run no table.
    caption = row(
        [(50, "Tabelle 3: Ausgaben der Stadt nach Bereich"), (420, "(in Tsd. Euro)")], 820
    )
    rows = [caption, *table_rows(BUDGET, top=800)]
    [(first, end, table)] = find_tables(rows)
    assert (first, end) == (1, 5) and table.cells == BUDGET
    assert spans(find_tables([caption, *table_rows(BUDGET[:2], top=800)])) == [(1, 3)]
    # Under a page number set right (a run of two rows with the caption, 20 points off the
    # table, that is no table): the caption's run is looked into all the same.
    number = row([(500, "Seite"), (600, "3")], 830)
    assert spans(find_tables([number, *rows])) == [(2, 6)]
    # The same under a title of its own: that short run, not at the page's top, must not
    # count as one already looked into.
    title = row([(50, "Haushalt")], 900)
    assert spans(find_tables([title, number, *rows])) == [(3, 7)]


def test_runs_nested_in_each_other_are_not_read_over_and_over(monkeypatch):
    # Each row a long word and, 5 points on, a short one inside the row above's long word:
    # every row starts a run to the page's end whose one gap only its first row straddles.
    n = 300
    rows = []
    for k in range(n):
        right = 50 + 10 * (n - k)
        y = 4000 - 12 * k
        rows.append(
            Row(
                [
                    Word("Abschnitt", 50, right, y, y + 10),
                    Word("x", right + 5, right + 6, y, y + 10),
                ]
            )
        )
    read = []
    run = tables._run

    def counted(rows: list[Row], first: int) -> int:
        end = run(rows, first)
        read.append(end - first)
        return end

    monkeypatch.setattr(tables, "_run", counted)
    assert find_tables(rows) == []
    assert sum(read) <= 2 * n  # the first run, and once more from its second row


# ---------------------------------------------------------------- _run


def test_a_row_after_the_second_that_changes_the_gaps_ends_the_table():
    # `Summe 99`: its `99` stands in the page's margin, a gap of its own the table lacks.
    rows = [*table_rows(BUDGET), row([(50, "Summe"), (400, "99")], 752)]
    assert spans(find_tables(rows)) == [(0, 4)]


def test_a_second_row_without_gaps_ends_the_run_and_the_table_under_it_is_found():
    rows = [
        row([(50, "A"), (150, "B"), (250, "C")], 830),
        row([(50, "Posten eins zwei drei vier fünf sechs sieben")], 818),
        *table_rows(BUDGET, top=800),
    ]
    [(first, end, table)] = find_tables(rows)
    assert (first, end) == (2, 6) and table.cells == BUDGET


def test_a_last_row_in_larger_type_whose_spaces_are_no_cell_gaps_of_its_own_stays_in():
    # A two-row table (rows 1-2) under a one-cell heading; its second row is set at 20
    # points, its cells 6 points apart: more than the first row's cell gap (4), less than
    # its own (8). It straddles both gaps, so it is a row of the table, not a trailing line.
    big = Row(
        [
            Word("Summe", 50, 144, 776, 796),
            Word("99", 150, 174, 776, 796),
            Word("2024", 180, 290, 776, 796),
        ]
    )
    top = Row(  # proportional type: letters of 5 and 6 points; cell gap 0.4 em, 4 points
        [
            Word("Posten", 50, 86, 800, 810),
            Word("1", 150, 155, 800, 810),
            Word("2024", 250, 270, 800, 810),
        ]
    )
    rows = [row([(50, "Haushalt")], 830), top, big]
    [(first, end, table)] = find_tables(rows)
    assert (first, end) == (1, 3) and len(table.cells) == 2


def test_rows_one_point_apart_in_tiny_type_are_one_table():
    rows = table_rows(BUDGET, step=1.0, size=2.0)
    [(first, end, _)] = find_tables(rows)
    assert (first, end) == (0, 4)


def test_a_row_on_the_same_baseline_as_the_one_before_is_not_its_next_row():
    # A row in 30-point type on the same bottom as a table's first row (group_rows keeps
    # them apart: their middles are 10 points apart): the table begins under it.
    tall = Row([Word("Titel", 50, 120, 800, 830), Word("X", 300, 320, 800, 830)])
    rows = [tall, *table_rows(BUDGET, top=800)]
    [(first, end, table)] = find_tables(rows)
    assert (first, end) == (1, 5) and table.cells == BUDGET


# ---------------------------------------------------------------- _cell_gap


def _mono(texts: list[str], space: float, y: float, per_char: tuple[float, ...] = ()) -> Row:
    words, x = [], 50.0
    for n, text in enumerate(texts):
        width = (per_char[n] if n < len(per_char) else 6.0) * len(text)
        words.append(Word(text, x, x + width, y, y + 10))
        x += width + space
    return Row(words)


def test_letters_exactly_four_percent_apart_are_monospaced_type():
    # 6.25 and 6.0 points a letter: 0.25 apart, 4 % of 6.25 exactly: code at single spaces.
    code = [_mono(["int", "abc", "=", "1;"], 6, 800 - 12 * i, (6.25, 6.0)) for i in range(3)]
    assert find_tables(code) == []


# ---------------------------------------------------------------- _prose and _column_end


def test_a_column_after_the_first_is_measured_from_its_own_left_edge():
    # Cells of four words; the first column full, the second half full in two rows of
    # three: measured from its own left edge (200) it is half full, a table. Measured from
    # the table's (50), it would pass for full (about 0.8) and be read as prose.
    four = "eins zwei drei vier"  # 89 points
    two = "eins zwei"  # 43 points
    lines = [[four, four, four], [four, two, four], [four, two, four]]
    assert len(find_tables(table_rows(lines, xs=(50, 200, 350)))) == 1


def test_a_word_that_starts_at_its_column_s_left_edge_counts_toward_its_fill():
    # The first column one long word a row, starting at the column's edge and filling it;
    # the second full lines of prose: two columns of prose, no table.
    long = "Verwaltungsgerichtsbarkeit"  # 130 points
    text = "Der Rat hat am Montag"
    lines = [[long, text, text], [long, text, text], [long, text, text]]
    assert find_tables(table_rows(lines, xs=(50, 200, 350))) == []


# ---------------------------------------------------------------- _norm


def test_a_header_of_other_words_that_differ_only_by_sharp_s_is_no_repeated_header():
    # `Masse` (mass) is not `Maße` (measures), though both are `MASSE` in capitals.
    table = Table([["Maße", "Wert"], ["a", "1"]])
    assert table.continue_with(Table([["Masse", "Wert"], ["b", "2"]])) is True
    assert table.cells == [["Maße", "Wert"], ["a", "1"], ["Masse", "Wert"], ["b", "2"]]
