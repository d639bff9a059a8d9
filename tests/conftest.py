"""Test set-up: no network, a private Hugging Face home, tiny real checkpoints built once."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# Before anything imports huggingface_hub (it reads these at import): an accidental download
# fails at once instead of hanging, and no test touches the user's own cache.
_HF_HOME = tempfile.mkdtemp(prefix="translate-tests-hf-")
atexit.register(shutil.rmtree, _HF_HOME, ignore_errors=True)  # leave no temp folder behind
os.environ["HF_HOME"] = _HF_HOME
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.pop("HF_HUB_CACHE", None)
os.environ.pop("TRANSLATE_MT_MODEL", None)
os.environ.pop("TRANSLATE_SUMMARY_MODEL", None)
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402

from tests.checkpoints import build_bart, build_copy_marian  # noqa: E402

SEED_DOC = Path(__file__).parent.parent / "seeds" / "000_be3c723829fc6d8c.txt"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "translate-cache"))


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> tuple[Path, Path]:
    """(MarianMT folder, BART folder), tokenizers trained on tests/data: a Marian built to copy
    its input (a faithful 'translation', so the completeness check passes unless a test breaks
    it) and a BART with random weights."""
    root = tmp_path_factory.mktemp("models")
    return build_copy_marian(root / "marian"), build_bart(root / "bart")


@pytest.fixture
def model_args(tiny_models) -> list[str]:
    marian, bart = tiny_models
    return ["--mt-model", str(marian), "--summary-model", str(bart)]


@pytest.fixture
def deep_tree():
    """`make(parent, depth)`: a chain of folders `d/d/.../d`, returning the deepest.

    Removed again at teardown: shutil.rmtree (and so pytest's own clean-up) recurses and
    fails on a tree a thousand levels deep.
    """
    made: list[tuple[str, int]] = []

    def make(parent: Path, depth: int) -> Path:
        folder = str(parent)
        for _ in range(depth):  # os.makedirs recurses too
            folder = os.path.join(folder, "d")
            os.mkdir(folder)
        made.append((folder, depth))
        return Path(folder)

    yield make
    for folder, depth in made:
        top = folder.removesuffix("/d" * depth) + "/d"
        subprocess.run(["rm", "-rf", "--", top], check=True)  # GNU rm walks without a call stack
