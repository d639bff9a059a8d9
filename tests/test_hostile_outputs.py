"""Outputs that must not lie or break, whatever the folder holds (issue 29, part three):
--force never replaces a file translate did not write; every front matter is YAML; names
and attachment names reach the Markdown as text, never as markup or control characters."""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from typer.testing import CliRunner

from translate.cli import app
from translate.outputs.front_matter import read_front_matter

pytestmark = pytest.mark.timeout(120)
runner = CliRunner()
GERMAN = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"
# What a document's bytes may hold that YAML forbids or a terminal obeys: DEL, C1 controls
# (NEL, CSI), an escape sequence.
HOSTILE = "\x7f\x85\x9b31m\x1b[31m"


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def yaml_front(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))


def test_force_never_replaces_a_file_translate_did_not_write(tmp_path, model_args):
    (tmp_path / "notes.txt").write_text(GERMAN, encoding="utf-8")
    mine = {"notes.summary.en.md": "my summary\n", "notes.en.md": "my translation\n"}
    for name, text in mine.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = invoke("run", str(tmp_path), "--force", "--keep-translation", *model_args)
    assert result.exit_code == 1, result.output
    assert "not written by translate; not replacing it" in result.stderr
    for name, text in mine.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text

    # Ours beside one of the user's: --force redoes nothing over the user's file either.
    (tmp_path / "notes.summary.en.md").unlink()
    (tmp_path / "notes.en.md").unlink()
    assert invoke("run", str(tmp_path), *model_args).exit_code == 0
    ours = (tmp_path / "notes.summary.en.md").read_bytes()
    (tmp_path / "notes.en.md").write_text("my translation\n", encoding="utf-8")
    again = invoke("run", str(tmp_path), "--force", "--keep-translation", *model_args)
    assert again.exit_code == 1 and "notes.en.md: exists and was not written" in again.stderr
    assert (tmp_path / "notes.en.md").read_text(encoding="utf-8") == "my translation\n"
    assert (tmp_path / "notes.summary.en.md").read_bytes() == ours


def _mail(path: Path, attachment: str) -> None:
    """An e-mail whose subject and attachment name are encoded (RFC 2047, RFC 2231), so
    they hold what no raw header may: line breaks, C1 controls, escape sequences."""
    subject = base64.b64encode(f"Bescheid {HOSTILE} zum Antrag".encode()).decode()
    name = quote(attachment.encode())
    path.write_bytes(
        "From: Amt <amt@stadt.example>\r\n"
        f"Subject: =?utf-8?b?{subject}?=\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
        f"--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{GERMAN * 3}\r\n"
        "--B\r\nContent-Type: application/pdf\r\n"
        f"Content-Disposition: attachment; filename*=utf-8''{name}\r\n\r\n%PDF-1.4\r\n"
        "--B--\r\n".encode()
    )


def test_every_front_matter_is_yaml_whatever_names_and_titles_hold(tmp_path, model_args):
    (tmp_path / f"name{HOSTILE[:3]}.txt").write_text(GERMAN, encoding="utf-8")
    # Two controls at most: more would make it a binary file, refused as such.
    (tmp_path / "titel.md").write_text(f"# Titel \x7f\x9b Ende\n\n{GERMAN}", "utf-8")
    _mail(tmp_path / "brief.eml", f"Anlage{HOSTILE}.pdf")
    args = ["run", str(tmp_path), "--keep-translation", "--bilingual", *model_args]
    assert invoke(*args).exit_code == 0
    outputs = sorted(p for p in tmp_path.glob("*.md") if p.name != "titel.md")
    assert len(outputs) == 3 * 3 + 1  # three outputs of each document, and the digest
    for path in outputs:
        if path.name.startswith("translate-digest"):
            assert yaml_front(path)["summarized"] == 3
            continue
        parsed = yaml_front(path)
        assert parsed == read_front_matter(path), path.name  # YAML reads what we wrote
    titled = yaml_front(tmp_path / "titel.summary.en.md")
    assert titled["title"] == "Titel \x7f\x9b Ende"  # exact, escaped only in the file
    assert "\x9b" not in (tmp_path / "titel.summary.en.md").read_text(encoding="utf-8")


def _outside_translation(text: str) -> str:
    """A summary's text less the summary itself (the model's words)."""
    return text.rsplit("\n\n", 1)[0]


def test_names_and_attachment_names_reach_the_markdown_as_text(tmp_path, model_args):
    forged = 'x.pdf\n---\nfingerprint: "forged"\n# Forged heading\n' + HOSTILE
    _mail(tmp_path / "brief.eml", forged)
    link = "[link](https:__evil.example) <img src=x onerror=alert(1)>.txt"
    (tmp_path / link).write_text(GERMAN, encoding="utf-8")
    assert invoke("run", str(tmp_path), *model_args).exit_code == 0
    mail = (tmp_path / "brief.summary.en.md").read_text(encoding="utf-8")
    body = mail.split("\n---\n", 1)[1]
    assert mail.count("\n---\n") == 1 and read_front_matter(tmp_path / "brief.summary.en.md")
    assert not re.search(r"^(fingerprint|# Forged)", body, re.M)  # no line was forged
    # Shown as the terminal shows them (\\n, \\x1b), with Markdown's backslash escapes.
    shown = 'x.pdf\\\\n---\\\\nfingerprint: "forged"\\\\n\\# Forged heading'
    assert f"Attachments, not translated: {shown}" in body
    for char in "\x1b\x7f\x85\x9b":
        assert char not in _outside_translation(mail), repr(char)
    summary = (tmp_path / f"{link.removesuffix('.txt')}.summary.en.md").read_text("utf-8")
    heading = next(line for line in summary.splitlines() if line.startswith("# Summary of "))
    assert heading == (
        "# Summary of \\[link\\](https:\\_\\_evil.example) \\<img src=x onerror=alert(1)\\>.txt"
    )
    assert os.path.exists(tmp_path / link)  # the input itself is untouched


def test_an_interruption_as_the_temporary_is_made_leaves_no_temporary(tmp_path, monkeypatch):
    """Ctrl-C or SIGTERM landing just after the temporary file exists, before the writer
    holds its descriptor (CI once found `.doc01.summary.en.md.XXXXXXXX.tmp` after a SIGTERM:
    blocking signals in the main thread did not stop the engines' threads taking them)."""
    from translate.outputs.writing import leftover_temporaries, write_atomic

    real_open = os.open

    def interrupted_open(name, flags, mode=0o777, **kwargs):
        fd = real_open(name, flags, mode, **kwargs)
        if str(name).endswith(".tmp"):
            os.close(fd)
            raise KeyboardInterrupt  # as the signal handler raises it, after the file exists
        return fd

    output = tmp_path / "brief.summary.en.md"
    monkeypatch.setattr(os, "open", interrupted_open)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(output, "# Summary\n")
    monkeypatch.undo()
    assert leftover_temporaries(output) == [] and list(tmp_path.iterdir()) == []


def test_an_interruption_just_after_a_lock_is_taken_leaves_no_lock(
    tmp_path, tiny_models, monkeypatch
):
    """CI once found `.doc05.summary.en.md.lock` after Ctrl-C: the signal landed after the
    lock was taken and before the run knew it held it, so nothing released it."""
    from translate.config import ModelOptions, RunOptions
    from translate.flow.run import iter_results
    from translate.inputs.discovery import discover
    from translate.outputs.writing import OutputLock

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "brief.txt").write_text("Der Rat hat am Montag getagt.", encoding="utf-8")
    taken = OutputLock.acquire

    def interrupted_acquire(self):
        assert taken(self)
        raise KeyboardInterrupt  # as the signal handler raises it, the lock just taken

    monkeypatch.setattr(OutputLock, "acquire", interrupted_acquire)
    marian, bart = tiny_models
    options = RunOptions(models=ModelOptions(mt_model=str(marian), summary_model=str(bart)))
    documents, _ = discover([folder])
    with pytest.raises(KeyboardInterrupt):
        list(iter_results(documents, options))
    assert sorted(p.name for p in folder.iterdir()) == ["brief.txt"]
