"""discover(), exactly: every reason it gives, word for word, and the cases the broader tests
in test_files.py and test_hostile_files.py do not reach (issue 32, mutation testing).

No model is built; each test walks a small tree in tmp_path.
"""

import os
from pathlib import Path

import pytest

from tests.conftest import as_unprivileged_user, world_readable_dir
from translate.inputs.discovery import Document, Dropped, _name, discover

pytestmark = pytest.mark.timeout(20)
GERMAN = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"
LOOP = "Too many levels of symbolic links"


def write(path: Path, text: str = GERMAN) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- named on the command line


def test_each_path_named_that_cannot_be_read_is_refused_in_its_own_words(tmp_path):
    write(tmp_path / "brief.txt")
    (tmp_path / "weg.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "kreis.txt").symlink_to("kreis.txt")
    names = ["nope.txt", "weg.txt", "brief.txt/unter.txt", "kreis.txt", "a.summary.en.md"]
    write(tmp_path / "a.summary.en.md", "---\n---\n")
    docs, dropped = discover([tmp_path / name for name in names])
    assert docs == []
    assert dropped == [
        Dropped(tmp_path / "nope.txt", "failed", "no such file or folder"),
        Dropped(tmp_path / "weg.txt", "failed", "a dangling symbolic link"),
        Dropped(tmp_path / "brief.txt/unter.txt", "failed", "cannot be reached (Not a directory)"),
        Dropped(tmp_path / "kreis.txt", "failed", f"cannot be reached ({LOOP})"),
        Dropped(tmp_path / "a.summary.en.md", "failed", "is an output of translate, not an input"),
    ]


def test_a_file_named_is_read_through_links_and_mirrored_by_its_own_folder(tmp_path):
    named = write(tmp_path / "in" / "a" / "brief.txt")
    other = write(tmp_path / "in" / "b" / "notiz.md")
    out = tmp_path / "out"
    docs, dropped = discover([named, other], output_root=out)
    assert dropped == []
    assert [(d.path, d.output_dir, d.follow_symlinks) for d in docs] == [
        (named, out / "a", True),
        (other, out / "b", True),
    ]
    (only,), _ = discover([named], output_root=out)  # one file: right under out/
    assert only.output_dir == out


def test_a_plain_file_found_in_a_folder_is_never_read_through_a_link_but_a_link_is(tmp_path):
    folder = tmp_path / "docs"
    write(folder / "eigen.txt")
    write(folder / "ziel.dat")  # not a document name: reached only through the link
    (folder / "verweis.txt").symlink_to(folder / "ziel.dat")
    named = write(tmp_path / "named.txt")
    for output_root in (None, tmp_path / "out"):
        docs, dropped = discover([folder, named], output_root=output_root)
        assert dropped == []
        follows = {d.path.name: d.follow_symlinks for d in docs}
        assert follows == {"eigen.txt": False, "verweis.txt": True, "named.txt": True}


def test_an_empty_folder_with_an_output_folder_gives_nothing_and_no_error(tmp_path):
    (tmp_path / "leer").mkdir()
    assert discover([tmp_path / "leer"], output_root=tmp_path / "out") == ([], [])
    assert discover([], output_root=tmp_path / "out") == ([], [])


# ---------------------------------------------------------------- found in folders


def test_entries_found_in_a_folder_are_skipped_or_failed_in_their_own_words(tmp_path):
    folder = tmp_path / "f"
    write(folder / "gut.txt")
    (folder / "weg.txt").symlink_to(folder / "missing")
    (folder / "kreis.txt").symlink_to("kreis.txt")  # a link to itself: stat says ELOOP
    (folder / "ordner.md").mkdir()
    docs, dropped = discover([folder])
    assert [d.path.name for d in docs] == ["gut.txt"]
    assert dropped == [
        Dropped(folder / "kreis.txt", "failed", f"cannot be read ({LOOP})"),
        Dropped(folder / "ordner.md", "skipped", "is a folder (--recursive reads it)"),
        Dropped(folder / "weg.txt", "skipped", "a dangling symbolic link"),
    ]


def test_a_folder_reached_twice_is_walked_once_and_the_walk_goes_on(tmp_path):
    root = tmp_path / "root"
    (root / "a-schleife").parent.mkdir()
    (root / "a-schleife").symlink_to(root)  # walked first (sorted), and already walked
    write(root / "b" / "tief.txt")
    write(root / "c.txt")
    docs, dropped = discover([root], recursive=True)
    assert [d.path.relative_to(root).as_posix() for d in docs] == ["b/tief.txt", "c.txt"]
    assert dropped == []


def test_a_glob_matches_the_file_name_alone_in_any_case(tmp_path):
    write(tmp_path / "sub" / "Anhang.pdf")
    write(tmp_path / "sub" / "brief.pdf")
    docs, _ = discover([tmp_path], recursive=True, include=("anhang.PDF",))
    assert [d.path.relative_to(tmp_path).as_posix() for d in docs] == ["sub/Anhang.pdf"]
    docs, _ = discover([tmp_path], recursive=True, exclude=("ANHANG.pdf",))
    assert [d.path.relative_to(tmp_path).as_posix() for d in docs] == ["sub/brief.pdf"]


def test_folders_that_cannot_be_listed_are_reported_and_the_rest_is_walked():
    # As `nobody` (a forked child when the tests run as root): permission bits hold there.
    with world_readable_dir() as top:
        root = top / "tree"
        write(root / "a-zu" / "geheim.txt")
        write(root / "b" / "offen.txt")
        write(root / "privat" / "brief.txt")
        (root / "a-zu").chmod(0o000)
        (root / "privat").chmod(0o700)

        def check():
            docs, dropped = discover([root, root / "privat" / "brief.txt"], recursive=True)
            assert [d.path for d in docs] == [root / "b" / "offen.txt"]
            denied = "Permission denied"
            unlisted = f"folder cannot be read ({denied}); nothing in it was processed"
            assert dropped == [
                Dropped(root / "a-zu", "failed", unlisted),
                Dropped(root / "privat", "failed", unlisted),
                Dropped(root / "privat/brief.txt", "failed", f"cannot be reached ({denied})"),
            ]

        try:
            if os.geteuid() == 0:  # root reads through the bits: everything is found
                docs, dropped = discover([root], recursive=True)
                assert [d.path.name for d in docs] == ["geheim.txt", "offen.txt", "brief.txt"]
                assert dropped == []
            assert as_unprivileged_user(check) is None
        finally:
            (root / "a-zu").chmod(0o755)


# ---------------------------------------------------------------- .translateignore


def test_translateignore_leaves_out_documents_with_its_reason_and_folders_silently(tmp_path):
    root = tmp_path / "root"
    write(root / ".translateignore", "scans/\n*.jpg.pdf\n!keep.jpg.pdf\nnotiz.txt\nbild.png\n")
    write(root / "scans" / "seite.pdf")
    write(root / "foto.jpg.pdf")
    write(root / "keep.jpg.pdf")
    write(root / "notiz.txt")
    write(root / "bild.png")  # not a document name: left out without a line
    write(root / "gut.txt")
    write(root / "sub" / ".translateignore", "!notiz.txt\ngut.txt\n")  # deeper rules win
    write(root / "sub" / "notiz.txt")
    write(root / "sub" / "gut.txt")
    docs, dropped = discover([root], recursive=True)
    assert [d.path.relative_to(root).as_posix() for d in docs] == [
        "gut.txt",
        "keep.jpg.pdf",
        "sub/notiz.txt",
    ]
    top, sub = root / ".translateignore", root / "sub" / ".translateignore"
    assert dropped == [
        Dropped(root / "foto.jpg.pdf", "ignored", f"listed in {top}"),
        Dropped(root / "notiz.txt", "ignored", f"listed in {top}"),
        Dropped(root / "sub" / "gut.txt", "ignored", f"listed in {sub}"),
    ]
    # Named on the command line, an ignored file is read all the same.
    docs, dropped = discover([root / "notiz.txt"])
    assert [d.path for d in docs] == [root / "notiz.txt"] and dropped == []


def test_a_folder_pattern_never_leaves_out_a_link_that_cannot_be_followed(tmp_path):
    # A folder-only pattern asks whether the entry is a folder; a link to itself cannot say
    # (is_dir raises ELOOP): it counts as no folder, and is then reported as unreadable.
    write(tmp_path / ".translateignore", "kreis.txt/\n")
    (tmp_path / "kreis.txt").symlink_to("kreis.txt")
    docs, dropped = discover([tmp_path])
    assert docs == []
    assert dropped == [Dropped(tmp_path / "kreis.txt", "failed", f"cannot be read ({LOOP})")]


# ---------------------------------------------------------------- output names


def test_two_documents_bound_for_one_output_are_both_refused_and_the_rest_named(tmp_path):
    # discover mirrors distinct files to distinct names; _name is the guard behind that.
    out = tmp_path / "out"
    docs = [Document(Path(p), out) for p in ("a/x.txt", "b/x.txt", "c.txt", "d/e.md")]
    named, dropped = _name(docs)
    assert [(d.path, d.output_dir, d.stem) for d in named] == [
        (Path("c.txt"), out, "c"),
        (Path("d/e.md"), out, "e"),
    ]
    output = out / "x.txt.summary.en.md"
    why = "{} would write the same output {}; rename one"
    assert dropped == [
        Dropped(Path("a/x.txt"), "failed", why.format("b/x.txt", output)),
        Dropped(Path("b/x.txt"), "failed", why.format("a/x.txt", output)),
    ]
