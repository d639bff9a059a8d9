"""Segmentation pinned to exact spans and counts known by hand. Mutation testing showed the
property tests let these drift: a chunk's sentence spans, its sentence count, the language's
rules, clause cuts and English quotations (docs/mutation.md)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate.text import segment as segment_module
from translate.text.segment import Chunk, segment, split_clauses, split_sentences


def words(text: str) -> int:
    """One token per word plus an end-of-sentence token (as tests/test_segment.py)."""
    return len(text.split()) + 1


def texts(text: str, spans) -> list[str]:
    return [text[s:e] for s, e in spans]


def test_a_packed_chunk_records_each_sentence_span_and_how_many_end_in_it():
    text = "Erster Absatz hier.\n\nJa, gut.  Nein. Doch, sicher."
    first, second = segment(text, words, limit=50).chunks
    assert (first.text, first.parts, first.sentences) == ("Erster Absatz hier.", ((0, 19),), 1)
    assert second.text == "Ja, gut.  Nein. Doch, sicher."
    assert second.parts == ((0, 8), (10, 15), (16, 29))  # relative to the chunk
    assert second.part_texts() == ["Ja, gut.", "Nein.", "Doch, sicher."]
    assert second.sentences == 3 and second.block == 1


def test_pieces_of_a_long_sentence_count_it_once_in_the_chunk_where_it_ends():
    # 12 words: over the limit of 8 tokens, cut at its commas into 4 + 4 + 4 words; the
    # pieces are packed 1 + 1 (5 + 5 - 1 = 9 > 8: no), so each is a chunk, then "Gut." joins
    # the last one (5 + 2 - 1 = 6).
    text = "Eins zwei drei vier, fünf sechs sieben acht, neun zehn elf zwölf. Gut."
    seg = segment(text, words, limit=8)
    assert [c.text for c in seg.chunks] == [
        "Eins zwei drei vier,",
        "fünf sechs sieben acht,",
        "neun zehn elf zwölf. Gut.",
    ]
    assert [c.sentences for c in seg.chunks] == [1, 1, 2]  # a piece alone still counts 1
    assert seg.chunks[2].parts == ((0, 20), (21, 25))
    assert seg.sentence_count == 2


def test_a_chunk_without_recorded_parts_is_one_part_of_clean_text():
    chunk = Chunk(text="Ein  langer\nSatz.", trailing="", block=0)
    assert chunk.part_texts() == ["Ein langer Satz."]


def test_sentences_are_counted_from_zero():
    assert segment("", words, limit=10).sentence_count == 0
    blank = segment("  \n\n \t", words, limit=10)
    assert (blank.sentence_count, blank.chunks, blank.leading) == (0, [], "  \n\n \t")
    assert segment("Eins. Zwei.\n\nDrei.", words, limit=10).sentence_count == 3


def test_the_language_decides_the_sentence_rules():
    text = "Mr. Smith came. He left."
    assert len(segment(text, words, limit=50, target=1, lang="en").chunks) == 2
    assert len(segment(text, words, limit=50, target=1, lang="de").chunks) == 3  # no "Mr."


def test_clauses_are_cut_at_the_best_boundary_only():
    assert split_clauses("Er kam; sie ging, spät.") == ["Er kam;", "sie ging, spät."]
    assert split_clauses("Er kam, sie ging,\n  spät.") == ["Er kam,", "sie ging,", "spät."]
    assert split_clauses("Er kam (spät) heim.") == ["Er kam", "(spät)", "heim."]
    assert split_clauses("Er kam – sie ging.") == ["Er kam", "–", "sie ging."]
    assert split_clauses("Ein Satz ohne Grenze.") == ["Ein Satz ohne Grenze."]  # not at spaces


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab ,;:–()\n", max_size=40))
def test_clauses_are_never_empty_and_lose_nothing(text):
    clauses = split_clauses(text)
    assert all(clause.strip() for clause in clauses) or clauses == [text]
    assert "".join("".join(clauses).split()) == "".join(text.split())


def test_english_sentences_end_after_a_closing_quotation_mark():
    text = 'Yes. He said "Go." Then he left.'
    assert texts(text, split_sentences(text, "en")) == ["Yes.", 'He said "Go."', "Then he left."]
    # The library keeps these whole: »…« and „…“ are split after by our rule.
    text = "Yes. He said: „Go.“ Then he left."
    assert split_sentences(text, "en") == [(0, 4), (5, 19), (20, 33)]
    text = "He said »Go.« Then he said »Stop.« Fine."
    assert texts(text, split_sentences(text, "en")) == [
        "He said »Go.«",
        "Then he said »Stop.«",
        "Fine.",
    ]
    wrapped = 'She wrote: "It is late.\nWe go." Then she left.'
    assert texts(wrapped, split_sentences(wrapped, "en")) == [
        'She wrote: "It is late.\nWe go."',
        "Then she left.",
    ]


def test_a_quotation_inside_an_open_quotation_ends_no_sentence():
    text = 'She said: "He yelled »Stop.« Then he ran." Fine.'
    assert texts(text, split_sentences(text, "en")) == [
        'She said: "He yelled »Stop.« Then he ran."',
        "Fine.",
    ]


class Splitter:
    """Stands in for the sentence-splitter library, answering with the given sentences."""

    def __init__(self, sentences: list[str]):
        self.sentences = sentences

    def split(self, text: str) -> list[str]:
        return self.sentences


def test_a_splitter_that_changes_the_text_leaves_the_block_whole(monkeypatch):
    block = "One. Two."
    for answer in (["One.", "Twx."], ["One.", "Two.", "Three."], ["One."]):
        monkeypatch.setattr(segment_module, "_splitter", lambda lang, a=answer: Splitter(a))
        assert split_sentences(block, "en") == [(0, 9)], answer
    monkeypatch.setattr(segment_module, "_splitter", lambda lang: Splitter(["One.", " ", "Two."]))
    assert split_sentences(block, "en") == [(0, 4), (5, 9)]  # an empty sentence is no change


def test_a_long_sentence_is_cut_at_semicolons_before_commas():
    # Limit 5: the sentence (6 words) is cut at ";" first; its halves fit.
    text = "Eins zwei, drei; vier fünf, sechs."
    chunks = [c.text for c in segment(text, words, limit=5).chunks]
    assert chunks == ["Eins zwei, drei;", "vier fünf, sechs."]


def test_a_piece_still_too_long_is_cut_at_the_next_boundary_not_at_every_space():
    text = "Eins, zwei drei vier fünf; sechs."
    chunks = [c.text for c in segment(text, words, limit=5).chunks]
    assert chunks == ["Eins,", "zwei drei vier fünf;", "sechs."]


def test_pieces_are_packed_by_their_own_token_counts():
    # The second half is cut at its comma; its short end ("neun;") joins "zehn." (2 + 2 - 1).
    first = "Einundzwanzig Zweiundzwanzig Dreiundzwanzig Vierundzwanzig;"
    text = f"{first} fünf sechs sieben acht, neun; zehn."
    chunks = [c.text for c in segment(text, words, limit=5).chunks]
    assert chunks == [first, "fünf sechs sieben acht,", "neun; zehn."]


def quarters(text: str) -> int:
    """A token per 4 characters or part of them, plus one: joined texts cost less than
    their parts ("Aaaa," and "bbbb." 3 each, "Aaaa, bbbb." 4)."""
    return -(-len(text) // 4) + 1


def test_a_sentence_exactly_at_the_limit_is_not_cut():
    (chunk,) = segment("Aaaa, bbbb.", quarters, limit=4).chunks
    assert (chunk.text, chunk.parts) == ("Aaaa, bbbb.", ((0, 11),))


def test_pieces_of_a_long_sentence_are_packed_up_to_the_limit_not_the_target():
    # As above, but a target of 2 tokens: "neun; zehn." (3 tokens) is still one piece.
    first = "Einundzwanzig Zweiundzwanzig Dreiundzwanzig Vierundzwanzig;"
    text = f"{first} fünf sechs sieben acht, neun; zehn."
    chunks = [c.text for c in segment(text, words, limit=5, target=2).chunks]
    assert chunks == [first, "fünf sechs sieben acht,", "neun; zehn."]


def test_packing_estimates_with_the_next_sentence_own_count():
    text = "Ja. Nein. Eins zwei drei vier fünf sechs."
    chunks = [c.text for c in segment(text, words, limit=50, target=4).chunks]
    assert chunks == ["Ja. Nein.", "Eins zwei drei vier fünf sechs."]


def chars(text: str) -> int:
    """One token per character, plus one; a "W" costs three."""
    return len(text) + 1 + 2 * text.count("W")


def test_a_word_longer_than_the_limit_is_cut_into_pieces_as_long_as_the_limit_allows():
    # Limit 8: pieces of 7 characters (8 tokens), each a chunk of its own (target 4).
    assert [c.text for c in segment("x" * 20, chars, limit=8, target=4).chunks] == [
        "x" * 7,
        "x" * 7,
        "x" * 6,
    ]
    # A piece over the limit is halved until it fits: "WWWWWW" (19 tokens) to "WWW" (10) to
    # "W" (4); the 5 left, "WWWWW" (16), to "WW" (7); then "WWW" to "W", and "WW" fits.
    assert [c.text for c in segment("W" * 6, chars, limit=8, target=4).chunks] == [
        "W",
        "WW",
        "W",
        "WW",
    ]


@pytest.mark.timeout(20)
def test_a_character_that_alone_is_over_the_limit_is_cut_off_not_looped_on():
    seg = segment("WWW", chars, limit=3)
    assert [c.text for c in seg.chunks] == ["W", "W", "W"]
