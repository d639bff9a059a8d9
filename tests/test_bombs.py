"""Small files that would cost gigabytes (issue 29): zip members that lie about their size,
an EPUB spine that repeats a chapter, compressed data under a text name. Each is read in a
separate process under a memory and a time limit, so a regression fails instead of eating
the machine."""

from __future__ import annotations

import io
import json
import resource
import struct
import subprocess
import sys
import zipfile
import zlib

import pytest

from tests import documents
from translate.errors import InputError

pytestmark = pytest.mark.timeout(120)
INFLATES_TO = 400 * 2**20  # zeros: about 400 KB compressed
DECLARED = 1_000
MEMORY_LIMIT = 1536 * 2**20  # address space of the reading process
READ = """
import json, sys
from pathlib import Path
from translate.errors import InputError
from translate.inputs.extract import extract
path = Path(sys.argv[1])
try:
    extract(path, path.read_bytes())
    outcome = "read"
except InputError as exc:
    outcome = str(exc)
# This process's own high-water mark (ru_maxrss would carry the forking parent's size).
status = Path("/proc/self/status").read_text()
peak = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
print(json.dumps({"outcome": outcome, "peak_kb": peak}))
"""


def lying(package: bytes, member: str) -> bytes:
    """`package` with `member` (one its reader reads) replaced by INFLATES_TO zero bytes
    whose headers say DECLARED."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            if item.filename != member:
                out.writestr(item, source.read(item))
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with out.open(info, "w") as stream:
            zeros = bytes(2**20)
            for _ in range(INFLATES_TO // len(zeros)):
                stream.write(zeros)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        offset = archive.getinfo(member).header_offset
    struct.pack_into("<I", data, offset + 22, DECLARED)  # the local header's size
    name = member.encode()
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, DECLARED)  # and the central directory's
    return bytes(data)


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize(
    ("build", "suffix", "member"),
    [
        (documents.docx, ".docx", "word/document.xml"),  # the members their readers read
        (documents.odt, ".odt", "content.xml"),
        (documents.epub, ".epub", "OEBPS/kapitel1.xhtml"),
    ],
)
def test_a_member_that_inflates_past_its_declared_size_is_refused_cheaply(
    tmp_path, build, suffix, member
):
    package = build(tmp_path / f"gut{suffix}").read_bytes()
    bomb = tmp_path / f"bombe{suffix}"
    bomb.write_bytes(lying(package, member))
    assert len(bomb.read_bytes()) < 2 * 2**20  # a small file ...
    child = subprocess.run(
        [sys.executable, "-c", READ, str(bomb)], capture_output=True, text=True, timeout=60,
        preexec_fn=_limits,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr[-2000:]
    report = json.loads(child.stdout)
    assert "corrupt" in report["outcome"] and member in report["outcome"], report
    assert report["peak_kb"] < 300 * 1024  # ... read in far less than it would inflate to


def _with_spine(package: bytes, times: int) -> bytes:
    """An EPUB whose spine names its first chapter `times` times, and nothing else."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(buffer, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.endswith(".opf"):
                head, _, rest = data.decode().partition("<spine>")
                data = (head + "<spine>" + '<itemref idref="c1"/>' * times
                        + "</spine>" + rest.partition("</spine>")[2]).encode()  # fmt: skip
            out.writestr(item, data)
    return buffer.getvalue()


def test_a_spine_naming_one_chapter_20000_times_reads_it_once(tmp_path):
    book = tmp_path / "spine.epub"
    book.write_bytes(_with_spine(documents.epub(tmp_path / "gut.epub").read_bytes(), 20_000))
    child = subprocess.run(
        [sys.executable, "-c", READ.replace('outcome = "read"', "outcome = extract(path, "
         "path.read_bytes()).metadata"), str(book)],
        capture_output=True, text=True, timeout=60, preexec_fn=_limits,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr[-2000:]
    assert json.loads(child.stdout)["outcome"]["chapters"] == 1


def test_a_book_is_refused_at_the_text_limit_without_reading_the_rest(tmp_path, monkeypatch):
    from translate.errors import InputError
    from translate.inputs.extract import epub as epub_module
    from translate.inputs.extract import extract

    chapters = [(f"Kapitel {n}", ["Der Rat tagt am Montag im Rathaus. " * 30]) for n in range(50)]
    book = documents.epub(tmp_path / "lang.epub", chapters=chapters)
    read = []
    render = epub_module.body_markdown
    monkeypatch.setattr(epub_module, "body_markdown", lambda html: read.append(1) or render(html))
    with pytest.raises(InputError, match="its text, at least .* MB, is over the .* MB input limit"):
        extract(book, book.read_bytes(), max_text_bytes=10_000)
    assert 5 <= len(read) < 15  # stopped about 10 KB in, not after all 50 chapters


@pytest.mark.parametrize(
    "pack",
    [zlib.compress, lambda data: zlib.compress(data)[2:-4]],  # zlib, and raw deflate
    ids=["zlib", "raw deflate"],
)
def test_compressed_data_under_a_text_name_is_refused_before_any_library_sees_it(tmp_path, pack):
    page = b"<html><body><p>Der Rat tagt am Montag.</p></body></html>\n" * 300_000  # 17 MB
    disguised = tmp_path / "seite.html"
    disguised.write_bytes(pack(page))  # about 50 KB
    child = subprocess.run(
        [sys.executable, "-c", READ, str(disguised)], capture_output=True, text=True,
        timeout=60, preexec_fn=_limits,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr[-2000:]
    report = json.loads(child.stdout)
    assert "a binary file (compressed or encoded data?), not text" in report["outcome"]
    assert report["peak_kb"] < 300 * 1024


def test_text_in_utf16_with_its_bom_is_still_text(tmp_path):
    from translate.inputs.extract.sniff import check_content

    page = "<html><body><p>Die Brücke wird im Frühjahr gebaut.</p></body></html>"
    check_content("seite.html", "html", page.encode("utf-16"))  # no refusal
    check_content("brief.txt", "text", page.encode("utf-32"))
    with pytest.raises(InputError, match="binary file"):
        check_content("brief.txt", "text", page.encode("utf-16-le"))  # no BOM: NULs
