"""files.py pinned exactly: each refusal's words, files swapped between the check and the
open, read limits to the byte, the binary threshold, escapes of names and messages.
Mutation testing showed these could drift unnoticed (docs/mutation.md)."""

import os
import stat
from pathlib import Path

import pytest

from translate import safe_open
from translate.display import display_name, one_line, utf8_name
from translate.errors import InputError
from translate.inputs.files import decode_document, read_source
from translate.safe_open import file_kind, read_head

# A read that blocks (a FIFO opened without O_NONBLOCK) fails in seconds, not at the suite's
# 300 s limit.
pytestmark = pytest.mark.timeout(20)


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        (stat.S_IFDIR, "a folder"),
        (stat.S_IFIFO, "a FIFO (named pipe)"),
        (stat.S_IFSOCK, "a socket"),
        (stat.S_IFCHR, "a character device"),
        (stat.S_IFBLK, "a block device"),
        (stat.S_IFLNK, "a symbolic link"),
        (0, "not a regular file"),  # no type bits at all
    ],
)
def test_each_kind_of_file_is_named_in_words(mode, words):
    assert file_kind(mode | 0o644) == words


def test_a_folder_is_refused_in_words(tmp_path):
    with pytest.raises(InputError) as caught:
        read_source(tmp_path, 100)
    assert str(caught.value) == f"{tmp_path}: is a folder, not a regular file"


def swap_after_stat(monkeypatch, path: Path, swap) -> None:
    """Run `swap` right after the first stat of `path`: a file replaced between the check
    and the open (another program at work in the folder)."""
    real_stat, done = os.stat, []

    def stat_then_swap(target, *args, **kwargs):
        result = real_stat(target, *args, **kwargs)
        if Path(target) == path and not done:
            done.append(True)
            swap()
        return result

    monkeypatch.setattr(safe_open.os, "stat", stat_then_swap)


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_a_fifo_swapped_in_between_check_and_open_is_refused_and_closed(tmp_path, monkeypatch):
    doc = tmp_path / "doc.txt"
    doc.write_text("Text.")
    swap_after_stat(monkeypatch, doc, lambda: (doc.unlink(), os.mkfifo(doc)))
    before = open_fds()
    with pytest.raises(InputError) as caught:
        read_source(doc, 1000)
    assert str(caught.value) == f"{doc}: is a FIFO (named pipe), not a regular file"
    assert open_fds() == before  # the descriptor opened on it is closed


def test_a_link_swapped_in_between_check_and_open_is_not_followed(tmp_path, monkeypatch):
    secret = tmp_path / "secret"
    secret.write_text("not yours")
    doc = tmp_path / "doc.txt"
    doc.write_text("Text.")
    swap_after_stat(monkeypatch, doc, lambda: (doc.unlink(), doc.symlink_to(secret)))
    with pytest.raises(InputError) as caught:
        read_source(doc, 1000, follow_symlinks=False)
    assert str(caught.value) == (
        f"{doc}: became a symbolic link after the folder was listed; not followed"
    )


def test_a_file_gone_between_check_and_open_cannot_be_read(tmp_path, monkeypatch):
    doc = tmp_path / "doc.txt"
    doc.write_text("Text.")
    swap_after_stat(monkeypatch, doc, doc.unlink)
    with pytest.raises(InputError) as caught:
        read_source(doc, 1000, follow_symlinks=False)
    assert str(caught.value) == f"{doc}: cannot be read (No such file or directory)"


def test_links_are_followed_only_when_asked(tmp_path):
    target = tmp_path / "target.txt"
    target.write_bytes(b"Hallo Welt.")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    assert read_source(link, 100).data == b"Hallo Welt."  # by default
    assert read_source(link, 100, follow_symlinks=True).data == b"Hallo Welt."
    with pytest.raises(InputError) as caught:
        read_source(link, 100, follow_symlinks=False)
    assert str(caught.value) == f"{link}: is a symbolic link, not a regular file"
    assert read_head(link, 5) == b"Hallo"  # an old output behind a link is read through it


def test_the_size_limit_is_exact_to_the_byte_and_said_in_mb(tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_bytes(b"x" * 1_050_001)
    source = read_source(doc, 1_050_001)  # exactly at the limit: read
    assert len(source.data) == 1_050_001
    with pytest.raises(InputError) as caught:
        read_source(doc, 1_050_000)
    limit = "1.1 MB input limit (raise it with --max-input-mb)"  # 1.05 MB, rounded up
    assert str(caught.value) == f"{doc}: 1.1 MB is over the {limit}"


def test_the_source_mode_is_its_permission_bits(tmp_path):
    doc = tmp_path / "doc.txt"
    doc.write_text("Text.")
    doc.chmod(0o640)
    assert read_source(doc, 100).mode == 0o640


def test_reads_over_several_chunks_are_whole_and_capped(tmp_path):
    big = tmp_path / "big.bin"
    data = os.urandom(safe_open.READ_CHUNK * 2 + 7)
    big.write_bytes(data)
    assert read_head(big, safe_open.READ_CHUNK + 10) == data[: safe_open.READ_CHUNK + 10]
    assert read_head(big, len(data) + 100) == data
    assert read_source(big, len(data)).data == data


def test_a_read_that_would_block_keeps_what_was_read(tmp_path, monkeypatch):
    doc = tmp_path / "doc.txt"
    doc.write_bytes(b"Hallo Welt.")
    real_read, calls = os.read, []

    def read_then_block(fd, size):
        calls.append(size)
        if len(calls) > 1:
            raise BlockingIOError
        return real_read(fd, 5)

    monkeypatch.setattr(safe_open.os, "read", read_then_block)
    assert read_source(doc, 100).data == b"Hallo"


def test_a_text_that_cannot_be_decoded_says_as_what(tmp_path):
    with pytest.raises(InputError) as caught:
        decode_document(b"\xff\xfe" + b"A\x00B", "odd.txt")  # UTF-16 BOM, 3 bytes after it
    assert str(caught.value) == "odd.txt: cannot be decoded as utf-16 (truncated data)"


def test_binary_is_more_than_two_controls_or_one_in_a_hundred_of_the_first_64_kib():
    assert decode_document(b"ab\x01cd\x02ef", "t").text == "ab\x01cd\x02ef"
    with pytest.raises(InputError, match="binary"):
        decode_document(b"ab\x01cd\x02ef\x03", "t")
    # 655 controls in the first 65,536 characters (one in a hundred, rounded down): text,
    # whatever follows them.
    head = ("\x01" + "a" * 99) * 655 + "a" * (65_536 - 65_500)
    assert len(head) == 65_536
    assert decode_document((head + "\x01" * 3 + "b").encode(), "t").text.startswith("\x01a")
    with pytest.raises(InputError, match="binary"):
        decode_document(("\x01" + head[1:-1] + "\x01\x01").encode(), "t")


def test_names_with_quotes_backslashes_and_controls_are_escaped_exactly():
    assert display_name("it's a\\b\n") == "'it\\'s a\\\\b\\n'"
    assert display_name("X\n") == "'X\\n'"  # only quotes and backslashes get a backslash
    assert display_name("a\tb\rc") == "'a\\tb\\rc'"
    assert display_name(os.fsdecode(b"\x80\xff.txt")) == "'\\x80\\xff.txt'"
    assert one_line("a\tb\rc\udd00\U000e0001") == "a\\tb\\rc\\udd00\\U000e0001"


def test_names_in_outputs_are_utf8_with_other_bytes_as_escapes():
    assert utf8_name(os.fsdecode(b"M\xfcller.txt")) == "M\\xfcller.txt"
    assert utf8_name("Müller.txt") == "Müller.txt"


@pytest.mark.parametrize(
    ("data", "encoding", "legacy_lines"),
    [
        ("Grüße.\n".encode(), "utf-8", 0),
        (b"\xef\xbb\xbf" + "Grüße.\n".encode(), "utf-8-sig", 0),
        ("Grüße.\n".encode("utf-16"), "utf-16", 0),
        ("Grüße.\n".encode("utf-32"), "utf-32", 0),
        ("Maß € „Zitat“ für Bürger.\n".encode("cp1252"), "cp1252", 0),  # € and „“: cp1252
        ("Grüße.\n".encode() + "Maß € für Bürger.\n".encode("cp1252"), "utf-8+cp1252", 1),
        (
            b"\xef\xbb\xbf" + "Grüße.\n".encode() + "Maß € für Bürger.\n".encode("cp1252"),
            "utf-8-sig+cp1252",
            1,
        ),
    ],
)
def test_the_encoding_recorded_is_the_one_that_read_the_bytes(data, encoding, legacy_lines):
    decoded = decode_document(data, "x.txt")
    assert (decoded.encoding, decoded.legacy_lines) == (encoding, legacy_lines)


def test_legacy_lines_no_encoding_reads_are_refused_naming_the_file():
    junk = b"\x81\x8d\x8f\x90\x9d" * 30
    for data in (junk, "Grüße für alle.\n".encode() + junk + b"\n"):
        with pytest.raises(InputError) as caught:
            decode_document(data, "x.txt")
        assert str(caught.value) == (
            "x.txt: not UTF-8 and not a recognizable legacy (cp1252/latin-1) text"
        )
