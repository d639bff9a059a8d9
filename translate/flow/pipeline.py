"""Model work on text: translate documents' chunks in shared batches, summarize in passes.

Works on strings only; reading inputs and writing outputs is the job of `job.py` and
`render.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from translate.config import GenerationSettings
from translate.engines.common import Generation, TextGenerator
from translate.errors import TranslateError
from translate.flow.batches import generate_in_batches, token_batches
from translate.flow.generations import is_degenerate, translate_texts
from translate.progress import NoProgress, Progress
from translate.text.fidelity import Verdict, check
from translate.text.segment import Chunk, Segmentation, segment, split_clauses
from translate.text.translated import DocumentTranslation, TranslationStats

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
    through: Callable | None = None,
) -> list[DocumentTranslation]:
    """Translate the chunks of several documents together, in length-sorted batches, each
    checked and, when it fails, redone in pieces (translate_passages, or `through`: the store
    in between, flow/stored.py). Chunks in a document's `keep_blocks` are copied, as are chunks
    without a letter (a table's `30`, `12,5 %`: nothing to translate, numbers untouched).
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
        if c.block not in keep[d] and any(ch.isalpha() for ch in c.text)
    ]
    passages = [_passage(chunk) for _, _, chunk in jobs]
    translate = through or _unstored
    outcomes, stored = translate(translator, passages, settings, batch_tokens, progress)
    for (doc, index, _), outcome, hit in zip(jobs, outcomes, stored):
        result = results[doc]
        result.stats.from_store += hit
        result.outputs[index] = outcome.text
        result.verdicts[index] = outcome.verdict
        result.stats.chunks += 1
        result.stats.recovered += outcome.recovered
        result.stats.retranslated += outcome.retranslated
        result.stats.suspect += not outcome.verdict.ok
    return results


def _unstored(*args) -> tuple[list[Outcome], list[bool]]:
    outcomes = translate_passages(*args)
    return outcomes, [False] * len(outcomes)


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
    on_final: Callable[[list[int], list[Outcome]], None] | None = None,
) -> list[Outcome]:
    """Translate passages and check each translation (fidelity.check); translate a failing
    one again as its finer passages (a chunk's sentences; a sentence's clauses), a level's in
    shared batches. The finer translation is kept unless it fails worse; what fails at the
    finest level is kept, and its verdict says why. Forced lengths (the benchmark's: random
    weights write noise) are not checked. `on_final(indices, outcomes)` hears of outcomes
    as soon as final: passing ones as their batch is decoded, the others once redone.
    """
    progress = progress or NoProgress()
    checking = settings.forced_length_ratio is None
    told: set[int] = set()

    def decoded(batch: list[int], generated: list[Generation]) -> None:
        final = []  # neither looped (redone by translate_texts) nor to redo in parts
        for i, g in zip(batch, generated):
            verdict = _verdict(passages[i], g) if checking else Verdict()
            looped = is_degenerate(passages[i].source, g.text, translator.count_tokens)
            if (verdict.ok or not passages[i].finer) and not looped:
                final.append((i, Outcome(g.text, g.finished, verdict)))
        if final:
            told.update(i for i, _ in final)
            on_final([i for i, _ in final], [o for _, o in final])

    texts, hook = [p.source for p in passages], decoded if on_final else None
    generations, looped = translate_texts(
        translator, texts, settings, batch_tokens, progress, on_batch=hook
    )
    outcomes = [
        Outcome(g.text, g.finished, _verdict(p, g) if checking else Verdict(), redone)
        for p, g, redone in zip(passages, generations, looped)
    ]
    failing = [i for i, o in enumerate(outcomes) if not o.verdict.ok and passages[i].finer]
    if failing:
        _redo_in_parts(translator, passages, outcomes, failing, settings, batch_tokens, progress)
    if on_final and len(told) < len(outcomes):
        rest = [i for i in range(len(outcomes)) if i not in told]
        on_final(rest, [outcomes[i] for i in rest])
    return outcomes


def _redo_in_parts(
    translator: TextGenerator,
    passages: list[Passage],
    outcomes: list[Outcome],
    failing: list[int],
    settings: GenerationSettings,
    batch_tokens: int,
    progress: Progress,
) -> None:
    """Translate the `failing` passages again as their finer passages; keep the better."""
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


def _clauses(text: str) -> tuple[str, ...]:
    clauses = split_clauses(text)
    return tuple(clauses) if len(clauses) > 1 else ()


def _verdict(passage: Passage, generation: Generation) -> Verdict:
    return check(passage.source, generation.text, generation.finished, passage.sentences)


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
