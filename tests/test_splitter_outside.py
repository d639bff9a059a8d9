"""The German splitter on outside text: UD German treebanks scored beside the gold set, and
each kind of error the splitter made there (issue 28), one test each."""

import pytest

from tests.score_splitters import load_treebank, score_sets
from translate.text.segment import split_blocks, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, "de")]


def blocks(text: str) -> list[str]:
    return [text[s:e] for s, e in split_blocks(text)]


def test_the_treebank_extracts_are_there_and_large_enough():
    pud, gsd = load_treebank("pud"), load_treebank("gsd")
    assert sum(len(d.boundaries) for d in pud) >= 40
    assert sum(len(d.boundaries) for d in gsd) >= 100


def test_our_splitter_is_best_on_the_gold_set_and_on_each_treebank():
    for label, scores in score_sets().items():
        ours = scores.pop("translate (this project)")
        for name, peer in scores.items():
            assert ours.f1 >= peer.f1, (label, name, ours.f1, peer.f1)
        assert ours.f1 >= {"gold set": 0.97, "UD PUD": 0.99, "UD GSD": 0.91}[label], label


# Abbreviations that stand before a number or a symbol: none ends a sentence there.
# fmt: off
BEFORE_NUMBERS = [
    "Art. 5", "Abs. 2", "Nr. 12", "Nrn. 3", "S. 34", "Bd. 3", "Kap. 4", "Kap. IV", "Ziff. 7",
    "Tab. 2", "Abb. 5", "Anm. 3", "Aufl. 2", "Jg. 12", "Jh. 19", "ca. 20", "Mio. €", "Mrd. $",
    "Tsd. €", "usw. 5", "Tel. 030", "Fax. 030", "Rn. 5", "Rz. 3", "Fn. 2", "Bl. 4", "Sp. 3",
    "Pos. 4", "Tz. 5", "lit. a", "Abschn. 2", "Anl. 3", "Stk. 5", "Std. 3", "Min. 5", "Pkt. 3",
    "Verz. 2", "Kat. 3", "Lfg. 4", "max. 5", "mind. 3", "rd. 40", "zzgl. 19 %", "inkl. 19 %",
    "ggü. 2019", "Gr. 42", "Bj. 2010", "Zi. 204", "Whg. 3", "Kto. 1234", "Postf. 12", "Rdnr. 4",
    "Taf. 3", "Vol. 2", "No. 5", "Art.-Nr. 4711", "Best.-Nr. 12", "Hausnr. 7", "gem. § 5",
    "vgl. § 3", "Tfn. 089", "Bhf. 2",
]
# fmt: on


@pytest.mark.parametrize("abbreviation", BEFORE_NUMBERS)
def test_abbreviations_before_numbers_and_symbols_end_no_sentence(abbreviation):
    assert len(sentences(f"Das steht in {abbreviation} des Berichts.")) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Er blieb ganz seiner Art. Die anderen lachten.",
        "Sie schickte ein Fax. Dann rief sie an.",
        "Das sagte mir Jan. Morgen kommt er wieder.",
        "Wir lasen den ersten Vers. Er war kurz.",
        "Das geht nur per Fax. Danach ist es zu spät.",
    ],
)
def test_ordinary_words_that_are_also_abbreviations_end_sentences(text):
    assert len(sentences(text)) == 2


@pytest.mark.parametrize(
    "text", ["Gemäß Art. 5 GG gilt das.", "Am 5. Jan. 2020 war es kalt.", "Siehe Kap. IV hier."]
)
def test_before_a_number_they_still_end_none(text):
    assert len(sentences(text)) == 1


def test_double_commas_open_a_quotation():
    text = "Er sagte: ,,Das ist gut. Wirklich gut.'' Dann ging er."
    assert sentences(text) == ["Er sagte: ,,Das ist gut. Wirklich gut.''", "Dann ging er."]
    text = "Es kamen viele usw. ,,Wir sind zufrieden'', sagte er."
    assert sentences(text) == ["Es kamen viele usw.", ",,Wir sind zufrieden'', sagte er."]


def test_backtick_quotations_are_one_unit():
    text = "``Das ist gut. Wirklich gut.'' Dann ging er."
    assert sentences(text) == ["``Das ist gut. Wirklich gut.''", "Dann ging er."]


def test_a_number_that_opens_a_paragraph_is_a_list_marker():
    assert sentences("1. Dies ist eine Punkteliste.") == ["1. Dies ist eine Punkteliste."]
    text = "1. Dies ist eine Punkteliste.\n2. Das ist der zweite Punkt."
    assert [sentences(b) for b in blocks(text)] == [
        ["1. Dies ist eine Punkteliste."],
        ["2. Das ist der zweite Punkt."],
    ]
    assert len(sentences("Das war 2015. Dies ist neu.")) == 2  # a number inside still ends one


@pytest.mark.parametrize(
    "text",
    [
        "Der Umsatz der Firma wuchs im vergangenen Jahr\n– vor allem im Ausland – um 12 Prozent.",
        "Wir fahren in diesem Sommer nach Berlin und Hamburg\n- oder nach München, je nach Wetter.",
        "Die nächste Sitzung ist für Mi.\n8. Mai geplant, sagte die Sprecherin.",
        "Die nächste Sitzung des Stadtrats beginnt am Montag, dem\n8. Mai, um 18 Uhr.",
    ],
)
def test_a_wrapped_line_that_starts_with_a_dash_or_a_number_is_no_list_item(text):
    assert blocks(text) == [text]  # one block: the dash kept, the sentence whole
    assert len(sentences(text)) == 1


def test_list_items_after_a_colon_a_sentence_or_an_item_stay_apart():
    text = "Die Zutaten sind diese:\n- Mehl\n- Zucker\nDas ist alles.\n- Salz"
    assert blocks(text) == ["Die Zutaten sind diese:", "Mehl", "Zucker", "Das ist alles.", "Salz"]
    assert blocks("Zutaten\n- Mehl und etwas mehr\n- Zucker") == [
        "Zutaten",
        "Mehl und etwas mehr",
        "Zucker",
    ]


def test_a_sentence_may_start_lower_case_after_a_full_stop():
    text = "Bester Kaffee im Veedel sowieso. biene maja tanzt."
    assert sentences(text) == ["Bester Kaffee im Veedel sowieso.", "biene maja tanzt."]
    assert len(sentences("Das Restaurant war voll, was mich verwundert hat. das war gut.")) == 2


@pytest.mark.parametrize(
    "text",
    [
        "Das gilt z. B. hier.",
        "Es kamen Äpfel, Birnen usw. und viel Obst.",
        "Der ehem. bekannte Sänger kam.",
        "„Wie bitte?“ fragte er.",
        "Ich weiß nicht... vielleicht morgen.",
        "Er kam am 5. und ging am 6. wieder.",
        "Die Bahn hält am Bhf. in der Stadt.",
    ],
)
def test_lower_case_after_an_abbreviation_or_other_punctuation_starts_no_sentence(text):
    assert len(sentences(text)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Danke! :-) Dann habe ich bezahlt.", ["Danke! :-)", "Dann habe ich bezahlt."]),
        ("Super Service. ;) Wir kommen wieder.", ["Super Service. ;)", "Wir kommen wieder."]),
        ("Alles gut, wie immer :) Also bis bald.", ["Alles gut, wie immer :)", "Also bis bald."]),
        ("Das war toll! 😊 Wir kommen wieder.", ["Das war toll! 😊", "Wir kommen wieder."]),
        ("Danke! :-)", ["Danke! :-)"]),
        ("Sehr einladend :-) bin ich rein.", ["Sehr einladend :-) bin ich rein."]),
    ],
)
def test_an_emoticon_stays_with_the_sentence_it_follows(text, expected):
    assert sentences(text) == expected
