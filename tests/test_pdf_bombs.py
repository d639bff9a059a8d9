"""PDFs that cost gigabytes or minutes (issue 29): a content stream that inflates to 1 GB, one
form drawn 100 times on each of 200 pages. The PDFs are written by hand at test time; the
run is a real `translate run` in a separate process under a memory and a time limit, so a
regression fails instead of eating the machine."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from tests import documents
from tests.conftest import SEED_DOC
from translate.errors import InputError
from translate.inputs.extract import isolated, pdf

pytestmark = pytest.mark.timeout(300)
ROOT = Path(__file__).parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
OVER_BASELINE = 1536 * 2**20  # the run's address space may grow this much over a plain run's
LINE = b"(Der Rat der Stadt tagt am Montag im Rathaus und beraet den Haushalt.) Tj T* "
# Runs the CLI and leaves its peak address space (VmPeak, KB) in the file named first.
CLI = """
import atexit, sys
from pathlib import Path
def peak(out=Path(sys.argv.pop(1))):
    status = Path("/proc/self/status").read_text()
    out.write_text(next(l.split()[1] for l in status.splitlines() if l.startswith("VmPeak")))
atexit.register(peak)
from translate.cli import main
sys.exit(main())
"""


def raw_pdf(pages: list[bytes], resources: bytes, extra: list[bytes] = ()) -> bytes:
    """A PDF written object by object: a catalog, the page tree, Helvetica, `extra` objects
    (4, 5, ...), then each page with its (already encoded) content stream object."""
    first = 4 + len(extra)
    kids = b" ".join(b"%d 0 R" % (first + 2 * i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        *extra,
    ]
    for i, content in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s "
            b"/Contents %d 0 R >>" % (resources, first + 2 * i + 1)
        )
        objects.append(content)
    out, offsets = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    return out + trailer % (len(objects) + 1, xref)


def stream(deflated: bytes, keys: bytes = b"") -> bytes:
    return b"<< /Length %d /Filter /FlateDecode%s >>\nstream\n%s\nendstream" % (
        len(deflated),
        keys,
        deflated,
    )


def inflating_pdf(inflated: int) -> bytes:
    """One page of two lines of text, then `inflated` bytes of spaces: about 1 KB a MB."""
    packer = zlib.compressobj(9)
    parts = [packer.compress(b"BT /F1 11 Tf 72 760 Td 14 TL " + LINE + b"ET\n")]
    spaces = b" " * 2**20
    parts += [packer.compress(spaces) for _ in range(inflated // len(spaces))]
    parts.append(packer.flush())
    fonts = b"<< /Font << /F1 3 0 R >> >>"
    return raw_pdf([stream(b"".join(parts))], fonts)


def forms_pdf(lines: int, draws: int = 100, pages: int = 200) -> bytes:
    """One form of `lines` lines of text, drawn `draws` times on each of `pages` pages."""
    form = b"BT /F1 6 Tf 10 800 Td 7 TL " + LINE * lines + b"ET"
    keys = b" /Type /XObject /Subtype /Form /BBox [0 0 595 842]"
    keys += b" /Resources << /Font << /F1 3 0 R >> >>"
    page = stream(zlib.compress(b"q /Fm1 Do Q\n" * draws))
    resources = b"<< /Font << /F1 3 0 R >> /XObject << /Fm1 4 0 R >> >>"
    return raw_pdf([page] * pages, resources, [stream(zlib.compress(form), keys)])


def german_paragraphs() -> list[str]:
    return [p for p in SEED_DOC.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def run_cli(folder: Path, model_args: list[str], peak: Path, memory: int | None = None):
    def limits():
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    command = [sys.executable, "-c", CLI, str(peak), "run", str(folder), "--json", *model_args]
    started = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=240, env=ENV, preexec_fn=limits
    )
    return done, time.monotonic() - started


def test_pdf_bombs_are_refused_in_bounds_and_the_rest_of_the_folder_is_done(tmp_path, model_args):
    plain = tmp_path / "plain"  # the same good documents alone: what a run normally takes
    plain.mkdir()
    documents.layout_pdf(plain / "bericht.pdf", german_paragraphs()[:4])
    lead = "\n\n".join(german_paragraphs()[:2])
    (plain / "notiz.txt").write_text(lead + "\n", encoding="utf-8")
    done, baseline_seconds = run_cli(plain, model_args, tmp_path / "plain.peak")
    assert done.returncode == 0, done.stderr[-2000:]
    baseline = int((tmp_path / "plain.peak").read_text()) * 1024

    folder = tmp_path / "upload"
    folder.mkdir()
    for good in ("bericht.pdf", "notiz.txt"):
        (folder / good).write_bytes((plain / good).read_bytes())
    (folder / "inflating.pdf").write_bytes(inflating_pdf(2**30))  # 1 MB, inflating to 1 GB
    (folder / "forms.pdf").write_bytes(forms_pdf(lines=20))  # 20,000 drawings of a form
    assert all(len(p.read_bytes()) < 2 * 2**20 for p in folder.iterdir())
    done, seconds = run_cli(folder, model_args, tmp_path / "run.peak", baseline + OVER_BASELINE)
    assert done.returncode == 1, done.stderr[-2000:]  # some failed
    report = json.loads(done.stdout)
    status = {Path(d["path"]).name: d for d in report["documents"]}
    assert status["bericht.pdf"]["status"] == status["notiz.txt"]["status"] == "written"
    assert "bericht.pdf: refused" not in done.stderr
    assert status["inflating.pdf"]["status"] == "failed"
    assert (
        "inflating.pdf: refused, reading the PDF needed more than the 512 MB of memory"
        in (status["inflating.pdf"]["error"])
    )
    assert status["forms.pdf"]["status"] == "failed"
    assert "forms.pdf: refused, page 1 holds" in status["forms.pdf"]["error"]
    assert "over the limit of 100,000 a page" in status["forms.pdf"]["error"]
    outputs = sorted(p.name for p in folder.iterdir())
    assert outputs == sorted(
        ["bericht.pdf", "bericht.summary.en.md", "forms.pdf", "inflating.pdf", "notiz.txt",
         "notiz.summary.en.md", "translate-digest.en.md"]
    )  # fmt: skip
    # The run itself grew by far less than the bombs would take (1-3.6 GB in issue 29) ...
    assert int((tmp_path / "run.peak").read_text()) * 1024 < baseline + 256 * 2**20
    assert seconds < baseline_seconds + 60  # ... and took seconds more, not minutes


def test_a_pdf_is_refused_at_the_text_limit_without_reading_the_rest(tmp_path):
    data = forms_pdf(lines=4)  # about 28,000 characters a page, 200 pages: 5.6 MB of text
    started = time.monotonic()
    with pytest.raises(InputError, match=r"its text, at least 0\.1 MB, is over the 0\.1 MB"):
        pdf.extract(data, "forms.pdf", max_text_bytes=100_000)
    assert time.monotonic() - started < 10  # stopped at page 4, not after 200


def test_a_pdf_that_reads_too_slowly_is_stopped(monkeypatch):
    monkeypatch.setattr(pdf, "PDF_SECONDS", 0)  # in this process: checked between pages
    with pytest.raises(InputError, match=r"took longer than 0 s \(stopped at page 1 of 200"):
        pdf.read_pdf(forms_pdf(lines=1, draws=1), "slow.pdf")


def hang(data: bytes, name: str) -> None:
    """A reader stuck inside a library call, where no check between pages can stop it."""
    time.sleep(120)


def allocate(data: bytes, name: str) -> None:
    bytearray(512 * 2**20)


def test_the_child_is_killed_when_it_runs_too_long(monkeypatch):
    monkeypatch.setattr(isolated, "GRACE_SECONDS", 0)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"stuck.pdf: refused, reading the  took longer"):
        isolated.run_isolated("tests.test_pdf_bombs:hang", b"%PDF", "stuck.pdf", {}, 2**30, 2, "")
    assert time.monotonic() - started < 10


def test_the_child_is_refused_what_is_over_its_memory():
    with pytest.raises(InputError, match=r"big.pdf: refused, .* more than the 128 MB of memory"):
        isolated.run_isolated(
            "tests.test_pdf_bombs:allocate", b"%PDF", "big.pdf", {}, 128 * 2**20, 30, "PDF"
        )


def test_a_normal_pdf_reads_the_same_in_the_child(tmp_path):
    path = tmp_path / "bericht.pdf"
    documents.layout_pdf(path, german_paragraphs()[:6])
    data = path.read_bytes()
    assert pdf.extract(data, path.name) == pdf.read_pdf(data, path.name)
