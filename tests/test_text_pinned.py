"""Pinned text behaviours that a review found unguarded (issue 32).

Each test here catches a real bug that passed every other test: `usw.` lost from the
abbreviations that also end sentences, blank lines ignored when cutting blocks, and the
letters of a spaced abbreviation (`z. B.`) read back in the wrong order.
"""

from __future__ import annotations

import pytest

from translate.text.blocks import line_blocks
from translate.text.segment import split_blocks, split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def blocks(text: str) -> list[str]:
    return [text[start:end] for start, end in line_blocks(text)]


# ---------------------------------------------------------------- `usw.` (sentences.py)


@pytest.mark.parametrize(
    "text",
    [
        "Auf dem Markt gibt es Äpfel, Birnen usw. Gemüse ist dagegen teuer.",
        "Der Laden führt Brot, Milch usw. Kunden aus dem Umland kaufen dort ein.",
        "Gefragt sind Stühle, Tische usw. Möbel aus Holz verkaufen sich am besten.",
        "Es gibt Äpfel, Birnen usw. im Angebot der Woche.",
    ],
)
def test_usw_before_a_noun_or_a_lower_case_word_ends_no_sentence(text):
    # `usw.` is an abbreviation that also ends sentences: the full stop after it ends one
    # only when a word follows that starts sentences (Der, Die, Wir ...). A capitalised
    # noun (Gemüse, Kunden, Möbel) is no such word: the text stays one sentence.
    assert sentences(text) == [text]


def test_usw_before_a_sentence_start_or_at_the_end_ends_the_sentence():
    assert sentences("Es gibt Äpfel, Birnen usw. Die Preise steigen.") == [
        "Es gibt Äpfel, Birnen usw.",
        "Die Preise steigen.",
    ]
    assert sentences("Es gibt Äpfel, Birnen usw. „Wir sind zufrieden“, sagt der Händler.") == [
        "Es gibt Äpfel, Birnen usw.",
        "„Wir sind zufrieden“, sagt der Händler.",
    ]
    assert sentences("Im Angebot sind Äpfel, Birnen usw.") == ["Im Angebot sind Äpfel, Birnen usw."]
    assert sentences("Es gibt Äpfel, Birnen usw. Gemüse ist teuer. Die Preise steigen.") == [
        "Es gibt Äpfel, Birnen usw. Gemüse ist teuer.",
        "Die Preise steigen.",
    ]


# ---------------------------------------------------------------- blank lines (blocks.py)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a comma at the line's end and a lower-case word next: a wrap, but for the blank line
        (
            "Die Stadt plant,\n\ndass der Rat zustimmt.",
            ["Die Stadt plant,", "dass der Rat zustimmt."],
        ),
        ("Der Rat tagt am\n\nMontag im Rathaus.", ["Der Rat tagt am", "Montag im Rathaus."]),
        ("Neue Regeln\n\nfür den Wochenmarkt", ["Neue Regeln", "für den Wochenmarkt"]),
        # a blank line of spaces, and several blank lines, are blank lines too
        (
            "Die Stadt plant,\n   \ndass der Rat zustimmt.",
            ["Die Stadt plant,", "dass der Rat zustimmt."],
        ),
        (
            "Die Stadt plant, dass\n\n\nder Rat im Mai zustimmt.",
            ["Die Stadt plant, dass", "der Rat im Mai zustimmt."],
        ),
    ],
)
def test_a_blank_line_always_ends_a_block(text, expected):
    assert blocks(text) == expected
    assert [text[start:end] for start, end in split_blocks(text)] == expected


def test_the_same_lines_without_a_blank_line_are_one_wrapped_block():
    text = "Die Stadt plant,\ndass der Rat zustimmt.\n\nDer Rat tagt am\nMontag im Rathaus."
    assert blocks(text) == [
        "Die Stadt plant,\ndass der Rat zustimmt.",
        "Der Rat tagt am\nMontag im Rathaus.",
    ]


# ---------------------------------------------------------------- spaced abbreviations


@pytest.mark.parametrize(
    "text",
    [
        "Das betrifft z. B. Sie als Mieter.",
        "Gemeint sind z. B. Die Grünen im Stadtrat.",
        "Die Kosten trägt der Vermieter, d. h. Sie als Mieter zahlen nichts.",
        "Die Frist läuft ab, d. h. Die Behörde entscheidet ohne Anhörung.",
        "Der Bescheid wird i. d. R. Ihnen per Post zugeschickt.",
        "Den Antrag stellen i. d. R. Sie selbst, nicht der Vermieter.",
    ],
)
def test_a_spaced_abbreviation_ends_no_sentence_even_before_a_sentence_start(text):
    # `z. B.`, `d. h.`, `i. d. R.` are read back letter by letter as zB, dh, idR: always
    # abbreviations, so not even a word that starts sentences (Sie, Die, Ihnen) cuts here.
    assert sentences(text) == [text]


def test_a_spaced_abbreviation_at_a_line_end_is_a_wrap():
    # each line as wide as the text is wrapped: the next word would not have fitted on it
    text = (
        "Die neue Satzung über die Grundsteuer betrifft z. B.\n"
        "Sie als Mieter einer Wohnung und d. h. zugleich\n"
        "Ihre Familie, falls sie mit Ihnen dort wohnt."
    )
    assert blocks(text) == [text]


def test_u_a_is_an_abbreviation_that_also_ends_sentences():
    # `u. a.` (ua) is among those that also end sentences: a noun after it goes on, a word
    # that starts sentences begins a new one.
    assert sentences("Eingeladen sind u. a. Vertreter der Stadt.") == [
        "Eingeladen sind u. a. Vertreter der Stadt."
    ]
    assert sentences("Es kamen Bürger, Beamte u. a. Dann begann die Sitzung.") == [
        "Es kamen Bürger, Beamte u. a.",
        "Dann begann die Sitzung.",
    ]
