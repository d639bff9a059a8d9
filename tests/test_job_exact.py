"""job.py on files built by hand (no model): what `prepare` reads and decides, `claim`'s lock
and its second look, failures' one-line reasons, and what an interrupted run finds written.
Mutation testing found these unpinned (docs/mutation.md)."""

import dataclasses
import hashlib
import logging
import os
import stat
import types

import pytest

from translate.config import RunOptions
from translate.errors import InputError, OutputError, UnsupportedLanguageError
from translate.flow import job as job_module
from translate.flow.job import (
    UP_TO_DATE,
    DocumentResult,
    Job,
    claim,
    decide_language,
    failed,
    from_dropped,
    prepare,
    release,
    written_since,
)
from translate.inputs.discovery import Document, Dropped
from translate.outputs.front_matter import fingerprint, render
from translate.outputs.writing import OutputLock

GERMAN = (
    "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde. "
    "Die Mieten sind in den großen Städten in den letzten zehn Jahren stark gestiegen.\n"
)
ENGLISH_PARAGRAPH = (
    "The government said on Monday that it would act soon on housing. Rents have risen "
    "sharply in the big cities over the last ten years, the report says.\n"
)
RECIPE = {"translation_model": "mt", "summary_model": "sum"}


def document(tmp_path, text=GERMAN, name="bericht.txt", data=None, mode=0o640):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data if data is not None else text.encode())
    os.chmod(path, mode)
    return Document(path=path, output_dir=tmp_path / "out", stem="stem")


def write_output(path, fp, generator="translate 0.1.0"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render({"generator": generator, "fingerprint": fp}, "T", "body"), "utf-8")


def test_a_document_needing_work_becomes_a_job_with_everything_read(tmp_path):
    doc = document(tmp_path)
    job = prepare(doc, RunOptions(), RECIPE)
    assert isinstance(job, Job)
    assert job.document is doc
    assert job.text == GERMAN
    assert job.sha256 == hashlib.sha256(GERMAN.encode()).hexdigest()
    assert job.source_mode & 0o777 == 0o640
    assert job.source["format"] == "text"
    assert job.language == "de" and job.detected_language == "de"
    assert job.summary_path == tmp_path / "out" / "stem.summary.en.md"
    assert job.translation_path is None and job.bilingual_path is None
    assert job.outputs == (job.summary_path,)
    assert job.fingerprint == fingerprint(job.sha256, RECIPE)
    assert job.english_blocks == frozenset()
    assert job.notes == ()
    assert job.lock is None and job.segmentation is None


def test_kept_translation_and_bilingual_view_have_their_own_paths(tmp_path):
    options = RunOptions(keep_translation=True, bilingual=True)
    job = prepare(document(tmp_path), options, RECIPE)
    out = tmp_path / "out"
    assert job.translation_path == out / "stem.en.md"
    assert job.bilingual_path == out / "stem.de-en.md"
    assert job.outputs == (out / "stem.summary.en.md", out / "stem.en.md", out / "stem.de-en.md")
    only_bilingual = prepare(document(tmp_path), RunOptions(bilingual=True), RECIPE)
    assert only_bilingual.translation_path is None
    assert only_bilingual.outputs == (out / "stem.summary.en.md", out / "stem.de-en.md")


def test_english_paragraphs_of_a_german_text_are_found_to_be_kept(tmp_path):
    text = GERMAN + "\n" + ENGLISH_PARAGRAPH + "\n" + GERMAN
    job = prepare(document(tmp_path, text), RunOptions(), RECIPE)
    assert job.language == "de"
    assert job.english_blocks == frozenset({1})


def test_a_source_with_legacy_lines_has_its_encoding_in_the_fingerprint(tmp_path):
    data = GERMAN.encode() + "Größe: 5 €\n".encode("cp1252")
    job = prepare(document(tmp_path, data=data), RunOptions(), RECIPE)
    assert job.source["legacy_lines"] == 1
    encoding = job.source["encoding"]
    assert encoding.endswith("cp1252")
    assert job.fingerprint == fingerprint(job.sha256, {**RECIPE, "source_encoding": encoding})
    assert RECIPE == {"translation_model": "mt", "summary_model": "sum"}  # not changed


def test_preparing_takes_the_documents_reading_time(tmp_path, monkeypatch):
    times = iter([5.0, 7.5])
    monkeypatch.setattr(job_module, "time", types.SimpleNamespace(perf_counter=lambda: next(times)))
    assert prepare(document(tmp_path), RunOptions(), RECIPE).seconds == 2.5


def test_a_forced_language_is_used_and_the_detected_one_kept(tmp_path):
    job = prepare(document(tmp_path), RunOptions(source_lang="en"), RECIPE)
    assert job.language == "en" and job.detected_language == "de"


def test_outputs_up_to_date_are_skipped_and_their_leftovers_removed(tmp_path):
    doc = document(tmp_path)
    expected = fingerprint(hashlib.sha256(GERMAN.encode()).hexdigest(), RECIPE)
    summary = tmp_path / "out" / "stem.summary.en.md"
    write_output(summary, expected)
    leftover = summary.parent / ".stem.summary.en.md.abcdefgh.tmp"
    leftover.write_text("half", encoding="utf-8")
    result = prepare(doc, RunOptions(), RECIPE)
    assert result == DocumentResult(
        path=doc.path, status="skipped", outputs=(summary,), reason=UP_TO_DATE
    )
    assert not leftover.exists()
    assert isinstance(prepare(doc, RunOptions(force=True), RECIPE), Job)  # --force redoes it


def test_outputs_with_another_fingerprint_are_redone(tmp_path):
    doc = document(tmp_path)
    write_output(tmp_path / "out" / "stem.summary.en.md", "another")
    assert isinstance(prepare(doc, RunOptions(), RECIPE), Job)


def test_force_never_replaces_a_file_translate_did_not_write(tmp_path):
    doc = document(tmp_path)
    summary = tmp_path / "out" / "stem.summary.en.md"
    summary.parent.mkdir()
    summary.write_text("my own notes\n", encoding="utf-8")
    with pytest.raises(OutputError, match="was not written by translate"):
        prepare(doc, RunOptions(force=True), RECIPE)


def job_of(tmp_path, **options):
    return prepare(document(tmp_path), RunOptions(**options), RECIPE)


def test_claiming_takes_the_lock_and_makes_the_folder(tmp_path):
    job = job_of(tmp_path)
    assert claim(job, RunOptions()) is None
    assert job.lock is not None
    assert job.summary_path.parent.is_dir()
    assert not OutputLock(job.summary_path).acquire()  # held
    release(job)
    assert job.lock is None
    release(job)  # twice is harmless
    other = OutputLock(job.summary_path)
    assert other.acquire()
    other.release()


def test_a_document_another_run_holds_is_skipped_naming_the_lock(tmp_path):
    job = job_of(tmp_path)
    job.summary_path.parent.mkdir(parents=True)
    other = OutputLock(job.summary_path)
    assert other.acquire()
    try:
        result = claim(job, RunOptions())
    finally:
        other.release()
    assert result == DocumentResult(
        path=job.document.path,
        status="skipped",
        outputs=(job.summary_path,),
        reason="another translate run is working on it (.stem.summary.en.md.lock)",
    )
    assert job.lock is None


def test_a_document_done_meanwhile_is_skipped_and_its_lock_freed(tmp_path):
    job = job_of(tmp_path)
    write_output(job.summary_path, job.fingerprint)
    leftover = job.summary_path.parent / ".stem.summary.en.md.abcdefgh.tmp"
    leftover.write_text("half", encoding="utf-8")
    result = claim(job, RunOptions())
    assert result.status == "skipped"
    assert result.reason == "done meanwhile by another run"
    assert result.outputs == (job.summary_path,)
    assert job.lock is None
    assert not leftover.exists()
    lock = OutputLock(job.summary_path)
    assert lock.acquire()
    lock.release()
    assert claim(job, RunOptions(force=True)) is None  # with --force it is redone
    assert job.lock is not None
    release(job)


def test_a_failure_under_the_lock_frees_it(tmp_path, monkeypatch):
    job = job_of(tmp_path)

    def broken(outputs):
        raise OSError("disk gone")

    monkeypatch.setattr(job_module, "remove_leftovers", broken)
    with pytest.raises(OSError, match="disk gone"):
        claim(job, RunOptions())
    assert job.lock is None
    lock = OutputLock(job.summary_path)
    assert lock.acquire()
    lock.release()


def test_a_failure_is_one_line_naming_the_file_once(tmp_path, caplog):
    path = tmp_path / "a.txt"
    with caplog.at_level(logging.DEBUG, logger="translate.flow.job"):
        result = failed(path, InputError(f"{path}: cannot be read\nsecond line"))
    assert result == DocumentResult(path=path, status="failed", reason=f"{path}: cannot be read")
    assert caplog.records[-1].getMessage() == f"{path} failed"
    assert caplog.records[-1].exc_info is not None
    assert failed(path, InputError("no name")).reason == f"{path}: no name"
    assert failed(path, ValueError("bad\nworse")).reason == f"{path}: ValueError: bad"
    assert failed(path, ValueError()).reason == f"{path}: ValueError: "
    assert failed(path, InputError("  ")).reason == f"{path}:   "
    assert failed(path, InputError("\nlater")).reason == f"{path}: "


def test_what_discovery_left_out_is_a_result_and_a_failure_names_its_file(tmp_path):
    path = tmp_path / "x.bin"
    assert from_dropped(Dropped(path, "failed", "is binary")) == DocumentResult(
        path=path, status="failed", reason=f"{path}: is binary"
    )
    assert from_dropped(Dropped(path, "ignored", "in .translateignore")) == DocumentResult(
        path=path, status="ignored", reason="in .translateignore"
    )


def test_summaries_written_since_a_time_are_found_with_their_other_outputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    docs = [Document(path=folder / f"{n}.txt", output_dir=folder) for n in "abcde"]
    for n in "abcd":
        write_output(folder / f"{n}.summary.en.md", "fp")
    (folder / "a.en.md").write_text("t", encoding="utf-8")
    (folder / "a.de-en.md").write_text("t", encoding="utf-8")
    (folder / "c.summary.en.md").write_text("not ours", encoding="utf-8")
    since = os.stat(folder / "a.summary.en.md").st_mtime_ns
    os.utime(folder / "b.summary.en.md", ns=(since - 1, since - 1))  # before the run
    options = RunOptions(keep_translation=True, bilingual=True)
    results = written_since(docs, options, since)
    assert results == [
        DocumentResult(
            path=folder / "a.txt",
            status="written",
            outputs=(folder / "a.en.md", folder / "a.de-en.md", folder / "a.summary.en.md"),
            reason="written as the run was interrupted",
        ),
        DocumentResult(
            path=folder / "d.txt",
            status="written",
            outputs=(folder / "d.summary.en.md",),
            reason="written as the run was interrupted",
        ),
    ]
    assert written_since(docs[:1], RunOptions(bilingual=True), since)[0].outputs == (
        folder / "a.de-en.md",
        folder / "a.summary.en.md",
    )
    assert written_since(docs[:1], RunOptions(), since)[0].outputs == (folder / "a.summary.en.md",)
    assert written_since(docs[:1], RunOptions(), since + 10**12) == []


def test_a_summary_that_cannot_be_looked_at_is_not_counted(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    write_output(folder / "a.summary.en.md", "fp")
    doc = Document(path=folder / "a.txt", output_dir=folder)

    def unreadable(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(job_module, "content_intact", unreadable)
    assert written_since([doc], RunOptions(), 0) == []


def test_only_de_and_en_may_be_forced():
    with pytest.raises(InputError) as raised:
        decide_language(tmp := __import__("pathlib").Path("a.txt"), GERMAN, "fr")
    assert str(raised.value) == (
        "--source-lang fr: only de (translate) and en (summarize only) are supported"
    )
    assert tmp.name == "a.txt"


def test_a_forced_language_keeps_no_english_blocks_and_reports_the_detected_one():
    text = GERMAN + "\n" + ENGLISH_PARAGRAPH + "\n" + GERMAN
    path = __import__("pathlib").Path("a.txt")
    assert decide_language(path, text, None) == ("de", "de", frozenset({1}))
    assert decide_language(path, text, "de") == ("de", "de", frozenset())
    assert decide_language(path, ENGLISH_PARAGRAPH * 2, "de") == ("de", "en", frozenset())
    assert decide_language(path, "kurz", "en") == ("en", None, frozenset())


def test_an_english_text_keeps_no_blocks_apart():
    text = ENGLISH_PARAGRAPH + "\n" + GERMAN + "\n" + ENGLISH_PARAGRAPH
    path = __import__("pathlib").Path("a.txt")
    assert decide_language(path, text, None) == ("en", "en", frozenset())


def test_too_little_text_is_refused_with_the_way_round(tmp_path):
    with pytest.raises(UnsupportedLanguageError) as raised:
        decide_language(tmp_path / "a.txt", "Hallo.", None)
    assert str(raised.value) == (
        f"{tmp_path / 'a.txt'}: too little text to identify its language; "
        "use --source-lang de (or en) to process it anyway"
    )


FRENCH = (
    "Le président a déclaré lundi à Berlin que le gouvernement agirait bientôt. Les loyers ont "
    "fortement augmenté dans les grandes villes au cours des dix dernières années.\n"
)


def test_another_language_is_named_with_the_shares_of_a_mixed_text(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    with pytest.raises(UnsupportedLanguageError) as raised:
        decide_language(path, FRENCH, None)
    assert str(raised.value) == (
        f"{path}: the text looks like French (fr), not German; "
        "use --source-lang de to translate it anyway"
    )
    report = types.SimpleNamespace(
        language="fr",
        shares={"fr": 0.6, "de": 0.25, "en": 0.1, "it": 0.05},
        english_blocks=frozenset(),
    )
    monkeypatch.setattr(job_module, "detect", lambda text: report)
    with pytest.raises(UnsupportedLanguageError) as raised:
        decide_language(path, FRENCH, None)
    assert str(raised.value) == (
        f"{path}: the text looks like French (fr), not German (French 60%, German 25%, "
        "English 10%); use --source-lang de to translate it anyway"
    )


def test_reading_gets_the_runs_limits_and_ocr_and_keeps_the_libraries_warnings(
    tmp_path, monkeypatch
):
    calls = []
    real = job_module.extract

    def extract(path, data, max_text_bytes=None, ocr=False):
        calls.append((path, max_text_bytes, ocr))
        done = real(path, data, max_text_bytes, ocr=ocr)
        return dataclasses.replace(done, notes=("pdfminer: a broken font",))

    monkeypatch.setattr(job_module, "extract", extract)
    doc = document(tmp_path)
    job = prepare(doc, RunOptions(max_input_bytes=12345, ocr=True), RECIPE)
    assert calls == [(doc.path, 12345, True)]
    assert job.notes == ("pdfminer: a broken font",)


def test_a_file_that_became_a_link_is_refused_when_links_are_not_followed(tmp_path):
    doc = document(tmp_path)
    target = tmp_path / "elsewhere.txt"
    doc.path.rename(target)
    doc.path.symlink_to(target)
    assert isinstance(prepare(doc, RunOptions(), RECIPE), Job)  # named: followed
    listed = dataclasses.replace(doc, follow_symlinks=False)  # found in a folder listing
    with pytest.raises(InputError):
        prepare(listed, RunOptions(), RECIPE)


def test_a_text_too_short_to_identify_is_refused_naming_its_file(tmp_path):
    doc = document(tmp_path, "Hallo.\n")
    with pytest.raises(UnsupportedLanguageError, match=f"^{doc.path}: too little text"):
        prepare(doc, RunOptions(), RECIPE)


def test_output_folders_are_no_more_open_than_the_input(tmp_path):
    private = prepare(document(tmp_path, mode=0o600), RunOptions(), RECIPE)
    assert claim(private, RunOptions()) is None
    release(private)
    assert stat.S_IMODE(os.stat(tmp_path / "out").st_mode) == 0o700


def test_an_empty_message_is_still_a_reason_naming_the_file(tmp_path):
    path = tmp_path / "a.txt"
    assert failed(path, InputError("")).reason == f"{path}: "
    assert failed(path, InputError(f"{path}: ")).reason == f"{path}: "


def test_a_document_without_a_summary_does_not_end_the_search(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_output(folder / "b.summary.en.md", "fp")
    docs = [Document(path=folder / f"{n}.txt", output_dir=folder) for n in "ab"]
    found = written_since(docs, RunOptions(), 0)
    assert [r.path.name for r in found] == ["b.txt"]


def test_a_text_in_two_other_languages_names_both_shares(tmp_path, monkeypatch):
    report = types.SimpleNamespace(
        language="fr", shares={"fr": 0.7, "de": 0.3}, english_blocks=frozenset()
    )
    monkeypatch.setattr(job_module, "detect", lambda text: report)
    with pytest.raises(UnsupportedLanguageError) as raised:
        decide_language(tmp_path / "a.txt", FRENCH, None)
    assert "not German (French 70%, German 30%);" in str(raised.value)
