"""translate.inputs.ignore exactly: which paths a `.translateignore` leaves out, and which
file says so (issue 32). No models: the rules alone, and through discovery."""

from __future__ import annotations

from pathlib import Path

from translate.inputs.discovery import discover
from translate.inputs.ignore import IGNORE_FILE, IgnoreRules


def write_rules(folder: Path, text: str | bytes) -> Path:
    path = folder / IGNORE_FILE
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_a_folders_ignore_file_leaves_out_what_its_patterns_match_and_names_itself(tmp_path):
    listed = "listed in " + str(write_rules(tmp_path, "*.pdf\nlatein/*\n!latein/wichtig.txt\n"))
    rules = IgnoreRules().below(tmp_path)
    assert rules.why_ignored(tmp_path / "scan.pdf") == listed
    assert rules.why_ignored(tmp_path / "latein" / "epistula.txt") == listed
    assert rules.why_ignored(tmp_path / "brief.txt") is None  # matched by nothing: read
    assert rules.why_ignored(tmp_path / "latein" / "wichtig.txt") is None  # `!` takes it back


def test_a_folder_pattern_leaves_out_folders_not_files_of_that_name(tmp_path):
    listed = "listed in " + str(write_rules(tmp_path, "scans/\n"))
    rules = IgnoreRules().below(tmp_path)
    assert rules.why_ignored(tmp_path / "scans", is_dir=True) == listed
    assert rules.why_ignored(tmp_path / "scans", is_dir=False) is None
    assert rules.why_ignored(tmp_path / "scans") is None  # a path is a file unless said


def test_a_folder_without_an_ignore_file_keeps_the_rules_above_it(tmp_path):
    rules = IgnoreRules()
    assert rules.below(tmp_path) is rules and rules.layers == ()
    assert rules.why_ignored(tmp_path / "scan.pdf") is None


def test_a_deeper_ignore_file_wins_and_the_outer_one_stands_where_it_says_nothing(tmp_path):
    outer = write_rules(tmp_path, "*.pdf\n")
    (tmp_path / "sub").mkdir()
    inner = write_rules(tmp_path / "sub", "!keep.pdf\n*.txt\n")
    rules = IgnoreRules().below(tmp_path).below(tmp_path / "sub")
    assert [folder for folder, _ in rules.layers] == [tmp_path, tmp_path / "sub"]
    assert rules.why_ignored(tmp_path / "sub" / "keep.pdf") is None
    assert rules.why_ignored(tmp_path / "sub" / "other.pdf") == f"listed in {outer}"
    assert rules.why_ignored(tmp_path / "sub" / "notiz.txt") == f"listed in {inner}"


def test_an_ignore_file_in_a_legacy_encoding_is_still_read(tmp_path):
    # A comment in Latin-1 (not UTF-8) costs a replacement character, not the file.
    listed = "listed in " + str(write_rules(tmp_path, b"# Entw\xfcrfe\nentwurf*.txt\n"))
    rules = IgnoreRules().below(tmp_path)
    assert rules.why_ignored(tmp_path / "entwurf-1.txt") == listed
    assert rules.why_ignored(tmp_path / "brief.txt") is None


def test_discovery_leaves_ignored_documents_out_with_their_reason(tmp_path):
    tmp_path = tmp_path.resolve()  # discovery walks the real path
    for name in ("brief.txt", "scan.pdf", "scans/seite.txt", "latein/epistula.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("Der Rat tagt.", encoding="utf-8")
    listed = "listed in " + str(write_rules(tmp_path, "scan.pdf\nscans/\nlatein/*\n"))
    documents, dropped = discover([tmp_path], recursive=True)
    assert [d.path.name for d in documents] == ["brief.txt"]
    # A folder left out is no document: its files are not walked, and it has no line.
    assert {(d.path.relative_to(tmp_path).as_posix(), d.status, d.reason) for d in dropped} == {
        ("scan.pdf", "ignored", listed),
        ("latein/epistula.txt", "ignored", listed),
    }
    # Named on the command line, an ignored file is read.
    assert [d.path.name for d in discover([tmp_path / "scan.pdf"])[0]] == ["scan.pdf"]
