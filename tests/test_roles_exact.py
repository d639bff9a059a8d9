"""translate.text.roles exactly: the edges of each role's rule (issue 32)."""

from __future__ import annotations

from translate.text.roles import block_roles, summary_text
from translate.text.segment import split_blocks


def roles_of(text: str) -> list[tuple[str, str | None]]:
    return [(text[s:e], role) for (s, e), role in zip(split_blocks(text), block_roles(text))]


def test_a_quote_after_a_leading_blank_line_is_still_quoted():
    assert roles_of("\n> Zitat hier.") == [("Zitat hier.", "quoted")]


def test_a_paragraph_that_starts_with_two_dashes_is_not_a_signature():
    # The signature's delimiter is a line of its own (`-- `), not a dash before words.
    assert roles_of("Text.\n\n-- Goethe sagte das.") == [
        ("Text.", None),
        ("-- Goethe sagte das.", None),
    ]


def test_a_list_outside_a_contents_section_is_the_texts_own():
    assert [role for _, role in roles_of("# Zutaten\n\n- Mehl\n- Zucker")] == [None, None, None]


def test_a_contents_list_continued_after_a_page_break_is_still_contents():
    # A plain text's form feed starts the next page: the list goes on there.
    text = "# Inhalt\n\n- Einleitung\n\x0c- Haushalt\n\n# Einleitung\n\nDer Rat tagt."
    assert roles_of(text) == [
        ("Inhalt", "contents"),
        ("Einleitung", "contents"),
        ("Haushalt", "contents"),
        ("Einleitung", None),
        ("Der Rat tagt.", None),
    ]


def test_the_line_that_introduces_the_last_block_as_a_quote_is_quoted():
    assert roles_of("Am Montag schrieb Anna:\n> Hallo Hans.") == [
        ("Am Montag schrieb Anna:", "quoted"),
        ("Hallo Hans.", "quoted"),
    ]


def test_a_line_like_an_attribution_before_the_texts_own_words_is_its_own():
    assert block_roles("Sie schrieb:\n\nDer Rat tagt am Montag.") == [None, None]


def test_only_a_single_line_introduces_a_quote():
    text = "Wir haben lange über den Plan gesprochen, und\nAnna schrieb dazu:\n> Hallo Hans."
    assert roles_of(text) == [
        ("Wir haben lange über den Plan gesprochen, und\nAnna schrieb dazu:", None),
        ("Hallo Hans.", "quoted"),
    ]


def test_forty_letters_of_its_own_are_enough_for_a_summary_of_them_alone():
    quote = "\n\n> Hallo Hans, kommst du am Montag zum Treffen im Rathaus?"
    own = "Ja, ich komme am Montag gerne zum Treffen dorthin."
    assert sum(ch.isalpha() for ch in own) == 40
    assert summary_text(own + quote) == own
    shorter = own.replace("gerne ", "")  # 35 letters: too little, so the quote is read too
    assert summary_text(shorter + quote) == (
        shorter + "\n\nHallo Hans, kommst du am Montag zum Treffen im Rathaus?"
    )
