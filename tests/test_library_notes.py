"""What libraries say while a document is read (issue 29, item 11): BeautifulSoup's fifteen-
line warnings and trafilatura's log lines reach stderr as one line naming the file, escaped,
with the details under --verbose; never raw. Real files, the real CLI in a subprocess."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import warnings
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import SEED_DOC
from translate.display import display_name
from translate.inputs.extract.notes import MAX_NOTES, library_notes

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
# Words of the libraries' own messages that must never reach stderr raw.
RAW = ("warnings.filterwarnings", "BeautifulSoup constructor", "Assuming this really is")


def xml_mail(path: Path) -> Path:
    """An e-mail whose HTML body is an XML document: BeautifulSoup warns (fifteen lines)."""
    paragraphs = [p for p in SEED_DOC.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    body = "".join(f"<absatz>{p}</absatz>" for p in paragraphs[:2])
    message = EmailMessage()
    message["From"] = "rathaus@example.de"
    message["Subject"] = "Sitzung des Rates"
    message.set_content(f'<?xml version="1.0" encoding="utf-8"?><brief>{body}</brief>', "html")
    path.write_bytes(bytes(message))
    return path


def run_cli(folder: Path, model_args: list[str], *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "translate", "run", str(folder), *model_args, *extra]
    return subprocess.run(command, capture_output=True, text=True, timeout=150, env=ENV, cwd=ROOT)


def test_library_warnings_are_one_line_naming_the_file(tmp_path, model_args):
    folder = tmp_path / "eingang"
    folder.mkdir()
    xml_mail(folder / "brief\x1b[31m.eml")  # a name with an escape: shown escaped
    (folder / "leer.html").write_text('<?xml version="1.0"?><rss><item/></rss>', "utf-8")
    done = run_cli(folder, model_args)
    assert done.returncode == 1, done.stderr  # leer.html has no article
    lines = done.stderr.splitlines()
    assert not [line for line in lines if any(raw in line for raw in RAW)], done.stderr
    assert "discarding data" not in done.stderr and "\x1b" not in done.stderr
    shown = display_name(folder / "brief\x1b[31m.eml")  # '/tmp/.../brief\x1b[31m.eml'
    notes = [line for line in lines if line.startswith("warning: ")]
    assert len(notes) == 1, done.stderr  # one line for the file, naming it
    assert notes[0].startswith(f"warning: {shown}: bs4: XMLParsedAsHTMLWarning: It looks like")
    assert notes[0].endswith("… (--verbose shows it whole)")
    assert any(line.startswith(f"written  {shown}") for line in lines)
    assert any("leer.html: no article text found" in line for line in lines)

    verbose = run_cli(folder, model_args, "--verbose", "--force")
    detail = [line for line in verbose.stderr.splitlines() if "XMLParsedAsHTMLWarning" in line]
    assert len(detail) == 2, verbose.stderr  # the one line, and the note in full
    assert 'warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)' in detail[1]
    assert detail[1].startswith(f"DEBUG translate.cli: {shown}: bs4: ")
    # trafilatura's lines about the page it could not read: under --verbose, naming it.
    assert "leer.html: trafilatura: discarding data: None" in verbose.stderr

    report = json.loads(run_cli(folder, model_args, "--json", "--force").stdout)
    by_name = {Path(d["path"]).name: d for d in report["documents"]}
    assert by_name["brief\x1b[31m.eml"]["warnings"][0].startswith("bs4: XMLParsedAsHTMLWarning")


def test_notes_are_caught_once_each_and_only_in_the_block():
    library = logging.getLogger("somelib.parser")
    ours = logging.getLogger("translate.inputs.test")
    with library_notes() as notes:
        for n in range(3 * MAX_NOTES):
            warnings.warn(f"odd markup {n % 2}\nsecond line", UserWarning, stacklevel=1)
            library.warning("discarding data: %s", n)
        ours.warning("our own line stays ours")
    assert notes[:2] == ["python: UserWarning: odd markup 0 second line",
                         "python: UserWarning: odd markup 1 second line"]  # fmt: skip
    assert notes[2:4] == ["somelib: discarding data: 0", "somelib: discarding data: 1"]
    assert len(notes) == MAX_NOTES and not any("our own" in note for note in notes)
    with warnings.catch_warnings(record=True) as after:
        warnings.simplefilter("always")
        warnings.warn("outside", UserWarning, stacklevel=1)
    assert len(after) == 1  # the catching ended with the block


RAYLET = (
    "\x1b[33m(raylet)\x1b[0m A worker died or was killed while executing a task by an "
    "unexpected system error. To troubleshoot the problem, check the logs for the dead "
    "worker. RayTask ID: 16310a0f Worker ID: 7a1c Node ID: 9f2e Worker IP address: 127.0.0.1\n"
    'Traceback (most recent call last):\n  File "worker.py", line 1, in <module>\n'
    "SystemExit: 1\n"
)


def test_what_ray_prints_becomes_one_warning_and_its_lines_verbose_only(caplog):
    from translate.cli.logs import RAY_NOTE_CHARS, RayConsole

    warned: list[str] = []
    console = RayConsole(warned.append)
    with caplog.at_level(logging.DEBUG, logger="translate.cli.ray"):
        for piece in (RAYLET[:50], RAYLET[50:]):  # Ray writes in pieces, from its threads
            console.write(piece)
        console.flush()
    assert len(warned) == 1, warned
    assert warned[0].startswith("Ray: A worker died or was killed while executing a task")
    assert warned[0].endswith("… (--verbose shows Ray's report)")
    assert len(warned[0]) < RAY_NOTE_CHARS + 40 and "\x1b" not in warned[0]
    details = [r.getMessage() for r in caplog.records]
    assert details[1:] == [
        "Traceback (most recent call last):",
        'File "worker.py", line 1, in <module>',
        "SystemExit: 1",
    ]


def test_a_log_record_is_one_line_and_its_traceback_verbose_only():
    from translate.cli.logs import _OneLine

    try:
        raise ValueError("inner")
    except ValueError:
        record = logging.LogRecord(
            "ray.data", logging.ERROR, "x.py", 1, "block failed:\n%s", ("\x1b[31mboom",),
            sys.exc_info(),
        )  # fmt: skip
    quiet = _OneLine(verbose=False).format(record)
    assert quiet == "ERROR ray.data: block failed: \\x1b[31mboom (--verbose shows where)"
    verbose = _OneLine(verbose=True).format(record)
    assert verbose.startswith("ERROR ray.data: block failed: \\x1b[31mboom\nTraceback")


def test_ray_logs_go_to_our_logging_not_their_console():
    pytest.importorskip("ray", reason="needs the [ray] extra")
    import ray.data  # noqa: F401  (configures the ray.data logger's own handlers)

    from translate.flow.distributed.cluster import _route_ray_logs

    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
             for name in ("ray", "ray.data")}  # fmt: skip
    try:
        _route_ray_logs()
        for name in saved:
            logger = logging.getLogger(name)
            assert logger.propagate
            assert not [h for h in logger.handlers if isinstance(h, logging.StreamHandler)]
        assert logging.getLogger("ray.data").handlers  # its log file is kept
    finally:
        for name, (handlers, propagate) in saved.items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = propagate
