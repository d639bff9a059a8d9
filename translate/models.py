"""Finding and loading models: a hub id (through the Hugging Face cache) or a local folder.

The only module that imports torch and transformers, and only when a model is needed.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from translate.config import GenerationSettings
from translate.errors import ModelNotAvailableError, TranslateError

log = logging.getLogger(__name__)

# What a PyTorch seq2seq checkpoint needs; never TF/Flax/Rust/ONNX copies of the weights.
_BASE_FILES = ["*.json", "*.spm", "*.model", "*.txt", "*.safetensors"]
_BIN_FILES = ["pytorch_model*.bin"]  # only for repositories without safetensors


@dataclass(frozen=True)
class ModelLocation:
    """Where a model's files are, and which exact version they are."""

    name: str  # as the user gave it: a hub id or a folder
    path: Path
    revision: str  # commit hash for hub models; "local-<hash of files>" for folders


class TextGenerator(Protocol):
    """What the pipeline needs from a model: count tokens, generate text from text."""

    location: ModelLocation
    max_input_tokens: int
    backend: str  # the engine that runs it: torch or ctranslate2

    def count_tokens(self, text: str) -> int: ...

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]: ...

    def describe(self, settings: GenerationSettings) -> dict: ...


def hub_cache_dir() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def _hub_offline() -> bool:
    from huggingface_hub import constants

    return bool(constants.HF_HUB_OFFLINE)


def locate(
    name: str, revision: str | None = None, download: bool = False, local_only: bool = False
) -> ModelLocation:
    """Find a model's files: a local folder as it is, else a hub id in the cache.

    The cache is tried first, so a model downloaded once works offline without delay; the
    hub is asked only when the model is not cached (or `download` is set) and the
    environment allows it (HF_HUB_OFFLINE unset).

    Raises:
        ModelNotAvailableError: naming the model, where we looked and how to get it.
    """
    folder = Path(name).expanduser()
    if folder.is_dir():
        return ModelLocation(name=name, path=folder.resolve(), revision=_folder_revision(folder))
    if name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelNotAvailableError(f"model folder {name} does not exist")
    try:
        path = _snapshot(name, revision, local_only=not download)
    except ModelNotAvailableError:
        if not download and not local_only and not _hub_offline():
            path = _snapshot(name, revision, local_only=False)
        else:
            raise
    return ModelLocation(name=name, path=path, revision=path.name)


def _snapshot(repo_id: str, revision: str | None, local_only: bool) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    try:
        folder = Path(
            snapshot_download(
                repo_id, revision=revision, allow_patterns=_BASE_FILES, local_files_only=local_only
            )
        )
        if not any(folder.glob("*.safetensors")):
            folder = Path(
                snapshot_download(
                    repo_id,
                    revision=revision,
                    allow_patterns=_BIN_FILES,
                    local_files_only=local_only,
                )
            )
    except HFValidationError:
        raise ModelNotAvailableError(
            f"model {repo_id!r} is neither a folder nor a valid Hugging Face hub id"
        ) from None
    except Exception as exc:  # hub errors come in many kinds; the user needs one message
        raise ModelNotAvailableError(_missing_message(repo_id, local_only, exc)) from None
    return folder


def _missing_message(repo_id: str, local_only: bool, exc: Exception) -> str:
    where = f"the Hugging Face cache at {hub_cache_dir()} (set HF_HOME to use another)"
    if local_only or _hub_offline():
        how = (
            "it is not cached and downloads are off (HF_HUB_OFFLINE is set)"
            if _hub_offline()
            else "it is not cached"
        )
    else:
        how = f"it is not cached and the download failed ({type(exc).__name__}: {str(exc)[:200]})"
    return (
        f"model {repo_id!r} is not available: {how}. Looked in {where}. "
        f"Run `translate models download` where the hub is reachable, or pass a local folder."
    )


def _folder_revision(folder: Path) -> str:
    """A cheap fingerprint of a local model folder, so changed weights invalidate outputs."""
    digest = hashlib.sha256()
    for file in sorted(folder.iterdir()):
        if file.is_file():
            stat = file.stat()
            digest.update(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return "local-" + digest.hexdigest()[:12]


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def pick_device(device: str) -> str:
    """Resolve 'auto' to the best device present; check an explicit one exists."""
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise TranslateError("--device cuda was asked for, but torch sees no CUDA GPU")
    if device == "mps" and not torch.backends.mps.is_available():
        raise TranslateError("--device mps was asked for, but torch sees no Apple GPU")
    if device not in ("cpu", "cuda", "mps"):
        raise TranslateError(f"unknown device {device!r}: use auto, cpu, cuda or mps")
    return device


class TorchSeq2Seq:
    """A transformers encoder-decoder model with its tokenizer, ready to generate."""

    backend = "torch"

    def __init__(self, location: ModelLocation, device: str = "cpu", quantize: str = "none"):
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        if quantize == "int8" and device != "cpu":
            raise TranslateError("--quantize int8 (torch dynamic int8) runs on the CPU only")
        hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI's output
        if not log.isEnabledFor(logging.DEBUG):
            # e.g. "sequence longer than the maximum": we count tokens of long texts on purpose.
            hf_logging.set_verbosity_error()
        self.location = location
        self.device = device
        self.quantize = quantize
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(location.path)
            model = AutoModelForSeq2SeqLM.from_pretrained(location.path, dtype=torch.float32)
        except (OSError, ValueError) as exc:
            raise ModelNotAvailableError(
                f"model {location.name!r} at {location.path} could not be loaded: {exc}"
            ) from None
        model.eval()
        if quantize == "int8":
            model = _quantize_int8(model)
        self.model = model.to(device)
        self.max_input_tokens = _input_limit(self.tokenizer, model.config)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text).input_ids)

    def generation_defaults(self) -> dict:
        config = self.model.generation_config
        return {
            "num_beams": config.num_beams or 1,
            "length_penalty": config.length_penalty,
            "no_repeat_ngram_size": config.no_repeat_ngram_size or None,
            "max_new_tokens": (config.max_length or self.max_input_tokens) - 1,
            "min_new_tokens": max(0, (config.min_length or 0) - 1) or None,
            "repetition_penalty": config.repetition_penalty,
        }

    def describe(self, settings: GenerationSettings) -> dict:
        applied = settings.merged_over(self.generation_defaults())
        described = {k: v for k, v in sorted(applied.items()) if v is not None}
        described["backend"] = self.backend
        described["compute_type"] = "int8" if self.quantize == "int8" else "float32"
        return described

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        import torch

        if not texts:
            return []
        batch = self.tokenizer(texts, return_tensors="pt", padding=True).to(self.device)
        kwargs = _generate_kwargs(
            settings.merged_over(self.generation_defaults()), batch.input_ids.shape[1]
        )
        kwargs["max_length"] = min(kwargs["max_length"], self._max_output_tokens())
        with torch.inference_mode():
            output = self.model.generate(**batch, **kwargs)
        return self.tokenizer.batch_decode(output, skip_special_tokens=True)

    def _max_output_tokens(self) -> int:
        return getattr(self.model.config, "max_position_embeddings", 1024)


def _generate_kwargs(applied: dict, input_tokens: int) -> dict:
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


def _input_limit(tokenizer, config) -> int:
    """The model's real input limit: the smaller of the tokenizer's and the positions'."""
    limits = [getattr(config, "max_position_embeddings", None)]
    tok_limit = getattr(tokenizer, "model_max_length", None)
    if tok_limit and tok_limit < 1_000_000:  # transformers uses a huge int for 'unset'
        limits.append(tok_limit)
    known = [n for n in limits if n]
    if not known:
        raise TranslateError("the model states no input limit (max_position_embeddings)")
    return min(known)


def _quantize_int8(model):
    import torch

    quantize_dynamic = getattr(getattr(torch, "ao", None), "quantization", None)
    quantize_dynamic = getattr(quantize_dynamic, "quantize_dynamic", None)
    if quantize_dynamic is None:
        raise TranslateError(
            "--quantize int8 needs torch.ao.quantization.quantize_dynamic, which this torch "
            f"({torch.__version__}) no longer has; use --backend ctranslate2 for int8"
        )
    import warnings

    with warnings.catch_warnings():  # torch announces the API's future removal on each call
        warnings.simplefilter("ignore")
        # In place: a copy would hold the fp32 and int8 weights at once (+1.2 GB measured
        # for distilBART), and the freed copy stays in the process's heap.
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)


def load(
    location: ModelLocation,
    device: str,
    backend: str = "torch",
    quantize: str = "none",
    threads: int | None = None,
) -> TextGenerator:
    """Load one model for generation on `device` with the chosen backend (see resolve_backend).

    `threads` sets the ctranslate2 backend's CPU threads (default: the physical cores); the
    torch backend follows torch.set_num_threads, which its caller sets.
    """
    backend = resolve_backend(backend, device)
    if backend == "torch":
        return TorchSeq2Seq(location, device=device, quantize=quantize)
    if backend == "ctranslate2":
        from translate.ct2 import CT2Seq2Seq

        return CT2Seq2Seq(location, device=device, compute_type=quantize, threads=threads)
    raise TranslateError(f"unknown backend {backend!r}: use auto, torch or ctranslate2")


def resolve_backend(backend: str, device: str) -> str:
    """The engine `auto` means on `device`: CTranslate2 where it is installed and can use the
    device (the CPU, or CUDA when its build sees a GPU), torch otherwise (e.g. Apple's mps)."""
    if backend != "auto":
        return backend
    if device not in ("cpu", "cuda"):
        return "torch"
    try:
        import ctranslate2
    except ImportError:
        log.info("CTranslate2 is not installed; using torch")
        return "torch"
    if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
        log.info("CTranslate2 sees no CUDA device; using torch")
        return "torch"
    return "ctranslate2"
