"""How CTranslate2's work is laid out on the cores, and the bound that keeps its memory in check.

Owns the numbers behind every decode: how many workers share the threads, how a batch is cut
into sub-batches one worker decodes at a time, and how much attention state (beam search's
memory) may be in flight at once, all workers together; and handing freed memory back to
the system after each batch. Pure arithmetic on token counts, no engine, so the generator
and the tests share the same rules.
"""

from __future__ import annotations

import math
import os

# What CTranslate2 decodes at once, all workers together (see sub_batches). Beam search
# keeps, per hypothesis (beams per input) and per source and output token, the attention's
# keys and values in every decoder layer: its memory. At most this many bytes of them are in
# flight by that estimate (a larger single input goes alone), and at most _HYPOTHESES
# hypotheses (each has a vocabulary-wide row of scores: 58k for Marian). The estimate counts
# a source once per beam, more than CTranslate2 holds (a full distilbart window with its
# summary: ~221 MB estimated, +137 MiB measured by benchmarks/window_memory.py). This bound
# gives the summarizer two workers on 2 cores, each taking a full window or two shorter
# ones (up to ~960 tokens each; a summary batch is --batch-tokens of padded tokens, two
# full windows by default). The default run then peaked at 981 MiB; at 1,700 MiB, with two
# full windows on each worker, at 1,154 MiB (1.21 GB), over its 1.2 GB target
# (benchmarks/call_timeline.py, 2026-12-03; docs/benchmarks.md). Sub-batches past the
# workers wait in CTranslate2's queue, holding only their tokens. For opus-mt-de-en's
# sentence-sized inputs the _HYPOTHESES cap binds first.
_STATE_BYTES = 800 * 2**20
_HYPOTHESES = 96
# On a CPU, CTranslate2 workers (inter_threads) of one thread each decode separate
# sub-batches at once: int8 matrix products over a few hypotheses spread badly over threads.
# Measured on 2 cores (benchmarks/ceiling.py's sweep, opus-mt-de-en architecture, beam 4):
# 2 workers x 1 thread 469 tok/s, 1 worker x 2 threads 297 tok/s (and 284 against 189
# tokens per CPU second). Beyond 4 workers is unmeasured: more cores go to each worker.
_MAX_WORKERS = 4


def default_threads() -> int:
    """Physical cores this process may use (CTranslate2 gains nothing from SMT siblings)."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    import psutil

    physical = psutil.cpu_count(logical=False) or available
    return max(1, min(available, physical))


def state_budget(config) -> int:
    """_STATE_BYTES in hypothesis-tokens of this model: keys and values (float32) of every
    decoder layer's self- and cross-attention."""
    layers = getattr(config, "decoder_layers", None) or getattr(config, "num_hidden_layers", 6)
    width = getattr(config, "d_model", None) or getattr(config, "hidden_size", 512)
    return max(1, _STATE_BYTES // (2 * 4 * layers * width))


def workers_for(threads: int, full_input: int, budget: int) -> int:
    """How many CTranslate2 workers share `threads` on a CPU: one per core, up to
    _MAX_WORKERS, each with the same number of threads; but one worker with every thread
    for a model whose full-length input (`full_input`, see state_cost) takes more than half
    the state `budget`, since two of them never decode at once.

    Such a model decodes its inputs one at a time under the bound anyway, and on a worker
    of one thread that leaves the other cores idle. Under the 300 MiB bound of before
    2026-12-03 the summarizer was one (2 cores, distilbart-cnn-12-6 architecture, int8,
    beam 4, 15 recorded summary calls: 1 worker x 2 threads 95 and 104 s, 2 workers x 1
    thread 128 and 127 s); under the default bound now neither default model is, so both
    keep a worker per core.
    """
    if full_input > budget // 2:
        return 1
    workers = min(threads, _MAX_WORKERS)
    while threads % workers:  # 6 cores: 3 workers of 2 threads, not 4 of 1 and 2 idle
        workers -= 1
    return workers


def state_cost(inputs: int, longest: int, beams: int, cap: int) -> int:
    """Hypothesis-tokens of attention state for a sub-batch: its source tokens (padded) and
    its output, counted as long as the source (a translation's length) up to the cap."""
    return inputs * beams * (longest + min(cap, longest))


def sub_batches(
    lengths: list[int], beams: int, cap: int, budget: int, workers: int = 1, spread: bool = True
) -> list[list[int]]:
    """Consecutive runs of inputs small enough for one of `workers` to decode while the others
    decode theirs: at most 1/workers of _HYPOTHESES hypotheses and of the `budget` of
    attention state (see state_cost), in runs of even size. With `spread`, in whole rounds
    of a run per worker, so that a small call still reaches every worker and no worker
    decodes a last run alone; without it (other batches keep the other workers busy), as
    few runs as those bounds allow. A larger input goes alone.

    Bounds the memory whatever batch the pipeline hands over, at little cost in speed.
    Measured on 2 cores with one worker (opus-mt-de-en architecture, int8, beam 4, 64 chunks
    of ~64 tokens): all 64 at once +920 MiB at 150 tok/s; runs of 32 +476 MiB at 165 tok/s;
    16 +250 MiB at 159 tok/s.
    """
    # As many inputs per run as keeps every worker busy to the end: runs of the largest
    # size in whole rounds of `workers` runs (34 inputs at 12 a run: 9, 9, 9, 7, not 12, 12,
    # 10 with the last alone on one worker).
    largest = max(1, _HYPOTHESES // workers // beams)
    runs_per_round = workers if spread else 1
    rounds = max(1, math.ceil(len(lengths) / (runs_per_round * largest)))
    per_input = max(1, math.ceil(len(lengths) / (runs_per_round * rounds)))
    batches: list[list[int]] = []
    longest = 0
    for index, length in enumerate(lengths):
        if batches:
            size = len(batches[-1]) + 1
            wider = max(longest, length)
            if size <= per_input and state_cost(size, wider, beams, cap) <= budget // workers:
                batches[-1].append(index)
                longest = wider
                continue
        batches.append([index])
        longest = length
    return batches


def return_freed_memory() -> None:
    """Hand the engine's freed working memory back to the system (glibc keeps it otherwise).

    Without it the resident size ratchets up call by call (each worker thread's malloc arena
    keeps its largest batch's buffers) until it sits well above what one batch needs."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        import ctypes
        import ctypes.util

        try:
            _MALLOC_TRIM = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc (macOS, musl, Windows): nothing to do
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM = None
