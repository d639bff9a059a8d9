"""Finding and loading models: a hub id (through the Hugging Face cache) or a local folder.

Locating needs only huggingface_hub; the engines (torch_backend.py, ct2.py) are imported when
a model is loaded, so listing or checking models never imports torch.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from translate.engine import ModelLocation, TextGenerator
from translate.errors import ModelNotAvailableError, TranslateError

log = logging.getLogger(__name__)

# What a PyTorch seq2seq checkpoint needs; never TF/Flax/Rust/ONNX copies of the weights.
_BASE_FILES = ["*.json", "*.spm", "*.model", "*.txt", "*.safetensors"]
_BIN_FILES = ["pytorch_model*.bin"]  # only for repositories without safetensors


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
        from translate.torch_backend import TorchSeq2Seq

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
