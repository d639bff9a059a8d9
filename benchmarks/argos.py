"""Argos Translate, the real library, on the benchmark's opus-mt-de-en architecture.

The random-weight translation model is packaged as an Argos package at benchmark time (a
.argosmodel zip: metadata.json, model/ = its CTranslate2 int8 conversion, the model's
SentencePiece model as sentencepiece.model), installed with Argos's own
`package.install_from_path`, and every document is translated with
`argostranslate.translate.translate(text, "de", "en")`, one document at a time, with Argos's
default settings (beam 4, CTranslate2 batches of 32 tokens, compute type auto) and our
thread count.

Offline: Argos's default sentence splitter (MiniSBD) downloads an ONNX model on first use,
and its spaCy option downloads `xx_sent_ud_sm`. The package therefore carries a blank German
spaCy pipeline (`spacy.blank("de")`, shipped with spaCy), and ARGOS_CHUNK_TYPE=SPACY makes
Argos add spaCy's rule-based `sentencizer` to it: no download, and faster than MiniSBD.

Argostranslate installs a top-level `tests` package that hides this repo's tests/, so it
lives in its own virtual environment, which sees every package of the Python that makes it
(a `.pth` file links the current environment's site-packages: the same torch and
CTranslate2, whether the project is installed in a venv or in the system Python):

    python -m benchmarks.argos --install    # makes benchmarks/.cache/argos-venv
    python -m benchmarks.argos --install --dry-run    # the venv, and what pip would install

Random weights stop at random, so each of CTranslate2's own batches (Argos asks for batches
of 32 tokens, sorted by length) is decoded to its longest source's length plus the end
token: the same rule as every other variant (output tokens = input tokens).
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from benchmarks.common import CACHE

VENV = CACHE / "argos-venv"
REQUIREMENT = "argostranslate>=1.11,<2"
# Installing Argos must leave these as they are (it depends on torch through stanza).
PROTECTED = ("torch", "transformers", "ctranslate2", "tokenizers")
LINK = "translate-bench-link.pth"  # in the venv: the current environment's site-packages


# --- in the runner's environment -------------------------------------------------------------


def interpreter() -> str | None:
    """A Python that can import argostranslate: its own venv, else the current one."""
    for python in (venv_python(VENV), Path(sys.executable)):
        if python.is_file() and _has_argos(python):
            return str(python)
    return None


def _has_argos(python: Path) -> bool:
    probe = (
        "import importlib.util, sys; sys.exit(importlib.util.find_spec('argostranslate') is None)"
    )
    return subprocess.run([str(python), "-c", probe], capture_output=True).returncode == 0


def site_dirs() -> list[str]:
    """The site-packages folders this interpreter imports from, in its order: a venv's own
    (and its base's, when the venv was made with system site-packages), or the system
    Python's and the user's."""
    candidates = set(site.getsitepackages())
    if site.ENABLE_USER_SITE:
        candidates.add(site.getusersitepackages())
    known = {os.path.realpath(c) for c in candidates}
    found: dict[str, str] = {}  # real path: the entry as sys.path spells it, first one kept
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if real in known and real not in found and os.path.isdir(entry):
            found[real] = entry
    return list(found.values())


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def linked_venv(venv: Path) -> str:
    """A venv at `venv` (made if missing) that sees every package the current interpreter
    sees, after its own; returns its Python.

    `python -m venv --system-site-packages` is not that: a venv is always made from the base
    interpreter, so from inside a project venv it would see the base Python's packages, not
    the project venv's torch and CTranslate2, and pip would plan to install them again. A
    `.pth` file in the new venv's site-packages adds the current environment's site-packages
    folders instead (with `site.addsitedir`, so their own `.pth` files, editable installs
    among them, work there too). pip reads installed packages from the whole `sys.path`, so
    it counts them as installed, and leaves them where they are."""
    python = venv_python(venv)
    if not python.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lines = [f"import site; site.addsitedir({folder!r})" for folder in site_dirs()]
    (Path(purelib) / LINK).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(python)


def install_into(
    venv: Path, requirements: list[str], protected=PROTECTED, dry_run: bool = False
) -> list[str]:
    """pip install `requirements` into a linked venv (linked_venv), refusing if pip would
    install any of `protected` there (a second torch or CTranslate2 would shadow the
    project's). Returns the names pip installs (or would, with `dry_run`)."""
    python = linked_venv(venv)
    report = subprocess.run(
        [python, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-", *requirements],
        capture_output=True,
        text=True,
    )
    if report.returncode != 0:
        raise SystemExit(f"pip could not resolve {' '.join(requirements)}:\n{report.stderr}")
    planned = sorted(i["metadata"]["name"].lower() for i in json.loads(report.stdout)["install"])
    clash = sorted(set(planned) & set(protected))
    if clash:
        raise SystemExit(
            f"installing {' '.join(requirements)} would replace {', '.join(clash)}: not done"
        )
    if not dry_run:
        subprocess.run([python, "-m", "pip", "install", "--quiet", *requirements], check=True)
    return planned


def install(dry_run: bool = False) -> None:
    """Make benchmarks/.cache/argos-venv with argostranslate, refusing to change torch & co."""
    planned = install_into(VENV, [REQUIREMENT], dry_run=dry_run)
    if dry_run:
        print(f"{VENV}: made; pip would install {', '.join(planned) or 'nothing'}")
        print("PLANNED " + json.dumps(planned))
    else:
        print(f"argostranslate installed in {VENV}")


# --- in Argos's environment -----------------------------------------------------------------


LANGUAGES = {"de": "German", "en": "English"}


def build_package(
    model_dir: Path, spm: Path, work: Path, from_code: str = "de", to_code: str = "en"
) -> Path:
    """An .argosmodel zip of the converted model, as Argos's own packages are laid out.

    LibreTranslate (benchmarks/serve_sides.py) also gets an en->de package of the same model:
    with two packages installed it starts without updating its model index."""
    import spacy

    name = f"translate-{from_code}_{to_code}-benchmark"
    root = work / name
    shutil.copytree(model_dir, root / "model")
    shutil.copy2(spm, root / "sentencepiece.model")
    spacy.blank(from_code).to_disk(root / "spacy")  # rule-based sentence splitting, no download
    metadata = {
        "package_version": "1.0",
        "argos_version": "1.11",
        "from_code": from_code,
        "from_name": LANGUAGES[from_code],
        "to_code": to_code,
        "to_name": LANGUAGES[to_code],
        "type": "translate",
        "links": [],
    }
    (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    archive = work / f"{name}.argosmodel"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:
        for file in sorted(root.rglob("*")):
            zipped.write(file, file.relative_to(work))
    return archive


def _ct2_batches(lengths: list[int], max_batch_size: int, batch_type: str) -> list[list[int]]:
    """CTranslate2's own rebatching (batch_reader.cc): longest first, then greedy batches
    whose size (examples, or the sum of source tokens) stays within max_batch_size."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    if not max_batch_size:
        return [order] if order else []
    batches: list[list[int]] = []
    size = 0
    for index in order:
        step = lengths[index] if batch_type == "tokens" else 1
        if batches and size + step <= max_batch_size:
            batches[-1].append(index)
            size += step
        else:
            batches.append([index])
            size = step
    return batches


class ForcedLengthTranslator:
    """ctranslate2.Translator as Argos creates it; each of CTranslate2's own batches decodes
    exactly as many tokens as its longest source (plus the end token)."""

    def __init__(self, *args, **kwargs):
        import ctranslate2

        self._inner = ctranslate2.Translator(*args, **kwargs)
        self.seconds = 0.0
        self.sentences = 0
        self.tokens = 0
        self.batches = 0
        self.options: dict = {}

    def translate_batch(self, source, target_prefix=None, **options):
        started = time.perf_counter()
        self.options = {k: v for k, v in options.items() if not callable(v)}
        results = [None] * len(source)
        lengths = [len(s) for s in source]
        groups = _ct2_batches(
            lengths, options.get("max_batch_size", 0), options.get("batch_type", "examples")
        )
        for group in groups:
            forced = max(lengths[i] for i in group) + 1
            out = self._inner.translate_batch(
                [source[i] for i in group],
                target_prefix=[target_prefix[i] for i in group] if target_prefix else None,
                min_decoding_length=forced,
                max_decoding_length=forced,
                **options,
            )
            for index, result in zip(group, out):
                results[index] = result
        self.seconds += time.perf_counter() - started
        self.sentences += len(source)
        self.tokens += sum(lengths)
        self.batches += len(groups)
        return results


def offline_environment(home_dir: Path, threads: int) -> None:
    """Argos's settings, which it reads from the environment at import (and makes folders
    there): everything under `home_dir`, spaCy's rule-based sentences (MiniSBD would
    download its model), the CPU and `threads` threads."""
    os.environ.update(
        XDG_DATA_HOME=str(home_dir / "data"),
        XDG_CONFIG_HOME=str(home_dir / "config"),
        XDG_CACHE_HOME=str(home_dir / "cache"),
        ARGOS_PACKAGES_DIR=str(home_dir / "packages"),
        ARGOS_CHUNK_TYPE="SPACY",
        ARGOS_DEVICE_TYPE="cpu",
        ARGOS_INTRA_THREADS=str(threads),
    )


def run(model_dir: str, spm: str, home: str, threads: int, documents: list[str]) -> None:
    started = time.perf_counter()
    home_dir = Path(home)
    offline_environment(home_dir, threads)
    archive = build_package(Path(model_dir), Path(spm), home_dir / "build")
    package_seconds = time.perf_counter() - started
    # Argos's spaCy mode looks for a cached multilingual model at import and downloads it if
    # missing; the blank German pipeline stands there too (the packaged one is what it uses).
    cached = home_dir / "cache" / "argos-translate" / "spacy"
    shutil.copytree(home_dir / "build" / "translate-de_en-benchmark" / "spacy", cached)
    (cached / "senter" / "model").mkdir(parents=True)

    from argostranslate import package, settings
    from argostranslate import translate as argos

    package.install_from_path(archive)
    shim = {}

    def make_translator(*args, **kwargs):
        shim["translator"] = ForcedLengthTranslator(*args, **kwargs)
        return shim["translator"]

    argos.ctranslate2 = type("ctranslate2", (), {"Translator": staticmethod(make_translator)})
    translation = argos.get_translation_from_codes("de", "en")
    translation.translate("")  # loads the CTranslate2 model (lazily made by Argos)
    load_seconds = time.perf_counter() - started

    from benchmarks.common import Stage, emit

    stage = Stage()
    for document in documents:
        text = Path(document).read_text(encoding="utf-8")
        stage.timed(argos.translate, text, "de", "en")
        stage.items += 1
    translator = shim["translator"]
    emit(
        {
            "variant": "argos",
            "documents": len(documents),
            "load_seconds": load_seconds,
            "package_seconds": package_seconds,
            "run_seconds": stage.seconds,
            "translation": stage.as_dict(),
            "engine_seconds": translator.seconds,
            "sentences": translator.sentences,
            "argos_tokens": translator.tokens,
            "engine_batches": translator.batches,
            "num_beams": translator.options.get("beam_size"),
            "argos_options": {k: v for k, v in translator.options.items()},
            "threads": settings.intra_threads,
            "compute_type": settings.compute_type,
            "sentence_splitter": "spaCy rule-based sentencizer on spacy.blank('de')",
            "version": _version("argostranslate"),
        }
    )


def _version(name: str) -> str:
    from importlib import metadata

    return metadata.version(name)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        usage="%(prog)s --install | MODEL_DIR SPM HOME THREADS DOC...  (the runner calls it)",
    )
    parser.add_argument("--install", action="store_true", help=f"make {VENV} with Argos")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="with --install: make the venv, and say what pip would install into it",
    )
    parser.add_argument("model_dir", nargs="?", help="the model's CTranslate2 int8 conversion")
    parser.add_argument("spm", nargs="?", help="its SentencePiece model")
    parser.add_argument("home", nargs="?", help="a folder for Argos's data, settings, cache")
    parser.add_argument("threads", nargs="?", type=int, help="CTranslate2's threads")
    parser.add_argument("documents", nargs="*", help="the documents to translate")
    args = parser.parse_args(argv)
    if args.install:
        install(dry_run=args.dry_run)
    elif args.threads is None:
        parser.error("give --install, or MODEL_DIR SPM HOME THREADS DOC...")
    else:
        run(args.model_dir, args.spm, args.home, args.threads, args.documents)


if __name__ == "__main__":
    main()
