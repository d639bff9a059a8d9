import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import as_unprivileged_user, read_only, world_readable_dir
from translate.errors import InputError, OutputError
from translate.inputs.discovery import discover
from translate.inputs.files import decode_document
from translate.outputs.writing import write_atomic

GERMAN = "Größere Übungen für Bürger: „Maß“ und Fuß.\n"


@pytest.mark.parametrize(
    "data",
    [
        GERMAN.encode("utf-8"),
        b"\xef\xbb\xbf" + GERMAN.encode("utf-8"),
        GERMAN.encode("utf-16"),  # with BOM
        "\ufeff".encode("utf-16-be") + GERMAN.encode("utf-16-be"),
        GERMAN.encode("cp1252"),
        GERMAN.replace("„", '"').replace("“", '"').encode("latin-1"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "cp1252", "latin1"],
)
def test_encodings_decode_to_the_same_text(data):
    text = decode_document(data, "doc.txt").text
    assert text.replace('"', "„", 1).replace('"', "“", 1) == GERMAN


def test_crlf_and_cr_become_lf():
    assert decode_document(b"eins\r\nzwei\rdrei\n", "d").text == "eins\nzwei\ndrei\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"  \n\t\r\n ", "no text"),
        ("\u200b\u200b\n\u200b".encode(), "no text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (bytes(range(1, 32)) * 20, "binary"),
    ],
)
def test_bad_input_is_refused_with_a_reason(data, message):
    with pytest.raises(InputError, match=message):
        decode_document(data, "bad.txt")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_text_or_a_clear_refusal(data):
    try:
        text = decode_document(data, "fuzz.txt").text
    except InputError as exc:
        assert str(exc).startswith("fuzz.txt: ")
    else:
        assert text.strip() and "\r" not in text


def make_tree(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    for name in [
        "a.txt",
        "b.md",
        "c.xlsx",
        ".hidden.txt",
        "a.summary.en.md",
        "a.en.md",
        "sub/d.txt",
        ".git/e.txt",
    ]:
        (root / name).write_text("Hallo Welt.", encoding="utf-8")


def test_folder_discovery_skips_outputs_hidden_and_other_types(tmp_path):
    make_tree(tmp_path)
    docs, refused = discover([tmp_path])
    assert [d.path.name for d in docs] == ["a.txt", "b.md"]
    assert refused == []
    docs, _ = discover([tmp_path], recursive=True)
    assert [d.path.relative_to(tmp_path).as_posix() for d in docs] == ["a.txt", "b.md", "sub/d.txt"]


def test_missing_paths_and_explicit_outputs_are_refused(tmp_path):
    make_tree(tmp_path)
    _, refused = discover([tmp_path / "nope.txt", tmp_path / "a.summary.en.md"])
    assert [(d.path.name, "no such" in d.reason or "output" in d.reason) for d in refused] == [
        ("nope.txt", True),
        ("a.summary.en.md", True),
    ]


def test_symlinks_count_once_and_loops_end(tmp_path):
    make_tree(tmp_path)
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    docs, _ = discover([tmp_path, tmp_path / "a.txt"], recursive=True)
    names = [d.path.name for d in docs]
    assert names.count("a.txt") + names.count("link.txt") == 1
    assert "d.txt" in names


def test_output_dir_mirrors_the_input_tree(tmp_path):
    make_tree(tmp_path)
    docs, _ = discover([tmp_path], recursive=True, output_root=tmp_path / "out")
    assert {d.output_dir for d in docs} == {tmp_path / "out", tmp_path / "out" / "sub"}


def test_output_names_use_the_stem_unless_two_inputs_share_it(tmp_path):
    (tmp_path / "r.txt").write_text("x")
    (tmp_path / "r.md").write_text("x")
    (tmp_path / "s.txt").write_text("x")
    docs, _ = discover([tmp_path])
    assert sorted(d.output_stem for d in docs) == ["r.md", "r.txt", "s"]


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path, monkeypatch):
    target = tmp_path / "out.md"
    write_atomic(target, "old")

    def broken_replace(src, dst):
        raise KeyboardInterrupt  # as if Ctrl-C hit between writing and renaming

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_unwritable_folder_gives_an_output_error_for_an_unprivileged_user():
    with world_readable_dir() as root:
        folder = root / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        raised = as_unprivileged_user(lambda: write_atomic(folder / "x.md", "text"))
        assert isinstance(raised, OutputError), raised
        assert "cannot write output" in str(raised) and "Permission denied" in str(raised)
        assert list(folder.iterdir()) == []


def test_immutable_folder_gives_an_output_error_even_for_root(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder), pytest.raises(OutputError, match="cannot write output"):
        write_atomic(folder / "x.md", "text")
    assert list(folder.iterdir()) == []
