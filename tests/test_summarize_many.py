"""Summarizing several documents together: shared batches, same results, errors kept apart."""

from __future__ import annotations

from dataclasses import dataclass, field

from translate.config import GenerationSettings
from translate.engine import ModelLocation
from translate.errors import TranslateError
from translate.pipeline import summarize, summarize_many


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


def test_a_model_with_two_workers_gets_two_batches_per_call_and_the_same_results():
    texts = [_text(n, f"d{n}x") for n in (3, 9, 8, 12, 14, 45)]
    one, two = FakeSummarizer(), FakeSummarizer()
    two.workers = 2  # as CT2Seq2Seq on a 2-core CPU: its workers decode batches at once
    assert summarize_many(two, texts, GenerationSettings(), batch_tokens=20) == summarize_many(
        one, texts, GenerationSettings(), batch_tokens=20
    )
    # each call of the two-worker model holds one or two consecutive batches of the other's
    batches = iter(one.calls)
    for call in two.calls:
        first = next(batches)
        assert call in (first, first + next(batches, []))
    assert next(batches, None) is None
    assert len(two.calls) < len(one.calls)
