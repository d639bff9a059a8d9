"""Packing sentences into chunks: what it gains over one sentence per input.

    python -m benchmarks.packing                        # CTranslate2 int8 (the default engine)
    python -m benchmarks.packing --backend torch --words 1500

Segments German news paragraphs (benchmarks/german_paragraphs.txt) the way `translate run`
does, with sentences packed up to each `--chunk-tokens` value (1 = one sentence per input),
and translates every chunk with the opus-mt-de-en architecture (random weights, built by
benchmarks/build.py) at the CLI's settings, lengths forced as in the main benchmark (output
tokens = input tokens). Sizes are run in turn, `--repeats` times; the best time of each
counts. Speed only: what packing costs in quality is what the completeness check catches.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks import build
from benchmarks.common import TRANSLATION_LENGTH_RATIO

HERE = Path(__file__).resolve().parent


def ensure_translator() -> Path:
    """The translation checkpoint of the main benchmark, built (with its summarizer, and the
    record the main benchmark's report reads) if missing."""
    return build.build()[0]


def texts(words: int) -> list[str]:
    paragraphs = (HERE / "german_paragraphs.txt").read_text(encoding="utf-8").splitlines()
    chosen, count = [], 0
    for paragraph in (p.strip() for p in paragraphs if p.strip()):
        chosen.append(paragraph)
        count += len(paragraph.split())
        if count >= words:
            break
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="ctranslate2")
    parser.add_argument("--chunk-tokens", default="1,32,64,128")
    parser.add_argument("--words", type=int, default=2500)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-tokens", type=int, default=1024)
    args = parser.parse_args(argv)

    from translate.config import GenerationSettings
    from translate.engines.models import load, locate
    from translate.flow.pipeline import segment_for_translation, translate_texts

    translator = load(locate(str(ensure_translator())), "cpu", backend=args.backend)
    documents = texts(args.words)
    settings = GenerationSettings(
        max_length_ratio=2.0, forced_length_ratio=TRANSLATION_LENGTH_RATIO
    )
    sizes = [int(n) for n in args.chunk_tokens.split(",")]
    inputs = {
        size: [
            c.clean for d in documents for c in segment_for_translation(translator, d, size).chunks
        ]
        for size in sizes
    }
    source_tokens = sum(translator.count_tokens(t) for t in inputs[min(sizes)])
    best = {size: float("inf") for size in sizes}
    translate_texts(translator, inputs[sizes[0]][:8], settings, args.batch_tokens)  # warm up
    for _ in range(args.repeats):
        for size in sizes:
            started = time.perf_counter()
            translate_texts(translator, inputs[size], settings, args.batch_tokens)
            best[size] = min(best[size], time.perf_counter() - started)
    words = sum(len(d.split()) for d in documents)
    print(
        f"{len(documents)} paragraphs, {words:,} words, {source_tokens:,} source tokens "
        f"(one sentence per input); backend {translator.backend}, "
        f"{translator.describe(settings)['compute_type']}, batches of {args.batch_tokens} tokens"
    )
    print(
        f"{'chunk_tokens':>12} {'inputs':>7} {'tok/input':>9} {'seconds':>8} {'tok/s':>7} {'x':>6}"
    )
    base = best[min(sizes)]
    for size in sizes:
        count = len(inputs[size])
        print(
            f"{size:>12} {count:>7} {source_tokens / count:>9.1f} {best[size]:>8.1f} "
            f"{source_tokens / best[size]:>7.0f} {base / best[size]:>5.2f}x"
        )


if __name__ == "__main__":
    main()
