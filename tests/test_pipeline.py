"""The pipeline's logic with deterministic stand-ins for the models (no torch needed).

The stand-ins implement the same TextGenerator protocol as the real models; the real models
run end to end in test_cli.py and test_models.py.
"""

from dataclasses import dataclass, field

import pytest

from translate.config import GenerationSettings
from translate.engines.common import Generation, ModelLocation
from translate.flow.pipeline import (
    is_degenerate,
    summarize,
    token_batches,
    translate_segmentations,
    translate_texts,
)
from translate.text.segment import segment


@dataclass
class FakeModel:
    """Counts words as tokens; 'translates' by upper-casing, 'summarizes' by keeping 5 words."""

    mode: str = "translate"
    max_input_tokens: int = 20
    location: ModelLocation = ModelLocation("fake", None, "0")
    calls: list = field(default_factory=list)
    loop_once: set = field(default_factory=set)  # inputs whose first translation loops

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 1

    def describe(self, settings: GenerationSettings) -> dict:
        return settings.merged_over({"max_new_tokens": 6})

    def generate_detailed(self, texts, settings):
        return [Generation(text, finished=True) for text in self.generate(texts, settings)]

    def generate(self, texts, settings):
        self.calls.append((list(texts), settings))
        assert all(self.count_tokens(t) <= self.max_input_tokens for t in texts)
        if self.mode == "summarize":
            return [" ".join(t.split()[:5]) for t in texts]
        out = []
        for text in texts:
            if text in self.loop_once and settings.no_repeat_ngram_size is None:
                out.append("the the the the the the the the the the the the")
            else:
                out.append(text.upper())
        return out


def test_batches_respect_the_token_budget_and_cover_everything():
    lengths = [5, 40, 7, 12, 40, 3, 9]
    batches = token_batches(lengths, budget=40)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) * max(lengths[i] for i in batch) <= 40 or len(batch) == 1
    assert [lengths[b[0]] for b in batches] == sorted(
        (lengths[b[0]] for b in batches), reverse=True
    )


def test_documents_share_batches_and_get_their_own_text_back_in_order():
    model = FakeModel()
    docs = ["Erster Satz hier. Zweiter Satz.\n\nDritter.", "Anderes Dokument. Noch ein Satz."]
    segs = [segment(d, model.count_tokens, 20, target=3) for d in docs]
    results = translate_segmentations(model, segs, GenerationSettings(), batch_tokens=100)
    assert [r.text for r in results] == [d.upper() for d in docs]
    assert [r.stats.chunks for r in results] == [3, 2]
    assert [r.stats.suspect for r in results] == [0, 0]
    assert len(model.calls) == 1  # one batch for both documents


def test_english_blocks_are_copied_not_translated():
    model = FakeModel()
    doc = "Deutscher Absatz hier.\n\nAn English paragraph."
    seg = segment(doc, model.count_tokens, 20)
    (result,) = translate_segmentations(
        model, [seg], GenerationSettings(), 100, keep_blocks=[frozenset({1})]
    )
    assert result.text == "DEUTSCHER ABSATZ HIER.\n\nAn English paragraph."
    assert result.stats.chunks == 1
    assert result.verdicts[1] is None  # kept, not checked


def test_a_looping_translation_is_redone_with_repetition_forbidden():
    model = FakeModel(loop_once={"Liste: a, b, c."})
    outputs, redone = translate_texts(model, ["Gut.", "Liste: a, b, c."], GenerationSettings(), 100)
    assert [o.text for o in outputs] == ["GUT.", "LISTE: A, B, C."]
    assert redone == [False, True]
    assert model.calls[-1][1].no_repeat_ngram_size == 3


@pytest.mark.parametrize(
    ("source", "output", "bad"),
    [
        ("Ein Satz.", "A sentence.", False),
        ("Ein Satz.", "the the the the the the the", True),
        ("Ein Satz.", "in the year in the year in the year in the year in the year", True),
        ("Ja.", " ".join(["word"] * 3) + " " + " ".join(f"w{i}" for i in range(30)), True),
        ("Na na na na na na.", "Na na na na na na.", False),  # the source repeats too
    ],
)
def test_degenerate_output_is_recognized(source, output, bad):
    assert is_degenerate(source, output, lambda t: len(t.split()) + 1) is bad


def test_short_text_is_not_summarized():
    model = FakeModel(mode="summarize")
    result = summarize(model, "Nur ein kurzer Text.", GenerationSettings(), 100)
    assert result.passes == 0 and result.text == "Nur ein kurzer Text." and not model.calls


def test_long_text_is_summarized_in_passes_without_truncation():
    model = FakeModel(mode="summarize", max_input_tokens=20)
    text = " ".join(f"Sentence number {i} says something new." for i in range(30))
    result = summarize(model, text, GenerationSettings(), 100)
    assert result.passes >= 2
    first_pass_inputs = [t for call in model.calls[: len(model.calls)] for t in call[0]]
    # every sentence reached the summarizer in the first pass
    for i in range(30):
        assert any(f"number {i} says" in t for t in first_pass_inputs)
