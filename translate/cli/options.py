"""The options of every command that runs the models, declared once: an Annotated alias per
option, taken as `device: DeviceOption = Device.auto`, and the functions that turn the parsed
values into the library's `ModelOptions` and `RunOptions`. `translate run` adds its own.

Every option's value is checked as it is parsed, before anything is read or loaded: a bad one
is a usage error, one line on stderr naming the option and what it allows, exit status 2.
"""

from __future__ import annotations

import math
import os
from enum import Enum
from typing import Annotated

import typer

from translate.config import (
    DEFAULT_MAX_INPUT_BYTES,
    ENV_DEVICE,
    ENV_MT_MODEL,
    ENV_SUMMARY_MODEL,
    GenerationSettings,
    ModelOptions,
    RunOptions,
)

MAX_BEAMS = 32
MAX_BATCH_TOKENS = 65_536
MAX_CHUNK_TOKENS = 4_096  # above any MarianMT input limit: the model's own limit wins
DEFAULT_MAX_INPUT_MB = DEFAULT_MAX_INPUT_BYTES / 1e6


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"
    mps = "mps"


class Backend(str, Enum):
    auto = "auto"
    torch = "torch"
    ctranslate2 = "ctranslate2"


class Quantize(str, Enum):
    none = "none"
    int8 = "int8"


def whole_number(low: int, high: int | None, meaning: str = ""):
    """A typer callback that refuses a number outside low..high, naming the range."""

    def check(value: int | None) -> int | None:
        if value is not None and not (low <= value and (high is None or value <= high)):
            allowed = f"{low} to {high:,}" if high is not None else f"{low} or more"
            raise typer.BadParameter(f"{value} is out of range (allowed: {allowed}{meaning})")
        return value

    return check


def _megabytes(value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"{value} is not allowed (a number of MB above 0, e.g. 10)")
    return value


# Which models and how to run them: any command that loads the models takes these.
MtModel = Annotated[
    str | None,
    typer.Option(
        "--mt-model",
        envvar=ENV_MT_MODEL,
        metavar="MODEL",
        help="Translation model: hub id or local folder.",
    ),
]
SummaryModel = Annotated[
    str | None,
    typer.Option(
        "--summary-model",
        envvar=ENV_SUMMARY_MODEL,
        metavar="MODEL",
        help="Summary model: hub id or local folder.",
    ),
]
DeviceOption = Annotated[
    Device,
    typer.Option(
        "--device",
        envvar=ENV_DEVICE,
        help="Where to run the models (auto: a GPU if there is one).",
    ),
]
BackendOption = Annotated[
    Backend,
    typer.Option(
        "--backend",
        help="Inference engine. auto: ctranslate2 (int8 on CPU, float16 on CUDA; measured "
        "2.8x the speed of torch fp32 on CPU in under half its memory) where it can run, "
        "else torch.",
    ),
]
QuantizeOption = Annotated[
    Quantize,
    typer.Option(
        "--quantize",
        help="none: the engine's own precision (ctranslate2: int8 on CPU, float16 on "
        "CUDA; torch: float32). int8: 8-bit weights; with --backend torch dynamic int8, "
        "2.4x the speed of fp32 on CPU, but more peak memory.",
    ),
]
Threads = Annotated[
    int | None,
    typer.Option(
        "--threads",
        metavar="N",
        callback=whole_number(1, os.cpu_count() or 1, ", the CPUs of this machine"),
        help="CPU threads (default: one per physical core; torch: torch's choice).",
    ),
]

# How much at once: beams, batch and chunk sizes, the largest input.
Beams = Annotated[
    int | None,
    typer.Option(
        "--beams",
        metavar="N",
        callback=whole_number(1, MAX_BEAMS),
        help=f"Beam size for translation, 1 to {MAX_BEAMS} (default: the model's).",
    ),
]
BatchTokens = Annotated[
    int,
    typer.Option(
        "--batch-tokens",
        metavar="N",
        callback=whole_number(1, MAX_BATCH_TOKENS),
        help="Token budget of one batch of translation or summary inputs (padding included), "
        f"1 to {MAX_BATCH_TOKENS:,}.",
    ),
]
ChunkTokens = Annotated[
    int,
    typer.Option(
        "--chunk-tokens",
        metavar="N",
        callback=whole_number(1, MAX_CHUNK_TOKENS),
        help="Pack consecutive sentences into one translator input of up to N tokens; "
        "1 sends each sentence alone (measured fastest, and how the model was trained).",
    ),
]
MaxInputMb = Annotated[
    float,
    typer.Option(
        "--max-input-mb",
        metavar="MB",
        callback=_megabytes,
        help="Refuse input files larger than this.",
    ),
]

# The translation store (translate/store/, docs/store.md).
NoCache = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Neither take translations from the translation store nor keep them there "
        "(with --ray, each node's store under its own TRANSLATE_CACHE).",
    ),
]
CacheMaxMb = Annotated[
    float,
    typer.Option(
        "--cache-max-mb",
        metavar="MB",
        callback=_megabytes,
        help="Bound the translation store to this size; the least recently used "
        "translations go first.",
    ),
]

# What to say.
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log details; tracebacks on errors.")
]


def model_options(
    mt_model: str | None,
    summary_model: str | None,
    device: Device,
    backend: Backend,
    quantize: Quantize,
    threads: int | None,
) -> ModelOptions:
    """The models and how to run them; a model not given is the configured one."""
    models = {k: v for k, v in (("mt_model", mt_model), ("summary_model", summary_model)) if v}
    return ModelOptions(
        device=device.value,
        backend=backend.value,
        quantize=quantize.value,
        threads=threads,
        **models,
    )


def run_options(
    models: ModelOptions,
    *,
    beams: int | None,
    batch_tokens: int,
    chunk_tokens: int,
    max_input_mb: float,
    **fields,
) -> RunOptions:
    """The shared options as `RunOptions`; `fields` are a command's own RunOptions fields."""
    return RunOptions(
        models=models,
        translation=GenerationSettings(max_length_ratio=2.0, num_beams=beams),
        max_input_bytes=int(max_input_mb * 1e6),
        batch_tokens=batch_tokens,
        chunk_tokens=chunk_tokens,
        **fields,
    )
