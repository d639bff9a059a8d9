"""Finding and loading models: a hub id (through the Hugging Face cache) or a local folder.

Locating needs only huggingface_hub; the engines (torch_backend.py, ct2/) are imported when
a model is loaded, so listing or checking models never imports torch.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path

from translate.config import ENV_MT_MODEL, ENV_SUMMARY_MODEL, GenerationSettings
from translate.engines.common import ModelLocation, TextGenerator, describe, generation_defaults
from translate.errors import DeviceNotAvailableError, ModelNotAvailableError, TranslateError
from translate.progress import Progress

log = logging.getLogger(__name__)

# What a PyTorch seq2seq checkpoint needs; never TF/Flax/Rust/ONNX copies of the weights.
_BASE_FILES = ["*.json", "*.spm", "*.model", "*.txt", "*.safetensors"]
_BIN_FILES = ["pytorch_model*.bin"]  # only for repositories without safetensors
# What a local model folder must hold (what save_pretrained writes for model and tokenizer).
_WEIGHT_FILES = ("*.safetensors", "pytorch_model*.bin")
_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.json", "*.spm", "*.model")
_OPTION_ENVS = {"--mt-model": ENV_MT_MODEL, "--summary-model": ENV_SUMMARY_MODEL}


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
        ModelNotAvailableError: naming the model, where we looked and why it is not there
            (`missing_message` adds how to get it).
    """
    folder = Path(name).expanduser()
    if folder.is_dir():
        check_model_folder(folder, name)
        return ModelLocation(name=name, path=folder.resolve(), revision=_folder_revision(folder))
    if name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelNotAvailableError(f"model folder {name} does not exist")
    # HF_HUB_OFFLINE is honoured here, not left to the library: the hub is never asked.
    offline = _hub_offline()
    try:
        path = _snapshot(name, revision, local_only=offline or not download)
    except ModelNotAvailableError:
        if not download and not local_only and not offline:
            path = _snapshot(name, revision, local_only=False)
        else:
            raise
    return ModelLocation(name=name, path=path, revision=path.name)


def check_model_folder(folder: Path, name: str) -> None:
    """Refuse a folder that lacks what a model needs, saying what is missing.

    Raises:
        ModelNotAvailableError: e.g. for a folder of texts given as a model by mistake.
    """
    missing = []
    if not (folder / "config.json").is_file():
        missing.append("no config.json")
    if not any(any(folder.glob(pattern)) for pattern in _WEIGHT_FILES):
        missing.append("no weights (*.safetensors or pytorch_model*.bin)")
    if not any(any(folder.glob(pattern)) for pattern in _TOKENIZER_FILES):
        missing.append("no tokenizer files (tokenizer.json, vocab.json, *.spm)")
    if missing:
        raise ModelNotAvailableError(
            f"{name} is not a model folder: it has {_and(missing)} (a model folder holds what "
            "save_pretrained writes, e.g. a snapshot folder of a Hugging Face cache)"
        )


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
        log.debug("looking for %s failed", repo_id, exc_info=True)  # shown with --verbose
        message = _not_found(repo_id, revision, local_only, exc)
        raise ModelNotAvailableError(message, fetchable=True) from None
    return folder


def _not_found(repo_id: str, revision: str | None, local_only: bool, exc: Exception) -> str:
    """Why a hub model is not here, and where we looked, in one sentence."""
    if _hub_offline():
        why = "it is not in the cache, and downloads are off (HF_HUB_OFFLINE is set)"
    elif local_only:
        why = "it is not in the cache"
    else:
        why = f"it is not in the cache, and {_download_failure(exc, revision)}"
    local = Path(repo_id).absolute()
    return (
        f"model {repo_id!r} is not available: {why}. Looked in the Hugging Face cache at "
        f"{hub_cache_dir()} (HF_HOME moves it) and for a folder {local}"
    )


def _download_failure(exc: Exception, revision: str | None) -> str:
    from huggingface_hub import errors

    if isinstance(exc, errors.GatedRepoError):
        return "the hub lets only logged-in users who accepted its terms download it"
    if isinstance(exc, errors.RepositoryNotFoundError):
        return "the hub has no model of that name (or it is private)"
    if isinstance(exc, errors.RevisionNotFoundError):
        return f"the hub has no revision {revision!r} of it"
    return f"the hub could not be reached ({type(exc).__name__})"


def missing_message(problems: list[tuple[str, ModelNotAvailableError]], download: bool) -> str:
    """One paragraph for models that are not available: each one's reason, then the ways
    out. `problems` holds (option, error), e.g. ("--mt-model", ...); `download` says whether
    to advise `translate models download` (not when that is what failed)."""
    reasons = " ".join(
        f"{_capital(str(error)) if index else str(error)}."
        for index, (_, error) in enumerate(problems)
    )
    options = [option for option, error in problems if error.fetchable]
    if not options:
        return reasons
    envs = [_OPTION_ENVS[o] for o in options if o in _OPTION_ENVS]
    ways = []
    if download:
        here = " (this one too, once HF_HUB_OFFLINE is unset)" if _hub_offline() else ""
        ways.append(f"run `translate models download` on a machine with network access{here}")
    them = "it" if len(options) == 1 else "them"
    ways.append(f"copy a Hugging Face cache that holds {them} to {hub_cache_dir()}")
    env = f" (or {' / '.join(envs)})" if envs else ""
    ways.append(f"give a model folder with {' / '.join(f'{o} DIR' for o in options)}{env}")
    return f"{reasons} Ways out: {'; or '.join(ways)}."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# Files this large are weights: fingerprinted by size and modification time, since hashing
# gigabytes would cost seconds on every run. Smaller files (configs, tokenizers, vocabularies:
# a few MB in all) are hashed by content, so an edit that keeps size and time still counts.
_HASHED_BELOW_BYTES = 16 * 2**20


def _folder_revision(folder: Path) -> str:
    """A fingerprint of a local model folder, so changed weights or tokenizer files make
    earlier outputs (and converted copies) out of date. Hidden files and folders are not
    part of the model (e.g. a download's .cache) and are left out."""
    digest = hashlib.sha256()
    for relative, file in _model_files(folder):
        stat = file.stat()
        if stat.st_size >= _HASHED_BELOW_BYTES:
            mark = f"size {stat.st_size} mtime {stat.st_mtime_ns}"
        else:
            mark = hashlib.sha256(file.read_bytes()).hexdigest()
        digest.update(f"{relative}\0{mark}\n".encode())
    return "local-" + digest.hexdigest()[:16]


def _model_files(folder: Path) -> list[tuple[str, Path]]:
    """(path relative to `folder`, path) of the folder's files, sorted, hidden ones left out."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            path = Path(dirpath) / name
            if not name.startswith(".") and path.is_file():
                found.append((path.relative_to(folder).as_posix(), path))
    return sorted(found)


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def pick_device(device: str) -> str:
    """Resolve 'auto' to the best device present; check an explicit one exists."""
    if device == "cpu" or (device == "auto" and not _may_have_gpu()):
        return "cpu"  # without importing torch (~180 MiB of memory) to be told so
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise DeviceNotAvailableError(
            "--device cuda was asked for, but torch sees no CUDA GPU (use --device auto or cpu)"
        )
    if device == "mps" and not torch.backends.mps.is_available():
        raise DeviceNotAvailableError(
            "--device mps was asked for, but torch sees no Apple GPU (use --device auto or cpu)"
        )
    if device not in ("cpu", "cuda", "mps"):
        raise TranslateError(f"unknown device {device!r}: use auto, cpu, cuda or mps")
    return device


# Device files a GPU needs before torch can use it: NVIDIA's driver, AMD's ROCm, WSL2's GPU.
_GPU_DEVICE_FILES = ("/dev/nvidiactl", "/dev/kfd", "/dev/dxg")


def _may_have_gpu() -> bool:
    """False where torch could not see a GPU anyway: Linux without a GPU driver loaded."""
    if not sys.platform.startswith("linux"):
        return True  # e.g. Apple's mps: only torch can tell
    return any(os.path.exists(path) for path in _GPU_DEVICE_FILES)


def load(
    location: ModelLocation,
    device: str,
    backend: str = "torch",
    quantize: str = "none",
    threads: int | None = None,
    progress: Progress | None = None,
) -> TextGenerator:
    """Load one model for generation on `device` with the chosen backend (see resolve_backend).

    `threads` sets the ctranslate2 backend's CPU threads (default: the physical cores); the
    torch backend follows torch.set_num_threads, which its caller sets. `progress` hears of
    a one-time conversion (ctranslate2).
    """
    backend = resolve_backend(backend, device)
    if backend == "torch":
        from translate.engines.torch_backend import TorchSeq2Seq

        return TorchSeq2Seq(location, device=device, quantize=quantize)
    if backend == "ctranslate2":
        from translate.engines.ct2.generator import CT2Seq2Seq

        return CT2Seq2Seq(
            location, device=device, compute_type=quantize, threads=threads, progress=progress
        )
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


class TokenCounter:
    """A model's tokenizer and input limit without its weights: enough to segment text for
    it (a distributed run segments in light CPU tasks, the model runs elsewhere).

    Counts as both engines do: `len(tokenizer(text).input_ids)`, limit from `input_limit`.
    """

    def __init__(self, location: ModelLocation):
        from transformers.utils import logging as hf_logging

        from translate.engines.common import input_limit, load_text_side

        if not log.isEnabledFor(logging.DEBUG):  # we count long texts on purpose
            hf_logging.set_verbosity_error()
        self.tokenizer, config, self.generation_config = load_text_side(location)
        self.location = location
        self.max_input_tokens = input_limit(self.tokenizer, config)

    def describe(self, settings: GenerationSettings) -> dict:
        """The model's settings as the engines describe them: chunks are sized by its output
        cap (`pipeline.segment_for_translation`), so a counter must size them the same way."""
        defaults = generation_defaults(self.generation_config, self.max_input_tokens)
        return describe(settings, defaults, backend="none", compute_type="none")

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text).input_ids)
