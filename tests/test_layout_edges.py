"""layout.py at its edges (issue 32): the column finder's thresholds, a word exactly on the
gutter, tables beside columns or a contents page, footnote sizes, line pitch and body size,
each on words built by hand at the boundary (PDF points, y upward; words 10 pt tall unless
said). The column finder is asked directly where only its thresholds are at stake."""

from __future__ import annotations

import pytest

from tests.wordboxes import cells
from translate.inputs.extract.layout import Word, _gutter, page_text
from translate.inputs.extract.rows import group_rows


def box(text: str, x0: float, x1: float, y: float, height: float = 10.0) -> Word:
    return Word(text, x0, x1, y, y + height)


def gutter(*spans: list[tuple[float, float]]) -> float | None:
    """The gutter of a page whose rows (14 pt apart) hold words over these x spans."""
    words = [
        box(f"w{i}{j}", x0, x1, 700 - 14 * i)
        for i, row in enumerate(spans)
        for j, (x0, x1) in enumerate(row)
    ]
    return _gutter(group_rows(words))


FULL = [(50, 290), (300, 500)]  # a row with words in both columns, the gap at 290-300
LEFT_ONLY = [(50, 290)]
RIGHT_ONLY = [(300, 500)]
ACROSS = [(50, 500)]  # one word over the gap


# ---------------------------------------------------------------- the column finder


@pytest.mark.parametrize(
    ("start", "found"),
    [(150, None), (162.5, None), (170, 169.5), (375, 374.5), (387.5, None), (400, None)],
)
def test_a_gutter_lies_in_the_middle_half_of_the_text_not_at_its_edges(start, found):
    # text from 50 to 500: the middle half is 162.5 to 387.5, both ends left out
    assert gutter(*[[(50, start - 20), (start, 500)]] * 6) == found


@pytest.mark.parametrize(("gap", "found"), [(8.0, 207.5), (7.9, None)])
def test_a_right_column_starts_after_a_word_gap_of_at_least_four_fifths_of_an_em(gap, found):
    assert gutter(*[[(50, 200), (200 + gap, 500)]] * 6) == found


def test_the_gutter_is_half_a_point_left_of_the_right_column_to_a_tenth_of_a_point():
    assert gutter(*[[(50, 280), (300.33, 500)]] * 6) == 299.8


def test_a_word_starting_exactly_at_the_gutter_does_not_cross_it():
    # one row of four crossing would be too many (a fifth at most)
    assert gutter(FULL, FULL, FULL, [(50, 295), (299.5, 500)]) == 299.5


def test_a_word_ending_exactly_at_the_gutter_does_not_cross_it():
    assert gutter(FULL, FULL, FULL, [(50, 299.5), (310, 500)]) == 299.5


def test_a_row_starting_exactly_at_the_gutter_is_not_left_of_it():
    # two rows of ten on the left are under three tenths; the row at 299.5 would be a third
    assert gutter(FULL, FULL, [(299.5, 500)], *[RIGHT_ONLY] * 7) is None


def test_a_row_ending_exactly_at_the_gutter_is_not_right_of_it():
    assert gutter(FULL, FULL, [(50, 299.5)], *[LEFT_ONLY] * 7) is None


def test_three_tenths_of_the_rows_on_each_side_make_a_gutter():
    assert gutter(FULL, FULL, FULL, *[RIGHT_ONLY] * 7) == 299.5


def test_a_fifth_of_the_rows_may_cross_the_gutter_but_no_more():
    assert gutter(FULL, FULL, FULL, FULL, ACROSS) == 299.5
    assert gutter(*[FULL] * 7, *[ACROSS] * 3) is None


def test_rows_crossing_the_gutter_count_against_the_rows_on_each_side():
    # four rows reach left of it, but two of them cross: two are left, under three tenths
    assert gutter(FULL, FULL, ACROSS, ACROSS, *[RIGHT_ONLY] * 6) is None


THREE = [(50, 290), (300, 340), (350, 500)]  # two gaps: at 290-300 and at 340-350


def test_of_two_gaps_the_one_with_more_rows_on_its_thinner_side_is_the_gutter():
    # at 299.5 five rows are left of it; at 349.5 eight are left and seven right
    assert gutter(*[THREE] * 5, *[[(300, 340)]] * 3, *[[(350, 500)]] * 2) == 349.5
    # at 299.5 eight are left and seven right; at 349.5 five are right of it
    assert gutter(*[THREE] * 5, *[LEFT_ONLY] * 3, *[[(300, 340)]] * 2) == 299.5


def test_of_two_gaps_equally_good_the_column_finder_keeps_the_one_it_met_first():
    # a tie: both gaps have every row on each side and none crossing; the first candidate
    # (in the finder's order) stays, a later equal one does not replace it
    assert gutter(*[THREE] * 6) == 299.5


# ---------------------------------------------------------------- reading order


def _columns_with(row_two: list[Word]) -> list[Word]:
    words = []
    for i in range(5):
        if i == 2:
            words += row_two
        else:
            words += [
                box(f"links{i}", 50, 290, 700 - 14 * i),
                box(f"rechts{i}", 300, 500, 700 - 14 * i),
            ]
    return words


def test_a_word_ending_exactly_at_the_gutter_is_read_in_the_left_column():
    words = _columns_with([box("lang2", 50, 299.5, 672), box("rechts2", 310, 500, 672)])
    assert page_text([words]).split() == [
        "links0", "links1", "lang2", "links3", "links4",
        "rechts0", "rechts1", "rechts2", "rechts3", "rechts4",
    ]  # fmt: skip


def test_a_word_starting_exactly_at_the_gutter_is_read_in_the_right_column():
    words = _columns_with([box("links2", 50, 295, 672), box("nah2", 299.5, 500, 672)])
    assert page_text([words]).split() == [
        "links0", "links1", "links2", "links3", "links4",
        "rechts0", "rechts1", "nah2", "rechts3", "rechts4",
    ]  # fmt: skip


def test_a_short_full_width_row_ends_its_paragraph_against_the_page_s_edges():
    # "endet hier." crosses the gutter but stops at 350 of 500: short for the page's width
    words = [box("Der", 50, 80, 800), box("erste", 83, 130, 800), box("Absatz", 133, 200, 800)]
    words += [box("endet", 203, 270, 800), box("hier.", 273, 350, 800)]
    words += [box("Ein", 50, 80, 786), box("neuer", 83, 200, 786), box("beginnt", 203, 500, 786)]
    for i in range(10):
        y = 772 - 14 * i
        words += [box(f"links{i}", 50, 290, y), box(f"rechts{i}", 300, 500, y)]
    blocks = page_text([words]).split("\n\n")
    assert blocks[0] == "Der erste Absatz endet hier."
    assert blocks[1].startswith("Ein neuer beginnt links0")


# ---------------------------------------------------------------- tables and contents pages

NAMES = [
    ("Anna Berg", "Karl Maier"),
    ("Eva Roth", "Paul Lang"),
    ("Ida Kern", "Otto Fink"),
    ("Jan Wolf", "Lea Stein"),
    ("Tim Haas", "Uwe Vogt"),
]


def test_two_columns_of_short_lines_are_read_as_columns_not_as_a_table():
    words = []
    for i, (a, b) in enumerate(NAMES):
        words += cells([(50, a), (150, b)], 700 - 14 * i)
    assert page_text([words]) == " ".join([a for a, _ in NAMES] + [b for _, b in NAMES])


def _contents(top: float) -> list[Word]:
    words = cells([(50, "Inhaltsverzeichnis")], top)
    for i, (title, page) in enumerate(
        [("Vorwort", "3"), ("Einleitung", "5"), ("Ergebnisse", "9"), ("Anhang", "12")]
    ):
        y = top - 20 - 14 * i
        words += cells([(50, title)], y)
        words += [
            Word(".....", words[-1].x1 + 3, 380, y, y + 10),
            Word(page, 400, 400 + 5 * len(page), y, y + 10),
        ]
    return words


def _table(top: float) -> list[Word]:
    words = []
    for i, (a, b, c) in enumerate(
        [("Bereich", "Betrag", "Stand"), ("Schulen", "4", "offen"), ("Bäder", "1", "fertig")]
    ):
        words += cells([(50, a), (250, b), (450, c)], top - 14 * i)
    return words


CONTENTS = (
    "<!-- contents -->\n\nInhaltsverzeichnis\n\n- Vorwort\n- Einleitung\n- Ergebnisse\n- Anhang"
    "\n\n<!-- /contents -->"
)
TABLE = (
    "| Bereich | Betrag | Stand |\n| --- | --- | --- |\n| Schulen | 4 | offen |\n"
    "| Bäder | 1 | fertig |"
)


def test_a_table_below_a_contents_page_is_still_a_table():
    assert page_text([_contents(700) + _table(560)]) == f"{CONTENTS}\n\n{TABLE}"


def test_a_table_above_a_contents_page_is_still_a_table():
    assert page_text([_table(760) + _contents(700)]) == f"{TABLE}\n\n{CONTENTS}"


# ---------------------------------------------------------------- footnotes

BODY = ["Der Rat beschließt den Bau der neuen", "Schule am Fluss und die Sanierung"]
NEXT = ["der beiden Bäder im Sommer des Jahres."]


def _note(text: str, y: float, size: float) -> list[Word]:
    """A footnote's row: a raised small `1`, then `text` in `size`-point type."""
    return [box("1", 50, 53, y + 0.3 * size, 0.6 * size)] + cells([(56, text)], y, size)


def _lines(lines: list[str], top: float, size: float = 10.0, pitch: float = 12.0) -> list[Word]:
    return [w for i, line in enumerate(lines) for w in cells([(50, line)], top - pitch * i, size)]


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (8.9, f"{' '.join(BODY + NEXT)}\n\n[^1]: Quelle: Stadtrat"),
        (9.0, " ".join([*BODY, "[^1]: Quelle: Stadtrat", *NEXT])),
        (10.0, " ".join([*BODY, "[^1]: Quelle: Stadtrat", *NEXT])),
    ],
    ids=["8.9 pt", "9 pt", "10 pt"],
)
def test_a_footnote_is_type_under_nine_tenths_of_the_body_size(size, text):
    # a footnote at the foot of the page is read after the paragraph it cut in two; a row
    # in type nine tenths of the body's, or larger, is read where it stands
    pages = [_lines(BODY, 700) + _note("Quelle: Stadtrat", 100, size), _lines(NEXT, 700)]
    assert page_text(pages) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (8.5, f"{' '.join(BODY + NEXT)}\n\n[^1]: Quelle: Stadtrat Stand Mai"),
        (9.0, f"{' '.join(BODY)}\n\n[^1]: Quelle: Stadtrat\n\nStand Mai\n\n{NEXT[0]}"),
    ],
    ids=["8.5 pt", "9 pt"],
)
def test_a_footnote_goes_on_in_type_less_than_a_point_apart(size, text):
    # body 12 pt, the note 8 pt: its next line in 8.5 pt goes on, one in 9 pt does not
    pages = [
        _lines(BODY, 700, 12, 14)
        + _note("Quelle: Stadtrat", 100, 8)
        + cells([(56, "Stand Mai")], 90, size),
        _lines(NEXT, 700, 12, 14),
    ]
    assert page_text(pages) == text


def test_a_footnote_goes_on_only_in_a_row_below_it():
    # the next page's small print at the same height is not the footnote's next line
    pages = [
        _lines(BODY, 700) + _note("Quelle: Stadtrat", 100, 8),
        cells([(56, "Stand Mai")], 100, 8),
    ]
    assert page_text(pages) == f"{' '.join(BODY)}\n\n[^1]: Quelle: Stadtrat\n\nStand Mai"


# ---------------------------------------------------------------- line pitch, body size


def _one_row_pages(*heights: float) -> list[list[Word]]:
    texts = [
        "Der Rat tagt heute",
        "im alten Saal am",
        "Markt und berät",
        "über die Schule",
        "am Fluss im Mai",
    ]
    return [cells([(50, text)], y) for text, y in zip(texts, heights)]


def test_steps_of_under_a_point_between_rows_set_the_pitch():
    # steps 0.5, 0.5, 1: the pitch is 0.5 pt, and 1 pt (over 1.3 pitches) is space between
    pages = _one_row_pages(500, 499.5, 499, 498)
    assert (
        page_text(pages) == "Der Rat tagt heute im alten Saal am Markt und berät\n\nüber die Schule"
    )


def test_rows_at_the_same_height_give_no_step_to_the_pitch():
    # steps 0, 0, 1, 1.5: the pitch is 1.25 pt (not 0.5), so 1 pt is no space between
    pages = _one_row_pages(500, 500, 500, 499, 497.5)
    assert (
        page_text(pages)
        == "Der Rat tagt heute im alten Saal am Markt und berät über die Schule am Fluss im Mai"
    )


def _sized(lines: list[tuple[str, float]]) -> list[Word]:
    words: list[Word] = []
    for index, (text, height) in enumerate(lines):
        y = 700 - 20 * index
        words += [Word(w.text, w.x0, w.x1, y, y + height) for w in cells([(50, text)], y)]
    return words


TITLE = "Bericht über die Sanierung der Schulen"  # 33 letters
LINE_A = "Der Rat tagt heute im Saal"  # 21 letters
LINE_B = "Die Stadt baut eine Schule"  # 22 letters


def test_the_body_size_is_the_commonest_size_to_a_tenth_of_a_point():
    # 10.04 and 10.02 are both 10.0 pt (43 letters), more than the title's 12 pt (33)
    words = _sized([(TITLE, 12.0), (LINE_A, 10.04), (LINE_B, 10.02)])
    assert page_text([words]) == f"# {TITLE}\n\n{LINE_A} {LINE_B}"


def test_sizes_a_tenth_of_a_point_apart_are_not_one_body_size():
    # 10.4 and 9.6 pt are two sizes (21 and 22 letters): the 12-point title is the body
    words = _sized([(TITLE, 12.0), (LINE_A, 10.4), (LINE_B, 9.6)])
    assert page_text([words]) == f"{TITLE}\n\n{LINE_A} {LINE_B}"
