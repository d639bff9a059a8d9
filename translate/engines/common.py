"""What every inference engine shares: where a model's files are, what the pipeline calls,
and how generation settings turn into beams and lengths.

Imports nothing heavy and no other engine, so the engines (torch_backend.py, ct2/) and the
loader (models.py) all build on it without importing each other.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Protocol

from translate.config import GenerationSettings
from translate.errors import ModelNotAvailableError, TranslateError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelLocation:
    """Where a model's files are, and which exact version they are."""

    name: str  # as the user gave it: a hub id or a folder
    path: Path
    revision: str  # commit hash for hub models; "local-<hash of files>" for folders


@dataclass(frozen=True)
class Generation:
    """One output text, and how its decoding ended."""

    text: str
    # True when the model ended it with its end-of-sequence token; False when it was stopped
    # by the length cap, so its tail may be missing.
    finished: bool


class TextGenerator(Protocol):
    """What the pipeline needs from a model: count tokens, generate text from text."""

    location: ModelLocation
    max_input_tokens: int
    backend: str  # the engine that runs it: torch or ctranslate2

    def count_tokens(self, text: str) -> int: ...

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]: ...

    def generate_detailed(
        self, texts: list[str], settings: GenerationSettings
    ) -> list[Generation]: ...

    def describe(self, settings: GenerationSettings) -> dict: ...


def generation_defaults(config, max_input_tokens: int) -> dict:
    """A model's own generation settings (its generation_config), in our terms."""
    return {
        "num_beams": config.num_beams or 1,
        "length_penalty": config.length_penalty,
        "no_repeat_ngram_size": config.no_repeat_ngram_size or None,
        "max_new_tokens": (config.max_length or max_input_tokens) - 1,
        "min_new_tokens": max(0, (config.min_length or 0) - 1) or None,
        "repetition_penalty": config.repetition_penalty,
    }


def describe(settings: GenerationSettings, defaults: dict, backend: str, compute_type: str) -> dict:
    """The settings that apply, for the front matter: ours over the model's, and the engine."""
    applied = settings.merged_over(defaults)
    described = {k: v for k, v in sorted(applied.items()) if v is not None}
    described["backend"] = backend
    described["compute_type"] = compute_type
    return described


def generate_kwargs(applied: dict, input_tokens: int) -> dict:
    """transformers' generate() arguments for a batch whose longest input has `input_tokens`."""
    kwargs = {
        k: applied[k]
        for k in ("num_beams", "length_penalty", "no_repeat_ngram_size", "repetition_penalty")
        if applied.get(k) is not None
    }
    max_new = applied["max_new_tokens"]
    min_new = applied.get("min_new_tokens") or 0
    if applied.get("max_length_ratio"):
        max_new = min(max_new, math.ceil(applied["max_length_ratio"] * input_tokens) + 8)
    if applied.get("forced_length_ratio"):
        max_new = min_new = max(1, math.ceil(applied["forced_length_ratio"] * input_tokens))
    # For encoder-decoders, max_length counts decoder tokens including the start token;
    # setting it (not max_new_tokens) avoids transformers' warning about both being set.
    kwargs["max_length"] = max_new + 1
    kwargs["min_length"] = min(min_new, max_new) + 1
    if kwargs.get("num_beams", 1) > 1:
        kwargs["early_stopping"] = True
    return kwargs


def input_limit(tokenizer, config) -> int:
    """The model's real input limit: the smaller of the tokenizer's and the positions'."""
    limits = [getattr(config, "max_position_embeddings", None)]
    tok_limit = getattr(tokenizer, "model_max_length", None)
    if tok_limit and tok_limit < 1_000_000:  # transformers uses a huge int for 'unset'
        limits.append(tok_limit)
    known = [n for n in limits if n]
    if not known:
        raise TranslateError("the model states no input limit (max_position_embeddings)")
    return min(known)


def load_error(location: ModelLocation, exc: Exception) -> ModelNotAvailableError:
    """A library's failure to load a model, as one line (the traceback goes to --verbose)."""
    log.debug("loading %s failed", location.name, exc_info=exc)
    lines = str(exc).strip().splitlines()
    detail = lines[0].rstrip(": ") if lines else type(exc).__name__
    return ModelNotAvailableError(
        f"model {location.name!r} at {location.path} could not be loaded: {detail}"
    )


# Tokenizer classes of the model families whose config.json does not name one (older hub
# repositories, e.g. opus-mt-de-en and distilbart-cnn-12-6). Naming the class spares
# AutoTokenizer, which imports torch (via transformers' configuration module): ~180 MiB of
# memory that a CTranslate2 run never uses. Other families go through AutoTokenizer.
_TOKENIZERS = {"marian": "MarianTokenizer", "bart": "BartTokenizer"}


def load_text_side(location: ModelLocation):
    """A model's tokenizer, config and generation config (no weights): what an engine and a
    token counter both need. The config is config.json's settings as attributes. A missing
    generation_config.json means the model config holds the defaults.

    Raises:
        ModelNotAvailableError: the files cannot be read as a model (one line).
    """
    from transformers import GenerationConfig

    try:
        settings = _read_json(location.path / "config.json")
        tokenizer = _tokenizer_class(location.path, settings).from_pretrained(location.path)
        try:
            generation_config = GenerationConfig.from_pretrained(location.path)
        except OSError:
            generation_config = GenerationConfig.from_model_config(settings)
    except (OSError, ValueError) as exc:
        raise load_error(location, exc) from None
    return tokenizer, SimpleNamespace(**settings), generation_config


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OSError(f"{path.name} is missing") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} does not hold a JSON object")
    return data


def _tokenizer_class(folder: Path, settings: dict):
    """The tokenizer class the folder names (tokenizer_config.json, else its model family);
    AutoTokenizer when it names none we know."""
    import transformers

    named_in = folder / "tokenizer_config.json"
    named = _read_json(named_in).get("tokenizer_class") if named_in.exists() else None
    name = named or _TOKENIZERS.get(settings.get("model_type", ""))
    found = getattr(transformers, name, None) if isinstance(name, str) else None
    return found if isinstance(found, type) else transformers.AutoTokenizer
