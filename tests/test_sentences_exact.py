"""German sentence boundaries pinned rule by rule (issue 32, mutation testing of
sentences.py): the words before and after a full stop (abbreviations, ordinals, years,
quantities, nouns such as `seiner Art.`, words without vowels, the lower-case rule), an
emoticon in place of the full stop, quotations, and the word lists read from their text.
Each answer was worked out by hand from the rules in sentences.py's docstring."""

from __future__ import annotations

import pytest

from translate.text import sentences as rules
from translate.text.sentences import sentence_spans


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def test_the_word_lists_are_read_as_whitespace_separated_words():
    assert rules._words(" Dr  Prof\n\tem ") == frozenset({"Dr", "Prof", "em"})
    assert {"Dr", "usw", "Der", "Januar"} <= rules._ALWAYS_ABBREVIATIONS | (
        rules._SOMETIMES_ABBREVIATIONS | rules._STARTERS | rules._MONTHS
    )


# ---------------------------------------------------------------- `Art.`, `Vers.`, `Kap.`


@pytest.mark.parametrize(
    "ahead",
    [
        "seiner",  # a determiner or pronoun
        "Seiner",  # compared in lower case
        "„dem",  # past an opening quotation mark
        "neue",  # an inflected adjective: -e (four letters are enough)
        "ersten",  # -en
        "guter",  # -er
        "gutem",  # -em
        "ganzes",  # -es
    ],
)
def test_a_word_that_is_also_an_abbreviation_ends_a_sentence_after_a_noun_s_determiner(ahead):
    # `Art.` `Vers.` `Kap.` are abbreviations before a number (`Art. 5`), and nouns after a
    # determiner or an adjective: then a capitalised word after them starts a sentence, even
    # one that starts no sentence otherwise (Kinder).
    for word in ("Art", "Vers", "Kap"):
        first = f"Das steht in {ahead} {word}."
        assert sentences(f"{first} Kinder lesen es gern.") == [first, "Kinder lesen es gern."]


@pytest.mark.parametrize(
    "ahead",
    [
        "wie",  # three letters ending in -e: too short for an adjective
        "1000er",  # not a word
        "Teil",  # neither a determiner nor inflected
        "nach",  # four letters, no adjective ending
    ],
)
def test_after_other_words_art_stays_an_abbreviation_before_a_noun(ahead):
    text = f"Das steht in {ahead} Art. Kinder lesen es gern."
    assert sentences(text) == [text]


def test_a_word_that_is_also_an_abbreviation_opening_the_text_ends_no_sentence_before_a_noun():
    assert sentences("Art. Kinder lesen es gern.") == ["Art. Kinder lesen es gern."]


# ---------------------------------------------------------------- emoticons


def test_an_emoticon_in_place_of_the_full_stop_ends_a_sentence_before_a_sentence_start():
    assert sentences("Das war schön :) Also gehen wir.") == ["Das war schön :)", "Also gehen wir."]
    assert sentences("Das war schön ;-) Wir gehen.") == ["Das war schön ;-)", "Wir gehen."]


@pytest.mark.parametrize("rest", ["und gut.", "Kinder gehen."])
def test_an_emoticon_before_any_other_word_ends_no_sentence(rest):
    text = f"Das war schön :) {rest}"
    assert sentences(text) == [text]


# ---------------------------------------------------------------- a full stop after a number


@pytest.mark.parametrize(
    "text",
    [
        "Die Ferien gehen von 5. Dezember, heißt es.",  # a month, a comma after it
        "Es geschah am 3. Tag der Reise.",  # after `am`: an ordinal
        "Die Werte lagen zwischen 1990 –1995. Experten zweifeln.",  # a range's end
        "Die Werte lagen zwischen 1990 -1995. Experten zweifeln.",
        "Die Fahrer belegten die Plätze 1. und 2. Experten staunten.",  # after `und`
        "Der Wert stieg 12. Experten sind besorgt.",  # an ordinal unless a quantity's word
    ],
)
def test_a_full_stop_after_a_number_ends_no_sentence_before_a_noun_unless_told(text):
    assert sentences(text) == [text]


@pytest.mark.parametrize(
    ("text", "cut"),
    [
        ("Das war im Jahr 2015. Experten warnten davor.", "Das war im Jahr 2015."),  # a year
        ("Der Wert stieg auf 12. Experten sind besorgt.", "Der Wert stieg auf 12."),  # quantity
        ("um 12. Experten sind besorgt.", "um 12."),  # the quantity's word opens the text
    ],
)
def test_a_full_stop_after_a_year_or_a_quantity_ends_a_sentence_before_a_noun(text, cut):
    assert sentences(text) == [cut, text[len(cut) + 1 :]]


def test_only_a_full_stop_or_comma_is_taken_off_the_month_after_a_number():
    # `DezemberX` is no month: after `von 5.` (a quantity) the full stop ends the sentence.
    assert sentences("Die Ferien gehen von 5. DezemberX, heißt es.") == [
        "Die Ferien gehen von 5.",
        "DezemberX, heißt es.",
    ]


# ---------------------------------------------------------------- between two lines


def test_a_sentence_ends_between_lines_whatever_whitespace_surrounds_them():
    assert rules.ends_sentence("Er kam an.  ", "Dann ging er.")
    assert rules.ends_sentence("Er kam an.\t", "  Dann ging er.  ")
    assert not rules.ends_sentence("Er kam am 5.  ", "Dezember an.")


# ---------------------------------------------------------------- the word before a full stop


def test_quotation_marks_around_an_abbreviation_are_read_past():
    # „Dr“ is still `Dr`: never the end of a sentence.
    assert sentences("Er nannte ihn „Dr“. Müller lachte.") == ["Er nannte ihn „Dr“. Müller lachte."]


def test_a_dotted_abbreviation_is_read_without_its_dots():
    # `z.B` is `zB`, always an abbreviation: not even `Sie` starts a sentence after it.
    assert sentences("Das betrifft z.B. Sie als Mieter.") == ["Das betrifft z.B. Sie als Mieter."]


def test_dotted_letters_end_a_sentence_only_before_a_sentence_start():
    # `d.J.` (dieses Jahres) is no known abbreviation, but its inner dot makes it one that
    # also ends sentences: a noun after it goes on.
    text = "Die Zahlen gelten bis Ende d.J. Kinder zahlen weniger."
    assert sentences(text) == [text]
    assert sentences("Wir nutzen .NET. Kinder lernen es.") == [
        "Wir nutzen .NET.",
        "Kinder lernen es.",
    ]
    # Contrived, but exact: only full stops are stripped before looking for an inner one.
    assert sentences("Das Modell X.Xa. Kinder mögen es.") == ["Das Modell X.Xa. Kinder mögen es."]


def test_v_chr_ends_what_it_dates_even_before_a_number():
    assert sentences("Die Stadt entstand 300 v. Chr. 1871 wurde sie Hauptstadt.") == [
        "Die Stadt entstand 300 v. Chr.",
        "1871 wurde sie Hauptstadt.",
    ]


def test_a_single_letter_before_a_spaced_abbreviation_is_not_part_of_it():
    # `A z. B.` is the letter A and then `z. B.`, still an abbreviation before `Sie`.
    text = "Das gilt für Anlage A z. B. Sie als Mieter."
    assert sentences(text) == [text]


def test_a_sentence_with_its_quotations_closed_is_no_open_quotation():
    # Four plain quotation marks: two quotations opened and closed.
    assert sentences('Sie riefen "Ja" und "Nein". Dann sagte er "Gut".') == [
        'Sie riefen "Ja" und "Nein".',
        'Dann sagte er "Gut".',
    ]


def test_a_word_without_vowels_is_an_abbreviation_before_a_number_unless_in_capitals():
    # `Ztr.` (Zentner) is no German word: before a number it ends nothing. `BBC` is a name.
    assert sentences("Er kaufte 3 Ztr. 50 kg kamen dazu.") == ["Er kaufte 3 Ztr. 50 kg kamen dazu."]
    assert sentences("Er sah es auf BBC. 50 Leute sahen zu.") == [
        "Er sah es auf BBC.",
        "50 Leute sahen zu.",
    ]


# ---------------------------------------------------------------- the word after a full stop


def test_a_capital_x_starts_a_sentence_like_any_other_letter():
    assert sentences("Er kam an. Xaver ging.") == ["Er kam an.", "Xaver ging."]


def test_a_lower_case_word_starts_a_sentence_only_after_a_full_stop_and_an_ordinary_word():
    assert sentences("Das war sowieso. biene maja tanzt.") == [
        "Das war sowieso.",
        "biene maja tanzt.",
    ]
    assert sentences("Das war sowieso! biene maja tanzt.") == ["Das war sowieso! biene maja tanzt."]
    # a closing quotation mark whose opening one lay before the block is read past
    assert sentences("Das war sowieso“. biene maja tanzt.") == [
        "Das war sowieso“.",
        "biene maja tanzt.",
    ]


def test_the_word_after_a_full_stop_is_read_past_its_quotation_mark():
    assert sentences("Das entspricht seiner Art. „Kinder lieben das“, sagt er.") == [
        "Das entspricht seiner Art.",
        "„Kinder lieben das“, sagt er.",
    ]


def test_a_starter_is_known_with_punctuation_after_it():
    assert sentences("Es gab Äpfel usw. Dann, am Abend, kam er.") == [
        "Es gab Äpfel usw.",
        "Dann, am Abend, kam er.",
    ]
    assert rules.is_starter("„Dann,") and rules.is_starter("Wir!")
    assert not rules.is_starter("DaX")  # words are compared whole


def test_no_sentence_ends_before_nothing():
    assert not rules.ends_sentence("Er kam an.", "")
    assert not rules.ends_sentence("Er kam an.", "   ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a determiner opening the text still makes `Art` a noun
        ("seiner Art. Kinder mögen das.", ["seiner Art.", "Kinder mögen das."]),
        # a Roman numeral after `Kap.` is its number (`XX.` read without its full stop)
        ("Das steht in seinem Kap. XX. Kinder lesen es gern.", None),
        # a two-letter word ends a sentence before a lower-case one; a name in capitals not
        ("Das wusste er. dann ging er.", ["Das wusste er.", "dann ging er."]),
        ("Er sah es auf BBC. dann ging er.", None),
        # the number that opens a block is a list's, even before a sentence's start
        ("3. Die Stadt plant neue Wege.", None),
        # a word that starts sentences ends one after a number, even after `am`
        ("Er kam am 5. Die Stadt jubelte.", ["Er kam am 5.", "Die Stadt jubelte."]),
        # after an abbreviation without vowels, any word that starts with a letter
        (
            "Er lieferte 3 Ztr. U-Bahnen brachten den Rest.",
            ["Er lieferte 3 Ztr.", "U-Bahnen brachten den Rest."],
        ),
    ],
)
def test_the_edge_of_each_rule_cuts_exactly_where_it_says(text, expected):
    assert sentences(text) == (expected or [text])
