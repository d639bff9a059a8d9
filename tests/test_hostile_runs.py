"""Folders you did not write, end to end through the tiny models: real FIFOs, links, names
that are not UTF-8 or hold escapes, two inputs for one output, a SIGKILLed writer, a user
without permissions. Each has a timeout, so a regression fails instead of hanging."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import read_only
from translate.cli import app
from translate.outputs.front_matter import read_front_matter

runner = CliRunner()
GERMAN = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"


def invoke(*args: str, **kwargs):
    return runner.invoke(app, list(args), catch_exceptions=False, **kwargs)


def by_name(report: dict) -> dict[str, dict]:
    return {Path(d["path"]).name: d for d in report["documents"]}


def leftovers(folder: Path) -> list[str]:
    """Hidden temporaries and locks in `folder` (not below: glob recurses, deep trees fail)."""
    return sorted(p.name for p in folder.glob(".*") if p.suffix in (".tmp", ".lock"))


@pytest.mark.timeout(120)
def test_a_hostile_folder_is_done_and_every_drop_explained(tmp_path, model_args, deep_tree):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "fremd.txt").write_text(GERMAN, encoding="utf-8")
    precious = outside / "precious"
    precious.write_text("keep me")
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o700)
    (folder / "good.txt").write_text(GERMAN, encoding="utf-8")
    (folder / "good.txt").chmod(0o600)
    os.mkfifo(folder / "fifo.txt")
    (folder / "blocked.txt").write_text(GERMAN, encoding="utf-8")
    os.mkfifo(folder / "blocked.summary.en.md")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "p.txt").symlink_to("/etc/passwd")
    (folder / "ext").symlink_to(outside)
    (folder / "zwsp.txt").write_text("\u200b" * 50, encoding="utf-8")
    (folder / "locked.txt").write_text(GERMAN, encoding="utf-8")
    (folder / ".locked.summary.en.md.lock").symlink_to(precious)
    (folder / "mine.txt").write_text(GERMAN, encoding="utf-8")
    (folder / "mine.summary.en.md").write_text("my own notes, not a summary")
    deep = deep_tree(folder, 1100)
    Path(deep, "tief.txt").write_text(GERMAN, encoding="utf-8")

    args = ["run", str(folder), "--recursive", "--source-lang", "de", "--json", *model_args]
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    report = by_name(json.loads(result.stdout))
    status = {name: (d["status"], d["reason"]) for name, d in report.items()}
    assert status["good.txt"][0] == status["tief.txt"][0] == "written"
    for name, words in [
        ("fifo.txt", "FIFO"),
        ("zero.txt", "--follow-symlinks"),
        ("p.txt", "--follow-symlinks"),
        ("ext", "--follow-symlinks"),
    ]:
        assert status[name][0] == "skipped" and words in status[name][1], name
    for name, words in [
        ("blocked.txt", "output path is a FIFO"),
        ("zwsp.txt", "has no text"),
        ("locked.txt", "lock file is a symbolic link"),
        ("mine.txt", "not written by translate"),
    ]:
        assert status[name][0] == "failed" and words in status[name][1], name
    assert len(report) == 10
    summary = folder / "good.summary.en.md"
    assert stat.S_IMODE(summary.stat().st_mode) == 0o600  # as private as its input
    assert Path(deep, "tief.summary.en.md").exists()
    assert precious.read_text() == "keep me"
    assert sorted(p.name for p in outside.iterdir()) == ["fremd.txt", "precious"]
    assert (folder / "mine.summary.en.md").read_text() == "my own notes, not a summary"
    assert stat.S_ISFIFO((folder / "blocked.summary.en.md").lstat().st_mode)
    assert leftovers(folder) == [".locked.summary.en.md.lock"]  # the planted link, untouched


@pytest.mark.timeout(120)
def test_two_inputs_never_share_an_output(tmp_path, model_args):
    """Issue 15 #4 and issue 10 #1: one mapping, one-to-one, never a false "another run"."""
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    a.mkdir()
    b.mkdir()
    (a / "a.txt").write_text(GERMAN, encoding="utf-8")
    (a / "a.md").write_text("# Titel\n\n" + GERMAN, encoding="utf-8")
    mixed = GERMAN.encode() + "Grüße für Bürger und Maß.\n".encode("latin-1")
    (a / "a.txt.md").write_bytes(mixed)
    (b / "a.txt").write_text("Andere Quelle. " + GERMAN, encoding="utf-8")
    args = ["run", str(a), str(b), "--output-dir", str(out), "--json", *model_args]
    first = json.loads(invoke(*args).stdout)
    assert [d["status"] for d in first["documents"]] == ["written"] * 4
    outputs = [o for d in first["documents"] for o in d["outputs"]]
    assert len(set(outputs)) == 4
    assert sorted(Path(o).relative_to(out).as_posix() for o in outputs) == [
        "a/a.md.summary.en.md",
        "a/a.txt.md.summary.en.md",
        "a/a.txt.summary.en.md",
        "b/a.summary.en.md",
    ]
    for doc in first["documents"]:
        output = Path(doc["outputs"][0])  # `source` leads from the output back to its input
        source = read_front_matter(output)["source"]
        assert (output.parent / source).resolve() == Path(doc["path"]).resolve()
    front = read_front_matter(out / "a" / "a.txt.md.summary.en.md")
    assert front["source_encoding"].startswith("utf-8+")
    assert "were not UTF-8" in (out / "a" / "a.txt.md.summary.en.md").read_text()
    again = json.loads(invoke(*args).stdout)
    assert {d["reason"] for d in again["documents"]} == {"up to date"}  # no CLI advice in JSON


@pytest.mark.timeout(120)
def test_hostile_names_are_escaped_on_the_terminal_and_exact_in_json(tmp_path, model_args):
    folder = tmp_path / "names"
    folder.mkdir()
    names = [
        b"Bericht_M\xfcller.txt",  # Latin-1 bytes: not UTF-8
        b"zeile\nerror: forged.txt",
        b"\x1b[31mrot.txt",
        b"x" * 241 + b".txt",  # its output name is 255 bytes, the temporary longer
    ]
    for name in names:
        Path(os.fsdecode(bytes(folder) + b"/" + name)).write_text(GERMAN, encoding="utf-8")
    too_long = b"y" * 242 + b".txt"
    Path(os.fsdecode(bytes(folder) + b"/" + too_long)).write_text(GERMAN, encoding="utf-8")
    result = invoke("run", str(folder), *model_args)
    assert result.exit_code == 1, result.output
    assert b"\x1b" not in result.stderr_bytes
    lines = result.stderr_bytes.decode("utf-8").splitlines()  # strict: valid UTF-8
    assert sum(line.startswith("written ") for line in lines) == 4
    assert [line for line in lines if line.startswith("error:")] == [
        f"error: {folder}/{'y' * 242}.txt: its output name would be 256 bytes, over the file "
        "system's limit of 255; rename it to a name of at most 241 bytes before the suffix"
    ]
    assert len(lines) == 7, lines  # 4 written, 1 error, the digest, the summary: none forged
    digest = (folder / "translate-digest.en.md").read_bytes()
    assert b"\x1b" not in digest
    text = digest.decode("utf-8")  # strict: valid UTF-8 whatever the names' bytes
    assert "### Bericht\\_M\\\\xfcller.txt\n" in text  # shown as text, \xfc visible
    assert "](Bericht_M%FCller.txt)" in text  # the link holds the name's own bytes
    assert "### zeile\\\\nerror: forged.txt\n" in text and "\nerror: forged" not in text
    assert f"written  '{folder}/Bericht_M\\xfcller.txt' -> " in result.stderr
    assert f"written  '{folder}/zeile\\nerror: forged.txt' -> " in result.stderr
    files = set(os.listdir(bytes(folder)))
    for name in names:
        assert name.removesuffix(b".txt") + b".summary.en.md" in files
    front = read_front_matter(
        Path(os.fsdecode(bytes(folder) + b"/Bericht_M\xfcller.summary.en.md"))
    )
    assert front["source"] == "Bericht_M\\xfcller.txt"

    # A real process, so that stdout is the real byte stream a consumer of --json reads.
    cmd = [sys.executable, "-m", "translate", "run", bytes(folder), "--json", *model_args]
    again = subprocess.run(cmd, capture_output=True, timeout=100)
    report = json.loads(again.stdout.decode("utf-8"))  # strict: valid UTF-8
    paths = {os.fsencode(d["path"]) for d in report["documents"]}
    assert paths == {bytes(folder) + b"/" + name for name in [*names, too_long]}


WRITER = """
import os, sys, time
from pathlib import Path
from translate.outputs.writing import write_atomic

def stall(fd):  # the text is written, not yet renamed into place: now kill -9 lands
    print("ready", flush=True)
    time.sleep(600)

os.fsync = stall
write_atomic(Path(sys.argv[1]), "half a summary " * 1000)
"""

HOLDER = """
import sys, time
from pathlib import Path
from translate.outputs.writing import OutputLock

lock = OutputLock(Path(sys.argv[1]))  # kept referenced: a collected lock is released
assert lock.acquire()
print("ready", flush=True)
time.sleep(600)
"""


def start(script: str, output: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(output)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline() == "ready\n"
    return proc


def kill_mid_write(output: Path) -> None:
    proc = start(WRITER, output)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.timeout(120)
def test_temporaries_left_by_kill_9_are_removed_unless_a_live_run_holds_them(tmp_path, model_args):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("eins", "zwei"):
        (folder / f"{name}.txt").write_text(GERMAN, encoding="utf-8")
    kill_mid_write(folder / "eins.summary.en.md")
    held = folder / ".zwei.summary.en.md.x1y2z3w4.tmp"  # being written by a live run
    held.write_text("in progress")
    assert len(leftovers(folder)) == 2
    holder = start(HOLDER, folder / "zwei.summary.en.md")
    try:
        result = json.loads(invoke("run", str(folder), "--json", *model_args).stdout)
    finally:
        holder.kill()
        holder.wait(timeout=10)
    got = by_name(result)
    assert got["eins.txt"]["status"] == "written"
    assert "another translate run is working on it" in got["zwei.txt"]["reason"]
    assert leftovers(folder) == [".zwei.summary.en.md.lock", held.name]
    # A finished document's leftovers go too, on a run that only skips it.
    kill_mid_write(folder / "eins.summary.en.md")
    (folder / ".zwei.summary.en.md.lock").unlink()
    held.unlink()
    invoke("run", str(folder / "eins.txt"), *model_args)
    assert leftovers(folder) == []
    assert "half a summary" not in (folder / "eins.summary.en.md").read_text()


@pytest.mark.timeout(60)
def test_an_unusable_cache_is_one_run_wide_error_before_any_document(
    tmp_path, model_args, monkeypatch
):
    (tmp_path / "doc.txt").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "a-file"))
    result = invoke("run", str(tmp_path / "doc.txt"), *model_args)
    assert result.exit_code == 2
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "a-file" in error and "TRANSLATE_CACHE" in error and "doc.txt" not in error
    assert not (tmp_path / "doc.summary.en.md").exists()


@pytest.mark.timeout(60)
def test_a_cache_that_cannot_be_written_is_one_run_wide_error(tmp_path, model_args, monkeypatch):
    for name in ("eins", "zwei"):
        (tmp_path / f"{name}.txt").write_text(GERMAN, encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("TRANSLATE_CACHE", str(cache))
    with read_only(cache):  # exists, so the run starts; the models' conversion cannot
        result = invoke("run", str(tmp_path), "--json", *model_args)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert str(cache) in error and "TRANSLATE_CACHE" in error
    assert json.loads(result.stdout)["documents"] == []  # no document failed for it


NOBODY_DISCOVERS = """
import json, sys
from pathlib import Path
from translate.inputs.discovery import discover

docs, dropped = discover([Path(p) for p in sys.argv[2:]], recursive=sys.argv[1] == "-r")
print(json.dumps([[str(d.path), d.status, d.reason] for d in dropped]))
"""


NOBODY_ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}


def as_nobody() -> list[str]:
    """The command prefix that drops root's privileges (root reads any folder)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot drop privileges to test this")
    prefix = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import translate.inputs.discovery"],
        capture_output=True,
        env=NOBODY_ENV,
        timeout=30,
    )
    if probe.returncode != 0:
        pytest.skip(f"user nobody cannot run this Python and translate: {probe.stderr[-200:]!r}")
    return prefix


@pytest.mark.timeout(60)
def test_folders_without_permission_are_reported_as_failures():
    """As an unprivileged user, through discovery (the CLI shows each failure as one line,
    as for any refusal; typer is not readable by `nobody` on every machine)."""
    base = Path(tempfile.mkdtemp(prefix="translate-perm-"))  # tmp_path is private to root
    try:
        base.chmod(0o755)
        locked = base / "locked"  # no search permission: its files cannot be reached
        locked.mkdir(mode=0o700)
        (locked / "brief.txt").write_text(GERMAN, encoding="utf-8")
        tree = base / "tree"
        (tree / "closed").mkdir(parents=True)
        tree.chmod(0o755)
        (tree / "closed").chmod(0o700)  # an unreadable sub-folder under --recursive
        (tree / "closed" / "x.txt").write_text(GERMAN, encoding="utf-8")
        (tree / "open.txt").write_text(GERMAN, encoding="utf-8")
        cmd = [*as_nobody(), sys.executable, "-c", NOBODY_DISCOVERS, "-r"]
        result = subprocess.run(
            [*cmd, str(locked / "brief.txt"), str(tree)],
            capture_output=True,
            text=True,
            timeout=50,
            env=NOBODY_ENV,
        )
    finally:
        shutil.rmtree(base)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        [f"{locked}/brief.txt", "failed", "cannot be reached (Permission denied)"],
        [
            f"{tree}/closed",
            "failed",
            "folder cannot be read (Permission denied); nothing in it was processed",
        ],
    ]
