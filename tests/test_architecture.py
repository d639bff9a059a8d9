"""The layout keeps its shape: imports run one way (the contract in pyproject.toml, checked by
import-linter), and units stay short enough to read (docs/architecture.md)."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "translate"
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 80
LINT_IMPORTS = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                "lint_imports_command()"]


def _lint_imports(project: Path) -> subprocess.CompletedProcess:
    # PYTHONPATH first: the copy's package is analysed, not the installed one.
    env = {**os.environ, "PYTHONPATH": str(project), "NO_COLOR": "1"}
    return subprocess.run(
        [*LINT_IMPORTS, "--config", str(project / "pyproject.toml"), "--no-cache"],
        cwd=project, env=env, capture_output=True, text=True, timeout=120,
    )


def test_imports_run_from_the_face_to_the_flow_to_the_layers():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        ("text/blocks.py", "from translate.flow import run"),  # a layer importing the flow
        ("outputs/naming.py", "from translate.inputs import files"),  # outputs reading inputs
        ("engines/models.py", "import translate.inputs.discovery"),  # siblings stay apart
        ("store/db.py", "from translate.flow import stored"),  # the store beside the engines
        ("text/segment.py", "from translate.store import keys"),  # text below the store
        ("flow/run.py", "from translate.cli import report"),  # the flow importing the face
        ("config.py", "from translate.text import segment"),  # shared code importing a layer
    ],
)
def test_the_contract_breaks_on_an_upward_import(tmp_path, module, upward):
    shutil.copytree(PACKAGE, tmp_path / "translate", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "translate" / module
    # Inside a function, as the lazy imports are: those count too.
    target.write_text(target.read_text() + f"\n\ndef _upward():\n    {upward}\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_is_longer_than_a_reader_takes_in():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_function_is_longer_than_a_screen():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = lines
    assert long == {}


def test_the_public_entry_points_survive_the_layout():
    code = (
        "import sys, translate\n"
        "from translate import RunOptions, process_paths\n"
        "from translate.flow.run import run_all\n"
        "assert process_paths is run_all and RunOptions().recursive is False\n"
        "assert 'torch' not in sys.modules  # `import translate` stays light\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    for command in ([sys.executable, "-m", "translate", "--version"], ["translate", "--version"]):
        shown = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
        assert shown.stdout.startswith("translate ")


def _deptry(project: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "deptry", ".", "--no-ansi"]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)


def test_declared_and_imported_dependencies_agree(tmp_path):
    result = _deptry(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    # It catches a dependency declared and never imported (tqdm was one), in a copy.
    for name in ("translate", "pyproject.toml"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, tmp_path / name)
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(text.replace('"typer>=', '"tqdm>=4.66",\n    "typer>='), "utf-8")
    broken = _deptry(tmp_path)
    assert broken.returncode == 1 and "DEP002 'tqdm' defined as a dependency but not used" in (
        broken.stdout + broken.stderr
    )


def test_every_format_library_imported_by_name_is_declared():
    """deptry cannot see `require("docx", "python-docx", ...)`: each package it names must
    be a dependency or in an extra (pyproject's DEP002 list lets deptry pass them)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(d) for d in project["dependencies"]}
    declared |= {_name(d) for extra in project["optional-dependencies"].values() for d in extra}
    required = set()
    for path in (PACKAGE / "inputs" / "extract").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require":
                required.add(node.args[1].value)
    assert required >= {"python-docx", "pypdfium2", "trafilatura", "odfdo", "striprtf"}
    assert required <= declared


def _name(requirement: str) -> str:
    return re.split(r"[<>=\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
