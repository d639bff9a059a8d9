"""Text through the translator: in batches sorted by length, a looping output translated
again, and what the source marks as not for translation (inline code, footnote marks) put
back as the source has it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from translate.config import GenerationSettings
from translate.engines.common import Generation, TextGenerator
from translate.flow.batches import generate_in_batches, token_batches
from translate.progress import NoProgress, Progress
from translate.text.markup import restore_marks

# Settings for the second try at a chunk whose translation came out degenerate.
_RECOVERY = GenerationSettings(no_repeat_ngram_size=3, repetition_penalty=1.3)
_REPEATED_RUN = re.compile(r"(\b.{1,40}?\b)(?:\W*\1){4,}", re.IGNORECASE | re.DOTALL)


def translate_texts(
    translator: TextGenerator,
    texts: list[str],
    settings: GenerationSettings,
    batch_tokens: int,
    progress: Progress | None = None,
    on_batch: Callable[[list[int], list[Generation]], None] | None = None,
) -> tuple[list[Generation], list[bool]]:
    """Translate texts in batches sorted by length (less padding), then restore their order;
    `on_batch(indices, generations)` hears of each batch as it is decoded.

    A degenerate output (a loop, or far longer than its input) is translated again with
    settings that forbid repetition; returns the outputs and which ones were redone.
    """
    progress = progress or NoProgress()
    lengths = [translator.count_tokens(t) for t in texts]
    outputs: list[Generation] = [Generation("", True)] * len(texts)
    progress.phase("translate", "translating", total=sum(lengths), unit="tokens")
    for batch, generated in generate_in_batches(
        translator, texts, token_batches(lengths, batch_tokens), settings
    ):
        generated = [_marks_kept(texts[i], output) for i, output in zip(batch, generated)]
        for index, output in zip(batch, generated):
            outputs[index] = output
        if on_batch is not None:
            on_batch(batch, generated)
        progress.advance(sum(lengths[i] for i in batch))
    count = translator.count_tokens
    redo = [i for i, out in enumerate(outputs) if is_degenerate(texts[i], out.text, count)]
    retry_settings = replace(settings, **_RECOVERY.merged_over({}))
    if redo:
        progress.phase("translate", f"translating again {len(redo)} looping piece(s)")
    for batch in token_batches([lengths[i] for i in redo], batch_tokens):
        indices = [redo[j] for j in batch]
        generated = translator.generate_detailed([texts[i] for i in indices], retry_settings)
        for index, output in zip(indices, generated):
            outputs[index] = _marks_kept(texts[index], output)
    redone = set(redo)
    return outputs, [i in redone for i in range(len(texts))]


def is_degenerate(source: str, output: str, count_tokens) -> bool:
    """A translation that loops on a phrase, or is far longer than its source."""
    if _REPEATED_RUN.search(output) and not _REPEATED_RUN.search(source):
        return True
    return count_tokens(output) > 3 * count_tokens(source) + 10


def _marks_kept(source: str, generation: Generation) -> Generation:
    """The generation with the source's inline code and footnote marks as they are (a
    translator may touch them); code it lost is left to the completeness check to flag."""
    text = restore_marks(source, generation.text)
    return generation if text == generation.text else replace(generation, text=text)
