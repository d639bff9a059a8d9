"""Where a run's memory and time go, engine batch by engine batch.

Runs one `translate run` variant in this process (benchmarks/variant.py, same arguments),
samples its resident memory every 20 ms, and prints, for each CTranslate2 batch: the model,
seconds, inputs, the longest input in tokens, resident MiB just before and the most while
it ran; then each model's total seconds and the run's peak. A stage's figure in the main
benchmark says how long it took; this says which calls made it so, and which call set the
peak (e.g. that a run without torch rests ~180 MiB lower, or that two summary windows at
once cost what one does not).

    python -m benchmarks.call_timeline default MT_DIR SUMMARY_DIR DOCS_DIR OUT_DIR \\
        [variant options, e.g. --state-mib 450]

It needs the built models and their conversions (a `python -m benchmarks.run` first);
run it with TRANSLATE_CACHE=benchmarks/.cache/translate so they are found.
"""

from __future__ import annotations

import sys
import threading
import time

from benchmarks.common import status_kib

SAMPLE_SECONDS = 0.02


def main(argv: list[str]) -> None:
    samples: list[tuple[float, int]] = []

    def sample() -> None:
        while True:
            samples.append((time.perf_counter(), (status_kib("VmRSS") or 0) // 1024))
            time.sleep(SAMPLE_SECONDS)

    threading.Thread(target=sample, daemon=True).start()

    from translate.engines.ct2.generator import CT2Seq2Seq

    calls: list[tuple[str, float, float, list[int]]] = []
    generate_batches = CT2Seq2Seq.generate_batches

    def timed(self, batches, settings):
        # The batches of one call decode queued together: each one's time runs from the
        # previous one's end (or the call's start) to its own.
        started = time.perf_counter()
        for texts, outputs in zip(batches, generate_batches(self, batches, settings)):
            lengths = [self.count_tokens(t) for t in texts] or [0]
            calls.append((self.location.path.name, started, time.perf_counter(), lengths))
            yield outputs
            started = time.perf_counter()

    CT2Seq2Seq.generate_batches = timed
    from benchmarks import variant

    variant.main(argv)  # prints the variant's RESULT line
    print(f"{'model':<36} {'s':>6} {'inputs':>6} {'longest':>7} {'MiB before':>10} {'most':>6}")
    totals: dict[str, float] = {}
    for name, started, ended, lengths in calls:
        before = [rss for t, rss in samples if t < started][-1:] or [0]
        during = [rss for t, rss in samples if started <= t <= ended] or before
        totals[name] = totals.get(name, 0.0) + ended - started
        print(
            f"{name[:36]:<36} {ended - started:6.2f} {len(lengths):6d} {max(lengths):7d} "
            f"{before[0]:10d} {max(during):6d}"
        )
    for name, seconds in totals.items():
        print(f"{name}: {seconds:.1f} s in {sum(c[0] == name for c in calls)} calls")
    print(f"peak resident memory (sampled): {max(rss for _, rss in samples)} MiB")


if __name__ == "__main__":
    main(sys.argv[1:])
