"""pipeline.translate_passages with fake translators whose faults are known: a passage that
fails the completeness check is translated again in its finer pieces; what fails even so is
kept and flagged. Mutation testing found this retry logic unpinned by the fast tests."""

import re
from dataclasses import dataclass

from tests.test_pipeline import FakeModel
from translate.config import GenerationSettings
from translate.pipeline import (
    Passage,
    segment_for_translation,
    translate_passages,
    translate_segmentations,
)

TWO = "Der Hund bellt heute sehr laut. Die Katze schläft ruhig im Haus."
HALVES = ("Der Hund bellt heute sehr laut.", "Die Katze schläft ruhig im Haus.")


@dataclass
class Lossy(FakeModel):
    """Translates (upper-cases) only the first sentence of an input that holds several."""

    max_input_tokens: int = 100

    def generate(self, texts, settings):
        self.calls.append((list(texts), settings))
        return [re.split(r"(?<=\.) ", t)[0].upper() for t in texts]


@dataclass
class Numberless(FakeModel):
    """Drops every digit."""

    max_input_tokens: int = 100

    def generate(self, texts, settings):
        self.calls.append((list(texts), settings))
        return [re.sub(r"\d", "", t.upper()) for t in texts]


def test_a_passage_that_lost_a_sentence_is_translated_again_sentence_by_sentence():
    model = Lossy()
    (outcome,) = translate_passages(model, [Passage(TWO, 2, HALVES)], GenerationSettings(), 100)
    assert outcome.text == TWO.upper()
    assert outcome.retranslated and outcome.verdict.ok and outcome.finished
    assert not outcome.recovered
    assert [texts for texts, _ in model.calls] == [[TWO], list(HALVES)]


def test_a_passage_that_fails_even_in_pieces_is_kept_and_says_why():
    model = Numberless()
    source = "Es kostet 25 Euro im Monat. Es dauert 3 Tage im Jahr."
    halves = ("Es kostet 25 Euro im Monat.", "Es dauert 3 Tage im Jahr.")
    (outcome,) = translate_passages(model, [Passage(source, 2, halves)], GenerationSettings(), 100)
    assert outcome.retranslated and not outcome.verdict.ok
    assert outcome.text == "ES KOSTET  EURO IM MONAT. ES DAUERT  TAGE IM JAHR."
    assert outcome.verdict.problems == ("missing numbers 25, 3",)


def test_a_passage_with_nothing_finer_is_translated_once_and_flagged():
    model = Lossy()
    (outcome,) = translate_passages(model, [Passage(TWO, 2)], GenerationSettings(), 100)
    assert outcome.text == HALVES[0].upper() and not outcome.retranslated
    length, sentences = outcome.verdict.problems  # half the text is gone: too short, too
    assert length.endswith("% of the source's length")
    assert sentences == "1 sentence(s) for the source's 2"
    assert len(model.calls) == 1


def test_only_failing_passages_are_redone_and_the_good_ones_kept():
    model = Lossy()
    good = Passage("Ein Satz allein steht hier.", 1, ())
    outcomes = translate_passages(model, [good, Passage(TWO, 2, HALVES)], GenerationSettings(), 100)
    assert [o.text for o in outcomes] == ["EIN SATZ ALLEIN STEHT HIER.", TWO.upper()]
    assert [o.retranslated for o in outcomes] == [False, True]
    assert [texts for texts, _ in model.calls][1] == list(HALVES)  # only the failing one


def test_forced_lengths_are_not_checked():
    model = Lossy()
    settings = GenerationSettings(forced_length_ratio=1.0)
    (outcome,) = translate_passages(model, [Passage(TWO, 2, HALVES)], settings, 100)
    assert outcome.verdict.ok and not outcome.retranslated and len(model.calls) == 1


def test_chunks_leave_room_under_the_translators_output_cap():
    # FakeModel's cap is 6 new tokens: inputs of at most 6 / 1.5 = 4 tokens (3 words).
    model = FakeModel(max_input_tokens=20)
    seg = segment_for_translation(model, "Eins zwei drei vier fünf sechs sieben.", 64)
    assert [c.text for c in seg.chunks] == ["Eins zwei drei", "vier fünf sechs", "sieben."]
    # No cap: the input limit; chunk_tokens packs sentences up to it, 1 sends each alone.
    wide = Lossy(max_input_tokens=20)
    wide.describe = lambda settings: {}
    assert len(segment_for_translation(wide, "Ja. Nein. Doch. Gut.", 64).chunks) == 1
    assert len(segment_for_translation(wide, "Ja. Nein. Doch. Gut.", 1).chunks) == 4


def test_a_packed_chunk_that_lost_a_sentence_is_redone_as_its_sentences():
    model = Lossy()
    model.describe = lambda settings: {}  # no cap: both sentences fit one chunk
    seg = segment_for_translation(model, TWO, 64)
    (result,) = translate_segmentations(model, [seg], GenerationSettings(), 100)
    assert result.text == TWO.upper()
    assert (result.stats.chunks, result.stats.retranslated, result.stats.suspect) == (1, 1, 0)
    assert [texts for texts, _ in model.calls] == [[TWO], list(HALVES)]
