"""Test set-up: no network, a private Hugging Face home, tiny real checkpoints built once."""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
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
# The tiny models gain nothing from threads, and on a busy machine torch's threads spin
# against each other: one torch-backend run took 74 s with 2 threads, 15 s with one.
# (Set before torch is imported; subprocesses started by tests inherit it.)
os.environ.setdefault("OMP_NUM_THREADS", "1")
# The test models copy their input (a faithful "translation" is the German itself): the
# completeness check's rule against German left untranslated would flag every chunk. Off
# here and in every process the tests start; tests/test_fidelity_outside.py turns it on.
os.environ["TRANSLATE_CHECK_UNTRANSLATED"] = "0"

import pytest  # noqa: E402

from tests.checkpoints import build_bart, build_copy_marian  # noqa: E402

SEED_DOC = Path(__file__).parent.parent / "seeds" / "000_be3c723829fc6d8c.txt"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "translate-cache"))


_LOGGERS = ("", "translate", "transformers")
_LEVELS_AT_START = {name: logging.getLogger(name).level for name in _LOGGERS}


@pytest.fixture(autouse=True)
def _no_cli_logging():
    """The CLI run in this process sets up its logging (cli/logs.py: the root logger's
    handlers replaced by one that writes to the current stderr, our levels set), and a test
    after it would find its own log records in what it reads from stderr. Taken off before
    each test (a module's fixture may have run the CLI) and after it."""
    _drop_cli_logging()
    yield
    _drop_cli_logging()


def _drop_cli_logging() -> None:
    root = logging.getLogger()
    for handler in [h for h in root.handlers if type(h).__module__ == "translate.cli.logs"]:
        root.removeHandler(handler)
    for name, level in _LEVELS_AT_START.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> tuple[Path, Path]:
    """(MarianMT folder, BART folder), tokenizers trained on tests/data: a Marian built to copy
    its input (a faithful 'translation', so the completeness check passes unless a test breaks
    it) and a BART with random weights."""
    root = tmp_path_factory.mktemp("models")
    return build_copy_marian(root / "marian"), build_bart(root / "bart")


@pytest.fixture(scope="session")  # module-scoped servers take it too (tests/test_serve_*.py)
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


NOBODY = 65534  # the unprivileged user and group of Debian and most Linux systems


def as_unprivileged_user(action):
    """Call `action()` as a user without special rights; return what it raised, or None.

    Not root: in this process. Root (who writes through any permission bits): in a forked
    child that drops to `nobody` first, so permission checks are real there too. The child
    runs code already imported, so it needs no read access to the interpreter's files.
    """
    if os.geteuid() != 0:
        try:
            action()
        except Exception as exc:
            return exc
        return None
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        outcome = None
        try:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            action()
        except BaseException as exc:
            outcome = exc
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(pickle.dumps(outcome))
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


@contextmanager
def world_readable_dir():
    """A temporary folder that `nobody` can enter (pytest's tmp_path is private to root)."""
    with tempfile.TemporaryDirectory(prefix="translate-tests-") as folder:
        os.chmod(folder, 0o755)
        yield Path(folder)


@contextmanager
def read_only(folder: Path):
    """Make a folder unwritable, even for root (who ignores permission bits)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder read-only here (chattr +i refused)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
