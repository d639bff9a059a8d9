"""End to end through the CLI: real tiny random-weight models, loaded by the CLI's own code."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SEED_DOC
from translate.cli import app
from translate.output import read_front_matter

runner = CliRunner()
SHORT_DE = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def folder(tmp_path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED_DOC, docs / "seed.txt")
    (docs / "kurz.md").write_text(SHORT_DE, encoding="utf-8")
    (docs / "notes.xlsx").write_bytes(b"PK\x03\x04")  # not a format translate reads
    return docs


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_folder_run_writes_a_summary_beside_each_document(folder, model_args):
    inputs = {name: data for name, data in snapshot(folder).items()}
    result = invoke("run", str(folder), *model_args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "kurz.md",
        "kurz.summary.en.md",
        "notes.xlsx",
        "seed.summary.en.md",
        "seed.txt",
    ]
    assert {k: v for k, v in snapshot(folder).items() if k in inputs} == inputs  # untouched
    front = read_front_matter(folder / "seed.summary.en.md")
    assert front["source"] == "seed.txt"
    assert front["source_sha256"] == __import__("hashlib").sha256(inputs["seed.txt"]).hexdigest()
    assert front["translation_model"] == model_args[1]
    assert front["translation_model_revision"].startswith("local-")
    assert front["summary_settings"]["num_beams"] == 2
    assert front["sentences"] >= 15
    assert front["translation_chunks"] >= front["sentences"] - 2
    assert front["summary_passes"] >= 2  # the translation is longer than the tiny window
    assert front["seconds"] > 0
    body = (folder / "seed.summary.en.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert body.startswith("\n# Summary of seed.txt\n\n") and len(body.strip()) > 30
    assert "2 written, 0 skipped, 0 failed" in result.stderr


@pytest.mark.parametrize(
    ("options", "backend", "compute_type"),
    [
        ([], "ctranslate2", "int8"),  # the default on a CPU
        (["--backend", "torch"], "torch", "float32"),
        (["--backend", "torch", "--quantize", "int8"], "torch", "int8"),
    ],
)
def test_each_engine_writes_summaries_and_says_which_it_used(
    folder, model_args, options, backend, compute_type
):
    result = invoke("run", str(folder), *model_args, *options, "--device", "cpu", "--json")
    assert result.exit_code == 0, result.output
    assert [d["status"] for d in json.loads(result.stdout)["documents"]] == ["written"] * 2
    front = read_front_matter(folder / "seed.summary.en.md")
    assert front["backend"] == backend
    assert front["translation_settings"]["compute_type"] == compute_type
    assert front["summary_settings"]["compute_type"] == compute_type
    assert front["summary_passes"] >= 2


def test_second_run_skips_and_never_reads_its_own_outputs(folder, model_args):
    assert invoke("run", str(folder), *model_args).exit_code == 0
    before = snapshot(folder)
    result = invoke("run", str(folder), *model_args, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert [d["status"] for d in report["documents"]] == ["skipped", "skipped"]
    assert snapshot(folder) == before
    forced = json.loads(invoke("run", str(folder), *model_args, "--json", "--force").stdout)
    assert [d["status"] for d in forced["documents"]] == ["written", "written"]


def test_changed_source_or_settings_redo_the_document(folder, model_args):
    invoke("run", str(folder), *model_args)
    (folder / "kurz.md").write_text(SHORT_DE + "Das ist neu.\n", encoding="utf-8")
    report = json.loads(invoke("run", str(folder), *model_args, "--json").stdout)
    assert {Path(d["path"]).name: d["status"] for d in report["documents"]} == {
        "kurz.md": "written",
        "seed.txt": "skipped",
    }
    report = json.loads(invoke("run", str(folder), *model_args, "--json", "--beams", "1").stdout)
    assert [d["status"] for d in report["documents"]] == ["written", "written"]


def test_keep_translation_writes_the_full_translation(folder, model_args):
    result = invoke("run", str(folder / "seed.txt"), *model_args, "--keep-translation")
    assert result.exit_code == 0
    translation = (folder / "seed.en.md").read_text(encoding="utf-8")
    front = read_front_matter(folder / "seed.en.md")
    source_paragraphs = SEED_DOC.read_text(encoding="utf-8").strip().count("\n\n")
    body = translation.split("---\n", 2)[2].split("\n\n", 1)[1]
    assert body.strip().count("\n\n") == source_paragraphs  # paragraph breaks kept
    assert (
        front["translation_chunks"]
        == read_front_matter(folder / "seed.summary.en.md")["translation_chunks"]
    )


def test_json_report_lists_every_document_with_status_and_reason(folder, model_args):
    (folder / "leer.txt").write_bytes(b"")
    (folder / "blank.txt").write_text("  \n \n")
    (folder / "bild.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    result = invoke("run", str(folder), *model_args, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    by_name = {Path(d["path"]).name: d for d in report["documents"]}
    assert by_name["seed.txt"]["status"] == "written"
    assert by_name["seed.txt"]["counts"]["sentences"] >= 15
    assert by_name["seed.txt"]["outputs"] == [str(folder / "seed.summary.en.md")]
    for bad, why in [("leer.txt", "empty"), ("blank.txt", "whitespace"), ("bild.txt", "binary")]:
        assert by_name[bad]["status"] == "failed"
        assert why in by_name[bad]["error"]
        assert not list(folder.glob(f"{Path(bad).stem}.*summary*"))
    assert report["written"] == 2 and report["failed"] == 3


def test_bad_inputs_are_reported_before_any_model_runs(tmp_path, model_args):
    docs = tmp_path / "d"
    docs.mkdir()
    (docs / "a_gut.txt").write_text(SHORT_DE, encoding="utf-8")
    (docs / "b_leer.txt").write_bytes(b"")
    report = json.loads(invoke("run", str(docs), *model_args, "--json").stdout)
    assert [Path(d["path"]).name for d in report["documents"]] == ["b_leer.txt", "a_gut.txt"]


def test_one_file_and_legacy_encodings(tmp_path, model_args):
    legacy = tmp_path / "brief.txt"
    legacy.write_bytes(SHORT_DE.replace("\n", "\r\n").encode("cp1252"))
    result = invoke("run", str(legacy), *model_args, "--keep-translation")
    assert result.exit_code == 0
    assert (tmp_path / "brief.summary.en.md").exists()
    assert legacy.read_bytes() == SHORT_DE.replace("\n", "\r\n").encode("cp1252")


def test_missing_model_fails_fast_with_advice(folder, tiny_models):
    result = invoke("run", str(folder), "--mt-model", "Helsinki-NLP/opus-mt-de-en")
    assert result.exit_code == 1
    assert "Helsinki-NLP/opus-mt-de-en" in result.stderr
    assert "not cached" in result.stderr and "translate models download" in result.stderr
    assert "HF_HUB_OFFLINE" in result.stderr
    assert not list(folder.glob("*.summary.en.md"))


def test_missing_local_folder_is_named(folder):
    result = invoke("run", str(folder), "--mt-model", "./no/such/model")
    assert result.exit_code == 1
    assert "no/such/model" in result.stderr and "does not exist" in result.stderr


def test_usage_errors_exit_2(folder):
    assert invoke("run", str(folder), "--device", "tpu").exit_code == 2
    assert invoke("run").exit_code == 2


def test_help_explains_every_option():
    result = invoke("run", "--help")
    for option in [
        "--mt-model",
        "--summary-model",
        "--device",
        "--force",
        "--keep-translation",
        "--json",
        "--quiet",
        "--recursive",
        "--output-dir",
        "--backend",
        "--quantize",
    ]:
        assert option in result.stdout


def test_each_model_loads_once_per_run(folder, model_args, monkeypatch):
    import translate.modelset as modelset_module
    import translate.run as run_module

    loads = []
    real_load = modelset_module.load

    def counting_load(location, *args, **kwargs):
        loads.append(location.name)
        return real_load(location, *args, **kwargs)

    monkeypatch.setattr(modelset_module, "load", counting_load)
    monkeypatch.setattr(run_module, "WAVE_CHUNKS", 1)  # many translation waves
    for i in range(3):
        (folder / f"extra{i}.txt").write_text(SHORT_DE, encoding="utf-8")
    assert invoke("run", str(folder), *model_args).exit_code == 0
    assert sorted(loads) == sorted([model_args[1], model_args[3]])


def run_in_terminal(args: list[str]) -> str:
    """Run the CLI as a subprocess whose stdout and stderr are a terminal; return what it showed."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 24 x 100 chars
    proc = subprocess.Popen(
        [sys.executable, "-m", "translate", *args], stdin=child, stdout=child, stderr=child
    )
    os.close(child)
    shown = b""
    while True:
        try:
            data = os.read(main, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not data:
            break
        shown += data
    proc.wait(timeout=120)
    os.close(main)
    return shown.decode(errors="replace")


def test_progress_bar_on_a_terminal_only(tmp_path, model_args):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(SHORT_DE, encoding="utf-8")
    shown = run_in_terminal(["run", str(folder), *model_args])
    assert "doc/s" in shown or "s/doc" in shown  # tqdm's rate: the bar was drawn
    assert "2 written" in shown
    quiet = run_in_terminal(["run", str(folder), *model_args, "--force", "--quiet"])
    assert "doc/s" not in quiet and "s/doc" not in quiet and "written" not in quiet
    piped = invoke("run", str(folder), *model_args, "--force")
    assert "doc/s" not in piped.stderr and "s/doc" not in piped.stderr
