"""End to end through the CLI: real tiny random-weight models, loaded by the CLI's own code."""

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SEED_DOC
from translate.cli import app
from translate.outputs.front_matter import read_front_matter

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
        "translate-digest.en.md",  # the folder's digest (tests/test_digest.py)
    ]
    assert {k: v for k, v in snapshot(folder).items() if k in inputs} == inputs  # untouched
    front = read_front_matter(folder / "seed.summary.en.md")
    assert front["source"] == "seed.txt"
    assert front["source_sha256"] == __import__("hashlib").sha256(inputs["seed.txt"]).hexdigest()
    assert front["translation_model"] == model_args[1]
    assert front["translation_model_revision"].startswith("local-")
    assert front["summary_settings"]["num_beams"] == 2
    assert front["sentences"] >= 15
    assert front["words"] == len(inputs["seed.txt"].decode().split())
    assert front["translation_chunks"] >= front["sentences"] - 2
    assert front["suspect_chunks"] == 0  # the tiny translator copies: nothing is lost
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
    result = invoke("run", str(folder / "seed.txt"), *model_args, "--keep-translation", "-v")
    assert result.exit_code == 0
    # --verbose without false alarms: texts longer than the model's input are counted on
    # purpose (and split before use); library DEBUG chatter stays out.
    assert "sequence length is longer" not in result.stderr
    assert "filelock" not in result.stderr
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


def test_missing_models_fail_fast_with_one_paragraph_of_advice(folder, tiny_models):
    result = invoke("run", str(folder), "--mt-model", "Helsinki-NLP/opus-mt-de-en", "--json")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()  # one paragraph, said once
    for words in [
        "Helsinki-NLP/opus-mt-de-en",
        "sshleifer/distilbart-cnn-12-6",  # both models' availability, not only the first
        "not in the cache",
        "HF_HUB_OFFLINE",
        "translate models download",
        "copy a Hugging Face cache",
        "--mt-model DIR",
        "TRANSLATE_MT_MODEL",
    ]:
        assert words in line, words
    assert "specified revision" not in line  # no library exception pasted in
    report = json.loads(result.stdout)
    assert report["exit_status"] == 1 and report["not_done"] == 2
    assert report["error"]["message"] == line.removeprefix("error: ")
    assert report["error"]["kind"] == "model_not_available"
    assert not list(folder.glob("*.summary.en.md"))


def test_missing_local_folder_is_named(folder):
    result = invoke("run", str(folder), "--mt-model", "./no/such/model")
    assert result.exit_code == 1
    assert "no/such/model" in result.stderr and "does not exist" in result.stderr


def test_a_folder_that_is_not_a_model_is_said_once_with_what_it_lacks(folder, tiny_models):
    args = ["--mt-model", str(folder), "--summary-model", str(tiny_models[1])]
    result = invoke("run", str(folder), *args)
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()[:-1]  # one error, then the closing summary
    assert f"{folder} is not a model folder" in line
    assert "no config.json" in line and "no tokenizer files" in line and "no weights" in line


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
    import translate.engines.modelset as modelset_module
    import translate.flow.run as run_module

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
        [sys.executable, "-m", "translate", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env={**os.environ, "TERM": "xterm"},
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
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode(errors="replace"))  # no colours


def test_progress_shows_each_phase_on_a_terminal_only(tmp_path, model_args):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text(SHORT_DE, encoding="utf-8")
    (folder / "leer.txt").write_bytes(b"")  # refused: must not count as progress
    shown = run_in_terminal(["run", str(folder), *model_args])
    for phase in [
        "locating the models",
        "reading the documents",
        f"loading the translation model {model_args[1]}",
        "for CTranslate2, once",  # the one-time conversion, with its size
        f"loading the summary model {model_args[3]}",
        "tokens",  # translation progress inside a wave
        "summarizing",
    ]:
        assert phase in shown, phase
    assert re.search(r"converting \S+ \(\d+ KB\)", shown)
    written = re.findall(r"documents written\s+\S+\s+(\d+)/(\d+)", shown)
    assert written[-1] == ("2", "2") and ("1", "3") not in written
    assert "2 written, 0 skipped, 1 failed" in shown
    quiet = run_in_terminal(["run", str(folder), *model_args, "--force", "--quiet"])
    assert "documents written" not in quiet and "written," not in quiet
    assert quiet.count("error:") == 1  # only the errors
    piped = invoke("run", str(folder), *model_args, "--force")
    assert "documents written" not in piped.stderr and "loading" not in piped.stderr


def test_output_dir_status_and_front_matter_lead_back_to_the_input(tmp_path, model_args):
    source = tmp_path / "inbox" / "2024" / "brief.txt"
    source.parent.mkdir(parents=True)
    source.write_text(SHORT_DE, encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", str(tmp_path / "inbox"), "-r", "--output-dir", str(out), *model_args)
    assert result.exit_code == 0, result.output
    summary = out / "2024" / "brief.summary.en.md"
    assert f"{source} -> {summary} (" in result.stderr  # where the output really went
    front = read_front_matter(summary)
    assert (summary.parent / front["source"]).resolve() == source.resolve()
    assert "quantize" not in front  # the settings' compute_type says what ran
    assert front["translation_settings"]["compute_type"] == "int8"
