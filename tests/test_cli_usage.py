"""The command line before any model runs: option values, help, messages, empty folders.

Fast: none of these loads a model (a bad value must be refused before anything is read).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.flow.job import decide_language

runner = CliRunner()
FRENCH = (
    "Le président a déclaré lundi à Berlin que le gouvernement agirait bientôt. Les loyers ont "
    "fortement augmenté dans les grandes villes au cours des dix dernières années.\n"
)


def invoke(*args: str, **kwargs):
    return runner.invoke(app, list(args), catch_exceptions=False, prog_name="translate", **kwargs)


@pytest.fixture
def doc(tmp_path) -> Path:
    path = tmp_path / "brief.txt"
    path.write_text("Der Präsident sagte am Montag in Berlin, dass die Regierung handeln werde.\n")
    return path


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--beams", "-3", "1 to 32"),
        ("--beams", "0", "1 to 32"),
        ("--threads", "-2", f"1 to {os.cpu_count()}"),
        ("--batch-tokens", "0", "1 to 65,536"),
        ("--chunk-tokens", "0", "1 to 4,096"),
        ("--max-input-mb", "-1", "above 0"),
        ("--max-input-mb", "nan", "above 0"),
        ("--max-input-mb", "inf", "above 0"),
        ("--source-lang", "fr", "'de', 'en'"),
        ("--device", "tpu", "'auto', 'cpu', 'cuda', 'mps'"),
        ("--backend", "onnx", "'auto', 'torch', 'ctranslate2'"),
    ],
)
def test_a_bad_option_value_is_one_line_naming_option_and_range(doc, option, value, allowed):
    result = invoke("run", str(doc), option, value, "--mt-model", "x-org/not-even-looked-up")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and option in line and value in line and allowed in line
    assert "Value error" not in line and "Traceback" not in line
    assert result.stdout == ""
    assert sorted(p.name for p in doc.parent.iterdir()) == ["brief.txt"]


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--ray-translators", "0", "1 to 10,000"),
        ("--ray-summarizers", "-1", "1 to 10,000"),
        ("--ray-summarizers", "10001", "1 to 10,000"),
        ("--ray-io", "nfs", "'auto', 'shared', 'driver'"),
        ("--ray", "head", "host:port"),
        ("--ray", "http://head:8265", "ray://host:port"),
        ("--ray", "head:70000", "host:port"),
    ],
)
def test_a_bad_ray_option_value_is_refused_before_ray_is_asked(
    doc, option, value, allowed, monkeypatch
):
    monkeypatch.setitem(sys.modules, "ray", None)  # refused before Ray would be imported
    result = invoke("run", str(doc), "--ray", "local", option, value)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and option in line and value in line and allowed in line
    assert sorted(p.name for p in doc.parent.iterdir()) == ["brief.txt"]


@pytest.mark.parametrize(
    ("option", "value"),
    [("--ray-translators", "2"), ("--ray-summarizers", "1"), ("--ray-io", "driver")],
)
def test_a_ray_option_without_ray_is_a_usage_error(doc, option, value):
    result = invoke("run", str(doc), option, value, "--mt-model", "x-org/not-even-looked-up")
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line == (
        f"error: invalid value for '{option}': {option} works only with --ray ADDRESS "
        "(see 'translate run --help')"
    )
    assert sorted(p.name for p in doc.parent.iterdir()) == ["brief.txt"]


def test_usage_errors_exit_2_with_one_line(tmp_path):
    missing = invoke("run")
    assert missing.exit_code == 2 and len(missing.stderr.splitlines()) == 1
    assert "PATHS" in missing.stderr
    a_file = tmp_path / "out.txt"
    a_file.write_text("")
    not_a_folder = invoke("run", str(tmp_path), "--output-dir", str(a_file))
    assert not_a_folder.exit_code == 2 and len(not_a_folder.stderr.splitlines()) == 1
    assert "--output-dir" in not_a_folder.stderr and "not a folder" in not_a_folder.stderr


def test_a_cache_that_is_a_file_is_one_usage_error_before_any_document(
    tmp_path, doc, model_args, monkeypatch
):
    blocker = tmp_path / "cache-file"
    blocker.write_text("")
    monkeypatch.setenv("TRANSLATE_CACHE", str(blocker / "sub"))
    (doc.parent / "leer.txt").write_bytes(b"")  # would be refused, if any document were read
    result = invoke("run", str(doc.parent), *model_args, "--json")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "TRANSLATE_CACHE" in line and str(blocker) in line
    report = json.loads(result.stdout)
    assert report["exit_status"] == 2 and report["error"]["kind"] == "usage"
    assert report["documents"] == [] and report["not_done"] == 2


def test_a_missing_gpu_is_a_run_level_error_in_the_json_report(doc, model_args):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    result = invoke("run", str(doc), *model_args, "--device", "cuda", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["exit_status"] == 1 and report["error"]["kind"] == "device_not_available"
    assert "--device cuda" in report["error"]["message"]


def test_help_reads_like_a_man_page():
    usage = invoke("run", "--help").stdout
    assert "Usage: translate run [OPTIONS] PATHS..." in usage
    assert "<list" not in usage and "<str>" not in usage and "<int" not in usage
    assert "physical core" in usage and "int8 on CPU" in usage  # what the default engine does
    top = invoke("--help").stdout
    assert "..." not in top.split("Commands:")[1]  # command summaries not cut off
    models_alone = invoke("models")
    assert "Usage: translate models" in models_alone.output
    assert "list" in models_alone.output and "download" in models_alone.output
    assert "..." not in invoke("models", "--help").stdout.split("Commands:")[1]


def test_an_empty_folder_says_what_was_looked_for(tmp_path):
    folder = tmp_path / "inbox"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "brief.txt").write_text("Hallo")
    (folder / "scan.png").write_bytes(b"\x89PNG\r\n")  # not a document type
    result = invoke("run", str(folder))
    assert result.exit_code == 0
    assert f"warning: no documents found in {folder} (looked for *.txt, *.md" in result.stderr
    assert "; use --recursive for sub-folders)" in result.stderr
    report = json.loads(invoke("run", str(folder), "--json").stdout)
    assert report["exit_status"] == 0 and len(report["warnings"]) == 1
    assert invoke("run", str(folder), "-q").stderr == ""  # -q: errors only


def test_quiet_prints_only_errors(tmp_path, model_args):
    (tmp_path / "leer.txt").write_bytes(b"")
    result = invoke("run", str(tmp_path), *model_args, "-q")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'leer.txt'}: the file is empty"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (FRENCH, "looks like French (fr), not German"),
        ("zxx\n", "too little text to identify its language"),
        ("a", "too little text to identify its language"),
        ("12 345 678 90 / 17.03.2024 - 09:15 " * 5, "too little text to identify its language"),
    ],
)
def test_language_refusals_name_the_language_in_words(text, words):
    from translate.errors import UnsupportedLanguageError

    with pytest.raises(UnsupportedLanguageError) as refused:
        decide_language(Path("x.txt"), text, None)
    assert words in str(refused.value) and "--source-lang de" in str(refused.value)
    assert decide_language(Path("x.txt"), text, "de")[0] == "de"  # forcing still works


def test_an_unreachable_hub_is_one_clear_reason(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    env["HF_ENDPOINT"] = "http://127.0.0.1:9"  # nothing listens there: refused at once
    result = subprocess.run(
        [sys.executable, "-m", "translate", "models", "download", "--mt-model", "x-org/absent"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "x-org/absent" in errors[0] and "the hub could not be reached" in errors[0]
    assert "translate models download" not in errors[0]  # not what just failed
    assert "specified revision" not in result.stderr


def test_an_unwritable_cache_is_one_run_level_error(tmp_path, doc, model_args, monkeypatch):
    from tests.test_robustness import read_only

    cache = tmp_path / "shared-cache"
    cache.mkdir()
    monkeypatch.setenv("TRANSLATE_CACHE", str(cache))
    with read_only(cache):  # a conversion is needed, and cannot be written there
        result = invoke("run", str(doc), *model_args, "--json")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert str(cache) in line and "TRANSLATE_CACHE" in line
    report = json.loads(result.stdout)
    assert report["error"]["kind"] == "usage" and report["documents"] == []
    assert sorted(p.name for p in doc.parent.iterdir()) == sorted(["brief.txt", "shared-cache"])


def test_a_signal_a_finalizer_swallowed_still_stops_the_run(tmp_path, monkeypatch):
    """Python drops an exception raised while a finalizer runs: Ctrl-C landing there must not
    be lost (the run would go on to the end and exit 0)."""
    import signal

    from translate.cli.report import EXIT_SIGINT, Reporter, on_signal
    from translate.config import DigestOptions, RunOptions
    from translate.flow.job import DocumentResult

    for i in range(3):
        (tmp_path / f"doc{i}.txt").write_text("Der Präsident sagte am Montag.\n")

    class Finalized:
        def __del__(self):
            on_signal(signal.SIGINT, None)  # its KeyboardInterrupt goes nowhere

    def results(documents, options):
        for document in documents:
            Finalized()
            yield DocumentResult(path=document.path, status="skipped", reason="up to date")

    monkeypatch.setattr(Reporter, "_iter_results", lambda self, d, o: results(d, o))
    reporter = Reporter(quiet=True, as_json=False)
    assert reporter.run([tmp_path], RunOptions(), DigestOptions()) == EXIT_SIGINT
    assert len(reporter.results) == 1  # stopped at the next document
    assert not list(tmp_path.glob("*digest*"))  # an interrupted run writes no digest
