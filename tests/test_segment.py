import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate.text.segment import plain_text, segment, split_blocks, split_sentences


def words(text: str) -> int:
    """A stand-in token counter: one token per word plus an end-of-sentence token."""
    return len(text.split()) + 1


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_do_not_end_sentences():
    text = (
        "Das gilt z. B. für Äpfel, Birnen usw. im Handel. Er kam u. a. mit Dr. Müller und "
        "Prof. Schmidt. Siehe S. 5 und Nr. 7 d. h. im Anhang. Es kostet ca. 5 Mio. Euro im Jahr."
    )
    assert sentences(text) == [
        "Das gilt z. B. für Äpfel, Birnen usw. im Handel.",
        "Er kam u. a. mit Dr. Müller und Prof. Schmidt.",
        "Siehe S. 5 und Nr. 7 d. h. im Anhang.",
        "Es kostet ca. 5 Mio. Euro im Jahr.",
    ]


def test_ordinal_dates_do_not_end_sentences():
    text = (
        "Am 5. Dezember 1994 wurde es unterzeichnet. Der 2. Weltkrieg endete 1945. "
        "Er kam am 3. Oktober."
    )
    assert sentences(text) == [
        "Am 5. Dezember 1994 wurde es unterzeichnet.",
        "Der 2. Weltkrieg endete 1945.",
        "Er kam am 3. Oktober.",
    ]


def test_quotations_stay_whole():
    text = (
        "Er sagte: „Das ist gut. Wirklich gut.“ Dann ging er. «Nein. Doch.» Sie lachte. "
        '"Ja. Gut." Ende.'
    )
    assert sentences(text) == [
        "Er sagte: „Das ist gut. Wirklich gut.“",
        "Dann ging er.",
        "«Nein. Doch.»",
        "Sie lachte.",
        '"Ja. Gut."',
        "Ende.",
    ]


def blocks(text: str) -> list[str]:
    return [text[s:e] for s, e in split_blocks(text)]


def test_paragraphs_lists_and_headings_are_blocks_but_wrapped_lines_are_not():
    text = "Überschrift der Seite\nDer erste Satz geht über\nzwei Zeilen.\n\n- eins\n- zwei\n"
    assert blocks(text) == [
        "Überschrift der Seite",
        "Der erste Satz geht über\nzwei Zeilen.",
        "eins",  # the list markers are layout, kept around the translation
        "zwei",
    ]


def test_a_sentence_opening_with_a_quotation_mark_after_a_full_stop_is_its_own():
    text = "Die Ministerin trat vor die Presse. „Wir verlängern die Hilfen“, sagte sie. „Gut.“"
    assert sentences(text) == [
        "Die Ministerin trat vor die Presse.",
        "„Wir verlängern die Hilfen“, sagte sie.",
        "„Gut.“",
    ]


def test_titles_and_abbreviations_before_names_nouns_and_house_numbers():
    text = (
        "Die Praxis von Dr. med. Susanne Keller zieht in die Goethestr. 12 um. Es sprach Dr. "
        "phil. Martin Brandt über die kath. Kirche und die evang. Gemeinde. Prof. em. Hans Wolf "
        "wohnt in der Kirchstr. 7 bzw. in der Str. 5 am Markt. Karten gibt es z. B. im Rathaus."
    )
    assert sentences(text) == [
        "Die Praxis von Dr. med. Susanne Keller zieht in die Goethestr. 12 um.",
        "Es sprach Dr. phil. Martin Brandt über die kath. Kirche und die evang. Gemeinde.",
        "Prof. em. Hans Wolf wohnt in der Kirchstr. 7 bzw. in der Str. 5 am Markt.",
        "Karten gibt es z. B. im Rathaus.",
    ]


def test_an_abbreviation_that_ends_a_sentence_ends_it_before_a_sentence_start():
    text = "Sie verkaufen Äpfel, Birnen usw. Die Preise steigen. Es kamen Bürger, Beamte u. a. Dann"
    assert sentences(text)[:3] == [
        "Sie verkaufen Äpfel, Birnen usw.",
        "Die Preise steigen.",
        "Es kamen Bürger, Beamte u. a.",
    ]


def test_ordinal_dates_with_a_leading_zero_and_ordinal_ranges():
    text = (
        "Es gilt zum 01. Januar 2025. Die Frist endet am 02. Oktober. Funde aus dem "
        "1.–3. Jahrhundert und dem 2. -3. Jahrhundert sind zu sehen. Der Vertrag läuft bis 2030. "
        "Die Zahl stieg auf 12. Die Polizei ermittelt."
    )
    assert sentences(text) == [
        "Es gilt zum 01. Januar 2025.",
        "Die Frist endet am 02. Oktober.",
        "Funde aus dem 1.–3. Jahrhundert und dem 2. -3. Jahrhundert sind zu sehen.",
        "Der Vertrag läuft bis 2030.",
        "Die Zahl stieg auf 12.",
        "Die Polizei ermittelt.",
    ]


def test_footnote_numbers_after_or_before_the_full_stop():
    text = "Die Zahl ist gestiegen.12 Das zeigt eine Studie.¹ Weber prägte den Begriff3. Er blieb."
    assert sentences(text) == [
        "Die Zahl ist gestiegen.12",
        "Das zeigt eine Studie.¹",
        "Weber prägte den Begriff3.",
        "Er blieb.",
    ]


def test_wrapped_lines_are_never_cut_before_a_capitalised_word():
    import textwrap

    paragraph = (
        "Der Präsident sagte am Montag in Berlin, die Regierung werde Maßnahmen gegen die "
        "steigenden Mieten ergreifen. Nach Angaben des Statistischen Bundesamts wurden im "
        "vergangenen Jahr rund 294.000 Wohnungen fertiggestellt. Das waren weniger als geplant."
    )
    for width in (20, 30, 38, 45, 60, 72):
        wrapped = textwrap.fill(paragraph, width)
        assert len(blocks(wrapped)) <= 3, width  # at most one per sentence
        assert [" ".join(s.split()) for s in sentences(wrapped)] == [
            "Der Präsident sagte am Montag in Berlin, die Regierung werde Maßnahmen gegen die "
            "steigenden Mieten ergreifen.",
            "Nach Angaben des Statistischen Bundesamts wurden im vergangenen Jahr rund 294.000 "
            "Wohnungen fertiggestellt.",
            "Das waren weniger als geplant.",
        ], width


def test_headings_list_items_and_numbered_lines_in_a_paragraph():
    text = (
        "Was sich jetzt ändert\nAb dem kommenden Jahr gelten neue Sätze, die weit höher liegen.\n"
        "KRITIK\nDer Verband klagt.\n"
        "Die Tagesordnung:\n1. Begrüßung\n2. Bericht des Vorstands\n"
        "Das Gesetz trat am\n5. Dezember in Kraft."
    )
    assert blocks(text) == [
        "Was sich jetzt ändert",
        "Ab dem kommenden Jahr gelten neue Sätze, die weit höher liegen.",
        "KRITIK",
        "Der Verband klagt.",
        "Die Tagesordnung:",
        "1. Begrüßung",
        "2. Bericht des Vorstands",
        "Das Gesetz trat am\n5. Dezember in Kraft.",
    ]


def test_markdown_headings_list_items_and_table_cells_are_blocks_without_their_markers():
    text = (
        "# Haushalt 2025\nDer Rat hat am Montag beschlossen\n"
        "## Die wichtigsten Punkte des neuen Haushalts für das nächste Jahr\nMehr Geld.\n\n"
        "- Mehr Geld für Schulen\n* Neue Radwege\n\n"
        "| Bereich | Betrag |\n|---|:---:|\n| Schulen | 4 Mio. Euro |\n"
    )
    blocks = [text[s:e] for s, e in split_blocks(text)]
    assert blocks == [
        "Haushalt 2025",
        "Der Rat hat am Montag beschlossen",  # no full stop: still not glued to a heading
        "Die wichtigsten Punkte des neuen Haushalts für das nächste Jahr",
        "Mehr Geld.",
        "Mehr Geld für Schulen",
        "Neue Radwege",
        "Bereich",
        "Betrag",
        "Schulen",
        "4 Mio. Euro",
    ]
    seg = segment(text, words, limit=30)
    assert seg.reassemble() == text
    assert plain_text(text).startswith("Haushalt 2025\n\nDer Rat hat am Montag beschlossen\n\n")
    assert plain_text(text).endswith("\n\nBereich\n\nBetrag\n\nSchulen\n\n4 Mio. Euro")
    layout = seg.reassemble([f"<{i}>" for i in range(len(seg.chunks))])
    assert layout.startswith("# <0>\n<1>\n## <2>\n<3>\n\n- <4>\n* <5>\n\n| <6> | <7> |\n|---|")


def test_chunks_reassemble_to_the_input_and_keep_paragraph_breaks(tmp_path):
    from tests.conftest import SEED_DOC

    text = SEED_DOC.read_text(encoding="utf-8")
    seg = segment(text, words, limit=30, target=20)
    assert seg.reassemble() == text
    assert all(words(c.text) <= 30 for c in seg.chunks)
    assert "\n\n" in {c.trailing for c in seg.chunks}
    assert seg.sentence_count >= 15


def test_a_sentence_longer_than_the_limit_is_split_at_commas_not_cut():
    text = "Er nannte " + ", ".join(f"Punkt {i} mit Text" for i in range(40)) + "."
    seg = segment(text, words, limit=12)
    assert len(seg.chunks) > 1
    assert seg.reassemble() == text
    assert all(words(c.text) <= 12 for c in seg.chunks)
    assert all(c.text.endswith((",", ".")) for c in seg.chunks)


def test_a_single_huge_word_is_split_by_characters():
    text = "x" * 500
    seg = segment(text, lambda s: len(s) // 10 + 1, limit=8)
    assert seg.reassemble() == text
    assert all(len(c.text) // 10 + 1 <= 8 for c in seg.chunks)


def test_short_sentences_are_packed_up_to_the_target():
    text = "Ja. Nein. Vielleicht. Doch. Gut."
    assert len(segment(text, words, limit=50, target=1).chunks) == 5
    assert len(segment(text, words, limit=50, target=50).chunks) == 1


def test_chunks_stay_full_when_joined_text_costs_more_than_its_sentences():
    # Like byte-level BPE: a joined text costs more than its sentences counted apart (here one
    # token more at each sentence boundary), so the additive estimate packs too much.
    def costly(text: str) -> int:
        return len(text.split()) + 1 + text.count(". ")

    text = " ".join(["Eins zwei drei."] * 12)
    seg = segment(text, costly, limit=20)
    assert seg.reassemble() == text
    assert all(costly(c.text) <= 20 for c in seg.chunks)
    # Five sentences measure 4 x 5 = 20 tokens: full chunks, not twelve one-sentence ones.
    assert [c.text.count(".") for c in seg.chunks] == [5, 5, 2]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.integers(min_value=3, max_value=40))
def test_any_text_reassembles_and_fits(text, limit):
    seg = segment(text, words, limit=limit, target=limit // 2)
    assert seg.reassemble() == text
    assert all(words(c.text) <= limit for c in seg.chunks)
    assert all(c.text.strip() == c.text and c.text for c in seg.chunks)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Dr.", "z. B.", "„Ja.“", "5.", "Haus", "usw.", "\n", "\n\n", " ", "!", "«", "»"]
        ),
        max_size=60,
    )
)
def test_german_like_token_soup_reassembles(parts):
    text = " ".join(parts)
    seg = segment(text, lambda s: len(s) // 3 + 1, limit=6)
    assert seg.reassemble() == text
    assert all(len(c.text) // 3 + 1 <= 6 for c in seg.chunks)


# Abbreviations that matter only before a capitalised word (German capitalises nouns and
# names): none of them may end a sentence there.
ABBREVIATIONS_BEFORE_CAPITALS = [
    "Dr. Müller",
    "Prof. Schmidt",
    "St. Gallen",
    "bzw. Anfang",
    "ca. Mitte",
    "z. B. Äpfel",
    "u. a. Berlin",
    "vgl. Kapitel",
    "Nr. Sieben",
    "d. h. Ende",
    "Art. Fünf",
    "Mio. Euro",
    "Mrd. Euro",
    "Jan. Morgens",
    "evtl. Morgen",
    "ggf. Anträge",
    "sog. Experten",
    "i. d. R. Montags",
    "s. o. Absatz",
    "u. U. Änderungen",
    "z. T. Schulden",
]


def test_abbreviations_before_a_capitalised_word_do_not_end_a_sentence():
    split = [a for a in ABBREVIATIONS_BEFORE_CAPITALS if len(sentences(f"Das gilt {a} hier.")) > 1]
    assert split == []
    assert len(sentences("Das gilt hier. Müller kam.")) == 2  # a real end still ends one


WHITESPACE = [" ", "  ", "\t", "\n", "\n\n", " \n ", "\n\n\n", "\u00a0", "\u2009", "\u3000", "\f"]
PIECES = [
    "Der",
    "Präsident",
    "sagte",
    "Dr.",
    "z. B.",
    "usw.",
    "Nr. 5",
    "5.",
    "Mai.",
    "„Ja.“",
    "«Nein.»",
    '"Gut."',
    "Haus,",
    "Straße;",
    "Ende.",
    "Frage?",
    "Ruf!",
    "- eins",
    "1. zwei",
    "• drei",
    "a) vier",
    "| Zelle |",
    "(Klammer)",
    "–",
    "https://example.org/a/b?c=d",
    "x" * 45,
]


# Markdown layout that segmentation keeps out of the chunks (it is put back around the
# translation untranslated): heading marks, list marks, table pipes and rules, quote marks.
LAYOUT = set("#-*•|:>")


def no_loss(text: str, seg) -> None:
    """Nothing dropped, nothing added: only whitespace and Markdown layout lie between and
    around the chunks, and the chunks hold every other character of the input, in order."""
    outside = seg.leading + "".join(c.trailing for c in seg.chunks)
    assert set("".join(outside.split())) <= LAYOUT, outside
    inside = "".join(c.text for c in seg.chunks)
    assert [ch for ch in "".join(inside.split()) if ch not in LAYOUT] == [
        ch for ch in "".join(text.split()) if ch not in LAYOUT
    ]
    assert seg.reassemble() == text


german_like = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(min_size=1, max_size=6)),
    max_size=80,
).flatmap(
    lambda parts: st.lists(
        st.sampled_from(WHITESPACE), min_size=len(parts) + 1, max_size=len(parts) + 1
    ).map(lambda gaps: gaps[0] + "".join(p + g for p, g in zip(parts, gaps[1:])))
)


@settings(max_examples=300, deadline=None)
@given(german_like, st.integers(min_value=3, max_value=40), st.sampled_from(["words", "chars"]))
def test_chunks_lose_nothing_and_add_nothing(text, limit, counter):
    count = words if counter == "words" else (lambda s: len(s) // 4 + 1)
    seg = segment(text, count, limit=limit, target=max(1, limit // 2))
    no_loss(text, seg)
    assert all(count(c.text) <= limit for c in seg.chunks)


def test_the_no_loss_check_catches_text_dropped_into_the_trailing_whitespace():
    text = "Er kam. Sie ging."
    seg = segment(text, words, limit=50, target=1)
    # "kam." never reaches the translator, yet the input still reassembles.
    dropped = type(seg)("", [type(seg.chunks[0])("Er", " kam. ", 0), seg.chunks[1]], 2)
    assert dropped.reassemble() == text
    with pytest.raises(AssertionError):
        no_loss(text, dropped)
