"""Summarizing several documents together: shared batches, same results, errors kept apart."""

from __future__ import annotations

from dataclasses import dataclass, field

from translate.config import GenerationSettings
from translate.engines.common import Generation, ModelLocation
from translate.errors import TranslateError
from translate.flow.pipeline import summarize, summarize_many


@dataclass
class FakeSummarizer:
    """Words are tokens; a summary keeps the first 5 words, except of texts that contain
    'stubborn', which come back whole (a summarizer that does not shorten)."""

    max_input_tokens: int = 20
    location: ModelLocation = ModelLocation("fake", None, "0")
    calls: list = field(default_factory=list)

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 1

    def describe(self, settings: GenerationSettings) -> dict:
        return settings.merged_over({"max_new_tokens": 6})

    def generate(self, texts, settings):
        self.calls.append(list(texts))
        assert all(self.count_tokens(t) <= self.max_input_tokens for t in texts)
        return [t if "stubborn" in t else " ".join(t.split()[:5]) for t in texts]


def _text(words: int, tag: str) -> str:
    return " ".join(f"{tag}{i}." for i in range(words))


def test_windows_of_several_documents_share_batches_and_results_match_one_by_one():
    texts = [_text(3, "short"), _text(9, "a"), _text(8, "b"), _text(45, "long")]
    together = FakeSummarizer()
    results = summarize_many(together, texts, GenerationSettings(), batch_tokens=40)
    fakes = [FakeSummarizer() for _ in texts]
    alone = [summarize(f, t, GenerationSettings(), 40) for f, t in zip(fakes, texts)]

    assert results == alone
    assert [r.passes for r in results][:3] == [0, 1, 1] and results[3].passes >= 2
    # the two one-window documents were summarized in one call, with the long one's parts
    assert any({texts[1], texts[2]} <= set(call) for call in together.calls)
    assert len(together.calls) < sum(len(f.calls) for f in fakes)


def test_a_document_that_cannot_be_summarized_fails_alone():
    texts = [_text(30, "stubborn"), _text(9, "fine")]
    results = summarize_many(FakeSummarizer(), texts, GenerationSettings(), batch_tokens=40)

    assert isinstance(results[0], TranslateError)
    assert "not shorter" in str(results[0])
    assert results[1].passes == 1 and results[1].text == "fine0. fine1. fine2. fine3. fine4."


@dataclass
class QueuingSummarizer(FakeSummarizer):
    """As CT2Seq2Seq: takes all of a pass's batches in one call and yields each batch's
    outputs in turn (its workers keep decoding from one batch into the next)."""

    queued: list = field(default_factory=list)

    def generate_batches(self, batches, settings):
        self.queued.append([list(b) for b in batches])
        for batch in batches:
            yield [
                Generation(text, True) for text in FakeSummarizer.generate(self, batch, settings)
            ]


def test_a_model_that_queues_batches_gets_each_passs_batches_in_one_call_and_same_results():
    texts = [_text(n, f"d{n}x") for n in (3, 9, 8, 12, 14, 45)]
    one, queuing = FakeSummarizer(), QueuingSummarizer()
    assert summarize_many(queuing, texts, GenerationSettings(), batch_tokens=20) == summarize_many(
        one, texts, GenerationSettings(), batch_tokens=20
    )
    # the same batches, in the same order, each pass's in one call
    assert [b for call in queuing.queued for b in call] == one.calls == queuing.calls
    assert len(queuing.queued) == 2 < len(one.calls)  # two passes
