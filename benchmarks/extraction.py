"""Is text extraction ever the bottleneck? A 100-page PDF: extraction against translation.

Builds (once, into benchmarks/.cache/) a 100-page A4 report in two columns with a running
header, page numbers and hyphenated line ends (tests/documents.py, from the German news in
benchmarks/german_paragraphs.txt), extracts its text as `translate run` does, and checks
that every word came through in order. Then it translates a sample of that text with the
default engine (CTranslate2 int8 on the CPU, the CLI's settings) on a checkpoint with the
published opus-mt-de-en architecture (benchmarks/build.py; random weights, decode lengths
forced to the input's, as in benchmarks/run.py), and extrapolates the sample's seconds per
source token to the whole text: translating 100 pages takes ~10 minutes on 2 cores.

    python -m benchmarks.extraction                  # sample: every 20th chunk (~5%)
    python -m benchmarks.extraction --every 1        # translate all of it (slow)
    python -m benchmarks.extraction --pages 2 --runs 1 --every 1   # a smoke run
"""

from __future__ import annotations

import argparse
import difflib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import CACHE

HERE = Path(__file__).resolve().parent
PAGES = 100


def pdf_path(pages: int = PAGES) -> Path:
    return CACHE / "extraction" / f"report-{pages}-pages.pdf"


def build_pdf(pages: int = PAGES) -> list[str]:
    """The benchmark PDF (built if missing) and the paragraphs set in it, in order."""
    sys.path.insert(0, str(HERE.parent))
    from tests.documents import PdfLayout, layout_pdf

    lines = (HERE / "german_paragraphs.txt").read_text(encoding="utf-8").splitlines()
    paragraphs = [p for p in lines if p.strip()] * 8  # ~72,000 words; 100 pages hold ~62,000
    pdf = pdf_path(pages)
    if not pdf.is_file():
        pdf.parent.mkdir(parents=True, exist_ok=True)
        layout = PdfLayout(
            page=(595.0, 842.0), font_size=10, leading=12.5, margin=56, max_pages=pages
        )
        tmp = pdf.with_suffix(".tmp")
        layout_pdf(tmp, paragraphs, layout)
        tmp.rename(pdf)
    return paragraphs


def measure_extraction(runs: int, pdf: Path) -> tuple[float, object]:
    from translate.inputs.extract import extract

    data = pdf.read_bytes()
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = extract(pdf, data)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def words_in_order(text: str, paragraphs: list[str]) -> int:
    """How many words differ from the source, in order (0: every word came through)."""
    got = text.replace("# ", "").split()
    want = " ".join(paragraphs).split()[: len(got)]
    matcher = difflib.SequenceMatcher(a=want, b=got, autojunk=False)
    return sum(
        max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"
    )


def measure_translation(text: str, every: int) -> dict:
    """Seconds to translate every `every`-th chunk of `text`, and the whole text's tokens."""
    from benchmarks import build
    from benchmarks.common import TRANSLATION_LENGTH_RATIO
    from translate.config import GenerationSettings, RunOptions
    from translate.engines.models import load, locate
    from translate.flow.pipeline import segment_for, token_batches

    if not (build.MT_DIR / "benchmark-build.json").is_file():
        from tests.checkpoints import build_marian

        print(f"building opus-mt-de-en (random weights) into {build.MT_DIR} ...", flush=True)
        build._build(build.MT_DIR, build_marian, spm_vocab=build.SPM_VOCAB, **build.MT_CONFIG)
        count = build._check(build.MT_DIR, build.MT_PARAMS, "opus-mt-de-en")
        (build.MT_DIR / "benchmark-build.json").write_text(f'{{"parameters": {count}}}')
    options = RunOptions(  # the CLI's defaults: --backend auto (CTranslate2 int8 on the CPU)
        translation=GenerationSettings(
            max_length_ratio=2.0, forced_length_ratio=TRANSLATION_LENGTH_RATIO
        ),
    )
    started = time.perf_counter()
    translator = load(locate(str(build.MT_DIR)), "cpu", backend=options.models.backend)
    load = time.perf_counter() - started
    chunks = [c.clean for c in segment_for(translator, text, options.chunk_tokens).chunks]
    lengths = [translator.count_tokens(c) for c in chunks]
    sample = list(range(0, len(chunks), every))
    started = time.perf_counter()
    for batch in token_batches([lengths[i] for i in sample], options.batch_tokens):
        translator.generate([chunks[sample[j]] for j in batch], options.translation)
    seconds = time.perf_counter() - started
    sample_tokens = sum(lengths[i] for i in sample)
    return {
        "engine": translator.describe(options.translation),
        "backend": translator.backend,
        "load_seconds": load,
        "chunks": len(chunks),
        "tokens": sum(lengths),
        "sample_chunks": len(sample),
        "sample_tokens": sample_tokens,
        "sample_seconds": seconds,
        "seconds": seconds * sum(lengths) / sample_tokens,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--every", type=int, default=20, help="translate every Nth chunk")
    parser.add_argument("--runs", type=int, default=3, help="extraction runs (median)")
    parser.add_argument(
        "--pages",
        type=int,
        default=PAGES,
        help=f"pages of the PDF (default {PAGES}; fewer: a smoke run)",
    )
    args = parser.parse_args(argv)
    if "TRANSLATE_CACHE" not in os.environ:  # a conversion of its own, removed at exit
        scratch = tempfile.TemporaryDirectory(prefix="translate-bench-ct2-")
        os.environ["TRANSLATE_CACHE"] = scratch.name
    paragraphs = build_pdf(args.pages)
    pdf = pdf_path(args.pages)
    extraction, result = measure_extraction(args.runs, pdf)
    text = result.text
    words = len(text.split())
    print(
        f"PDF: {pdf} ({pdf.stat().st_size / 1e6:.2f} MB, {result.metadata['pages']} pages, "
        f"{words:,} words, {text.count(chr(10) * 2) + 1:,} paragraphs)"
    )
    print(f"words differing from the source, in order: {words_in_order(text, paragraphs)}")
    print(
        f"extraction ({result.metadata['extractor']}): {extraction:.2f} s median of "
        f"{args.runs} ({extraction / result.metadata['pages'] * 1000:.0f} ms a page)"
    )
    t = measure_translation(text, args.every)
    share = "all" if args.every == 1 else f"every {args.every}th"
    print(
        f"translation ({t['backend']}, {t['engine'].get('compute_type', '')}): {share} chunk, "
        f"{t['sample_chunks']:,} of {t['chunks']:,} chunks, {t['sample_tokens']:,} of "
        f"{t['tokens']:,} source tokens, in {t['sample_seconds']:.1f} s "
        f"({t['sample_tokens'] / t['sample_seconds']:.0f} tok/s); model load and conversion "
        f"{t['load_seconds']:.1f} s, not counted"
    )
    estimate = "" if args.every == 1 else " (extrapolated by source tokens)"
    print(f"translation of all {result.metadata['pages']} pages: {t['seconds']:.0f} s{estimate}")
    print(f"extraction / translation: {extraction / t['seconds']:.2%} (target: under 10%)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
