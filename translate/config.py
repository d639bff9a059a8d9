"""Defaults and settings: model ids, generation settings, environment variable names.

Pure data, no heavy imports, so that the CLI's --help stays instant.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

# The package's version, here so that every layer can name it without importing the package
# root (which imports the flow): outputs record it, the CLI shows it.
VERSION = "0.1.0"

DEFAULT_MT_MODEL = "Helsinki-NLP/opus-mt-de-en"
DEFAULT_SUMMARY_MODEL = "sshleifer/distilbart-cnn-12-6"

# Environment variables a user (or a cron job) can set instead of passing options.
ENV_MT_MODEL = "TRANSLATE_MT_MODEL"
ENV_SUMMARY_MODEL = "TRANSLATE_SUMMARY_MODEL"
ENV_DEVICE = "TRANSLATE_DEVICE"
ENV_CACHE = "TRANSLATE_CACHE"  # where converted (CTranslate2) models are kept

SUMMARY_SUFFIX = ".summary.en.md"
TRANSLATION_SUFFIX = ".en.md"
BILINGUAL_SUFFIX = ".de-en.md"  # each source paragraph, then its translation
# A folder run's digest: <folder>/translate-digest.en.<form>. Any file named so is ours, never
# an input (the HTML form ends in .html, which is an input format).
DIGEST_STEM = "translate-digest.en"
DIGEST_FORMS = ("md", "html", "jsonl", "csv")
# Input formats by file suffix; translate/inputs/extract/<format>.py reads each (docs/formats.md).
INPUT_FORMATS = {
    ".txt": "text",
    ".md": "markdown",
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".epub": "epub",
    ".eml": "email",
    ".rtf": "rtf",
}
INPUT_SUFFIXES = tuple(INPUT_FORMATS)

# 2 MB of text is ~300,000 words (a long book): many hours of CPU time. Larger inputs are
# refused with a message naming this limit and the option that raises it. It holds for the
# text of a document; PDF, Office and e-book files may be larger (translate/extract).
DEFAULT_MAX_INPUT_BYTES = 2_000_000
# Padded tokens per batch: two full 1,024-token summary windows, so the summarizer's two
# CTranslate2 workers each decode two at once (the engine's best setting on 2 cores, see
# docs/benchmarks.md); a translation batch of short sentences is still bounded by ct2/schedule.py.
DEFAULT_BATCH_TOKENS = 2048
DEFAULT_CHUNK_TOKENS = 1  # one sentence per translator input
DEFAULT_CACHE_MAX_MB = 512  # the translation store's bound: ~1.5 million sentences


@dataclass(frozen=True)
class GenerationSettings:
    """How one model generates. `None` means: take the model's own generation config.

    Output lengths are bounded relative to the input so a looping model stops early,
    and can be forced (min = max) by the benchmark so random weights cost what real ones do.
    """

    num_beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None
    length_penalty: float | None = None
    no_repeat_ngram_size: int | None = None
    repetition_penalty: float | None = None
    # Translation only: output length cap as a multiple of the input's token count.
    max_length_ratio: float | None = None
    # Benchmark only: force output length = ratio x input tokens (min = max).
    forced_length_ratio: float | None = None

    def merged_over(self, defaults: dict) -> dict:
        """The settings that apply: ours where set, the model's defaults otherwise."""
        ours = {k: v for k, v in self.__dict__.items() if v is not None}
        return {**defaults, **ours}


def default_cache_dir() -> Path:
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "translate"


@dataclass(frozen=True)
class ModelOptions:
    """Which models, and how to run them."""

    mt_model: str = field(default_factory=lambda: os.environ.get(ENV_MT_MODEL, DEFAULT_MT_MODEL))
    summary_model: str = field(
        default_factory=lambda: os.environ.get(ENV_SUMMARY_MODEL, DEFAULT_SUMMARY_MODEL)
    )
    mt_revision: str | None = None
    summary_revision: str | None = None
    device: str = field(default_factory=lambda: os.environ.get(ENV_DEVICE, "auto"))
    # auto: CTranslate2 (int8 on the CPU, float16 on CUDA) where it can run, else torch.
    # Measured in benchmarks/ (docs/benchmarks.md): same beams and lengths, 2.8x the
    # documents/minute of torch fp32 at 1.2 GB peak instead of 2.7 GB.
    backend: str = "auto"  # auto | torch | ctranslate2
    quantize: str = "none"  # none | int8 (torch backend: dynamic int8 Linear layers)
    threads: int | None = None


@dataclass(frozen=True)
class DigestOptions:
    """The digest of a run: one file listing every document, its summary and its flags."""

    enabled: bool = True
    path: Path | None = None  # one digest of the whole run, here; None: one per folder given
    form: str = "md"  # one of DIGEST_FORMS


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs besides the paths."""

    models: ModelOptions = field(default_factory=ModelOptions)
    translation: GenerationSettings = field(
        default_factory=lambda: GenerationSettings(max_length_ratio=2.0)
    )
    summary: GenerationSettings = field(default_factory=GenerationSettings)
    force: bool = False
    keep_translation: bool = False
    bilingual: bool = False  # also write <stem>.de-en.md
    recursive: bool = False
    include: tuple[str, ...] = ()  # globs: in folders, take only matching files
    exclude: tuple[str, ...] = ()  # globs: in folders, leave matching files out
    ocr: bool = False  # read PDF pages without a text layer with Tesseract
    output_dir: Path | None = None
    # Folder runs read symlinks that lead outside the folders given only when this is set.
    follow_symlinks: bool = False
    source_lang: str | None = None  # None: detect; "de" forces translation
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES
    # Sentences are packed into chunks of at most this many tokens (never more than the
    # model's own limit); 1 sends each sentence alone. Marian is trained on sentences, and
    # packing measured slower, not faster (models.md, "Chunk size"): hence 1.
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS
    # Token budget of one translation batch (padding included). Measured on 2 cores (torch
    # fp32, beam 4): 1,024 gave 93 tok/s at 1.1 GB peak, 4,096 only 48 tok/s at 2.2 GB (beam
    # search over a wide batch spends its time on padding and finished hypotheses).
    batch_tokens: int = DEFAULT_BATCH_TOKENS
    # The translation store (translate/store/): chunks translated before are taken from it.
    cache: bool = True  # --no-cache: neither read nor written
    cache_max_mb: float = DEFAULT_CACHE_MAX_MB  # least recently used evicted beyond this

    def with_models(self, **changes) -> RunOptions:
        return replace(self, models=replace(self.models, **changes))
