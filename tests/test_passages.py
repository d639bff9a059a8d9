"""pipeline.translate_passages with fake translators whose faults are known: a passage that
fails the completeness check is translated again in its finer pieces; what fails even so is
kept and flagged. Mutation testing found this retry logic unpinned by the fast tests."""

import re
from dataclasses import dataclass

from tests.test_pipeline import FakeModel
from translate.config import GenerationSettings
from translate.flow.pipeline import (
    Passage,
    segment_for,
    segment_for_translation,
    translate_passages,
    translate_segmentations,
    translate_texts,
)

TWO = "Der Hund bellt heute sehr laut. Die Katze schläft ruhig im Haus."
HALVES = ("Der Hund bellt heute sehr laut.", "Die Katze schläft ruhig im Haus.")


@dataclass
class Lossy(FakeModel):
    """Translates (upper-cases) only the first sentence of an input that holds several."""

    max_input_tokens: int = 100

    def generate(self, texts, settings):
        self.calls.append((list(texts), settings))
        return [
            "the the the the the the the the the the the the"  # loops, as FakeModel's
            if t in self.loop_once and settings.no_repeat_ngram_size is None
            else re.split(r"(?<=\.) ", t)[0].upper()
            for t in texts
        ]


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


class Recorder:
    def __init__(self):
        self.phases, self.advanced = [], 0

    def phase(self, kind, text, total=None, unit=""):
        self.phases.append((kind, text, total, unit))

    def advance(self, amount=1):
        self.advanced += amount


def test_a_looping_translation_is_redone_and_each_phase_is_said():
    model = FakeModel(loop_once={"Der Hund bellt."})
    progress = Recorder()
    texts = ["Der Hund bellt.", "Ja."]  # 4 and 2 tokens
    outputs, redone = translate_texts(model, texts, GenerationSettings(), 100, progress)
    assert [o.text for o in outputs] == ["DER HUND BELLT.", "JA."] and redone == [True, False]
    assert progress.phases == [
        ("translate", "translating", 6, "tokens"),
        ("translate", "translating again 1 looping piece(s)", None, ""),
    ]
    assert progress.advanced == 6


def test_a_passage_redone_in_parts_is_said_and_a_looping_first_try_is_counted():
    model = Lossy(loop_once={TWO})
    progress = Recorder()
    (outcome,) = translate_passages(
        model, [Passage(TWO, 2, HALVES)], GenerationSettings(), 100, progress
    )
    assert outcome.recovered and outcome.retranslated and outcome.text == TWO.upper()
    assert ("translate", "translating 1 doubtful piece(s) again, in parts", None, "") in (
        progress.phases
    )
    assert [p[0] for p in progress.phases].count("translate") >= 3  # the parts are heard too


def test_a_documents_suspect_chunks_are_flagged_and_counted():
    @dataclass
    class NumberlessLooping(Numberless):
        def generate(self, texts, settings):
            looped = [t in self.loop_once and settings.no_repeat_ngram_size is None for t in texts]
            done = super().generate(texts, settings)
            return ["the " * 12 if loop else out for loop, out in zip(looped, done)]

    model = NumberlessLooping(loop_once={"Das ist viel."})
    model.describe = lambda settings: {}
    text = "Es kostet 25 Euro. Das ist viel. Es dauert 3 Tage."
    seg = segment_for_translation(model, text, 1)  # a sentence each: 3 chunks
    (result,) = translate_segmentations(model, [seg], GenerationSettings(), 100)
    assert result.flagged() == [0, 2]  # the numbers are gone; nothing finer to try
    stats = result.stats
    assert (stats.chunks, stats.suspect, stats.recovered, stats.retranslated) == (3, 2, 1, 0)
    assert result.text == "ES KOSTET  EURO. DAS IST VIEL. ES DAUERT  TAGE."


def test_segment_for_reads_german_by_default_and_packs_to_the_target():
    model = FakeModel(max_input_tokens=50)
    text = "Dr. Müller kam. Er blieb."  # "Dr." ends no German sentence
    assert [c.text for c in segment_for(model, text, 1).chunks] == ["Dr. Müller kam.", "Er blieb."]
    assert [c.text for c in segment_for(model, text, 50).chunks] == [text]
