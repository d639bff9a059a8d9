"""sniff.py and common.py pinned exactly (issue 32): what a file's bytes say it is and each
refusal's words; the text clean-up every format shares; the zip limits, exact to the byte."""

from __future__ import annotations

import io
import sys
import zipfile

import pytest

from translate.errors import FormatSupportMissing, InputError
from translate.inputs.extract import common
from translate.inputs.extract.common import (
    bounded_read,
    library,
    normalize_text,
    open_zip,
    read_member,
    require,
    text_over_limit,
)
from translate.inputs.extract.sniff import check_content, content_kind


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def refusal(name: str, fmt: str, data: bytes) -> str:
    with pytest.raises(InputError) as caught:
        check_content(name, fmt, data)
    return str(caught.value)


# ---------------------------------------------------------------- content_kind


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xef\xbb\xbf \t\r\n%PDF-1.4", "pdf"),  # BOM and blanks before the header
        (b" " * 1019 + b"%PDF-", "pdf"),  # the header within the first kilobyte
        (b" " * 1020 + b"%PDF-", None),
        (b"\n{\\rtf1\\ansi x}", "rtf"),
        (b"\x89PNG\r\n\x1a\n....", "image"),
        (b"\xff\xd8\xff\xe0", "image"),
        (b"GIF89a", "image"),
        (b"II*\x00", "image"),
        (b"MM\x00*", "image"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "ole"),
        (b" \x89PNG\r\n\x1a\n", None),  # binary signatures only at the very start
        (b"PK\x05\x06" + bytes(18), "zip"),  # an empty zip
        (b"PK\x03\x04 damaged", "zip"),
        (b"Nur Text.", None),
        (b"X%PDF-1.7", None),  # only a BOM and blanks may stand before the header
    ],
)
def test_a_files_kind_is_told_by_its_first_bytes(data, kind):
    assert content_kind(data) == kind


@pytest.mark.parametrize(
    ("members", "kind"),
    [
        ({"mimetype": b"application/vnd.oasis.opendocument.text"}, "odt"),
        ({"mimetype": b" application/epub+zip\n"}, "epub"),
        ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}, "opendocument"),
        ({"mimetype": b"application/x-other", "word/document.xml": b"<w/>"}, "docx"),
        ({"xl/workbook.xml": b"<w/>"}, "xlsx"),
        ({"ppt/slides/slide1.xml": b"<p/>"}, "pptx"),
        ({"META-INF/container.xml": b"<c/>"}, "epub"),
        ({"a/word/document.xml": b"<w/>", "META-INF/x.xml": b""}, "zip"),
        ({"mimetype": b"application/epub+zip" + b" " * 200}, "zip"),  # too long: not read
        ({"mimetype": b"application/epub+zip" + b" " * 179}, "epub"),  # 199 bytes
        ({"mimetype": b"application/\xffepub+zip"}, "zip"),
    ],
)
def test_zip_formats_are_told_apart_by_their_members(members, kind):
    assert content_kind(zipped(members)) == kind


def test_a_zip_that_cannot_be_opened_is_a_zip():
    data = zipped({"mimetype": b"application/epub+zip"})
    assert content_kind(data[:40]) == "zip"


# ---------------------------------------------------------------- check_content


def test_text_formats_take_text_and_refuse_binary_in_words():
    check_content("a.txt", "text", "Grüße aus Köln.\n".encode())
    check_content("a.txt", "text", "Grüße aus Köln.\n".encode("utf-16"))  # with its BOM
    check_content("a.txt", "text", "Grüße aus Köln.\n".encode("utf-32"))
    check_content("a.txt", "text", b"\xfe\xff" + "Grüße".encode("utf-16-be"))
    check_content("a.eml", "email", bytes(range(256)))  # 8-bit parts are allowed
    assert refusal("dir/a.txt", "text", bytes(range(256)) * 4) == (
        "dir/a.txt: a binary file (compressed or encoded data?), not text as the name .txt "
        "says; rename it to match its content"
    )
    assert refusal("a.md", "markdown", "Grüße".encode("utf-16-le") * 10 + b"\x00\x01\x02\x03") == (
        "a.md: a binary file (compressed or encoded data?), not text as the name .md says; "
        "rename it to match its content"
    )


def test_utf16_text_without_a_bom_is_not_text():
    assert "a binary file" in refusal("a.txt", "text", "Grüße aus Köln.\n".encode("utf-16-le"))


def test_a_file_that_is_the_format_its_name_says_passes():
    check_content("a.pdf", "pdf", b"%PDF-1.7\n")
    check_content("a.rtf", "rtf", b"{\\rtf1 x}")
    check_content("a.pdf", "pdf", b"HTTP/1.1 200 OK\r\n\r\n%PDF-1.7")  # junk before
    for fmt in ("docx", "odt", "epub"):
        check_content(f"a.{fmt}", fmt, b"PK\x03\x04 damaged")  # its reader says so


def test_a_pdf_header_past_the_first_kilobyte_is_not_a_pdf():
    assert refusal("a.pdf", "pdf", b"x" * 1020 + b"%PDF-1.7") == (
        "a.pdf: the content is text, not a PDF document as the name .pdf says; rename it to "
        "match its content"
    )


def test_each_mismatch_is_said_with_both_kinds():
    assert refusal("a.rtf", "rtf", b"%PDF-1.7") == (
        "a.rtf: the content is a PDF document, not an RTF document as the name .rtf says; "
        "rename it to match its content"
    )
    assert refusal("a.html", "html", b"\x1f\x8b\x08\x00") == (
        "a.html: a binary file (a gzip archive), not text as the name .html says; rename it "
        "to match its content"
    )
    assert refusal("a.pdf", "pdf", zipped({"xl/workbook.xml": b"<w/>"})).startswith(
        "a.pdf: the content is an Excel workbook, not a PDF document"
    )
    assert refusal("a.epub", "epub", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1").startswith(
        "a.epub: the content is an old-style (97-2003) Office file, not an EPUB e-book"
    )
    assert refusal("a.pdf", "pdf", b"PK\x03\x04 damaged").startswith(
        "a.pdf: the content is a zip archive, not a PDF document"
    )


def test_an_ole_file_named_docx_or_odt_is_an_old_word_file_or_a_protected_one():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    for fmt in ("docx", "odt"):
        assert refusal(f"a.{fmt}", fmt, ole + b"WordDocument") == (
            f"a.{fmt}: this is an old Word 97-2003 (.doc) file, not .docx; save it as .docx"
        )
        assert refusal(f"a.{fmt}", fmt, ole + "EncryptedPackage".encode("utf-16-le")) == (
            f"a.{fmt}: the Office file is password-protected; save a copy without a password "
            "to translate it"
        )


# ---------------------------------------------------------------- normalize_text


def test_ligatures_are_spelled_out_and_invisible_marks_removed():
    ligatures = "\ufb00 \ufb01 \ufb02 \ufb03 \ufb04 \ufb05 \ufb06"
    assert normalize_text(ligatures) == "ff fi fl ffi ffl st st\n"
    assert normalize_text("a\u00adb\u200bc\u200cd\u200de\u2060f\ufeffg") == "abcdefg\n"


def test_odd_spaces_become_plain_spaces():
    spaces = "".join(chr(c) for c in range(0x2000, 0x200B))
    assert normalize_text(f"a\u00a0b\u202fc{spaces}d") == "a b c" + " " * 11 + "d\n"
    assert normalize_text("a\u200bb") == "ab\n"  # U+200B is not a space: it goes


def test_line_ends_trailing_blanks_and_blank_runs_are_made_plain():
    assert normalize_text("\n\na \t\r\nb\rc\n\n\nd  \n\n\n\n") == "a\nb\nc\n\nd\n"
    assert normalize_text("e\u0301") == "\u00e9\n"  # NFC


# ---------------------------------------------------------------- require, library, limits


def test_a_missing_library_is_named_with_the_install_command(monkeypatch):
    assert require("json", "json", "JSON") is sys.modules["json"]
    monkeypatch.setitem(sys.modules, "somelib", None)
    with pytest.raises(FormatSupportMissing) as caught:
        require("somelib", "some-lib", "Some files")
    assert str(caught.value) == (
        "reading Some files needs some-lib, which is not installed: "
        "pip install 'translate-digest[formats]'"
    )


def test_a_library_is_named_with_its_version_when_installed():
    from importlib import metadata

    assert library("pytest") == f"pytest {metadata.version('pytest')}"
    assert library("no-such-package-here") == "no-such-package-here"


def test_the_text_limit_refusal_gives_both_sizes_in_mb():
    assert str(text_over_limit("a.pdf", 2_345_678, 1_000_000, "at least ")) == (
        "a.pdf: its text, at least 2.3 MB, is over the 1.0 MB input limit (raise it with "
        "--max-input-mb)"
    )
    assert str(text_over_limit("a.txt", 150_000, 100_000)).startswith(
        "a.txt: its text, 0.1 MB, is over the 0.1 MB input limit"
    )


# ---------------------------------------------------------------- zip limits


def test_a_damaged_archive_is_refused_in_words():
    with pytest.raises(InputError) as caught:
        open_zip(b"PK\x03\x04 nothing more", "a.docx", "Word")
    assert str(caught.value) == (
        "a.docx: the Word file is corrupt or truncated (not a readable zip archive)"
    )


def test_the_unpacked_size_limit_is_exact_to_the_byte(monkeypatch):
    data = zipped({"a.xml": b"<a/>" * 1000, "b.xml": b"x" * 1000}, zipfile.ZIP_STORED)
    monkeypatch.setattr(common, "MAX_UNPACKED", 5000)
    open_zip(data, "a.odt", "ODT").close()
    monkeypatch.setattr(common, "MAX_UNPACKED", 4999)
    with pytest.raises(InputError) as caught:
        open_zip(data, "a.odt", "ODT")
    assert str(caught.value) == (
        f"a.odt: refused, the ODT file would unpack to 0 MB from {len(data) / 1e6:,.2f} MB "
        "(a zip bomb?)"
    )


def test_a_high_ratio_is_a_bomb_only_past_the_floor(monkeypatch):
    data = zipped({"a.xml": b" " * 100_000})  # deflates about a thousandfold
    assert len(data) * 100 < 100_000
    monkeypatch.setattr(common, "RATIO_FLOOR", 100_000)
    assert open_zip(data, "a.epub", "EPUB").read("a.xml") == b" " * 100_000
    monkeypatch.setattr(common, "RATIO_FLOOR", 99_999)
    with pytest.raises(InputError, match=r"would unpack to 0 MB from 0\.00 MB \(a zip bomb\?\)"):
        open_zip(data, "a.epub", "EPUB")
    stored = zipped({"a.xml": b" " * 100_000}, zipfile.ZIP_STORED)  # no ratio at all
    open_zip(stored, "a.epub", "EPUB").close()


def test_the_real_limits_are_a_hundredfold_16_mb_and_1_gb():
    assert (common.MAX_RATIO, common.RATIO_FLOOR, common.MAX_UNPACKED) == (
        100,
        16_000_000,
        1_000_000_000,
    )
    data = zipped({"a.xml": b" " * 16_000_001})
    with pytest.raises(InputError, match=r"would unpack to 16 MB from 0\.02 MB"):
        open_zip(data, "a.docx", "DOCX")


def _lying(member: bytes, declared: int) -> bytes:
    """A stored zip whose one member says it is `declared` bytes long."""
    data = bytearray(zipped({"a.xml": member}, zipfile.ZIP_STORED))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.index(header)
        offset = at + (22 if header == b"PK\x03\x04" else 24)  # uncompressed size
        data[offset : offset + 4] = declared.to_bytes(4, "little")
    return bytes(data)


def test_a_member_that_says_it_is_shorter_than_it_is_is_corrupt():
    with pytest.raises(InputError) as caught:
        open_zip(_lying(b"x" * 1000, 10), "a.docx", "Word")
    assert str(caught.value).startswith("a.docx: the Word file is corrupt (a.xml: ")


def test_members_are_read_whole_over_many_chunks_and_named_when_missing():
    big = bytes(range(256)) * 1000  # four chunks of 64 KiB
    archive = zipfile.ZipFile(io.BytesIO(zipped({"a.bin": big})))
    assert bounded_read(archive, "a.bin") == big
    assert bounded_read(archive, archive.getinfo("a.bin")) == big
    assert bounded_read(archive, "a.bin", keep=False) == b""
    assert read_member(archive, "a.bin", "a.epub", "EPUB") == big
    assert read_member(archive, "a.bin", "a.epub", "EPUB", keep=False) == b""
    with pytest.raises(InputError) as caught:
        read_member(archive, "OEBPS/b.xhtml", "a.epub", "EPUB")
    assert str(caught.value) == "a.epub: the EPUB file has no OEBPS/b.xhtml (damaged?)"


# ---------------------------------------------------------------- survivors of the first run


def test_sizes_in_the_refusals_are_rounded_from_exact_megabytes():
    # 1,050,000 bytes are 1.05 MB: "1.1" (a divisor a byte off gives 1.0499..., "1.0")
    assert str(text_over_limit("a.txt", 1_050_000, 1_050_000)).startswith(
        "a.txt: its text, 1.1 MB, is over the 1.1 MB input limit"
    )


def test_a_ratio_of_exactly_the_limit_is_no_bomb(monkeypatch):
    # find a member size that is a whole multiple of its zip's size
    size = next(s for s in range(100_000, 110_000) if s % len(zipped({"a": b" " * s})) == 0)
    data = zipped({"a": b" " * size})
    monkeypatch.setattr(common, "RATIO_FLOOR", 0)
    monkeypatch.setattr(common, "MAX_RATIO", size // len(data))
    open_zip(data, "a.epub", "EPUB").close()
    monkeypatch.setattr(common, "MAX_RATIO", size // len(data) - 1)
    with pytest.raises(InputError, match="a zip bomb"):
        open_zip(data, "a.epub", "EPUB")


def test_the_bomb_refusal_rounds_both_sizes_from_exact_megabytes(monkeypatch):
    data = zipped({"a": b" " * 1_500_001})
    monkeypatch.setattr(common, "MAX_UNPACKED", 1_000_000)
    with pytest.raises(InputError) as caught:
        open_zip(data, "a.epub", "EPUB")
    assert "would unpack to 2 MB from" in str(caught.value)  # 1.500001 MB, not 1.4999995
    stored = zipped({"a": b" " * 2_504_901}, zipfile.ZIP_STORED)
    assert len(stored) == 2_505_001
    with pytest.raises(InputError) as caught:
        open_zip(stored, "a.epub", "EPUB")
    assert "from 2.51 MB" in str(caught.value)
    # (2.505001 MB; a divisor a byte off gives 2.50)


def test_checking_an_archive_holds_no_member_whole(monkeypatch):
    import tracemalloc

    data = zipped({"a.xml": b" " * 20_000_000})  # 20 KB of zip
    monkeypatch.setattr(common, "RATIO_FLOOR", 10**9)
    tracemalloc.start()
    try:
        open_zip(data, "a.docx", "Word").close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # a chunk or two at a time, never the 20 MB


def test_a_mimetype_of_200_bytes_or_more_is_not_read():
    assert content_kind(zipped({"mimetype": b"application/epub+zip" + b" " * 180})) == "zip"


def test_a_mimetype_with_other_bytes_still_names_an_opendocument():
    data = zipped({"mimetype": b"application/vnd.oasis.opendocument.text\xff"})
    assert content_kind(data) == "opendocument"


def test_utf16_text_that_does_not_decode_cleanly_is_still_looked_at_as_text():
    check_content("a.txt", "text", b"\xff\xfe" + "Grüße aus Köln".encode("utf-16-le") + b"A")
    check_content("a.txt", "text", b"\xff\xfe" + "Grüße".encode("utf-16-le") + b"\x00\xd8a\x00")


def test_the_binary_check_reads_64_kib_exactly():
    # 655 controls in the first 65,536 bytes is text; a 656th split by the cut is not read
    data = (b"a" * 99 + b"\x01") * 655 + b"a" * 35 + b"\xc2\x80" + b"b" * 10
    assert len(data[:65536]) == 65536 and data[65535:65537] == b"\xc2\x80"
    check_content("a.txt", "text", data)
    with pytest.raises(InputError, match="a binary file"):
        check_content("a.txt", "text", (b"a" * 98 + b"\x01") * 700)


def test_only_blank_lines_are_stripped_from_the_ends_of_a_text():
    assert normalize_text("\n\n  Eingerückt\n\n") == "  Eingerückt\n"
    assert normalize_text("Xaver sagt X") == "Xaver sagt X\n"


def test_the_suffix_named_is_the_last_one_of_the_name():
    binary = bytes(range(256)) * 4
    assert refusal("akte.v2/notiz.txt", "text", binary).endswith(
        "not text as the name .txt says; rename it to match its content"
    )
    assert refusal("README", "text", binary).endswith(
        "not text as the name .README says; rename it to match its content"
    )
