"""The completeness check's edges, pinned exactly (issue 32, mutation testing of fidelity.py):
the sentence-count rule at its threshold and with the source's own sentence rules, the
German shown in a verdict, and a verdict read as text."""

from __future__ import annotations

import pytest

from translate.text.fidelity import ENV_CHECK_UNTRANSLATED, Verdict, check, length_ratio


@pytest.fixture
def german_checked(monkeypatch):
    # tests/conftest.py turns the rule off for the copying test models; here it is needed.
    monkeypatch.setenv(ENV_CHECK_UNTRANSLATED, "1")


def test_a_verdict_reads_as_its_problems_joined_by_semicolons():
    assert str(Verdict(("cut off at the length limit", "missing number 2"))) == (
        "cut off at the length limit; missing number 2"
    )
    assert str(Verdict()) == ""
    assert Verdict().ok and not Verdict(("x",)).ok


def test_two_sentences_joined_into_one_pass_at_exactly_the_joined_length():
    # 10 + 10 characters (spaces not counted): joined, the output may be as short as
    # 0.88 * (1 - 0.75 * 10 / 20) = 0.55 of the source, 11 characters, and no shorter.
    source = "Er kam heim. Er ging weg."
    assert check(source, "He came home.", sentences=2).ok  # 11 characters: exactly the floor
    assert check(source, "He came hom.", sentences=2).problems == (
        "1 sentence(s) for the source's 2",
    )


def test_the_joined_length_is_measured_on_the_source_s_sentences_by_its_own_rules():
    # By the German rules "Am 5. Dezember kam er." is one sentence (18 characters, 11 in the
    # other): joined, 0.63 of the source's length is enough. By English rules "Am 5." would
    # be a sentence of 4 characters and 0.79 would be needed; this output has 0.76.
    source = "Am 5. Dezember kam er. Dann ging er."
    assert check(source, "On 5 December he went away.", sentences=2).ok
    assert check(source, "On 5 December he came.", sentences=2).problems == (
        "1 sentence(s) for the source's 2",
    )


def test_a_source_counted_as_two_sentences_that_splits_as_one_needs_its_two():
    # The caller counted two sentences; the source's text splits into one: no shortest
    # sentence to measure a join by, so one sentence out is one too few, however long.
    source = "Der Rat tagt am Montag im Rathaus der Stadt"
    output = "The council meets on Monday in the town hall of the city"
    assert check(source, output, sentences=1).ok
    assert check(source, output, sentences=2).problems == ("1 sentence(s) for the source's 2",)


def test_german_left_in_the_output_is_shown_whole_up_to_60_characters(german_checked):
    sixty = "Der Stadtrat hat gestern den neuen Haushalt beschlossen, ja."
    assert len(sixty) == 60
    assert check(sixty, sixty).problems == (f"left in German: „{sixty}“",)
    sixty_one = "Der Stadtrat hat gestern den neuen Haushalt beschlossen, gut."
    assert len(sixty_one) == 61
    assert check(sixty_one, sixty_one).problems == (
        "left in German: „Der Stadtrat hat gestern den neuen Haushalt beschlossen, gu…“",
    )


def test_german_cut_for_showing_loses_the_space_before_its_ellipsis(german_checked):
    # Cut after 59 characters, the last of them a space: the space goes, not the text.
    source = "Der Stadtrat hat am Montag den neuen Haushalt für das Jahr nun beschlossen."
    assert source[58] == " "
    assert check(source, source).problems == (
        "left in German: „Der Stadtrat hat am Montag den neuen Haushalt für das Jahr…“",
    )


# ---------------------------------------------------------------- the length floor's edges


def test_the_length_is_judged_from_40_characters_of_source_at_0_4_for_a_short_sentence():
    source = "Der Rat der Stadt hat den neuen Plan abgesegnet."  # 40 characters, spaces aside
    assert check(source, "The councils won.").problems == ("38% of the source's length",)
    assert check(source, "The councils wins.").ok  # 16 characters: exactly 0.4
    assert check(source[:-2] + ".", "Won.").ok  # 39 characters: not judged by length


def test_a_sentence_of_80_characters_is_no_longer_short_and_needs_half_its_length():
    source = (
        "Der Rat der Stadt hat am Montag nach langer Debatte den neuen Plan für den Markt "
        "beschlossen, ja."
    )
    output = "The city councils have approved this plan."  # 36 of 80 characters: 0.45
    assert check(source, output).problems == ("45% of the source's length",)
    assert check(source[:-5] + "a.", output).ok  # 79 characters: the short floor, 0.4


# ---------------------------------------------------------------- each problem's words


def test_lost_inline_code_is_named():
    assert check("Drücken Sie `Strg`.", "Press Ctrl.").problems == (
        "inline code not kept as it is",
    )


def test_missing_numbers_are_named_one_or_several():
    assert check("Es gab 2 Kinder.", "There were children.").problems == ("missing number 2",)
    assert check("Es endete 28:25 (14:13).", "It ended 28-25.").problems == (
        "missing numbers 14, 13",
    )


# ---------------------------------------------------------------- the end of a translation

LOST_END = ("ends without the source's final punctuation",)


def test_a_full_stop_inside_the_source_s_closing_quote_is_its_final_punctuation():
    source = "Er sagte: „Komm her.“"
    assert check(source, 'He said: "Come here"').problems == LOST_END
    assert check(source, 'He said: "Come here."').ok


def test_an_empty_source_has_no_end_to_lose():
    assert check("", "Some text").ok


def test_an_empty_output_is_flagged_however_short_the_source():
    # Below MIN_CHECKED_CHARS no length floor applies: an empty output passed unseen.
    assert check("Text.", "").problems == ("nothing came out",)
    assert check("Hallo.", " \n").problems == ("nothing came out",)
    long = "Der Rat der Stadt hat heute über den neuen Haushalt beraten."
    assert check(long, "").problems == ("nothing came out",)  # not also "0 % of its length"
    assert check("", "").ok


def test_an_output_ending_on_the_or_or_is_cut_unless_the_source_ends_on_such_a_word():
    assert check("Äpfel, Birnen oder", "Apples, pears or").ok  # a list goes on
    assert check("oder", "or").ok
    assert check("Äpfel, Birnen und Kirschen", "Apples, pears and the").problems == LOST_END


def test_an_output_ending_on_a_letter_lost_its_full_stop():
    assert check("Er mag Malcolm X.", "He likes Malcolm X").problems == LOST_END
    # "th" ends an English ordinal only where the source ended on one (`am 5.`).
    assert check("Das ist ein Monat.", "That is a month").problems == LOST_END
    assert check("Er kam am 5.", "He came on the 5th").ok


def test_missing_months_are_named():
    assert check(
        "Im Januar und im März war es kalt.", "In winter and in spring it was cold."
    ).problems == ("month not found: Januar, März",)


def test_german_number_formats_left_are_named(german_checked):
    source = "Es kostet 1.234 Euro und 2.345 Euro."
    assert check(source, "It costs 1.234 euros and 2.345 euros.").problems == (
        "German number format left: 1.234, 2.345",
    )


def test_the_length_ratio_counts_an_empty_source_as_one_character():
    assert length_ratio("", "ab") == 2.0
    assert length_ratio("a", "a b c") == 3.0  # spaces not counted
    assert length_ratio("ab cd", "ab") == 0.5
