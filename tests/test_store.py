"""The translation store (translate/store/): exact outputs, work kept across kill -9, a corrupt
store set aside, the size bound, `translate cache`, --no-cache, concurrent runs, --force.

End-to-end tests run the tiny real models (tests/conftest.py); TRANSLATE_CACHE, and so the
store, is each test's own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.outputs.front_matter import read_front_matter
from translate.store import TranslationStore, store_path

CORPUS = Path(__file__).parent / "data" / "corpus_de.txt"
FOOTER = "Mit freundlichen Grüßen\n\nIhre Stadtverwaltung\n"  # in every letter: stored once
STORE_COUNTS = (b"seconds:", b"chunks_from_store:")  # what may differ between the runs


def sentences() -> list[str]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return list(dict.fromkeys(line for line in lines if len(line) > 40 and line[0] != "#"))


def letters(folder: Path, count: int = 4, per: int = 6, footer: str = FOOTER) -> list[Path]:
    """`count` German letters of `per` sentences each (none shared), with the same footer."""
    folder.mkdir(parents=True, exist_ok=True)
    pool = sentences()
    paths = []
    for i in range(count):
        body = "\n\n".join(pool[i * per : (i + 1) * per])
        path = folder / f"brief{i}.txt"
        path.write_text(f"{body}\n\n{footer}", encoding="utf-8")
        paths.append(path)
    return paths


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def run(folder: Path, model_args, *extra: str):
    result = invoke("run", str(folder), *model_args, "--no-digest", "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def fronts(folder: Path) -> dict[str, dict]:
    return {p.name: read_front_matter(p) for p in sorted(folder.glob("*.summary.en.md"))}


def outputs(folder: Path) -> dict[str, bytes]:
    """Every output file, without the lines that may differ (time, store counts)."""
    return {
        p.name: b"\n".join(
            line for line in p.read_bytes().split(b"\n") if not line.startswith(STORE_COUNTS)
        )
        for p in sorted(folder.glob("*.*.md"))
    }


def entries() -> int:
    with sqlite3.connect(store_path()) as conn:
        return conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]


@pytest.mark.timeout(120)
def test_outputs_from_the_store_are_byte_for_byte_those_of_a_run_without_it(tmp_path, model_args):
    folder = tmp_path / "in"
    letters(folder)
    views = ("--keep-translation", "--bilingual")
    first = run(folder, model_args, *views)
    assert [d["status"] for d in first["documents"]] == ["written"] * 4
    made = outputs(folder)
    assert len(made) == 12
    # Each letter's footer (2 chunks) was translated once, in the first letter's batches or
    # taken from the store by a later wave: never more than its own 2 chunks translated.
    stored = entries()
    chunks = sum(f["translation_chunks"] for f in fronts(folder).values())
    assert stored == chunks - 3 * 2  # every distinct chunk is kept, the footer once

    run(folder, model_args, "--force", *views)  # redone, every chunk from the store
    again = fronts(folder)
    assert all(f["chunks_from_store"] == f["translation_chunks"] > 0 for f in again.values())
    assert outputs(folder) == made

    run(folder, model_args, "--force", "--no-cache", *views)  # the store bypassed
    assert all(f["chunks_from_store"] == 0 for f in fronts(folder).values())
    assert outputs(folder) == made
    assert entries() == stored


KILLED_AFTER_FIRST_BATCH = """
import sys, time
from translate.cli.app import main
from translate.store import db

real = db.TranslationStore.put_many

def put_then_stall(self, items):  # the first batch is committed: now kill -9 lands
    real(self, items)
    print("stored", flush=True)
    time.sleep(600)

db.TranslationStore.put_many = put_then_stall
sys.argv = ["translate", *sys.argv[1:]]
main()
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_run_killed_after_its_first_batch_is_resumed_from_it(tmp_path, model_args, stop):
    folder = tmp_path / "in"
    letters(folder, count=3, per=10, footer="")  # no chunk shared: each is stored once
    args = ["run", str(folder), *model_args, "--no-digest", "--batch-tokens", "96"]
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_AFTER_FIRST_BATCH, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout.readline() == "stored\n"
        proc.send_signal(stop)
        assert proc.wait(timeout=30) == (-9 if stop == signal.SIGKILL else 143)
    finally:
        proc.kill()
        proc.wait(timeout=10)
    kept = entries()
    assert kept > 0
    assert list(folder.glob("*.summary.en.md")) == []  # nothing was finished

    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    assert "WARNING" not in result.stderr  # the store was not damaged by the kill
    done = fronts(folder)
    assert len(done) == 3
    # Exactly what the killed run kept was taken from the store; only the rest translated.
    assert sum(f["chunks_from_store"] for f in done.values()) == kept
    total = sum(f["translation_chunks"] for f in done.values())
    assert entries() == total  # the rest is kept now too


@pytest.mark.timeout(120)
def test_an_edited_document_translates_only_its_changed_paragraph(tmp_path, model_args):
    folder = tmp_path / "in"
    (doc,) = letters(folder, count=1, per=8)
    run(folder, model_args)
    paragraphs = doc.read_text(encoding="utf-8").split("\n\n")
    paragraphs[3] = "Der Stadtrat hat die Sitzung am Mittwoch auf den nächsten Monat verschoben."
    doc.write_text("\n\n".join(paragraphs), encoding="utf-8")
    report = run(folder, model_args)
    assert report["documents"][0]["status"] == "written"  # the source changed: redone
    front = fronts(folder)["brief0.summary.en.md"]
    assert front["chunks_from_store"] == front["translation_chunks"] - 1


@pytest.mark.timeout(120)
def test_a_corrupt_store_is_set_aside_with_a_warning_and_made_again(tmp_path, model_args):
    folder = tmp_path / "in"
    letters(folder, count=1)
    path = store_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database, half written " * 400)
    result = invoke("run", str(folder), *model_args, "--no-digest")
    assert result.exit_code == 0, result.output
    assert "translation store" in result.stderr and "damaged" in result.stderr
    (aside,) = path.parent.glob("translations.sqlite3.corrupt-*")
    assert aside.read_bytes().startswith(b"not a database")  # kept for a look, not used
    assert entries() > 0  # a new store, filled by this run


def test_a_damaged_row_is_dropped_not_used(tmp_path, caplog):
    with TranslationStore(tmp_path / "s.sqlite3") as store:
        store.put_many([("a", "Good day.", "{}"), ("b", "Hello.", "{}")])
    with sqlite3.connect(tmp_path / "s.sqlite3") as conn:
        conn.execute("UPDATE chunks SET english = 'Goodbye.' WHERE key = 'a'")
    with TranslationStore(tmp_path / "s.sqlite3") as store:
        assert store.get_many(["a", "b"]) == {"b": ("Hello.", "{}")}
        assert store.get_many(["a"]) == {}  # and gone
    assert "damaged entries" in caplog.text


def test_the_store_keeps_its_bound_by_evicting_the_least_recently_used(tmp_path):
    row = 120 + 1000 + 2  # overhead, text, meta: see db._ROW_OVERHEAD
    with TranslationStore(tmp_path / "s.sqlite3", max_bytes=10 * row) as store:
        store.put_many([(f"old{i}", "x" * 1000, "{}") for i in range(5)])
        store.put_many([(f"mid{i}", "x" * 1000, "{}") for i in range(5)])
        assert len(store.get_many([f"old{i}" for i in range(5)])) == 5  # used again: recent
        store.put_many([(f"new{i}", "x" * 1000, "{}") for i in range(3)])  # over the bound
        found = store.get_many([f"{k}{i}" for k in ("old", "mid", "new") for i in range(5)])
        assert sorted(found) == sorted(
            [f"old{i}" for i in range(5)] + [f"new{i}" for i in range(3)] + ["mid4"]
        )  # down to 90 % of the bound: the least recently used "mid" ones went first
        assert store.info()["entries"] == 9


@pytest.mark.timeout(120)
def test_cache_info_and_clear(tmp_path, model_args):
    empty = invoke("cache", "info")
    assert empty.exit_code == 0 and f"translation store: {store_path()}" in empty.stdout
    folder = tmp_path / "in"
    letters(folder, count=2)
    run(folder, model_args)
    run(folder, model_args, "--force")
    info = json.loads(invoke("cache", "info", "--json").stdout)
    chunks = sum(f["translation_chunks"] for f in fronts(folder).values())
    assert info["path"] == str(store_path())
    assert info["entries"] == chunks - 2 and info["hits"] == chunks and info["bytes"] > 0
    shown = invoke("cache", "info").stdout
    assert f"{info['entries']} translated chunks" in shown and f"{chunks} taken from it" in shown
    cleared = invoke("cache", "clear")
    assert cleared.exit_code == 0 and f"removed {info['entries']} translations" in cleared.stdout
    assert json.loads(invoke("cache", "info", "--json").stdout)["entries"] == 0
    run(folder, model_args, "--force")
    assert all(f["chunks_from_store"] == 0 for f in fronts(folder).values())


@pytest.mark.timeout(120)
def test_no_cache_neither_reads_nor_writes_the_store(tmp_path, model_args):
    folder = tmp_path / "in"
    letters(folder, count=2)
    run(folder, model_args, "--no-cache")
    assert not store_path().exists()
    run(folder, model_args)  # fills it
    run(folder, model_args, "--force", "--no-cache")
    assert all(f["chunks_from_store"] == 0 for f in fronts(folder).values())


@pytest.mark.timeout(120)
def test_other_settings_do_not_take_translations_made_with_different_ones(tmp_path, model_args):
    folder = tmp_path / "in"
    letters(folder, count=1)
    run(folder, model_args)
    run(folder, model_args, "--force", "--beams", "3")  # another decoding: another key
    assert fronts(folder)["brief0.summary.en.md"]["chunks_from_store"] == 0
    run(folder, model_args, "--force", "--beams", "2")  # the tiny model's own: as the first
    front = fronts(folder)["brief0.summary.en.md"]
    assert front["chunks_from_store"] == front["translation_chunks"]
    run(folder, model_args, "--force", "--beams", "3")
    front = fronts(folder)["brief0.summary.en.md"]
    assert front["chunks_from_store"] == front["translation_chunks"]


@pytest.mark.timeout(180)
def test_concurrent_runs_share_one_store_and_write_each_document_once(tmp_path, model_args):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        letters(folder, count=4)
    env = {**os.environ, "TRANSLATE_CACHE": str(store_path().parent)}
    cmds = [
        [sys.executable, "-m", "translate", "run", str(f), *model_args, "--no-digest", "--json"]
        for f in (one, two, one)  # two folders with the same letters, one of them twice
    ]
    procs = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for c in cmds
    ]
    try:
        reports = [json.loads(p.communicate(timeout=150)[0]) for p in procs]
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=10)
    assert [p.returncode for p in procs] == [0, 0, 0]
    statuses = {}
    for report in (reports[0], reports[2]):
        for doc in report["documents"]:
            statuses.setdefault(doc["path"], []).append(doc["status"])
    assert all(sorted(s) == ["skipped", "written"] for s in statuses.values())  # once each
    chunks = sum(f["translation_chunks"] for f in fronts(one).values())
    assert entries() == chunks - 3 * 2  # every distinct chunk, once, whoever translated it
    assert outputs(one) == outputs(two)
    with sqlite3.connect(store_path()) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_copy_of_the_store_moves_with_translate_cache(tmp_path, model_args, monkeypatch):
    """TRANSLATE_CACHE says where the store is (as for converted models)."""
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "elsewhere"))
    assert store_path() == tmp_path / "elsewhere" / "translations.sqlite3"
    folder = tmp_path / "in"
    letters(folder, count=1)
    run(folder, model_args)
    shutil.copytree(tmp_path / "elsewhere", tmp_path / "copy")
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "copy"))
    run(folder, model_args, "--force")
    front = fronts(folder)["brief0.summary.en.md"]
    assert front["chunks_from_store"] == front["translation_chunks"]


@pytest.mark.timeout(120)
def test_a_store_that_cannot_be_opened_does_not_fail_the_run(tmp_path, model_args):
    folder = tmp_path / "in"
    letters(folder, count=2)
    store_path().mkdir(parents=True)  # a folder where the file should be
    result = invoke("run", str(folder), *model_args, "--no-digest", "--json")
    assert result.exit_code == 0, result.output
    assert "the translation store" in result.stderr and "is not used" in result.stderr
    assert result.stderr.count("translation store") == 1  # said once, not once per wave
    assert all(f["chunks_from_store"] == 0 for f in fronts(folder).values())


def test_a_run_with_other_document_options_takes_what_a_plain_run_translated(
    tmp_path, model_args
):
    """Issue 29, item 12: a --keep-translation run after (or beside) a plain run on the same
    folder redoes its documents, as it must (the translation files are new outputs), but
    translates none of their chunks again: the plain run's translations are in the store."""
    folder = tmp_path / "letters"
    letters(folder, count=3)
    run(folder, model_args)
    report = run(folder, model_args, "--keep-translation")
    assert report["written"] == 3
    for front in fronts(folder).values():
        assert front["chunks_from_store"] == front["translation_chunks"] > 0
    assert len(list(folder.glob("*.en.md"))) == 6  # each letter's summary and translation
