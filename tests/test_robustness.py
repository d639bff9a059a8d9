"""Hostile conditions: signals, concurrent runs, read-only folders, huge or foreign input,
looping models, odd paths. Signals and concurrency use real subprocesses."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.checkpoints import build_marian
from tests.conftest import SEED_DOC, read_only
from translate.cli import app
from translate.outputs.front_matter import read_front_matter

runner = CliRunner()
GERMAN = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"
ENGLISH = (
    "The president said on Monday in Berlin that the government would act soon on housing. "
    "Rents have risen sharply in the big cities over the last ten years, the report says.\n"
)
FRENCH = (
    "Le président a déclaré lundi à Berlin que le gouvernement agirait bientôt. Les loyers ont "
    "fortement augmenté dans les grandes villes au cours des dix dernières années.\n"
)


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "translate", *args]


def leftovers(folder: Path) -> list[str]:
    """Temp and lock files: a clean run leaves none."""
    return sorted(p.name for p in folder.rglob(".*") if p.suffix in (".tmp", ".lock"))


def many_documents(folder: Path, count: int) -> Path:
    """`count` short German documents (the seed's headline and lead, and a sentence)."""
    folder.mkdir()
    text = "\n\n".join(SEED_DOC.read_text(encoding="utf-8").split("\n\n")[:2]) + "\n\n" + GERMAN
    for i in range(count):
        (folder / f"doc{i:02}.txt").write_text(f"Bericht Nr. {i}.\n\n{text}", encoding="utf-8")
    return folder


def wait_for(predicate, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(0.05)


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_run_keeps_finished_work_and_resumes(tmp_path, model_args, sig, code):
    folder = many_documents(tmp_path / "docs", 16)
    proc = subprocess.Popen(cli("run", str(folder), *model_args), stderr=subprocess.PIPE, text=True)
    wait_for(lambda: any(folder.glob("*.summary.en.md")))
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code, stderr
    done = sorted(folder.glob("*.summary.en.md"))
    assert 1 <= len(done) < 16, "the signal should land mid-run"
    for output in done:  # every output present is whole
        assert read_front_matter(output)["source"].startswith("doc")
        assert "# Summary of" in output.read_text(encoding="utf-8")
    assert leftovers(folder) == []
    assert "interrupted" in stderr and "not done" in stderr
    if sig == signal.SIGTERM:
        return  # resuming is the same after either signal: checked once, below, for SIGINT
    again = subprocess.run(
        cli("run", str(folder), *model_args, "--json"), capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    statuses = [d["status"] for d in json.loads(again.stdout)["documents"]]
    assert statuses.count("skipped") == len(done)
    assert statuses.count("written") == 16 - len(done)


def test_two_runs_at_once_never_write_a_document_twice(tmp_path, model_args):
    folder = many_documents(tmp_path / "docs", 8)
    runs = [
        subprocess.Popen(
            cli("run", str(folder), *model_args, "--json"), stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    reports = [json.loads(run.communicate(timeout=300)[0]) for run in runs]
    assert all(run.returncode == 0 for run in runs)
    for i in range(8):
        name = f"doc{i:02}.txt"
        statuses = sorted(
            d["status"] for r in reports for d in r["documents"] if Path(d["path"]).name == name
        )
        assert statuses == ["skipped", "written"], name
        front = read_front_matter(folder / f"doc{i:02}.summary.en.md")
        assert front["source"] == name
    reasons = {d["reason"] for r in reports for d in r["documents"] if d["status"] == "skipped"}
    assert reasons <= {
        "another translate run is working on it (.doc00.summary.en.md.lock)".replace(
            "00", f"{i:02}"
        )
        for i in range(8)
    } | {"done meanwhile by another run", "up to date"}
    assert leftovers(folder) == []


def test_read_only_folder_fails_that_document_and_others_go_on(tmp_path, model_args):
    writable, locked = tmp_path / "a", tmp_path / "b"
    for folder in (writable, locked):
        folder.mkdir()
        (folder / "brief.txt").write_text(GERMAN, encoding="utf-8")
    with read_only(locked):
        result = invoke("run", str(writable), str(locked), *model_args)
    assert result.exit_code == 1
    assert (writable / "brief.summary.en.md").exists()
    assert os.listdir(locked) == ["brief.txt"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(locked) in errors[0] and "cannot write" in errors[0]

    out = tmp_path / "out"
    with read_only(locked):
        result = invoke("run", str(tmp_path), "--recursive", "--output-dir", str(out), *model_args)
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md")) == [
        "a/brief.summary.en.md",
        "b/brief.summary.en.md",
        "translate-digest.en.md",  # the digest of the folder given, at its mirror
    ]


@pytest.mark.timeout(120)  # with a broken size guard it would translate 10 MB for hours
def test_a_huge_file_is_refused_by_size_without_reading_it(tmp_path, model_args):
    big = tmp_path / "gross.txt"
    with big.open("w", encoding="utf-8") as handle:
        for _ in range(10 * 1024 * 1024 // len(GERMAN.encode()) + 1):
            handle.write(GERMAN)
    (tmp_path / "klein.txt").write_text(GERMAN, encoding="utf-8")
    result = invoke("run", str(tmp_path), *model_args, "--json")
    report = {Path(d["path"]).name: d for d in json.loads(result.stdout)["documents"]}
    assert report["klein.txt"]["status"] == "written"
    assert report["gross.txt"]["status"] == "failed"
    assert "over the 2.0 MB input limit" in report["gross.txt"]["error"]
    assert "--max-input-mb" in report["gross.txt"]["error"]


def test_english_is_summarized_without_translation_and_says_so(tmp_path, model_args):
    doc = tmp_path / "english.txt"
    doc.write_text(ENGLISH * 3, encoding="utf-8")
    assert invoke("run", str(doc), *model_args, "--keep-translation").exit_code == 0
    front = read_front_matter(tmp_path / "english.summary.en.md")
    assert front["source_language"] == "en" and front["translated"] is False
    assert front["translation_chunks"] == 0
    assert "summarized without translation" in (tmp_path / "english.summary.en.md").read_text()


def test_other_languages_are_refused_unless_forced(tmp_path, model_args):
    doc = tmp_path / "francais.txt"
    doc.write_text(FRENCH, encoding="utf-8")
    result = invoke("run", str(doc), *model_args)
    assert result.exit_code == 1
    assert "French (fr)" in result.stderr and "--source-lang de" in result.stderr
    assert not (tmp_path / "francais.summary.en.md").exists()
    assert invoke("run", str(doc), *model_args, "--source-lang", "de").exit_code == 0
    assert read_front_matter(tmp_path / "francais.summary.en.md")["translated"] is True


def test_mixed_document_keeps_english_paragraphs_and_translates_the_rest(tmp_path, model_args):
    doc = tmp_path / "gemischt.txt"
    german = "\n\n".join(SEED_DOC.read_text(encoding="utf-8").split("\n\n")[:2])
    doc.write_text(german + "\n\n" + ENGLISH, encoding="utf-8")
    assert invoke("run", str(doc), *model_args, "--keep-translation").exit_code == 0
    front = read_front_matter(tmp_path / "gemischt.en.md")
    assert front["source_language"] == "de" and front["english_paragraphs_kept"] == 1
    assert ENGLISH.strip() in (tmp_path / "gemischt.en.md").read_text(encoding="utf-8")


def test_a_looping_model_is_caught_and_recovered(tmp_path, tiny_models):
    looping = build_marian(tmp_path / "looping-marian", loop_on="the")
    doc = tmp_path / "liste.txt"
    doc.write_text("Äpfel, Birnen, Pflaumen.\n\nDer Präsident sagte am Montag etwas.\n")
    args = ["--mt-model", str(looping), "--summary-model", str(tiny_models[1])]
    assert invoke("run", str(doc), *args, "--keep-translation").exit_code == 0
    front = read_front_matter(tmp_path / "liste.summary.en.md")
    assert front["translation_chunks"] == 2
    assert front["recovered_chunks"] == 2
    translation = (tmp_path / "liste.en.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert "the the the the the" not in translation


def test_odd_file_names_work(tmp_path, model_args):
    folder = tmp_path / "Ordner mit Leerzeichen"
    folder.mkdir()
    for name in ["Bericht über Öl.txt", "日本 メモ.md", "a b'c\".txt"]:
        (folder / name).write_text(GERMAN, encoding="utf-8")
    (folder / ".versteckt.txt").write_text(GERMAN, encoding="utf-8")
    (folder / "link.txt").symlink_to(folder / "Bericht über Öl.txt")
    result = invoke("run", str(folder), *model_args, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["written"] == 3
    assert (folder / "Bericht über Öl.summary.en.md").exists()
    assert (folder / "日本 メモ.summary.en.md").exists()
    assert not (folder / ".versteckt.summary.en.md").exists()


def test_failures_are_one_line_and_tracebacks_only_when_verbose(tmp_path, tiny_models):
    broken = tmp_path / "broken-model"
    shutil.copytree(tiny_models[1], broken)
    (broken / "model.safetensors").write_bytes(b"not really weights")
    doc = tmp_path / "brief.txt"
    doc.write_text(GERMAN * 20, encoding="utf-8")
    args = ["run", str(doc), "--mt-model", str(tiny_models[0]), "--summary-model", str(broken)]
    result = subprocess.run(cli(*args), capture_output=True, text=True)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(broken) in errors[0]  # the model, once: not per document
    assert "Traceback" not in result.stderr
    verbose = subprocess.run(cli(*args, "--verbose", "--json"), capture_output=True, text=True)
    assert "Traceback" in verbose.stderr
    assert "sequence length is longer" not in verbose.stderr  # counted long texts on purpose
    assert "filelock" not in verbose.stderr  # no library DEBUG chatter
    report = json.loads(verbose.stdout)
    assert report["error"]["message"] == errors[0].removeprefix("error: ")
    assert report["documents"] == [] and report["not_done"] == 1
