"""Block breaks and titles pinned exactly (issue 32, mutation testing of blocks.py): when a
numbered or dashed line starts a list, what makes a short first line a heading (capitals,
70 characters, the paragraph's width), table rows, signatures, and the first Markdown
heading of a document."""

from __future__ import annotations

import pytest

from translate.text.blocks import first_heading, line_blocks


def blocks(text: str) -> list[str]:
    return [text[start:end] for start, end in line_blocks(text)]


# ---------------------------------------------------------------- numbered lines


def test_a_numbered_line_after_a_finished_sentence_starts_a_list():
    # "entschieden." ends a sentence before "Bericht" (an ordinary word before the full
    # stop): the numbered line is a list item, not the wrap of `am` / `2. Mai`.
    assert blocks("Der Rat hat entschieden.\n2. Bericht folgt morgen.") == [
        "Der Rat hat entschieden.",
        "2. Bericht folgt morgen.",
    ]


def test_whether_a_sentence_ended_is_judged_by_the_word_after_the_list_number():
    # After `usw.` a sentence ends only before a word that starts sentences: the word after
    # the number decides, not the number.
    assert blocks("Es gab Äpfel usw.\n2. Die Preise steigen.") == [
        "Es gab Äpfel usw.",
        "2. Die Preise steigen.",
    ]
    assert blocks("Es gab Äpfel usw.\n2. Gemüse ist teuer.") == [
        "Es gab Äpfel usw.\n2. Gemüse ist teuer."
    ]


@pytest.mark.parametrize("heading", ["TERMINE", "INFO"])
def test_a_numbered_line_under_a_heading_in_capitals_starts_a_list(heading):
    # Four capital letters are enough, and one word in capitals is enough.
    assert blocks(f"{heading}\n1. Bericht folgt morgen.") == [heading, "1. Bericht folgt morgen."]


@pytest.mark.parametrize("line", ["INF", "Info"])
def test_three_capitals_or_a_word_in_lower_case_are_no_heading_above_a_numbered_line(line):
    assert blocks(f"{line}\n1. Bericht folgt morgen.") == [f"{line}\n1. Bericht folgt morgen."]


# ---------------------------------------------------------------- first_heading


def test_the_first_heading_is_the_first_markdown_heading_with_its_spaces_and_marks_tidied():
    text = "Vorspann ohne Titel\n#  Der   Rat  tagt ##\n# Zweiter Titel"
    assert first_heading(text) == "Der Rat tagt"


def test_an_empty_heading_is_passed_over_for_the_next():
    assert first_heading("# \n## Der Haushalt\n") == "Der Haushalt"


def test_a_text_without_a_markdown_heading_has_none():
    assert first_heading("Kein Titel hier.\n#Auch keiner\nNur Text.") is None
    assert first_heading("") is None


def test_the_first_heading_is_looked_for_in_the_first_4096_characters_only():
    # The heading's first letter is character 4097 (index 4096): out of reach.
    assert first_heading("x" * 4093 + "\n# Titel") is None
    assert first_heading("x" * 4092 + "\n# Titel") == "T"  # cut at the window's edge
    assert first_heading("x" * 4093 + "\n# Titel", within=5000) == "Titel"


# ---------------------------------------------------------------- headings above a sentence


def test_a_heading_may_be_70_characters_long_and_no_longer():
    body = "Die Stadt stellt ihn am Montag vor."
    seventy = "Ein Neuer Plan Für Alle Bürger Und Bürgerinnen Im Ganzen Stadtgebiet A"
    assert len(seventy) == 70
    assert blocks(f"{seventy}\n{body}") == [seventy, body]
    seventy_one = seventy + "1"
    assert blocks(f"{seventy_one}\n{body}") == [f"{seventy_one}\n{body}"]


def test_four_capitals_make_a_heading_even_before_a_word_that_starts_no_sentence():
    # "Bürger" is no word that starts sentences: only the capitals make INFO a heading.
    assert blocks("INFO\nBürger können ab Montag wählen.") == [
        "INFO",
        "Bürger können ab Montag wählen.",
    ]
    assert blocks("INF\nBürger können ab Montag wählen.") == [
        "INF\nBürger können ab Montag wählen."
    ]


def test_a_short_line_is_a_heading_when_the_next_word_would_have_fitted_within_nine_tenths():
    # The paragraph's widest line has 51 characters: wrapped text fills at least
    # 51 - 51 // 10 = 46 of them. A first line of 42 characters and " Die" make 46: the
    # line ended early, so it is a heading; at 43 characters "Die" would not have fitted.
    body = "Die Stadt stellt ihn am Montag im Rathaus vor, dann"
    assert len(body) == 51
    short = "Neuer Plan für alle Bürger im Stadtgebiete"
    assert len(short) == 42
    assert blocks(f"{short}\n{body}") == [short, body]
    longer = short + "s"
    assert blocks(f"{longer}\n{body}") == [f"{longer}\n{body}"]


def test_only_a_paragraph_s_first_line_can_be_a_heading():
    # "Bürger im Stadtgebiet" would be a heading (Title Case, "Die" next) as a first line;
    # as the second line of a wrapped paragraph it is a wrap.
    text = (
        "Die Stadt hat am Montag lange über den Haushalt beraten\n"
        "Bürger im Stadtgebiet\n"
        "Die Stadt stellt ihn am Montag im Rathaus vor, dann"
    )
    assert blocks(text) == [text]


def test_a_line_ending_in_a_comma_goes_on_even_before_a_sentence_start():
    text = "Neuer Plan für alle Bürger,\nDie Stadt stellt ihn am Montag im Rathaus vor, dann"
    assert blocks(text) == [text]


# ---------------------------------------------------------------- list items and table rows


def test_a_line_after_a_table_row_starts_a_new_block():
    assert blocks("Name | wert | 5 |\nder Rat tagt heute.") == [
        "Name | wert | 5 |",
        "der Rat tagt heute.",
    ]


@pytest.mark.parametrize("bullet", ["*", "•"])
def test_a_bullet_that_never_starts_a_wrapped_line_is_a_list_item_anywhere(bullet):
    assert blocks(f"Der Rat tagt am\n{bullet} Montag im Rathaus.") == [
        "Der Rat tagt am",
        f"{bullet} Montag im Rathaus.",
    ]


def test_a_dash_under_a_short_first_line_starts_a_list():
    assert blocks("Zutaten für Kuchen\n- Mehl und Zucker") == [
        "Zutaten für Kuchen",
        "- Mehl und Zucker",
    ]
    assert blocks("Z\n- Mehl und Zucker") == ["Z", "- Mehl und Zucker"]


def test_a_dash_under_a_line_ending_in_a_function_word_is_a_wrap():
    assert blocks("Zutaten für\n- Mehl und Zucker") == ["Zutaten für\n- Mehl und Zucker"]


def test_a_lettered_line_under_a_short_first_line_is_a_wrap_unlike_a_dash():
    assert blocks("Zutaten\nX) Mehl und Zucker") == ["Zutaten\nX) Mehl und Zucker"]


def test_a_dash_starts_a_list_under_a_line_two_characters_short_of_nine_tenths():
    # The widest line has 51 characters: 51 - 51 // 10 = 46, less 2 is 44.
    dash = "- Mehl, Zucker, Eier und Butter für den Teig, Obst."
    assert len(dash) == 51
    short = "Zutaten für einen großen Kuchen mit Erdbeere"
    assert len(short) == 44
    assert blocks(f"{short}\n{dash}") == [short, dash]
    longer = short + "n"
    assert blocks(f"{longer}\n{dash}") == [f"{longer}\n{dash}"]


def test_a_heading_ending_in_x_keeps_it():
    assert first_heading("# Malcolm X") == "Malcolm X"
    assert first_heading("## Xaver ##") == "Xaver"


# ---------------------------------------------------------------- signatures and lists


def test_a_signature_is_one_block_to_the_next_blank_line_whatever_its_lines_look_like():
    text = "Viele Grüße\n\n-- \nHans Müller\n* Tel. 030 123456\n\nDanach"
    assert blocks(text) == ["Viele Grüße", "-- \nHans Müller\n* Tel. 030 123456", "Danach"]


def test_a_dash_in_a_list_starts_an_item_even_after_a_wrapped_line():
    # The block opened with a list item: "- Eier" is the next one, though the line before
    # it (a wrap) is neither an item nor the end of a sentence.
    assert blocks("- Mehl, Zucker und\netwas Butter\n- Eier") == [
        "- Mehl, Zucker und\netwas Butter",
        "- Eier",
    ]


# ---------------------------------------------------------------- the width text was wrapped at


@pytest.mark.parametrize("before", ["", "Vorwort.\n\n"])
def test_a_paragraph_s_width_counts_its_first_line(before):
    # The paragraph's widest line is its first (53 characters: 48 after the slack), so a
    # 42-character line with " Die" (46) was not wrapped: a heading.
    first = "Der Rat hat am Montag den neuen Haushalt beschlossen."
    short = "Neuer Plan für alle Bürger im Stadtgebiete"
    text = f"{before}{first}\n{short}\nDie Stadt stellt ihn vor."
    assert blocks(text)[-3:] == [first, short, "Die Stadt stellt ihn vor."]


def test_a_paragraph_s_width_is_its_own_not_the_paragraph_s_before():
    # An 84-character line in the paragraph before does not widen this one (51).
    before = "Der Rat der Stadt hat am Montag nach einer langen und lebhaften Debatte beschlossen."
    text = (
        "Neuer Plan für alle Bürger im Stadtgebietes\n"
        "Die Stadt stellt ihn am Montag im Rathaus vor, dann"
    )
    assert blocks(f"{before}\n\n{text}") == [before, text]


def test_a_quoted_sentence_start_after_a_short_title_makes_it_a_heading():
    text = "Neuer Plan\n„Wir fangen morgen an“, sagt der Bürgermeister heute."
    assert blocks(text) == ["Neuer Plan", "„Wir fangen morgen an“, sagt der Bürgermeister heute."]
