"""One `translate run` variant, measured in its own process (the runner starts one per variant).

It calls what the CLI calls, `translate.flow.run.run_all`, with the CLI's defaults plus the
variant's options, and forced lengths (benchmarks/common.py). Stages are timed by wrapping
the functions translate/flow/steps.py calls (translate_segmentations, summarize_many) and the
models' generate(); no library code is changed.

    python -m benchmarks.variant NAME MT_DIR SUMMARY_DIR DOCS_DIR OUT_DIR [--backend B]
        [--quantize Q] [--batch-tokens N] [--threads N] [--beams N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.common import (
    SUMMARY_TOKENS,
    TRANSLATION_LENGTH_RATIO,
    EnglishStandIn,
    Stage,
    emit,
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("mt_dir")
    parser.add_argument("summary_dir")
    parser.add_argument("docs_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--backend", default="auto")  # the CLI's defaults
    parser.add_argument("--quantize", default="none")
    parser.add_argument("--batch-tokens", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--beams", type=int, default=None)
    parser.add_argument("--record", help="write the texts of every model call here (JSON)")
    parser.add_argument(
        "--state-mib",
        type=int,
        default=None,
        help="benchmark only: CTranslate2's bound on attention state in flight "
        "(translate.engines.ct2.schedule._STATE_BYTES), to measure what the default bound costs "
        "in speed and saves in memory",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.state_mib:
        from translate.engines.ct2 import schedule

        schedule._STATE_BYTES = args.state_mib * 2**20  # read by schedule.state_budget
    import translate.flow.run as run_module
    import translate.flow.steps as steps_module
    from translate.config import GenerationSettings, ModelOptions, RunOptions
    from translate.engines.common import Generation

    options = RunOptions(
        models=ModelOptions(
            mt_model=args.mt_dir,
            summary_model=args.summary_dir,
            device="cpu",
            backend=args.backend,
            quantize=args.quantize,
            threads=args.threads,
        ),
        # The CLI's translation settings (max_length_ratio=2.0, --beams), lengths forced.
        translation=GenerationSettings(
            max_length_ratio=2.0, forced_length_ratio=TRANSLATION_LENGTH_RATIO, num_beams=args.beams
        ),
        summary=GenerationSettings(min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS),
        force=True,
        output_dir=Path(args.out_dir),
        cache=False,  # the engine's speed, not the translation store's (docs/store.md)
    )
    if args.batch_tokens:
        from dataclasses import replace

        options = replace(options, batch_tokens=args.batch_tokens)
    models = run_module.ModelSet(options)
    translator, summarizer = models.translator, models.summarizer  # load both now, timed apart
    load_seconds = time.perf_counter() - started

    translation, engine, summary, summary_engine = Stage(), Stage(), Stage(), Stage()
    stand_in = EnglishStandIn(summarizer.tokenizer)
    generate = translator.generate_detailed
    summarize_many = steps_module.summarize_many
    translate_segmentations = steps_module.translate_segmentations
    fed: list[int] = []
    calls: dict[str, list[list[str]]] = {"translation_calls": [], "summary_calls": []}

    def translator_generate(texts, settings):
        engine.timed(generate, texts, settings)  # computed in full, at the forced length ...
        fed.append(len(texts))
        calls["translation_calls"].append(list(texts))
        # ... then English of a real length
        return [Generation(stand_in.for_source(t), finished=True) for t in texts]

    def timed_translation(*a, **kw):
        result = translation.timed(translate_segmentations, *a, **kw)
        translation.items += sum(r.stats.chunks for r in result)
        return result

    def timed_summary(summarizer_, texts, *a, **kw):
        results = summary.timed(summarize_many, summarizer_, texts, *a, **kw)
        summary.items += len(texts)
        summary.tokens += sum(getattr(r, "passes", 0) for r in results)
        return results

    summarizer_generate = summarizer.generate

    def summary_generate(texts, settings):
        summary_engine.timed(summarizer_generate, texts, settings)  # computed in full ...
        calls["summary_calls"].append(list(texts))
        return [stand_in.summary() for _ in texts]  # ... then English of a real summary's length

    # CTranslate2 gets all of a stage's batches at once (generate_batches, which its
    # generate_detailed also goes through); the torch backend, a call per batch.
    def translator_batches(batches, settings):
        for texts, _ in zip(batches, engine.timed_batches(generate_batches(batches, settings))):
            fed.append(len(texts))
            calls["translation_calls"].append(list(texts))
            yield [Generation(stand_in.for_source(t), finished=True) for t in texts]

    def summary_batches(batches, settings):
        timed = summary_engine.timed_batches(summarizer_batches(batches, settings))
        for texts, _ in zip(batches, timed):
            calls["summary_calls"].append(list(texts))
            yield [Generation(stand_in.summary(), finished=True) for _ in texts]

    if hasattr(translator, "generate_batches"):
        generate_batches = translator.generate_batches
        translator.generate_batches = translator_batches
    else:
        translator.generate_detailed = translator_generate
    if hasattr(summarizer, "generate_batches"):
        summarizer_batches = summarizer.generate_batches
        summarizer.generate_batches = summary_batches
    else:
        summarizer.generate = summary_generate
    steps_module.translate_segmentations = timed_translation
    steps_module.summarize_many = timed_summary

    run_started = time.perf_counter()
    results = run_module.run_all([Path(args.docs_dir)], options, models)
    run_seconds = time.perf_counter() - run_started

    if args.record:  # the exact inputs, for the engine ceiling (benchmarks/ceiling.py)
        Path(args.record).write_text(json.dumps(calls), encoding="utf-8")
    failed = [r for r in results if r.status != "written"]
    emit(
        {
            "variant": args.name,
            "documents": len(results),
            "written": sum(r.status == "written" for r in results),
            "failed": len(failed),
            "failures": [f"{r.status}: {r.reason}" for r in failed][:5],
            "sentences": sum(r.counts.get("sentences", 0) for r in results),
            "chunks": sum(r.counts.get("translation_chunks", 0) for r in results),
            "recovered_chunks": sum(r.counts.get("recovered_chunks", 0) for r in results),
            "summary_passes": sum(r.counts.get("summary_passes", 0) for r in results),
            "load_seconds": load_seconds,
            "run_seconds": run_seconds,
            "translation": translation.as_dict(),
            "translation_engine": {**engine.as_dict(), "batches": len(fed)},
            "summary": summary.as_dict(),
            "summary_engine": summary_engine.as_dict(),
            "describe": translator.describe(options.translation),
            "summary_describe": summarizer.describe(options.summary),
            "batch_tokens": options.batch_tokens,
            "chunk_tokens": options.chunk_tokens,
            "english_tokens_per_word": stand_in.tokens_per_word,
            "threads": getattr(translator, "threads", None),
            "summary_windows": len([t for c in calls["summary_calls"] for t in c]),
        }
    )


if __name__ == "__main__":
    main()
