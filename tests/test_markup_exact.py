"""translate.text.markup exactly: what the completeness check reads in place of inline code
and footnote marks, and how a translation gets the source's code and marks back (issue 32)."""

from __future__ import annotations

from translate.text.markup import restore_inline_code, restore_marks, without_inline_code


def test_inline_code_and_footnote_marks_each_become_a_single_space():
    text = "Mit `make -j 4` gebaut[^2] in 3 Minuten."
    assert without_inline_code(text) == "Mit   gebaut  in 3 Minuten."
    # The footnote itself (`[^1]: ...`) is text, not a mark in it.
    assert without_inline_code("[^1]: Quelle: `apt source`.") == "[^1]: Quelle:  ."


def test_restore_marks_also_gives_back_the_inline_code_a_translator_touched():
    source = "Starten Sie `run --jobs 4` heute[^1]."
    assert restore_marks(source, "Start `run - jobs 4` today.") == (
        "Start `run --jobs 4` today[^1]."
    )
    # Spans that do not pair up are left as the translation has them; the mark still comes.
    assert restore_marks(source, "Start run today.") == "Start run today[^1]."


def test_a_lost_mark_takes_the_place_of_the_space_before_the_closing_punctuation():
    source = "Das gilt für alle Pakete[^1]."
    assert restore_marks(source, "This applies to all packages .") == (
        "This applies to all packages[^1]."
    )
    # Only that space: the translation's own leading whitespace is kept as it is.
    assert restore_marks(source, "  This applies.") == "  This applies[^1]."
    assert restore_marks(source, "This applies") == "This applies[^1]"  # no end: the end


def test_every_inline_code_span_comes_back_in_its_place_and_order():
    source = "Mit `a  b` und dann `c--d` fertig."
    assert restore_inline_code(source, "With `a b` and then `c-d` done.") == (
        "With `a  b` and then `c--d` done."
    )
