"""What `translate run` prints (cli/report.py), on results made by hand: each document's
line, library warnings, the closing line, the --json report and the exit status. The run's
own flow is replaced by a list of results (no model, no reading).
Mutation testing found these unpinned (docs/mutation.md)."""

import contextlib
import itertools
import json
import signal
import types
from pathlib import Path

import pytest

import translate.flow.run as run_module
from translate.cli import report
from translate.cli.report import (
    EXIT_FAILED,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_USAGE,
    Reporter,
    Terminated,
    _as_json,
    _has_subfolders,
    _named,
    _run_error,
    empty_folders,
    notes_line,
    on_signal,
    status_line,
)
from translate.config import INPUT_SUFFIXES, VERSION, DigestOptions, RunOptions
from translate.errors import ConfigError, InputError, ModelNotAvailableError
from translate.flow.job import UP_TO_DATE, DocumentResult
from translate.outputs.front_matter import render


def result(path, status="written", **fields):
    return DocumentResult(path=Path(path), status=status, **fields)


# --- one document's line -------------------------------------------------------------------


def test_a_written_documents_line_names_its_outputs_beside_it_and_its_seconds():
    line = status_line(
        result(
            "in/a.txt",
            outputs=(Path("in/a.en.md"), Path("in/a.summary.en.md")),
            seconds=2.06,
        )
    )
    assert line == "written  in/a.txt -> a.en.md, a.summary.en.md (2.1 s)"


def test_outputs_elsewhere_are_named_by_their_path():
    line = status_line(result("in/a.txt", outputs=(Path("out/x/a.summary.en.md"),), seconds=0))
    assert line == "written  in/a.txt -> out/x/a.summary.en.md (0.0 s)"


def test_a_written_documents_reason_replaces_its_seconds():
    line = status_line(
        result("a.txt", outputs=(Path("a.summary.en.md"),), reason="written as it was stopped")
    )
    assert line == "written  a.txt -> a.summary.en.md (written as it was stopped)"


def test_suspect_passages_are_said_on_the_documents_line():
    line = status_line(result("a.txt", seconds=1.0, counts={"suspect_chunks": 2}))
    assert line == "written  a.txt (1.0 s, 2 passage(s) may have lost content)"
    assert status_line(result("a.txt", seconds=1.0, counts={"suspect_chunks": 0})) == (
        "written  a.txt (1.0 s)"
    )


def test_a_document_up_to_date_says_how_to_redo_it():
    skipped = result("a.txt", "skipped", outputs=(Path("a.summary.en.md"),), reason=UP_TO_DATE)
    assert status_line(skipped) == (
        "skipped  a.txt -> a.summary.en.md (up to date; --force redoes it)"
    )
    busy = result("a.txt", "skipped", reason="another run has it")
    assert status_line(busy) == "skipped  a.txt (another run has it)"
    assert status_line(result("a.txt", "ignored", reason="in .translateignore")) == (
        "ignored  a.txt (in .translateignore)"
    )


def test_names_in_a_line_are_escaped():
    line = status_line(result("in/a\nb.txt", outputs=(Path("in/a\nb.summary.en.md"),)))
    assert line == "written  'in/a\\nb.txt' -> 'a\\nb.summary.en.md' (0.0 s)"


def test_a_library_warning_is_shown_whole_when_short_and_alone():
    short = "x" * report.NOTE_SHOWN
    assert notes_line(result("a.txt", warnings=(short,))) == f"a.txt: {short}"


def test_a_long_warning_is_cut_and_says_how_to_see_it_whole():
    long = "y" * (report.NOTE_SHOWN + 1)
    shown = "y" * (report.NOTE_SHOWN - 1) + "…"
    assert notes_line(result("a.txt", warnings=(long,))) == (
        f"a.txt: {shown} (--verbose shows it whole)"
    )


def test_more_warnings_are_counted():
    line = notes_line(result("a\tb.txt", warnings=("first", "second", "third")))
    assert line == "'a\\tb.txt': first (and 2 more; --verbose shows them)"
    long = "z" * 200
    line = notes_line(result("a.txt", warnings=(long, "second")))
    assert line == f"a.txt: {'z' * 119}… (and 1 more; --verbose shows them)"


def test_a_failures_reason_shows_its_file_name_escaped():
    path = Path("a\x1bb.txt")
    assert _named(path, f"{path}: cannot be read") == "'a\\x1bb.txt': cannot be read"
    assert _named(path, "another reason") == "another reason"


def test_a_run_error_is_our_message_or_names_the_unexpected_exception():
    assert _run_error(ModelNotAvailableError("no such model")) == "no such model"
    assert _run_error(ValueError("  bad value\nmore\n")) == (
        "unexpected ValueError: bad value (--verbose shows where)"
    )
    assert _run_error(RuntimeError()) == "unexpected RuntimeError (--verbose shows where)"


def test_a_results_json_entry_has_every_field():
    done = result(
        "in/a.txt",
        outputs=(Path("in/a.summary.en.md"),),
        reason=None,
        counts={"words": 3},
        seconds=1.236,
        warnings=("w",),
    )
    assert _as_json(done) == {
        "path": "in/a.txt",
        "status": "written",
        "outputs": ["in/a.summary.en.md"],
        "error": None,
        "reason": None,
        "counts": {"words": 3},
        "seconds": 1.24,
        "warnings": ["w"],
    }
    failed = _as_json(result("b.txt", "failed", reason="b.txt: broken"))
    assert failed["error"] == failed["reason"] == "b.txt: broken"
    assert _as_json(result("c.txt", "skipped", reason=UP_TO_DATE))["error"] is None


# --- folders without documents -------------------------------------------------------------


def test_an_empty_folder_says_what_was_looked_for(tmp_path):
    patterns = [f"*{s}" for s in INPUT_SUFFIXES]
    looked = ", ".join(patterns[:-1]) + " and " + patterns[-1]
    assert empty_folders([tmp_path], [], False) == [
        f"no documents found in {tmp_path} (looked for {looked})"
    ]
    assert empty_folders([tmp_path], [], True) == [
        f"no documents found in {tmp_path} (looked for {looked} in it and its sub-folders)"
    ]


def test_include_patterns_are_what_was_looked_for(tmp_path):
    assert empty_folders([tmp_path], [], False, ("*.md",)) == [
        f"no documents found in {tmp_path} (looked for *.md)"
    ]
    assert empty_folders([tmp_path], [], False, ("*.md", "*.txt", "*.rst")) == [
        f"no documents found in {tmp_path} (looked for *.md, *.txt and *.rst)"
    ]


def test_sub_folders_suggest_recursive(tmp_path):
    (tmp_path / "sub").mkdir()
    assert empty_folders([tmp_path], [], False, ("*.md",)) == [
        f"no documents found in {tmp_path} (looked for *.md; use --recursive for sub-folders)"
    ]


def test_hidden_folders_and_files_are_no_sub_folders(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "notes.bin").write_text("x", encoding="utf-8")
    assert not _has_subfolders(tmp_path)
    assert not _has_subfolders(tmp_path / "missing")  # cannot be listed
    (tmp_path / "sub").mkdir()
    assert _has_subfolders(tmp_path)


def test_folders_with_documents_and_files_given_get_no_warning(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    file = tmp_path / "c.txt"
    file.write_text("x", encoding="utf-8")
    found = [tmp_path / "a" / "deep" / "d.txt"]
    warnings = empty_folders([tmp_path / "a", tmp_path / "b", file], found, False, ("*.md",))
    assert warnings == [f"no documents found in {tmp_path / 'b'} (looked for *.md)"]


# --- a whole run, reported -----------------------------------------------------------------


@pytest.fixture
def folder(tmp_path):
    """Three documents to report on."""
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("Ein Text.\n", encoding="utf-8")
    return tmp_path


@pytest.fixture
def fixed_time(monkeypatch):
    times = itertools.cycle([100.0, 103.456])  # each run: started, then ended
    monkeypatch.setattr(
        report, "time", types.SimpleNamespace(perf_counter=lambda: next(times), time_ns=lambda: 0)
    )


def flow(monkeypatch, *steps):
    """The run's results, one per step: a result is yielded, an exception raised, a callable
    called; records what the run passed in and whether it was closed."""
    seen = {}

    def iter_results(documents, options, progress=None):
        seen.update(documents=[d.path.name for d in documents], options=options, closed=False)
        if progress is not None:
            seen["progress"] = progress
        try:
            for step in steps:
                if isinstance(step, BaseException):
                    raise step
                if callable(step):
                    step()
                    continue
                yield step
        finally:
            seen["closed"] = True

    monkeypatch.setattr(run_module, "iter_results", iter_results)
    return seen


def lines(capsys):
    captured = capsys.readouterr()
    return captured.out, captured.err.splitlines()


def test_a_run_shows_each_document_and_a_closing_count(folder, monkeypatch, capsys, fixed_time):
    seen = flow(
        monkeypatch,
        result(folder / "a.txt", outputs=(folder / "a.summary.en.md",), seconds=1.0),
        result(folder / "b.txt", "skipped", reason="another run has it"),
        result(folder / "c.txt", "failed", reason=f"{folder / 'c.txt'}: cannot be read"),
    )
    reporter = Reporter(quiet=False, as_json=False)
    options = RunOptions(keep_translation=True)
    code = reporter.run([folder], options)
    out, err = lines(capsys)
    assert code == EXIT_FAILED
    assert out == ""
    assert err == [
        f"written  {folder / 'a.txt'} -> a.summary.en.md (1.0 s)",
        f"skipped  {folder / 'b.txt'} (another run has it)",
        f"error: {folder / 'c.txt'}: cannot be read",
        "1 written, 1 skipped, 1 failed in 3.5 s",
    ]
    assert seen == {"documents": ["a.txt", "b.txt", "c.txt"], "options": options, "closed": True}
    assert [r.status for r in reporter.results] == ["written", "skipped", "failed"]
    assert not list(folder.glob("*digest*"))  # no digest unless asked for


def test_a_run_where_nothing_failed_exits_0(folder, monkeypatch, capsys, fixed_time):
    flow(monkeypatch, *(result(folder / n, "skipped", reason="x") for n in ("a.txt", "b.txt")))
    assert Reporter(quiet=False, as_json=False).run([folder], RunOptions()) == 0
    out, err = lines(capsys)
    assert err[-1] == "0 written, 2 skipped, 0 failed, 1 not done in 3.5 s"


def test_what_discovery_left_out_is_shown_first_and_counted(
    tmp_path, monkeypatch, capsys, fixed_time
):
    (tmp_path / "a.txt").write_text("Ein Text.\n", encoding="utf-8")
    (tmp_path / ".translateignore").write_text("a.txt\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Ein Text.\n", encoding="utf-8")
    flow(monkeypatch, result(tmp_path / "b.txt", seconds=0.5))
    code = Reporter(quiet=False, as_json=False).run(
        [tmp_path, tmp_path / "missing.txt"], RunOptions()
    )
    out, err = lines(capsys)
    assert code == EXIT_FAILED
    assert err[0].startswith(f"ignored  {tmp_path / 'a.txt'} (")
    assert err[1] == f"error: {tmp_path / 'missing.txt'}: no such file or folder"
    assert err[2] == f"written  {tmp_path / 'b.txt'} (0.5 s)"
    assert err[3] == "1 written, 0 skipped, 1 failed, 1 ignored (.translateignore) in 3.5 s"


def test_library_warnings_follow_the_documents_line(
    folder, monkeypatch, capsys, caplog, fixed_time
):
    flow(monkeypatch, result(folder / "a.txt", warnings=("one warning", "another")))
    with caplog.at_level("DEBUG", logger="translate.cli"):
        Reporter(quiet=False, as_json=False).run([folder / "a.txt"], RunOptions())
    out, err = lines(capsys)
    assert err[:2] == [
        f"written  {folder / 'a.txt'} (0.0 s)",
        f"warning: {folder / 'a.txt'}: one warning (and 1 more; --verbose shows them)",
    ]
    assert [r.getMessage() for r in caplog.records] == [
        f"{folder / 'a.txt'}: one warning",
        f"{folder / 'a.txt'}: another",
    ]


def test_quiet_shows_only_failures(folder, monkeypatch, capsys, fixed_time):
    (folder / "empty").mkdir()
    flow(
        monkeypatch,
        result(folder / "a.txt", warnings=("a warning",)),
        result(folder / "b.txt", "failed", reason="b broke"),
    )
    reporter = Reporter(quiet=True, as_json=False)
    assert reporter.run([folder, folder / "empty"], RunOptions()) == EXIT_FAILED
    out, err = lines(capsys)
    assert (out, err) == ("", ["error: b broke"])
    assert reporter.warnings == [
        f"no documents found in {folder / 'empty'} (looked for "
        + ", ".join(f"*{s}" for s in INPUT_SUFFIXES[:-1])
        + f" and *{INPUT_SUFFIXES[-1]})"
    ]


def test_an_empty_folder_is_warned_of(tmp_path, monkeypatch, capsys, fixed_time):
    flow(monkeypatch)
    assert Reporter(quiet=False, as_json=False).run([tmp_path], RunOptions(include=("*.md",))) == 0
    out, err = lines(capsys)
    assert err == [
        f"warning: no documents found in {tmp_path} (looked for *.md)",
        "0 written, 0 skipped, 0 failed in 3.5 s",
    ]


def test_the_json_report_has_every_count_and_document(folder, monkeypatch, capsys, fixed_time):
    (folder / "empty").mkdir()
    flow(
        monkeypatch,
        result(folder / "a.txt", outputs=(folder / "a.summary.en.md",), seconds=1.0),
        result(folder / "b.txt", "failed", reason="b broke"),
    )
    reporter = Reporter(quiet=False, as_json=True)
    assert reporter.quiet
    code = reporter.run([folder, folder / "empty"], RunOptions())
    out, err = lines(capsys)
    assert err == ["error: b broke"]
    assert code == EXIT_FAILED
    assert json.loads(out) == {
        "version": VERSION,
        "exit_status": EXIT_FAILED,
        "error": None,
        "seconds": 3.46,
        "written": 1,
        "skipped": 0,
        "failed": 1,
        "ignored": 0,
        "not_done": 1,
        "warnings": [reporter.warnings[0]],
        "digests": [],
        "documents": [
            _as_json(result(folder / "a.txt", outputs=(folder / "a.summary.en.md",), seconds=1)),
            _as_json(result(folder / "b.txt", "failed", reason="b broke")),
        ],
    }
    assert reporter.warnings[0].startswith(f"no documents found in {folder / 'empty'}")
    assert out.startswith('{\n  "version": ')  # indented by two


def test_the_json_report_keeps_names_readable_and_undecodable_bytes_exact(
    tmp_path, monkeypatch, capsys, fixed_time
):
    name = "ü-" + b"\xff".decode("utf-8", "surrogateescape") + ".txt"
    path = tmp_path / name
    flow(monkeypatch, result(path, "skipped", reason="x"))
    (tmp_path / "empty").mkdir()
    Reporter(quiet=False, as_json=True).run([tmp_path / "empty"], RunOptions())
    out, err = lines(capsys)
    assert '/ü-\\udcff.txt"' in out  # readable, and the byte as its JSON escape
    report_ = json.loads(out)
    assert report_["documents"][0]["path"] == str(path)


def test_a_run_wide_usage_error_stops_the_run_with_status_2(
    folder, monkeypatch, capsys, fixed_time
):
    seen = flow(monkeypatch, ConfigError("--device cuda: no GPU here"))
    reporter = Reporter(quiet=False, as_json=True)
    assert reporter.run([folder], RunOptions()) == EXIT_USAGE
    out, err = lines(capsys)
    assert err == ["error: --device cuda: no GPU here"]
    report_ = json.loads(out)
    assert report_["exit_status"] == EXIT_USAGE
    assert report_["error"] == {"message": "--device cuda: no GPU here", "kind": "usage"}
    assert report_["not_done"] == 3
    assert seen["closed"]


def test_an_unexpected_error_stops_the_run_with_status_1(
    folder, monkeypatch, capsys, caplog, fixed_time
):
    flow(monkeypatch, result(folder / "a.txt"), RuntimeError("boom\nmore"))
    with caplog.at_level("DEBUG", logger="translate.cli"):
        code = Reporter(quiet=False, as_json=False).run([folder], RunOptions())
    out, err = lines(capsys)
    assert code == EXIT_FAILED
    assert err == [
        f"written  {folder / 'a.txt'} (0.0 s)",
        "error: unexpected RuntimeError: boom (--verbose shows where)",
        "1 written, 0 skipped, 0 failed, 2 not done in 3.5 s",
    ]
    stopped = [r for r in caplog.records if r.getMessage() == "the run stopped"]
    assert stopped and stopped[0].exc_info[1].args == ("boom\nmore",)


def test_a_model_error_has_its_own_kind(folder, monkeypatch, capsys, fixed_time):
    flow(monkeypatch, ModelNotAvailableError("no model"))
    assert Reporter(quiet=True, as_json=True).run([folder], RunOptions()) == EXIT_FAILED
    report_ = json.loads(lines(capsys)[0])
    assert report_["error"] == {"message": "no model", "kind": ModelNotAvailableError.kind}
    flow(monkeypatch, KeyError("k"))
    Reporter(quiet=True, as_json=True).run([folder], RunOptions())
    assert json.loads(lines(capsys)[0])["error"]["kind"] == "internal"


def done_summary(path):
    path.write_text(render({"generator": "translate 0", "fingerprint": "f"}, "T", "b"), "utf-8")


@pytest.mark.parametrize(
    "interruption, code", [(KeyboardInterrupt(), EXIT_SIGINT), (Terminated(), EXIT_SIGTERM)]
)
def test_an_interrupted_run_counts_what_was_written_meanwhile(
    folder, monkeypatch, capsys, interruption, code, fixed_time
):
    flow(
        monkeypatch,
        result(folder / "a.txt", seconds=1.0),
        lambda: done_summary(folder / "b.summary.en.md"),  # finished, its result not back
        interruption,
    )
    done_summary(folder / "a.summary.en.md")  # reported already: not twice
    assert Reporter(quiet=False, as_json=False).run([folder], RunOptions()) == code
    out, err = lines(capsys)
    assert err == [
        f"written  {folder / 'a.txt'} (1.0 s)",
        f"written  {folder / 'b.txt'} -> b.summary.en.md (written as the run was interrupted)",
        f"error: {report._INTERRUPTED}",
        "2 written, 0 skipped, 0 failed, 1 not done in 3.5 s",
    ]


def test_an_interruption_in_json_says_so(folder, monkeypatch, capsys, fixed_time):
    flow(monkeypatch, KeyboardInterrupt())
    Reporter(quiet=False, as_json=True).run([folder], RunOptions())
    report_ = json.loads(lines(capsys)[0])
    assert report_["error"] == {"message": report._INTERRUPTED, "kind": "interrupted"}
    assert report_["exit_status"] == EXIT_SIGINT


def test_a_signal_a_finalizer_swallowed_stops_the_run_at_the_next_document(
    folder, monkeypatch, capsys, fixed_time
):
    def swallowed():
        with contextlib.suppress(KeyboardInterrupt):  # as a finalizer would
            on_signal(signal.SIGTERM, None)

    seen = flow(monkeypatch, swallowed, result(folder / "a.txt"), result(folder / "b.txt"))
    assert Reporter(quiet=False, as_json=False).run([folder], RunOptions()) == EXIT_SIGTERM
    out, err = lines(capsys)
    assert err[0] == f"written  {folder / 'a.txt'} (0.0 s)"
    assert err[-1] == "1 written, 0 skipped, 0 failed, 2 not done in 3.5 s"
    assert seen["closed"]
    # The next run starts afresh.
    flow(monkeypatch, result(folder / "a.txt"))
    assert Reporter(quiet=True, as_json=False).run([folder], RunOptions()) == 0


def raised_by(call):
    """The KeyboardInterrupt `call` raises, caught here: one escaping would stop pytest."""
    try:
        call()
    except KeyboardInterrupt as exc:
        return exc
    return None


def test_a_signal_raises_as_python_does_and_is_remembered():
    report._received.clear()
    assert type(raised_by(lambda: on_signal(signal.SIGINT, None))) is KeyboardInterrupt
    assert type(raised_by(lambda: on_signal(signal.SIGTERM, None))) is Terminated
    assert report._received == [signal.SIGINT, signal.SIGTERM]
    report._received.clear()


def test_a_digest_asked_for_is_written_and_said(folder, monkeypatch, capsys, fixed_time):
    flow(monkeypatch, result(folder / "a.txt", "skipped", reason="x"))
    reporter = Reporter(quiet=False, as_json=False)
    reporter.run([folder], RunOptions(), DigestOptions(path=folder / "d.md"))
    out, err = lines(capsys)
    assert f"digest: {folder / 'd.md'}" in err
    assert reporter.digests == [{"path": str(folder / "d.md"), "outcome": "written"}]
    flow(monkeypatch, result(folder / "a.txt", "skipped", reason="x"))
    Reporter(quiet=False, as_json=False).run(
        [folder], RunOptions(), DigestOptions(path=folder / "d.md")
    )
    out, err = lines(capsys)
    assert f"digest: {folder / 'd.md'} (unchanged)" in err


def test_no_digest_is_written_when_the_run_stops(folder, monkeypatch, capsys, fixed_time):
    flow(monkeypatch, RuntimeError("x"))
    Reporter(quiet=False, as_json=False).run(
        [folder], RunOptions(), DigestOptions(path=folder / "d.md")
    )
    assert not (folder / "d.md").exists()


def test_digest_outcomes_are_said_or_warned():
    reporter = Reporter(quiet=False, as_json=False)
    said = []
    reporter._say = said.append
    reporter._digests(
        [
            (Path("a/digest.md"), "written"),
            (Path("b/digest.md"), "unchanged"),
            (Path("c/digest.md"), "not written: c is read-only"),
        ]
    )
    assert said == [
        "digest: a/digest.md",
        "digest: b/digest.md (unchanged)",
        "warning: digest not written: c is read-only",
    ]
    assert reporter.warnings == ["digest not written: c is read-only"]
    assert [d["outcome"] for d in reporter.digests] == [
        "written",
        "unchanged",
        "not written: c is read-only",
    ]
    quiet = Reporter(quiet=True, as_json=False)
    quiet._say = said.append
    quiet._digests([(Path("a/digest.md"), "written"), (Path("c/d.md"), "not written: x")])
    assert said[3:] == []
    assert quiet.warnings == ["digest not written: x"]


class Screen:
    def __init__(self, documents=None):
        self.documents, self.done, self.said, self.closed = documents, [], [], 0

    def document_done(self, written):
        self.done.append(written)

    def say(self, message):
        self.said.append(message)

    def close(self):
        self.closed += 1


def test_progress_is_shown_only_on_a_terminal_and_not_when_quiet(monkeypatch):
    import translate.cli.terminal as terminal

    monkeypatch.setattr(terminal, "TerminalProgress", Screen)
    tty = types.SimpleNamespace(stderr=types.SimpleNamespace(isatty=lambda: True))
    pipe = types.SimpleNamespace(stderr=types.SimpleNamespace(isatty=lambda: False))
    monkeypatch.setattr(report, "sys", tty)
    screen = Reporter(quiet=False, as_json=False)._progress(3)
    assert isinstance(screen, Screen) and screen.documents == 3
    assert Reporter(quiet=False, as_json=False)._progress(0) is None
    assert Reporter(quiet=True, as_json=False)._progress(3) is None
    assert Reporter(quiet=False, as_json=True)._progress(3) is None
    monkeypatch.setattr(report, "sys", pipe)
    assert Reporter(quiet=False, as_json=False)._progress(3) is None


def test_on_a_terminal_lines_go_through_the_progress_display(
    folder, monkeypatch, fixed_time, capsys
):
    screens = []

    def progress(self, documents):
        screens.append(Screen(documents))
        return screens[-1]

    monkeypatch.setattr(Reporter, "_progress", progress)
    seen = flow(
        monkeypatch,
        result(folder / "a.txt", warnings=("w\nx",)),
        result(folder / "b.txt", "failed", reason="b broke"),
    )
    reporter = Reporter(quiet=False, as_json=False)
    reporter.run([folder], RunOptions())
    (screen,) = screens
    assert seen["progress"] is screen  # the run's phases go to it
    assert screen.documents == 3
    assert screen.done == [True, False]
    assert screen.said == [
        f"written  {folder / 'a.txt'} (0.0 s)",
        f"warning: {folder / 'a.txt'}: w\\nx",
        "error: b broke",
    ]
    assert screen.closed == 1 and reporter.screen is None
    out, err = lines(capsys)
    assert err == ["1 written, 0 skipped, 1 failed, 1 not done in 3.5 s"]


def test_messages_stay_on_one_line(capsys):
    reporter = Reporter(quiet=False, as_json=False)
    reporter._warn("two\nlines")
    assert capsys.readouterr().err == "warning: two\\nlines\n"
    assert reporter.warnings == ["two\nlines"]


def test_an_input_error_is_our_own_message():
    assert _run_error(InputError("a.txt: bad")) == "a.txt: bad"


def test_a_ray_run_goes_through_the_cluster_and_its_notes_become_warnings(
    folder, monkeypatch, capsys, fixed_time
):
    import translate.flow.distributed as distributed

    seen = {}

    def iter_results(documents, options, ray):
        seen.update(documents=[d.path.name for d in documents], options=options, ray=ray)
        print("(raylet) a worker died")
        yield result(folder / "a.txt")

    monkeypatch.setattr(distributed, "iter_results", iter_results)
    monkeypatch.setattr(run_module, "iter_results", lambda *a, **k: pytest.fail("ran locally"))
    reporter = Reporter(quiet=False, as_json=False)
    reporter.ray = ray = object()
    options = RunOptions()
    reporter.run([folder], options)
    out, err = lines(capsys)
    assert seen == {"documents": ["a.txt", "b.txt", "c.txt"], "options": options, "ray": ray}
    assert reporter.warnings == ["Ray: a worker died (--verbose shows Ray's report)"]
    assert out == ""
    assert err[0] == "warning: Ray: a worker died (--verbose shows Ray's report)"


def test_a_local_run_leaves_stdout_alone(folder, monkeypatch, capsys, fixed_time):
    def iter_results(documents, options, progress=None):
        print("(raylet) printed by someone")
        yield result(folder / "a.txt")

    monkeypatch.setattr(run_module, "iter_results", iter_results)
    reporter = Reporter(quiet=False, as_json=False)
    reporter.run([folder], RunOptions())
    assert capsys.readouterr().out == "(raylet) printed by someone\n"
    assert reporter.warnings == []


def test_the_runs_discovery_options_decide_the_documents(tmp_path, monkeypatch, capsys, fixed_time):
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.md", "sub/d.txt"):
        (inbox / name).write_text("Ein Text.\n", encoding="utf-8")
    outside = tmp_path / "outside.txt"
    outside.write_text("Ein Text.\n", encoding="utf-8")
    (inbox / "link.txt").symlink_to(outside)
    seen = {}

    def iter_results(documents, options, progress=None):
        seen["documents"] = sorted(
            (str(d.path.relative_to(inbox)), str(d.output_dir.relative_to(tmp_path)))
            for d in documents
        )
        yield from ()

    monkeypatch.setattr(run_module, "iter_results", iter_results)
    options = RunOptions(
        recursive=True,
        output_dir=tmp_path / "out",
        follow_symlinks=True,
        include=("*.txt",),
        exclude=("b*",),
    )
    Reporter(quiet=True, as_json=False).run([inbox], options)
    assert seen["documents"] == [
        ("a.txt", "out"),
        ("link.txt", "out"),
        ("sub/d.txt", "out/sub"),
    ]


def test_a_recursive_run_looks_in_sub_folders_of_each_empty_folder(
    tmp_path, monkeypatch, capsys, fixed_time
):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    flow(monkeypatch)
    options = RunOptions(recursive=True, include=("*.md", "*.txt"))
    Reporter(quiet=False, as_json=False).run([tmp_path / "one", tmp_path / "two"], options)
    out, err = lines(capsys)
    assert err[:2] == [
        f"warning: no documents found in {tmp_path / n} (looked for *.md and *.txt in it and "
        "its sub-folders)"
        for n in ("one", "two")
    ]


def test_two_patterns_are_joined_by_and(tmp_path):
    assert empty_folders([tmp_path], [], False, ("*.md", "*.txt")) == [
        f"no documents found in {tmp_path} (looked for *.md and *.txt)"
    ]


def test_each_folders_digest_is_written_beside_its_outputs(folder, monkeypatch, capsys, fixed_time):
    flow(monkeypatch, result(folder / "a.txt", "skipped", reason="x"))
    out = folder.parent / f"{folder.name}-out"
    reporter = Reporter(quiet=False, as_json=False)
    reporter.run([folder], RunOptions(output_dir=out), DigestOptions())
    digest = out / "translate-digest.en.md"
    assert reporter.digests == [{"path": str(digest), "outcome": "written"}]
    assert digest.exists()
    text = digest.read_text(encoding="utf-8")
    assert "a.txt" in text and "c.txt" in text


def test_a_second_interruption_while_counting_keeps_what_was_counted(
    folder, monkeypatch, capsys, fixed_time
):
    import translate.flow.job as job_module

    def written_since(documents, options, since):
        yield result(folder / "b.txt", reason="written as the run was interrupted")
        raise KeyboardInterrupt  # a second Ctrl-C

    monkeypatch.setattr(job_module, "written_since", written_since)
    flow(monkeypatch, KeyboardInterrupt())
    codes = []
    assert (
        raised_by(lambda: codes.append(Reporter(False, False).run([folder], RunOptions()))) is None
    )
    assert codes == [EXIT_SIGINT]
    out, err = lines(capsys)
    assert err == [
        f"written  {folder / 'b.txt'} (written as the run was interrupted)",
        f"error: {report._INTERRUPTED}",
        "1 written, 0 skipped, 0 failed, 2 not done in 3.5 s",
    ]


def test_a_failures_line_escapes_the_file_name_in_its_reason(
    tmp_path, monkeypatch, capsys, fixed_time
):
    path = tmp_path / "a\nb.txt"
    flow(monkeypatch, result(path, "failed", reason=f"{path}: cannot be read"))
    (tmp_path / "empty").mkdir()
    Reporter(quiet=False, as_json=False).run([tmp_path / "empty"], RunOptions())
    out, err = lines(capsys)
    assert f"error: '{tmp_path}/a\\nb.txt': cannot be read" in err


def test_documents_not_done_and_ignored_are_both_counted(tmp_path, monkeypatch, capsys, fixed_time):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("Ein Text.\n", encoding="utf-8")
    (tmp_path / ".translateignore").write_text("c.txt\n", encoding="utf-8")
    flow(monkeypatch, result(tmp_path / "a.txt"))
    Reporter(quiet=False, as_json=False).run([tmp_path], RunOptions())
    out, err = lines(capsys)
    assert err[-1] == (
        "1 written, 0 skipped, 0 failed, 1 not done, 1 ignored (.translateignore) in 3.5 s"
    )
