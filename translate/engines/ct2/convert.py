"""Converting a checkpoint for CTranslate2, and the cache the converted copies live in.

Owns what is decided before the engine loads: whether CTranslate2 is installed, which compute
type `--quantize` means on a device and how its weights are stored, and the converted folder
(`default_cache_dir() / "ct2" / <model>-<revision>-<storage>`), made once, atomically, and
reused afterwards. The cache is checked up front so a run fails before any document is read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import tempfile
import time
from pathlib import Path

from translate.config import ENV_CACHE, default_cache_dir
from translate.engines.common import ModelLocation
from translate.errors import ConfigError, ModelNotAvailableError, TranslateError
from translate.progress import Progress
from translate.units import human_size

log = logging.getLogger(__name__)

INSTALL_HINT = "--backend ctranslate2 needs CTranslate2: pip install ctranslate2"

# `--quantize` (none | int8) → CTranslate2 compute type, per device. CTranslate2 has no fast
# float32 path worth choosing on CPU (int8 is its design point, ~4x smaller, faster), so
# "none" still means int8 there; on a GPU "none" means float16 and "int8" int8 weights with
# float16 activations.
_COMPUTE_TYPES = {
    ("cpu", "none"): "int8",
    ("cpu", "int8"): "int8",
    ("cuda", "none"): "float16",
    ("cuda", "int8"): "int8_float16",
}
# How the converted weights are stored for each compute type (what the cache folder holds).
STORAGE = {"int8": "int8", "int8_float16": "int8", "float16": "float16", "float32": "float32"}
# Leftovers of conversions killed outright (SIGKILL, power loss) are removed after this long.
_STALE_TMP_SECONDS = 24 * 3600  # unfinished conversions, and damaged ones set aside
# Written last into a converted folder: each file's size and hash. A folder whose files do
# not match it (cut short, emptied, overwritten, a file lost) is set aside and converted
# again, never trusted as it is.
MANIFEST = "translate-manifest.json"
_ASIDE_PREFIX = ".damaged-"


def import_ctranslate2():
    try:
        import ctranslate2
    except ImportError:
        raise TranslateError(INSTALL_HINT) from None
    return ctranslate2


def compute_type_for(device: str, quantize: str) -> str:
    """The CTranslate2 compute type for our `--quantize` value on `device` (cpu or cuda)."""
    if quantize in STORAGE:  # an explicit CTranslate2 compute type, e.g. from a test
        return quantize
    try:
        return _COMPUTE_TYPES[(device, quantize)]
    except KeyError:
        raise TranslateError(
            f"--quantize {quantize!r} is not supported: use none or int8"
        ) from None


def converted_dir(location: ModelLocation, storage: str) -> Path:
    """Where the converted copy of `location` with `storage` weights lives in the cache."""
    if location.revision.startswith("local-"):
        # A folder: its name plus a hash of where it is (the revision covers its content).
        where = hashlib.sha256(str(location.path).encode()).hexdigest()[:8]
        name = f"{location.path.name}-{where}"
    else:
        name = location.name
    safe = re.sub(r"[^A-Za-z0-9._-]+", "--", name).strip("-.")[-80:] or "model"
    return default_cache_dir() / "ct2" / f"{safe}-{location.revision[:16]}-{storage}"


def ensure_converted(
    location: ModelLocation, storage: str, progress: Progress | None = None
) -> Path:
    """The converted model folder for `location`, converting it first if it is not cached.

    The conversion writes into a temporary folder next to the final one and renames it into
    place, so the final folder exists only when complete; an interruption leaves nothing. A
    cached folder that its manifest shows damaged is set aside and converted again.
    """
    ctranslate2 = import_ctranslate2()
    target = converted_dir(location, storage)
    if target.is_dir():
        why = damage(target)
        if why is None:
            return target
        _set_aside(target, why)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(target.parent)
        work = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
    except OSError as exc:  # the whole run needs the cache: one run-wide error, not one per file
        raise cache_error(target.parent, exc) from None
    started = time.perf_counter()
    log.info("converting %s for CTranslate2 (%s) into %s", location.name, storage, target)
    try:
        if progress is not None:
            size = human_size(_weights_size(location.path))
            progress.phase(
                "convert",
                f"converting {location.name} ({size}) for CTranslate2, once: it is kept in "
                f"{target.parent}",
            )
        source = _patched_source(location.path, work / "source")
        out = work / "model"
        _convert(ctranslate2, source, out, storage)
        _write_manifest(out)  # last: a folder with a manifest that agrees is whole
        try:
            out.rename(target)
        except OSError:  # another process finished the same conversion first: use theirs
            if not (target.is_dir() and damage(target) is None):
                raise
    except TranslateError:
        raise
    except Exception as exc:
        log.debug("converting %s failed", location.name, exc_info=True)  # shown with --verbose
        raise ModelNotAvailableError(
            f"model {location.name!r} at {location.path} could not be converted for "
            f"CTranslate2: {type(exc).__name__}: {(str(exc).strip() or '-').splitlines()[0]}"
        ) from None
    finally:  # also on Ctrl-C: nothing half-made stays behind
        shutil.rmtree(work, ignore_errors=True)
    log.info("converted %s in %.1f s", location.name, time.perf_counter() - started)
    return target


def damage(folder: Path) -> str | None:
    """What is wrong with a converted model folder, in words; None when it is whole: every
    file its manifest lists is there with the size and hash it had when converted."""
    try:
        files = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
        expected = {name: (int(f["bytes"]), str(f["sha256"])) for name, f in files.items()}
    except FileNotFoundError:
        return "it has no manifest: made by an older translate, or never finished"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return "its manifest cannot be read"
    for name, (size, sha256) in expected.items():
        path = folder / name
        try:
            if path.stat().st_size != size:
                return f"{name} has {path.stat().st_size:,} bytes, not {size:,}"
            if _sha256(path) != sha256:
                return f"{name} is not what was converted"
        except OSError:
            return f"{name} is missing or unreadable"
    return None


def _write_manifest(folder: Path) -> None:
    files = {
        f.name: {"bytes": f.stat().st_size, "sha256": _sha256(f)}
        for f in sorted(folder.iterdir())
        if f.is_file()
    }
    (folder / MANIFEST).write_text(json.dumps({"files": files}, indent=1), encoding="utf-8")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _set_aside(target: Path, why: str) -> None:
    """Move a damaged converted model out of the way (kept a day, to look at) and say so."""
    aside = target.parent / f"{_ASIDE_PREFIX}{target.name}-{int(time.time())}"
    try:
        target.rename(aside)
    except FileNotFoundError:  # another process set it aside first
        return
    except OSError as exc:
        raise cache_error(target.parent, exc) from None
    log.warning(
        "the converted model in %s is damaged (%s); it was set aside as %s and is converted "
        "again",
        target,
        why,
        aside.name,
    )


def _convert(ctranslate2, source: Path, out: Path, storage: str) -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    converter = ctranslate2.converters.TransformersConverter(str(source), low_cpu_mem_usage=True)
    converter.convert(str(out), quantization=storage)


def _patched_source(model_dir: Path, work: Path) -> Path:
    """The model folder as the converter needs it.

    Configs saved by transformers >= 5 leave out `normalize_before`, which the converter's
    BART loader reads; BART in transformers is post-norm, so the value is False. When it is
    missing, a folder of links to the files with a patched config.json is returned.
    """
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bart" or "normalize_before" in config:
        return model_dir
    work.mkdir(parents=True)
    for file in model_dir.iterdir():
        if file.name == "config.json" or not file.is_file():
            continue
        try:
            (work / file.name).symlink_to(file.resolve())
        except OSError:  # no symlinks (Windows without developer mode): copy
            shutil.copy2(file, work / file.name)
    config["normalize_before"] = False
    (work / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return work


def _weights_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.suffix in (".safetensors", ".bin"))


def check_cache_dir() -> None:
    """Refuse, before any document is read, a model cache that is a file or cannot be made.

    (One that exists but is read-only is fine as long as the models are converted already.)
    """
    folder = default_cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cache_error(folder, exc) from None


def cache_error(folder: Path, exc: OSError) -> ConfigError:
    why = exc.strerror or str(exc)
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        why = "a file is in the way of that folder"
    return ConfigError(
        f"cannot use {folder} as the cache for converted models ({why}); set {ENV_CACHE} "
        "to a folder you can write, or use --backend torch"
    )


def _remove_stale_temporaries(folder: Path) -> None:
    now = time.time()
    for leftover in [*folder.glob(".tmp-*"), *folder.glob(f"{_ASIDE_PREFIX}*")]:
        try:
            if now - leftover.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass
