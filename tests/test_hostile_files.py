"""Folders you did not write, without models: special files, unbounded reads, deep trees,
outward links, clashing and overlong names, permissions, planted lock links, escapes.

Every test has a timeout: a read that blocks or has no bound fails instead of hanging.
"""

import os
import socket
import stat
from pathlib import Path

import pytest

from translate.display import display_name, one_line
from translate.errors import InputError, OutputError
from translate.inputs.discovery import discover
from translate.inputs.files import decode_document, read_source
from translate.outputs.front_matter import read_front_matter
from translate.outputs.naming import assign_stems, sibling_key
from translate.outputs.writing import (
    OutputLock,
    check_output_slot,
    make_folders,
    output_mode,
    write_atomic,
)

pytestmark = pytest.mark.timeout(20)
GERMAN = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"


def reasons(dropped) -> dict[str, tuple[str, str]]:
    return {d.path.name: (d.status, d.reason) for d in dropped}


def special_files(folder: Path) -> Path:
    """A folder holding one good document and every kind of entry that is not one."""
    folder.mkdir()
    (folder / "good.txt").write_text(GERMAN, encoding="utf-8")
    os.mkfifo(folder / "fifo.txt")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "sock.txt"))
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "dangling.txt").symlink_to(folder / "missing")
    (folder / "dir.txt").mkdir()
    (folder / "pipe-without-suffix").mkdir()  # not a document name: not reported
    return folder


def test_special_files_are_reported_never_read(tmp_path):
    folder = special_files(tmp_path / "f")
    docs, dropped = discover([folder], follow_symlinks=True)
    assert [d.path.name for d in docs] == ["good.txt"]
    got = reasons(dropped)
    assert set(got) == {"fifo.txt", "sock.txt", "zero.txt", "dangling.txt", "dir.txt"}
    assert all(status == "skipped" for status, _ in got.values())
    assert "FIFO" in got["fifo.txt"][1] and "socket" in got["sock.txt"][1]
    assert "character device" in got["zero.txt"][1]
    assert "dangling" in got["dangling.txt"][1]
    assert "--recursive" in got["dir.txt"][1]
    # Named on the command line, they fail (the user asked for them), with the same reasons.
    _, dropped = discover([folder / "fifo.txt", folder / "zero.txt", folder])
    assert [(d.path.name, d.status) for d in dropped[:2]] == [
        ("fifo.txt", "failed"),
        ("zero.txt", "failed"),
    ]
    assert all("not a regular file" in d.reason for d in dropped[:2])
    assert len(dropped) == 5  # each reported once, though named and in the folder


def test_a_fifo_swapped_in_after_listing_is_refused_without_blocking(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    doc = folder / "swap.txt"
    doc.write_text(GERMAN, encoding="utf-8")
    (listed,), _ = discover([folder])
    doc.unlink()
    os.mkfifo(doc)  # nobody ever writes to it: a blocking open would wait forever
    with pytest.raises(InputError, match="FIFO"):
        read_source(listed.path, 1000, listed.follow_symlinks)
    doc.unlink()
    doc.symlink_to("/etc/passwd")  # a plain file in the listing is never read through a link
    with pytest.raises(InputError, match="symbolic link"):
        read_source(listed.path, 10_000, listed.follow_symlinks)


def test_a_fifo_or_device_at_an_output_path_is_never_read(tmp_path):
    fifo = tmp_path / "x.summary.en.md"
    os.mkfifo(fifo)
    assert read_front_matter(fifo) is None  # would hang with a blocking open
    with pytest.raises(OutputError, match="FIFO"):
        check_output_slot(fifo)
    zero = tmp_path / "y.summary.en.md"
    zero.symlink_to("/dev/zero")  # a link is replaced by the output, its target never read
    assert read_front_matter(zero) is None
    check_output_slot(zero)


def test_reads_are_capped_by_what_is_read_not_by_stat(tmp_path):
    proc_file = Path("/proc/self/status")  # a regular file whose stat size is 0
    if not proc_file.exists() or os.stat(proc_file).st_size != 0:
        pytest.skip("needs a /proc file whose stat size is 0")
    with pytest.raises(InputError, match="over the 0.0 MB input limit"):
        read_source(proc_file, 20)
    sparse = tmp_path / "huge.summary.en.md"  # 64 GB of nothing after a front-matter start
    with sparse.open("wb") as handle:
        handle.write(b'---\nsource: "')
        handle.truncate(64 << 30)
    assert read_front_matter(sparse) is None  # reads 64 KB of it, not 64 GB
    with pytest.raises(InputError, match="68719.5 MB is over"):
        read_source(sparse, 2_000_000)


def test_a_tree_1100_folders_deep_is_walked(tmp_path, deep_tree):
    deep = tmp_path / "tree"
    deep.mkdir()
    (deep / "oben.txt").write_text(GERMAN, encoding="utf-8")
    folder = deep_tree(deep, 1100)
    Path(folder, "tief.txt").write_text(GERMAN, encoding="utf-8")
    docs, dropped = discover([deep], recursive=True)
    assert sorted(d.path.name for d in docs) == ["oben.txt", "tief.txt"]
    assert dropped == []
    assert max(str(d.path).count("/d") for d in docs) == 1100


def test_outward_symlinks_are_skipped_unless_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "fremd.txt").write_text(GERMAN, encoding="utf-8")
    folder = tmp_path / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "eigen.txt").write_text(GERMAN, encoding="utf-8")
    (folder / "p.txt").symlink_to("/etc/passwd")
    (folder / "ext").symlink_to(outside)
    (folder / "sub" / "zurueck.txt").symlink_to(folder / "eigen.txt")  # inside: fine
    (folder / "sub" / "schleife").symlink_to(folder)  # a loop inside the tree ends
    docs, dropped = discover([folder], recursive=True)
    assert [d.path.name for d in docs] == ["eigen.txt"]
    got = reasons(dropped)
    assert set(got) == {"p.txt", "ext"}
    assert all(s == "skipped" and "--follow-symlinks" in r for s, r in got.values())
    assert "/etc/passwd" in got["p.txt"][1]
    docs, dropped = discover([folder], recursive=True, follow_symlinks=True)
    assert sorted(d.path.name for d in docs) == ["eigen.txt", "fremd.txt", "p.txt"]
    # A file named on the command line is read, wherever its link leads.
    docs, _ = discover([folder / "p.txt"])
    assert [d.path.name for d in docs] == ["p.txt"]


def outputs_of(docs) -> list[Path]:
    return [
        d.output_dir / f"{d.output_stem}{sfx}" for d in docs for sfx in (".summary.en.md", ".en.md")
    ]


def test_output_names_are_one_to_one(tmp_path):
    for name in ["a.txt", "a.md", "a.txt.md", "x.txt", "x.summary.txt", "B.txt", "b.md", "c.txt"]:
        (tmp_path / name).write_text(GERMAN, encoding="utf-8")
    docs, dropped = discover([tmp_path])
    assert dropped == []
    stems = {d.path.name: d.output_stem for d in docs}
    assert stems == {
        "a.txt": "a.txt",
        "a.md": "a.md",
        "a.txt.md": "a.txt.md",  # would have been a.txt.summary.en.md, like a.txt's
        "x.txt": "x.txt",  # x.en.md / x.summary.en.md ...
        "x.summary.txt": "x.summary.txt",  # ... and x.summary.en.md as its translation
        "B.txt": "B.txt",  # apart on a case-insensitive disk too
        "b.md": "b.md",
        "c.txt": "c",
    }
    paths = [str(p).casefold() for p in outputs_of(docs)]
    assert len(paths) == len(set(paths))


def test_output_dir_mirrors_each_root_under_its_own_folder(tmp_path):
    for root in ("a", "b"):
        (tmp_path / root / "sub").mkdir(parents=True)
        (tmp_path / root / "x.txt").write_text(GERMAN, encoding="utf-8")
        (tmp_path / root / "sub" / "y.txt").write_text(GERMAN, encoding="utf-8")
    out = tmp_path / "out"
    docs, dropped = discover([tmp_path / "a", tmp_path / "b"], True, out)
    assert dropped == []
    assert sorted(p.relative_to(out).as_posix() for p in outputs_of(docs))[::2] == [
        "a/sub/y.en.md",
        "a/x.en.md",
        "b/sub/y.en.md",
        "b/x.en.md",
    ]
    docs, _ = discover([tmp_path / "a"], True, out)  # one root: mirrored right under out/
    assert {d.output_dir for d in docs} == {out, out / "sub"}


def test_a_clash_no_name_resolves_is_refused_naming_both(tmp_path):
    out = tmp_path / "out"
    stems, refused = assign_stems(
        [(Path("a/x.txt"), out), (Path("b/x.txt"), out), (Path("c.txt"), out)]
    )
    assert stems[Path("c.txt")] == "c"
    assert sorted((str(p), str(o)) for p, o, _ in refused) == [
        ("a/x.txt", "b/x.txt"),
        ("b/x.txt", "a/x.txt"),
    ]
    assert {target.name for _, _, target in refused} == {"x.txt.summary.en.md"}


def test_long_names_get_short_temporaries_and_too_long_outputs_are_refused(tmp_path):
    fits = tmp_path / ("x" * 241 + ".txt")  # 245 bytes: x...x.summary.en.md is 255
    fits.write_text(GERMAN, encoding="utf-8")
    umlauts = tmp_path / ("ü" * 120 + ".txt")  # 244 bytes in UTF-8
    umlauts.write_text(GERMAN, encoding="utf-8")
    (tmp_path / ("y" * 242 + ".txt")).write_text(GERMAN, encoding="utf-8")
    docs, dropped = discover([tmp_path])
    assert sorted(d.path for d in docs) == sorted([fits, umlauts])
    ((status, why),) = reasons(dropped).values()
    assert status == "failed" and "256 bytes, over the file system's limit of 255" in why
    for doc in docs:
        output = doc.output_dir / f"{doc.output_stem}.summary.en.md"
        key = sibling_key(output)
        assert len(os.fsencode(f".{key}.abcdefgh.tmp")) <= 255
        write_atomic(output, "text")
        lock = OutputLock(output)
        assert lock.acquire()
        lock.release()
        assert output.read_text() == "text"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    ("source", "expected"), [(0o600, 0o600), (0o640, 0o640), (0o644, 0o644), (0o604, 0o604)]
)
def test_outputs_are_never_more_readable_than_their_input(tmp_path, source, expected):
    old = os.umask(0o022)
    try:
        assert output_mode(source) == expected
        write_atomic(tmp_path / "out.md", "text", source)
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "out.md").st_mode) == expected


def test_mirrored_output_folders_are_no_more_open_than_the_input(tmp_path):
    old = os.umask(0o022)
    try:
        make_folders(tmp_path / "out" / "a" / "b", 0o600)
        make_folders(tmp_path / "pub" / "c", 0o644)
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.rglob("*")}
    assert modes == {"out": 0o700, "a": 0o700, "b": 0o700, "pub": 0o755, "c": 0o755}


def test_a_symlink_planted_at_a_lock_path_is_refused_and_its_target_kept(tmp_path):
    precious = tmp_path / "precious"
    precious.write_text("keep me")
    output = tmp_path / "doc.summary.en.md"
    (tmp_path / ".doc.summary.en.md.lock").symlink_to(precious)
    with pytest.raises(OutputError, match="lock file is a symbolic link"):
        OutputLock(output).acquire()
    assert precious.read_text() == "keep me"


def test_mixed_encodings_are_decoded_line_by_line():
    data = "Grüße für alle.\n".encode() + "Maß und Fuß für Bürger.\n".encode("latin-1")
    decoded = decode_document(data * 3, "mixed.txt")
    assert decoded.text == "Grüße für alle.\nMaß und Fuß für Bürger.\n" * 3
    assert decoded.encoding.startswith("utf-8+") and decoded.legacy_lines == 3
    legacy = decode_document("Maß und Fuß für Bürger.\n".encode("cp1252"), "legacy.txt")
    assert legacy.encoding != "utf-8" and legacy.legacy_lines == 0


def test_names_are_shown_escaped_on_one_line():
    assert display_name("Bericht über Öl.txt") == "Bericht über Öl.txt"
    assert display_name(os.fsdecode(b"Bericht_M\xfcller.txt")) == "'Bericht_M\\xfcller.txt'"
    assert display_name("a\nerror: forged.txt") == "'a\\nerror: forged.txt'"
    assert display_name("\x1b[31mrot.txt") == "'\\x1b[31mrot.txt'"
    assert display_name("gnp.\u202etxt") == "'gnp.\\u202etxt'"  # right-to-left override
    assert one_line("x\ny\x1b") == "x\\ny\\x1b"
