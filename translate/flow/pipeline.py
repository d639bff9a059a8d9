"""Model work on text: translate documents' chunks in shared batches, summarize in passes.

Works on strings only; reading inputs and writing outputs is the job of `job.py` and
`render.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from translate.config import GenerationSettings
from translate.engines.common import Generation, TextGenerator
from translate.errors import TranslateError
from translate.progress import NoProgress, Progress
from translate.text.fidelity import Verdict, check
from translate.text.segment import Chunk, Segmentation, segment, split_clauses
from translate.text.translated import DocumentTranslation, TranslationStats

# Settings for the second try at a chunk whose translation came out degenerate.
_RECOVERY = GenerationSettings(no_repeat_ngram_size=3, repetition_penalty=1.3)
_REPEATED_RUN = re.compile(r"(\b.{1,40}?\b)(?:\W*\1){4,}", re.IGNORECASE | re.DOTALL)
# Chunks leave their translation this much room under the model's output cap: English takes
# up to ~1.5x the tokens of its German source.
_OUTPUT_ROOM = 1.5


@dataclass(frozen=True)
class Passage:
    """Text to translate as one input, the sentences it holds, and the smaller passages to
    translate instead if its translation fails the check (none for the smallest)."""

    source: str
    sentences: int = 1
    finer: tuple[str, ...] = ()


@dataclass
class Outcome:
    text: str
    finished: bool
    verdict: Verdict
    recovered: bool = False  # its first translation looped and was redone
    retranslated: bool = False  # it failed the check and was translated again in pieces


def segment_for(
    model: TextGenerator, text: str, target_tokens: int, lang: str = "de"
) -> Segmentation:
    """Chunks of `text` that fit `model`'s input limit."""
    return segment(
        text, model.count_tokens, model.max_input_tokens, target=target_tokens, lang=lang
    )


def segment_for_translation(
    translator: TextGenerator, text: str, chunk_tokens: int
) -> Segmentation:
    """Chunks for the translator: sentences packed up to `chunk_tokens`, none so long that its
    translation would not fit under the model's output cap (a longer sentence is cut at
    clause boundaries). A translation that reaches the cap anyway is caught by the check."""
    cap = translator.describe(GenerationSettings()).get("max_new_tokens")
    room = int(cap / _OUTPUT_ROOM) if cap else translator.max_input_tokens
    limit = max(1, min(translator.max_input_tokens, room))
    return segment(text, translator.count_tokens, limit, target=min(chunk_tokens, limit), lang="de")


def translate_segmentations(
    translator: TextGenerator,
    segmentations: list[Segmentation],
    settings: GenerationSettings,
    batch_tokens: int,
    keep_blocks: list[frozenset[int]] | None = None,
    progress: Progress | None = None,
) -> list[DocumentTranslation]:
    """Translate the chunks of several documents together, in length-sorted batches, each
    checked and, when it fails, redone in pieces (translate_passages).

    Chunks in a document's `keep_blocks` (blocks already in English) are copied as they are.
    `progress` hears of each batch done, counted in source tokens.
    """
    keep = keep_blocks or [frozenset()] * len(segmentations)
    results = [
        DocumentTranslation(
            seg, [c.text for c in seg.chunks], [None] * len(seg.chunks), TranslationStats()
        )
        for seg in segmentations
    ]
    jobs = [
        (d, i, c)
        for d, seg in enumerate(segmentations)
        for i, c in enumerate(seg.chunks)
        if c.block not in keep[d]
    ]
    outcomes = translate_passages(
        translator, [_passage(chunk) for _, _, chunk in jobs], settings, batch_tokens, progress
    )
    for (doc, index, _), outcome in zip(jobs, outcomes):
        result = results[doc]
        result.outputs[index] = outcome.text
        result.verdicts[index] = outcome.verdict
        result.stats.chunks += 1
        result.stats.recovered += outcome.recovered
        result.stats.retranslated += outcome.retranslated
        result.stats.suspect += not outcome.verdict.ok
    return results


def _passage(chunk: Chunk) -> Passage:
    parts = chunk.part_texts()
    finer = parts if len(parts) > 1 else split_clauses(chunk.clean)
    return Passage(chunk.clean, chunk.sentences, tuple(finer) if len(finer) > 1 else ())


def translate_passages(
    translator: TextGenerator,
    passages: list[Passage],
    settings: GenerationSettings,
    batch_tokens: int,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Translate passages and check each translation (fidelity.check); translate a failing
    one again as its finer passages (a chunk's sentences; a sentence's clauses), a level's in
    shared batches. The finer translation is kept unless it fails worse; what fails at the
    finest level is kept, and its verdict says why.

    Forced lengths (the benchmark's: random weights write noise) are not checked.
    """
    progress = progress or NoProgress()
    generations, looped = translate_texts(
        translator, [p.source for p in passages], settings, batch_tokens, progress
    )
    checking = settings.forced_length_ratio is None
    outcomes = [
        Outcome(g.text, g.finished, _verdict(p, g) if checking else Verdict(), redone)
        for p, g, redone in zip(passages, generations, looped)
    ]
    failing = [i for i, o in enumerate(outcomes) if not o.verdict.ok and passages[i].finer]
    if not failing:
        return outcomes
    finer = [
        Passage(text, finer=_clauses(text) if passages[i].sentences > 1 else ())
        for i in failing
        for text in passages[i].finer
    ]
    progress.phase("translate", f"translating {len(failing)} doubtful piece(s) again, in parts")
    redone = iter(translate_passages(translator, finer, settings, batch_tokens, progress))
    for i in failing:
        pieces = [next(redone) for _ in passages[i].finer]
        text = " ".join(p.text.strip() for p in pieces)
        finished = all(p.finished for p in pieces)
        # Sentences translated one by one: their count is ours; length, numbers, ends count.
        verdict = check(passages[i].source, text, finished)
        if len(verdict.problems) <= len(outcomes[i].verdict.problems):
            outcomes[i].text, outcomes[i].finished, outcomes[i].verdict = text, finished, verdict
        outcomes[i].retranslated = True
        outcomes[i].recovered |= any(p.recovered for p in pieces)
    return outcomes


def _clauses(text: str) -> tuple[str, ...]:
    clauses = split_clauses(text)
    return tuple(clauses) if len(clauses) > 1 else ()


def _verdict(passage: Passage, generation: Generation) -> Verdict:
    return check(passage.source, generation.text, generation.finished, passage.sentences)


def translate_texts(
    translator: TextGenerator,
    texts: list[str],
    settings: GenerationSettings,
    batch_tokens: int,
    progress: Progress | None = None,
) -> tuple[list[Generation], list[bool]]:
    """Translate texts in batches sorted by length (less padding), then restore their order.

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
        for index, output in zip(batch, generated):
            outputs[index] = output
        progress.advance(sum(lengths[i] for i in batch))
    redo = [
        i
        for i, out in enumerate(outputs)
        if is_degenerate(texts[i], out.text, translator.count_tokens)
    ]
    retry_settings = replace(
        settings, **{k: v for k, v in _RECOVERY.__dict__.items() if v is not None}
    )
    if redo:
        progress.phase("translate", f"translating again {len(redo)} looping piece(s)")
    for batch in token_batches([lengths[i] for i in redo], batch_tokens):
        indices = [redo[j] for j in batch]
        generated = translator.generate_detailed([texts[i] for i in indices], retry_settings)
        for index, output in zip(indices, generated):
            outputs[index] = output
    redone = set(redo)
    return outputs, [i in redone for i in range(len(texts))]


def token_batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Group indices, longest first, so each batch's padded size (count x longest) fits budget."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for index in order:
        if batches and (len(batches[-1]) + 1) * lengths[batches[-1][0]] <= budget:
            batches[-1].append(index)
        else:
            batches.append([index])
    return batches


def is_degenerate(source: str, output: str, count_tokens) -> bool:
    """A translation that loops on a phrase, or is far longer than its source."""
    if _REPEATED_RUN.search(output) and not _REPEATED_RUN.search(source):
        return True
    return count_tokens(output) > 3 * count_tokens(source) + 10


@dataclass(frozen=True)
class Summary:
    text: str
    passes: int  # 0 when the text was already as short as a summary


def summarize(
    summarizer: TextGenerator, text: str, settings: GenerationSettings, batch_tokens: int
) -> Summary:
    """Summarize `text`; when it is longer than the model's window, summarize its parts first
    and then the summary of those, never truncating."""
    result = summarize_many(summarizer, [text], settings, batch_tokens)[0]
    if isinstance(result, TranslateError):
        raise result
    return result


def summarize_many(
    summarizer: TextGenerator, texts: list[str], settings: GenerationSettings, batch_tokens: int
) -> list[Summary | TranslateError]:
    """Summarize several texts as `summarize` does, pass by pass, with the windows of all of
    them in shared length-sorted batches (each at most `batch_tokens` padded tokens): short
    documents' windows decode together, which a 2-core CPU does ~2x faster than one at a time.
    A text that cannot be summarized gets its error in its place; the others go on."""
    applied = summarizer.describe(settings)
    max_summary = applied.get("max_new_tokens") or summarizer.max_input_tokens
    limit = summarizer.max_input_tokens
    results: list[Summary | TranslateError | None] = [None] * len(texts)
    pending: dict[int, str] = {}  # text index -> what is left to summarize
    passes: dict[int, int] = {}
    for index, text in enumerate(texts):
        if summarizer.count_tokens(text) <= max_summary:
            results[index] = Summary(text=text.strip(), passes=0)  # already as short as that
        else:
            # Paragraph breaks mean nothing to the summarizer: packing across them fills its
            # window.
            pending[index], passes[index] = " ".join(text.split()), 0
    while pending:
        windows: list[tuple[int, int, str]] = []  # (text index, part index or -1, window)
        parts_of: dict[int, tuple[list[str], int]] = {}
        for index, text in list(pending.items()):
            size = summarizer.count_tokens(text)
            if size <= limit:
                windows.append((index, -1, text))  # fits: its final summary
                continue
            try:
                parts = [c.clean for c in segment_for(summarizer, text, limit, lang="en").chunks]
            except TranslateError as exc:
                results[index] = exc
                del pending[index]
                continue
            parts_of[index] = (parts, size)
            # A part already no longer than a summary is kept: summarizing could grow it.
            windows += [
                (index, k, p)
                for k, p in enumerate(parts)
                if summarizer.count_tokens(p) > max_summary
            ]
        outputs = _generate_batched(summarizer, [w[2] for w in windows], settings, batch_tokens)
        for (index, part, _), output in zip(windows, outputs):
            if part < 0:
                results[index] = (
                    Summary(text=output.strip(), passes=passes.pop(index) + 1)
                    if output.strip()  # an empty file would look like a summary of nothing
                    else TranslateError("the summarizer returned an empty summary")
                )
                del pending[index]
            else:
                parts_of[index][0][part] = output.strip()
        for index, (partials, size) in parts_of.items():
            pending[index] = " ".join(partials)
            passes[index] += 1
            if summarizer.count_tokens(pending[index]) >= size:
                results[index] = TranslateError(
                    "the summarizer's partial summaries are not shorter than their input; "
                    "cannot summarize this document without truncating it"
                )
                del pending[index]
    return results  # type: ignore[return-value]  # every slot is filled by now


def _generate_batched(
    model: TextGenerator, texts: list[str], settings: GenerationSettings, batch_tokens: int
) -> list[str]:
    """`texts` generated in length-sorted batches; outputs in the texts' order."""
    outputs = [""] * len(texts)
    batches = token_batches([model.count_tokens(t) for t in texts], batch_tokens)

    def one_call(group: list[str], settings: GenerationSettings) -> list[Generation]:
        return [Generation(text, True) for text in model.generate(group, settings)]

    for batch, generated in generate_in_batches(model, texts, batches, settings, one_call):
        for index, output in zip(batch, generated):
            outputs[index] = output.text
    return outputs


def generate_in_batches(
    model: TextGenerator,
    texts: list[str],
    batches: list[list[int]],
    settings: GenerationSettings,
    one_call: Callable[[list[str], GenerationSettings], list[Generation]] | None = None,
) -> Iterator[tuple[list[int], list[Generation]]]:
    """Each batch (indices into `texts`) with its generations, batch by batch. A model that
    queues batches for its workers (CTranslate2: `generate_batches`) gets them all in one
    call, so that no worker waits at the end of a batch for the others; any other model,
    one call per batch (`one_call`, else its `generate_detailed`)."""
    groups = [[texts[i] for i in batch] for batch in batches]
    queued = getattr(model, "generate_batches", None)
    if queued is not None:
        yield from zip(batches, queued(groups, settings))
    else:
        for batch, group in zip(batches, groups):
            yield batch, (one_call or model.generate_detailed)(group, settings)
