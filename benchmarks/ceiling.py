"""The engine's ceiling: CTranslate2 alone on the work of the default run.

No file reading, segmentation or writing: the sentences of the whole workload (split as the
baseline splits them, tokenized as the default engine tokenizes them) are sorted by length
and decoded by `Translator.translate_batch` with the same beams, forced lengths, threads and
decoding options as `translate run` (`CT2Seq2Seq.decoding_options`). Likewise the
summarizer on exactly the windows the default run summarized (recorded by
benchmarks/variant.py). Batch settings are swept on a sample spread over all lengths; the
sample's two best then run on everything, and the faster stands. Each batch decodes as
many tokens as its longest input, as in the pipeline; batches of one call each (so each
gets its forced length), submitted asynchronously so that several CTranslate2 workers
(inter_threads) can share the cores.

    python -m benchmarks.ceiling MT_DIR SUMMARY_DIR RECORD THREADS MODE DOC...

MODE: `full` (sweep, finalists), `quick` (fewer settings, on everything), or `again:JSON`
(the settings an earlier full run found, {"translation": [...], "summary": [...]}, on
everything once more, no sweep: the benchmark's later rounds).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.common import SUMMARY_TOKENS, TRANSLATION_LENGTH_RATIO, emit

# (batch_type, max_batch_size, inter_threads): examples or tokens (sum of source tokens, as
# CTranslate2 counts them); inter_threads workers of threads/inter_threads cores each.
TRANSLATION_SWEEP = [
    ("examples", 8, 1),
    ("examples", 16, 1),
    ("examples", 32, 1),
    ("examples", 64, 1),
    ("tokens", 1024, 1),
    ("tokens", 2048, 1),
    ("examples", 16, 2),
    ("examples", 32, 2),
    ("tokens", 1024, 2),
]
SUMMARY_SWEEP = [
    ("examples", 1, 1),
    ("examples", 2, 1),
    ("examples", 4, 1),
    ("examples", 8, 1),
    ("examples", 1, 2),
    ("examples", 2, 2),
    # Two full windows, or more shorter ones (the default run's summary batches are of
    # padded tokens): on 2 cores faster than two windows whatever their length.
    ("tokens", 2048, 2),
    # At most one full window's tokens on each worker: within the default's memory bound.
    ("tokens", 1024, 2),
]
# The summary layouts that fit the default run's memory target: at most this many full
# 1,024-token windows decoding at once. The default bound
# (translate.engines.ct2.schedule._STATE_BYTES, 800 MiB) lets each of two workers hold one;
# two on each (the sweep's usual best) add ~530 MiB of state (benchmarks/window_memory.py)
# to the ~600-800 MiB the run holds by then, and a run with the bound raised to allow it
# peaked at 1.20-1.21 GB (docs/benchmarks.md).
FITTING_WINDOWS = 2
SAMPLE_TOKENS = 3000  # translation sweep: about this many source tokens per setting
SAMPLE_WINDOWS = 8  # summary sweep: this many windows per setting
FINALISTS = 2  # the sample's best settings that then run on everything


def batches(lengths: list[int], batch_type: str, size: int) -> list[list[int]]:
    """Longest first; greedy batches of at most `size` examples or source tokens."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    out: list[list[int]] = []
    used = 0
    for index in order:
        step = lengths[index] if batch_type == "tokens" else 1
        if out and used + step <= size:
            out[-1].append(index)
            used += step
        else:
            out.append([index])
            used = step
    return out


def windows_at_once(setting) -> float:
    """Most full 1,024-token windows' worth of tokens a summary setting decodes at once."""
    batch_type, size, inter = setting
    return (size / 1024 if batch_type == "tokens" else size) * inter


def decode_all(ctranslate2, model, sources, settings, setting, threads) -> tuple[float, float]:
    """Wall and CPU seconds to decode `sources` (token lists) with one batch setting."""
    batch_type, size, inter = setting
    translator = ctranslate2.Translator(
        str(model.model_dir),
        device="cpu",
        compute_type=model.compute_type,
        inter_threads=inter,
        intra_threads=max(1, threads // inter),
    )
    prefix = model.target_prefix
    started, cpu_started = time.perf_counter(), time.process_time()
    pending = []
    for batch in batches([len(s) for s in sources], batch_type, size):
        group = [sources[i] for i in batch]
        options = model.decoding_options(settings, max(len(s) for s in group))
        pending += translator.translate_batch(
            group,
            target_prefix=[list(prefix) for _ in group] if prefix else None,
            asynchronous=True,
            **options,
        )
    for result in pending:
        result.result()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    del translator
    return seconds, cpu


def sample(sources: list, count: int) -> list:
    """`count` items spread evenly over the length order (all of them when fewer)."""
    if len(sources) <= count:
        return list(sources)
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    step = len(order) / count
    return [sources[order[int(k * step)]] for k in range(count)]


def sweep(ctranslate2, model, sources, settings, grid, sample_size, threads, fits=None) -> dict:
    """The grid on a sample, its best on everything; with `fits`, also the sample's best
    among the settings `fits` accepts, on everything ("fitting")."""
    picked = sample(sources, sample_size)
    tokens = sum(len(s) for s in picked)
    tried = []
    for setting in grid:
        seconds, cpu = decode_all(ctranslate2, model, picked, settings, setting, threads)
        tried.append(
            {"setting": list(setting), "seconds": seconds, "cpu_seconds": cpu,
             "rate": tokens / seconds}
        )  # fmt: skip
    ranked = sorted(tried, key=lambda t: -t["rate"])
    if len(picked) == len(sources):  # the sample was everything: its measurement stands
        best = ranked[0]
        seconds, cpu = best["seconds"], best["cpu_seconds"]
    else:
        # A sample ranks settings only roughly (8 windows cannot show how 2,048-token
        # batches pack 42): the sample's best FINALISTS run on everything; the fastest stands.
        finals = []
        for candidate in ranked[:FINALISTS]:
            seconds, cpu = decode_all(
                ctranslate2, model, sources, settings, tuple(candidate["setting"]), threads
            )
            finals.append({"setting": candidate["setting"], "seconds": seconds, "cpu_seconds": cpu})
        best = min(finals, key=lambda f: f["seconds"])
        seconds, cpu = best["seconds"], best["cpu_seconds"]
    out = {
        "sample_inputs": len(picked),
        "sample_tokens": tokens,
        "sweep": tried,
        "finals": [] if len(picked) == len(sources) else finals,
        "best": best["setting"],
        "inputs": len(sources),
        "tokens": sum(len(s) for s in sources),
        "seconds": seconds,
        "cpu_seconds": cpu,
    }
    # Also the sample's best among the layouts that fit memory, on everything: measured
    # already when it was a finalist, or when the sample was everything.
    fitting = next((t for t in ranked if fits and fits(tuple(t["setting"]))), None)
    if fitting:
        chosen = fitting["setting"]
        finalist = next((f for f in out["finals"] if f["setting"] == chosen), None)
        if finalist:
            fitting = finalist
        elif len(picked) < len(sources):
            seconds, cpu = decode_all(ctranslate2, model, sources, settings, tuple(chosen), threads)
            fitting = {"seconds": seconds, "cpu_seconds": cpu}
        out["fitting"] = {
            "setting": chosen,
            "seconds": fitting["seconds"],
            "cpu_seconds": fitting["cpu_seconds"],
        }
    return out


def again(ctranslate2, model, sources, settings, setting, threads, fitting=None) -> dict:
    """`sources` decoded once more with the settings an earlier sweep chose."""
    seconds, cpu = decode_all(ctranslate2, model, sources, settings, tuple(setting), threads)
    out = {
        "best": list(setting),
        "inputs": len(sources),
        "tokens": sum(len(s) for s in sources),
        "seconds": seconds,
        "cpu_seconds": cpu,
    }
    if fitting:
        seconds, cpu = decode_all(ctranslate2, model, sources, settings, tuple(fitting), threads)
        out["fitting"] = {"setting": list(fitting), "seconds": seconds, "cpu_seconds": cpu}
    return out


def main(mt_dir, summary_dir, record, threads, mode, documents) -> None:
    import ctranslate2
    from sentence_splitter import SentenceSplitter

    from benchmarks.naive import sentences_of
    from translate.config import GenerationSettings
    from translate.engines.models import load, locate

    translator = load(locate(mt_dir), "cpu", backend="ctranslate2", threads=threads)
    summarizer = load(locate(summary_dir), "cpu", backend="ctranslate2", threads=threads)
    splitter = SentenceSplitter(language="de")

    def tokens(model, text):
        return model.tokenizer.convert_ids_to_tokens(model.tokenizer(text).input_ids)

    sentences = [
        tokens(translator, s)
        for d in documents
        for s in sentences_of(Path(d).read_text(encoding="utf-8"), splitter)
    ]
    recorded = json.loads(Path(record).read_text(encoding="utf-8"))
    chunks = [tokens(translator, t) for call in recorded["translation_calls"] for t in call]
    windows = [tokens(summarizer, t) for call in recorded["summary_calls"] for t in call]
    mt_settings = GenerationSettings(
        max_length_ratio=2.0, forced_length_ratio=TRANSLATION_LENGTH_RATIO
    )
    summary_settings = GenerationSettings(
        min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS
    )
    if mode.startswith("again:"):
        chosen = json.loads(mode[len("again:") :])
        emit({
            "translation": again(ctranslate2, translator, sentences, mt_settings,
                                 chosen["translation"], threads),
            "summary": again(ctranslate2, summarizer, windows, summary_settings,
                             chosen["summary"], threads, chosen.get("summary_fitting")),
            "threads": threads,
        })  # fmt: skip
        return
    quick = mode == "quick"
    scale = 1 if not quick else 10**6  # quick: sweep on everything (the workload is tiny) ...
    translation = sweep(
        ctranslate2, translator, sentences, mt_settings,
        TRANSLATION_SWEEP[1::2] if quick else TRANSLATION_SWEEP,  # ... and try fewer settings
        SAMPLE_TOKENS * scale // 26, threads,
    )  # fmt: skip
    best = tuple(translation["best"])
    translation["chunks_seconds"], _ = decode_all(
        ctranslate2, translator, chunks, mt_settings, best, threads
    )
    translation["chunks"] = len(chunks)
    summary = sweep(
        ctranslate2, summarizer, windows, summary_settings,
        SUMMARY_SWEEP[::2] if quick else SUMMARY_SWEEP,
        SAMPLE_WINDOWS * scale, threads,
        fits=lambda setting: windows_at_once(setting) <= FITTING_WINDOWS,
    )  # fmt: skip
    emit({"translation": translation, "summary": summary, "threads": threads})


if __name__ == "__main__":
    mt, summary_model, record_file, thread_count, run_mode, *docs = sys.argv[1:]
    main(mt, summary_model, record_file, int(thread_count), run_mode, docs)
