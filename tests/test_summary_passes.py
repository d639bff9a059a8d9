"""Summary passes counted exactly, and a summarizer that does not shrink its input."""

import pytest

from tests.test_pipeline import FakeModel
from translate.config import GenerationSettings
from translate.errors import TranslateError
from translate.flow.pipeline import summarize


def test_partial_summaries_that_do_not_shrink_stop_with_a_reason():
    class Echo(FakeModel):
        def generate(self, texts, settings):
            return list(texts)  # a "summary" as long as its input

    model = Echo(mode="summarize", max_input_tokens=20)
    text = " ".join(f"Sentence number {i} says something new." for i in range(10))
    with pytest.raises(TranslateError, match="not shorter than their input"):
        summarize(model, text, GenerationSettings(), 100)


@pytest.mark.parametrize(
    ("length", "passes", "calls"),
    [
        (5, 0, 0),  # no longer than a summary (6 tokens with the end token): kept as it is
        (6, 1, 1),  # one token longer: summarized in one pass
        (19, 1, 1),  # the whole window (20 tokens)
        # One token over the window: parts of 19 words and 1 word; the short one is kept as it
        # is, the other summarized (5 words), then the 6 words: 2 passes, 2 calls.
        (20, 2, 2),
        # Parts of 5 x 19 words and 5 words: 5 summaries and the short part make 30 words,
        # over the window again; its 2 parts give 10 words, then the final call: 3 passes.
        (100, 3, 8),
    ],
)
def test_summary_passes_are_counted_exactly(length, passes, calls):
    model = FakeModel(mode="summarize", max_input_tokens=20)
    text = " ".join(f"w{i}" for i in range(length))
    result = summarize(model, text, GenerationSettings(), batch_tokens=20)
    assert result.passes == passes
    assert sum(len(texts) for texts, _ in model.calls) == calls
