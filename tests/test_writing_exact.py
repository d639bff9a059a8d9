"""Writing outputs, exactly: permissions, folders, temporaries, locks and every refusal's
words (issue 32, mutation testing). No model is built.
"""

import os
import re
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from translate.errors import OutputError
from translate.outputs import writing
from translate.outputs.writing import (
    OutputLock,
    check_output_slot,
    check_replaceable,
    clean_leftovers_of_done,
    leftover_temporaries,
    make_folders,
    output_mode,
    remove_leftovers,
    write_atomic,
)

pytestmark = pytest.mark.timeout(30)


@contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def temporary(output: Path, key: str = "k3x9q2ab") -> Path:
    """A temporary as a killed run leaves it beside `output`."""
    path = output.parent / f".{output.name}.{key}.tmp"
    path.write_text("half a summary")
    return path


# ---------------------------------------------------------------- permissions


def test_without_an_input_mode_an_output_gets_what_any_new_file_gets():
    with umask(0o022):
        assert output_mode(None) == 0o644
    with umask(0o000):
        assert output_mode(None) == 0o666
    with umask(0o077):
        assert output_mode(None) == 0o600


def test_the_umask_still_holds_for_an_output_of_an_open_input():
    with umask(0o077):
        assert output_mode(0o666) == 0o600
    with umask(0o027):
        assert output_mode(0o666) == 0o640
        assert output_mode(0o604) == 0o600


def test_output_folders_are_as_any_new_folder_without_an_input_mode(tmp_path):
    with umask(0o022):
        make_folders(tmp_path / "a" / "b")
    assert (mode_of(tmp_path / "a"), mode_of(tmp_path / "a" / "b")) == (0o755, 0o755)


def test_an_input_others_may_only_execute_gives_them_no_way_into_its_output_folder(tmp_path):
    with umask(0o000):
        make_folders(tmp_path / "x", 0o601)  # others: execute only, not read
        make_folders(tmp_path / "y", 0o641)  # group: read; others: execute only
    assert (mode_of(tmp_path / "x"), mode_of(tmp_path / "y")) == (0o700, 0o750)


def test_a_file_in_the_way_of_an_output_folder_is_refused_naming_the_folder(tmp_path):
    (tmp_path / "datei").write_text("not a folder")
    with pytest.raises(OutputError) as caught:
        make_folders(tmp_path / "datei" / "sub")
    assert str(caught.value) == (
        f"{tmp_path / 'datei' / 'sub'}: cannot create the output folder (Not a directory)"
    )


# ---------------------------------------------------------------- write_atomic


def test_an_output_is_written_through_a_hidden_private_temporary_beside_it(tmp_path, monkeypatch):
    seen = []
    real_fchmod, real_replace = os.fchmod, os.replace

    def fchmod(fd, mode):  # the moment the temporary exists, before its mode is set
        seen.append(("created", stat.S_IMODE(os.fstat(fd).st_mode)))
        real_fchmod(fd, mode)

    def replace(src, dst):
        seen.append(("replaced", src, dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fchmod", fchmod)
    monkeypatch.setattr(os, "replace", replace)
    output = tmp_path / "neu" / "tief" / "brief.summary.en.md"  # folders made as needed
    with umask(0o022):
        write_atomic(output, "Grüße\n", 0o644)
    (created, mode), (replaced, src, dst) = seen
    assert mode == 0o600  # never readable by others, not even empty
    assert Path(dst) == output
    assert Path(src).parent == output.parent
    assert re.fullmatch(r"\.brief\.summary\.en\.md\.[0-9a-f]{8}\.tmp", Path(src).name)
    assert output.read_bytes() == "Grüße\n".encode()
    assert mode_of(output) == 0o644
    assert sorted(p.name for p in output.parent.iterdir()) == ["brief.summary.en.md"]


def test_an_output_is_utf8_whatever_the_locale(tmp_path):
    here = tmp_path / "hier.en.md"
    write_atomic(here, "Grüße „Maß“")
    assert here.read_bytes() == "Grüße „Maß“".encode()
    # The same under the C locale, whose default encoding is ASCII (no UTF-8 mode).
    output = tmp_path / "brief.en.md"
    script = (
        "import sys; from pathlib import Path; from translate.outputs.writing import write_atomic"
        "; write_atomic(Path(sys.argv[1]), 'Gr\\u00fc\\u00dfe \\u201eMa\\u00df\\u201c')"
    )
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(output)], env=env, capture_output=True, timeout=25
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert output.read_bytes() == "Grüße „Maß“".encode()


def test_a_file_where_the_output_folder_should_be_is_an_output_error_in_words(tmp_path):
    (tmp_path / "datei").write_text("not a folder")
    output = tmp_path / "datei" / "x.md"
    with pytest.raises(OutputError) as caught:
        write_atomic(output, "text")
    assert str(caught.value) == f"{output}: cannot write output (File exists)"


def test_a_temporary_name_already_taken_is_drawn_again(tmp_path, monkeypatch):
    output = tmp_path / "x.md"
    taken = temporary(output, "00000000")
    draws = iter(["00000000", "00000001"])
    monkeypatch.setattr(writing.secrets, "token_hex", lambda n: next(draws))
    write_atomic(output, "text")
    assert output.read_text() == "text"
    assert taken.read_text() == "half a summary"  # another writer's: left alone


# ---------------------------------------------------------------- the output's path


def test_an_output_path_that_cannot_be_checked_is_refused_in_words(tmp_path):
    (tmp_path / "datei").write_text("not a folder")
    with pytest.raises(OutputError) as caught:
        check_output_slot(tmp_path / "datei" / "x.md")
    assert str(caught.value) == (
        f"{tmp_path / 'datei' / 'x.md'}: cannot check the output path (Not a directory)"
    )


def test_a_file_translate_did_not_write_is_refused_in_words(tmp_path):
    mine = tmp_path / "eigen.summary.en.md"
    mine.write_text('---\ngenerator: "translate 1.0"\n---\n# Summary\n', encoding="utf-8")
    foreign = tmp_path / "fremd.summary.en.md"
    foreign.write_text("# my own notes\n", encoding="utf-8")
    assert check_replaceable((mine, tmp_path / "none.en.md")) == [
        {"generator": "translate 1.0"},
        None,
    ]
    with pytest.raises(OutputError) as caught:
        check_replaceable((mine, foreign))
    assert str(caught.value) == (
        f"{foreign}: exists and was not written by translate; not replacing it "
        "(move it away, or use --output-dir)"
    )


# ---------------------------------------------------------------- leftovers


def test_every_leftover_is_removed_and_counted(tmp_path):
    summary, translation = tmp_path / "a.summary.en.md", tmp_path / "a.en.md"
    for key in ("11111111", "22222222"):
        temporary(summary, key)
    temporary(translation)
    assert remove_leftovers((summary, translation)) == 3
    assert list(tmp_path.iterdir()) == []


def test_a_leftover_another_cleaner_removed_first_is_neither_an_error_nor_counted(
    tmp_path, monkeypatch
):
    output = tmp_path / "a.summary.en.md"
    temporary(output)
    listed = leftover_temporaries
    monkeypatch.setattr(writing, "leftover_temporaries", lambda o: listed(o) * 2)  # stale
    assert remove_leftovers((output,)) == 1


def test_leftovers_beside_finished_outputs_are_cleaned_and_no_lock_is_left(tmp_path):
    summary, translation = tmp_path / "a.summary.en.md", tmp_path / "a.en.md"
    temporary(summary)
    temporary(translation)
    clean_leftovers_of_done((summary, translation))
    assert list(tmp_path.iterdir()) == []


def test_leftovers_are_kept_while_another_run_holds_the_summarys_lock(tmp_path):
    summary, translation = tmp_path / "a.summary.en.md", tmp_path / "a.en.md"
    left = temporary(translation)
    holder = OutputLock(summary)  # the summary's lock guards the translation too
    assert holder.acquire()
    try:
        clean_leftovers_of_done((summary, translation))
        assert left.exists()
    finally:
        holder.release()
    clean_leftovers_of_done((summary, translation))
    assert not left.exists()


# ---------------------------------------------------------------- locks


def test_a_lock_held_elsewhere_is_answered_at_once_not_waited_for(tmp_path):
    output = tmp_path / "a.summary.en.md"
    holder = OutputLock(output)
    assert holder.acquire()
    try:
        started = time.monotonic()
        assert OutputLock(output).acquire() is False
        assert time.monotonic() - started < 0.5
    finally:
        holder.release()


def test_a_lock_makes_its_folders_and_is_removed_on_release(tmp_path):
    output = tmp_path / "neu" / "tief" / "a.summary.en.md"
    lock = OutputLock(output)
    assert lock.acquire()
    assert (output.parent / ".a.summary.en.md.lock").exists()
    lock.release()
    assert list(output.parent.iterdir()) == []


def test_a_lock_file_removed_by_someone_else_is_still_released(tmp_path):
    output = tmp_path / "a.summary.en.md"
    lock = OutputLock(output)
    assert lock.acquire()
    lock.path.unlink()
    lock.release()
    again = OutputLock(output)
    assert again.acquire()
    again.release()


def test_a_lock_that_cannot_be_made_is_refused_in_words(tmp_path):
    (tmp_path / "datei").write_text("not a folder")
    with pytest.raises(OutputError) as caught:
        OutputLock(tmp_path / "datei" / "a.summary.en.md").acquire()
    assert str(caught.value) == f"{tmp_path / 'datei'}: cannot write here (File exists)"
    precious = tmp_path / "precious"
    precious.write_text("keep me")
    (tmp_path / ".b.summary.en.md.lock").symlink_to(precious)
    with pytest.raises(OutputError) as caught:
        OutputLock(tmp_path / "b.summary.en.md").acquire()
    assert str(caught.value) == (
        f"{tmp_path / '.b.summary.en.md.lock'}: the lock file is a symbolic link; not "
        "following it (remove the link)"
    )
