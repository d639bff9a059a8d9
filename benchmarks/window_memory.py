"""What full summary windows cost in memory while CTranslate2 decodes them.

The summary stage's speed against the ceiling is bounded by how many 1,024-token windows
may decode at once under the default run's 1.2 GB target. This measures it: the summarizer
alone (the benchmark's distilbart-cnn-12-6 architecture, int8, beam 4, 100 forced tokens),
the longest windows the default run summarized, resident memory sampled every 50 ms while
WORKERS CTranslate2 workers decode BATCHES batches of PER_BATCH windows, against the
resident memory just before. Run it once per layout, each in a fresh process:

    python -m benchmarks.window_memory 1 1 1    # one window
    python -m benchmarks.window_memory 2 1 2    # one on each of 2 workers
    python -m benchmarks.window_memory 2 2 2    # two on each (the ceiling's best setting)

It needs a benchmark run first (`python -m benchmarks.run --variants default --scaling 0`):
the built model, its conversion and the recorded windows.
"""

from __future__ import annotations

import json
import os
import sys
import time

from benchmarks import build
from benchmarks.common import CACHE, SUMMARY_TOKENS, status_kib


def resident_mib() -> int:
    kib = status_kib("VmRSS")
    if kib is None:
        raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")
    return kib // 1024


def main(workers: int, per_batch: int, batches: int) -> None:
    os.environ.setdefault("TRANSLATE_CACHE", str(CACHE / "translate"))
    import ctranslate2

    from translate.config import GenerationSettings
    from translate.engines.ct2.schedule import default_threads, return_freed_memory
    from translate.engines.models import load, locate

    model = load(locate(str(build.SUMMARY_DIR)), "cpu", backend="ctranslate2", threads=1)
    recorded = json.loads((CACHE / "default-run-inputs.json").read_text("utf-8"))
    windows = [t for call in recorded["summary_calls"] for t in call]
    tokens = sorted(
        (model.tokenizer.convert_ids_to_tokens(model.tokenizer(t).input_ids) for t in windows),
        key=len,
        reverse=True,
    )[: per_batch * batches]
    engine = ctranslate2.Translator(
        str(model.model_dir),
        device="cpu",
        compute_type=model.compute_type,
        inter_threads=workers,
        intra_threads=max(1, default_threads() // workers),  # the cores split, as translate does
    )
    del model.translator  # only the engine measured here stays loaded
    return_freed_memory()
    before = resident_mib()
    settings = GenerationSettings(min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS)
    prefix = model.target_prefix
    pending = []
    for b in range(batches):
        group = tokens[b * per_batch : (b + 1) * per_batch]
        pending += engine.translate_batch(
            group,
            target_prefix=[list(prefix) for _ in group] if prefix else None,
            asynchronous=True,
            **model.decoding_options(settings, max(map(len, group))),
        )
    peak = before
    while not all(p.done() for p in pending):
        peak = max(peak, resident_mib())
        time.sleep(0.05)
    for p in pending:
        p.result()
    print(
        f"{workers} worker(s) x {batches // workers} batch(es) of {per_batch} window(s) "
        f"({', '.join(str(len(t)) for t in tokens)} tokens): resident {before} MiB before, "
        f"{peak} MiB at most while decoding: +{peak - before} MiB"
    )


if __name__ == "__main__":
    main(*map(int, sys.argv[1:4]))
