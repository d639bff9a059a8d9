"""`python -m benchmarks.argos --install` (docs/benchmarks.md) from a project venv and from
the interpreter that runs the tests.

The bug (issue 32): Argos's venv was made from the base interpreter with system
site-packages, so from a project venv it saw the base Python's packages, not the project's
torch and CTranslate2: pip planned them again and the install refused ("would replace
ctranslate2, torch"), or, where the base Python had a torch of its own, Argos ran on that one.

The project venv here is a fresh `python -m venv` holding stand-ins for torch and
CTranslate2 (their names and versions, a marker module; no base site-packages), so the test
takes seconds of copying instead of a 200 MB torch. The install runs for real in it: a venv
for Argos, then pip, from the package index, into it. Skipped, saying so, where the index
cannot be reached.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROTECTED = ("torch", "ctranslate2")
PROBE = (
    "import importlib.metadata as m, importlib.util as u, json; "
    "print(json.dumps({n: [m.version(n), u.find_spec(n).origin, "
    "str(m.distribution(n).locate_file(''))] for n in ('torch', 'ctranslate2')}))"
)


def _reachable(tmp_path: Path) -> None:
    """Skip unless pip can fetch argostranslate's metadata from the index (30 s at most)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--timeout", "15",
             "--dest", str(tmp_path / "probe"), "argostranslate>=1.11,<2"],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip("the package index did not answer within 30 s (pip download argostranslate)")
    if done.returncode != 0:
        pytest.skip(f"the package index cannot be reached: {done.stderr.strip()[-300:]}")


def _project_venv(folder: Path) -> Path:
    """A fresh venv, no system site-packages, with stand-ins for torch and CTranslate2 at the
    versions installed here (Argos's requirements accept them); returns its Python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True,
                   timeout=60)  # fmt: skip
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.strip()  # fmt: skip
    for name in PROTECTED:
        version = metadata.version(name)
        (Path(purelib) / name).mkdir()
        (Path(purelib) / name / "__init__.py").write_text("PROJECT_VENV_STAND_IN = True\n")
        info = Path(purelib) / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (info / "RECORD").write_text("")
        (info / "INSTALLER").write_text("pip\n")
    return python


def _install(python: Path, cache: Path, *extra: str, timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "TRANSLATE_BENCH_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(
            [str(python), "-m", "benchmarks.argos", "--install", *extra],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"--install still running after {timeout} s: {exc.stderr!r:.2000}")
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-1000:]
    return done


def _seen_from(argos_python: Path) -> dict:
    out = subprocess.run([str(argos_python), "-c", PROBE], capture_output=True, text=True,
                         timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_install_from_a_venv(tmp_path):
    """The full install, run by a project venv's Python: Argos's venv uses that venv's torch
    and CTranslate2 (not the base Python's, not new copies), and holds argostranslate."""
    _reachable(tmp_path)
    project = tmp_path / "project-venv"
    python = _project_venv(project)
    cache = tmp_path / "cache"
    done = _install(python, cache, timeout=240)
    assert "argostranslate installed in" in done.stdout
    argos_python = cache / "argos-venv" / "bin" / "python"
    own = Path(
        subprocess.run([str(argos_python), "-c", "import sysconfig; print(sysconfig.get_path("
                        "'purelib'))"], capture_output=True, text=True, check=True,
                       timeout=30).stdout.strip()
    )  # fmt: skip
    for name, (version, origin, location) in _seen_from(argos_python).items():
        assert version == metadata.version(name)
        assert Path(origin).is_relative_to(project), (name, origin)  # the project venv's
        assert Path(location).is_relative_to(project), (name, location)
        assert not list(own.glob(f"{name}-*.dist-info")), f"{name} installed again"
    installed = subprocess.run(
        [str(argos_python), "-c", "import importlib.metadata as m; print(m.version("
         "'argostranslate'))"], capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert installed.returncode == 0 and installed.stdout.startswith("1."), installed.stderr
    assert (own / "argostranslate").is_dir()
    # The runner finds it there (benchmarks/argos.py's interpreter()).
    env = {**os.environ, "TRANSLATE_BENCH_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    found = subprocess.run(
        [sys.executable, "-c", "from benchmarks import argos; print(argos.interpreter())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert found.stdout.strip() == str(argos_python), found.stderr


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_install_plan_from_this_interpreter(tmp_path):
    """From the Python that runs the tests (a system Python or a venv): the venv is made, sees
    this interpreter's torch and CTranslate2, and pip would install neither."""
    _reachable(tmp_path)
    cache = tmp_path / "cache"
    done = _install(Path(sys.executable), cache, "--dry-run", timeout=150)
    [line] = [x for x in done.stdout.splitlines() if x.startswith("PLANNED ")]
    planned = json.loads(line[len("PLANNED ") :])
    assert "argostranslate" in planned
    assert not set(planned) & {"torch", "ctranslate2", "transformers", "tokenizers"}
    here = {name: metadata.distribution(name) for name in PROTECTED}
    seen = _seen_from(cache / "argos-venv" / "bin" / "python")
    for name, (version, _origin, location) in seen.items():
        assert version == here[name].version
        assert Path(location).resolve() == Path(str(here[name].locate_file(""))).resolve()
