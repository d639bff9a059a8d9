"""Build the benchmark's checkpoints once: the published architectures, random weights.

`Helsinki-NLP/opus-mt-de-en` and `sshleifer/distilbart-cnn-12-6` are rebuilt from their
published configurations (see models.md) with random weights and tokenizers trained on text
this repo ships (tests/checkpoints.py). They cost what the real models cost per token; what
they write is noise, so these checkpoints measure speed, never quality.

    python -m benchmarks.build          # builds into benchmarks/.cache/models/ if missing
    TRANSLATE_BENCH_CACHE=/tmp/bench python -m benchmarks.build --tiny
                                        # tiny checkpoints for the smoke tests (see below)

`--tiny` builds the same two families with the tokenizers, position limits and generation
settings above, but the tests' tiny widths and depths and no padded vocabulary (a few MB,
seconds to run): what tests/test_benchmark_smoke.py runs every entry point on. Only into a
cache of its own (TRANSLATE_BENCH_CACHE, benchmarks/common.py): the benchmark's own cache
only ever holds the published sizes, which every later run keeps and reuses.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from benchmarks.common import CACHE
from tests.checkpoints import TINY_SIZES

HERE = Path(__file__).resolve().parent
DEFAULT_CACHE = HERE / ".cache"
MODELS = CACHE / "models"
MT_DIR = MODELS / "opus-mt-de-en-architecture"
SUMMARY_DIR = MODELS / "distilbart-cnn-12-6-architecture"

# Parameter counts of the published models (models.md: built on the meta device from their
# config.json, tied embeddings counted once).
MT_PARAMS = 74_410_496
SUMMARY_PARAMS = 305_510_400

# Helsinki-NLP/opus-mt-de-en config.json / generation_config.json, as far as they decide cost.
MT_CONFIG = dict(
    model_vocab=58101,  # shared encoder/decoder vocabulary, pad id 58100
    d_model=512,
    encoder_layers=6,
    decoder_layers=6,
    encoder_attention_heads=8,
    decoder_attention_heads=8,
    encoder_ffn_dim=2048,
    decoder_ffn_dim=2048,
    max_position_embeddings=512,  # sinusoidal
    activation_function="swish",
    scale_embedding=True,
    share_encoder_decoder_embeddings=True,
    num_beams=4,
    max_length=512,
)
# sshleifer/distilbart-cnn-12-6: BART-large widths, 12 encoder and 6 decoder layers. BART in
# transformers is post-norm with a layernorm on the embeddings and learned positions, as
# distilbart's config (normalize_before false, normalize_embedding true, add_final_layer_norm
# false, static_position_embeddings false, add_bias_logits false) asks.
SUMMARY_CONFIG = dict(
    model_vocab=50264,
    d_model=1024,
    encoder_layers=12,
    decoder_layers=6,
    encoder_attention_heads=16,
    decoder_attention_heads=16,
    encoder_ffn_dim=4096,
    decoder_ffn_dim=4096,
    max_position_embeddings=1024,
    activation_function="gelu",
    scale_embedding=False,
)
SUMMARY_GENERATION = {
    "num_beams": 4,
    "max_length": 142,
    "min_length": 56,
    "length_penalty": 2.0,
    "no_repeat_ngram_size": 3,
    "early_stopping": True,
    "forced_bos_token_id": 0,  # in distilbart's config.json; transformers forces <s> first
}
# Trained vocabularies: as large as the shipped corpora allow (the trainers stop early when
# the text has no more pieces to offer); padded to the published sizes either way.
SPM_VOCAB = 8000
BPE_VOCAB = 8000
# --tiny: the tests' widths and depths (tests/checkpoints.py), and vocabularies of only the
# trained tokenizers' pieces (the padding to the published sizes makes every decoding step's
# output layer 7x larger); everything else as published.
TINY = {"model_vocab": None, **TINY_SIZES}


def count_parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())  # shared tensors are listed once


def _check(path: Path, expected: int | None, label: str) -> int:
    import torch
    from transformers import AutoModelForSeq2SeqLM

    model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=torch.float32)
    count = count_parameters(model)
    if expected is None:  # --tiny: nothing published to compare with
        print(f"{label}: {count:,} parameters (tiny)")
        return count
    off = abs(count - expected) / expected
    print(f"{label}: {count:,} parameters (published {expected:,}, off by {off:.3%})")
    if off > 0.01:
        raise SystemExit(f"{label}: parameter count is not within 1% of the published model")
    return count


def _build(target: Path, builder, **kwargs) -> None:
    """Build into a temporary folder and rename it into place: no half-built cache."""
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        builder(tmp, **kwargs)
        tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build(force: bool = False, tiny: bool = False) -> tuple[Path, Path]:
    """(translation model folder, summary model folder), built if missing (what is there is
    kept, whatever its size). `tiny`: the smoke tests' sizes, never into DEFAULT_CACHE."""
    sys.path.insert(0, str(HERE.parent))
    from tests.checkpoints import build_bart, build_marian

    if tiny and CACHE.resolve() == DEFAULT_CACHE.resolve():
        raise SystemExit(
            f"--tiny builds only into a cache of its own: set TRANSLATE_BENCH_CACHE (not "
            f"{DEFAULT_CACHE}, which holds the published sizes the benchmark measures)"
        )
    narrow = TINY if tiny else {}
    MODELS.mkdir(parents=True, exist_ok=True)
    for target, builder, kwargs, expected, label in (
        (
            MT_DIR,
            build_marian,
            dict(spm_vocab=SPM_VOCAB, **{**MT_CONFIG, **narrow}),
            None if tiny else MT_PARAMS,
            "opus-mt-de-en",
        ),
        (
            SUMMARY_DIR,
            build_bart,
            dict(
                bpe_vocab=BPE_VOCAB, generation=SUMMARY_GENERATION, **{**SUMMARY_CONFIG, **narrow}
            ),
            None if tiny else SUMMARY_PARAMS,
            "distilbart-cnn-12-6",
        ),
    ):
        marker = target / "benchmark-build.json"
        if force or not marker.is_file():
            shutil.rmtree(target, ignore_errors=True)
            size = "tiny" if tiny else "published"
            print(f"building {label} ({size} size, random weights) into {target} ...", flush=True)
            _build(target, builder, **kwargs)
            count = _check(target, expected, label)
            record = {"parameters": count, "size": size, "config": kwargs}
            marker.write_text(json.dumps(record, indent=2))
    return MT_DIR, SUMMARY_DIR


def describe() -> dict:
    """What was built, for the benchmark's report."""
    info = {}
    for label, target in (("translation", MT_DIR), ("summary", SUMMARY_DIR)):
        marker = json.loads((target / "benchmark-build.json").read_text())
        info[label] = {"path": str(target), "parameters": marker["parameters"]}
    return info


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="build again even if built")
    parser.add_argument(
        "--tiny", action="store_true", help="the smoke tests' tiny sizes (TRANSLATE_BENCH_CACHE)"
    )
    arguments = parser.parse_args()
    build(force=arguments.force, tiny=arguments.tiny)
    for label, item in describe().items():
        print(f"{label}: {item['parameters']:,} parameters in {item['path']}")
    from benchmarks.common import emit

    emit(describe())  # for the runner, which builds in a child to stay small
