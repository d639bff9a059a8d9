"""isolated.py pinned exactly (issue 32): what the child is asked and answers, its memory
cap, and each way a child can fail said in words. The child's side (`child`) also runs in
this process, on a request as the parent writes it, so that its replies are checked here."""

from __future__ import annotations

import io
import json
import logging
import os
import resource
import signal
import subprocess
import sys

import pytest

from translate.errors import FormatSupportMissing, InputError
from translate.inputs.extract import isolated
from translate.inputs.extract.common import Extracted

# ---------------------------------------------------------------- readers the child runs


def echo(data: bytes, name: str, **options) -> Extracted:
    logging.getLogger("somelib").warning("the library said so")
    return Extracted(
        text=data.decode(), metadata={"name": name, "options": options}, notes=("own note",)
    )


def address_space(data: bytes, name: str) -> Extracted:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    return Extracted(text=f"{soft} {hard}")


def refuse(data: bytes, name: str) -> Extracted:
    raise InputError(f"{name}: not this one")


def missing(data: bytes, name: str) -> Extracted:
    raise FormatSupportMissing("reading it needs somelib")


def out_of_memory(data: bytes, name: str) -> Extracted:
    raise MemoryError


def broken(data: bytes, name: str) -> Extracted:
    raise KeyError("xref")


def flags(data: bytes, name: str) -> Extracted:
    return Extracted(text=f"isolated={sys.flags.isolated}")


def nap(data: bytes, name: str) -> Extracted:
    import time

    time.sleep(1)
    return Extracted(text="awake")


def hang(data: bytes, name: str) -> Extracted:
    import time

    time.sleep(60)


def exit_status(data: bytes, name: str) -> Extracted:
    os._exit(3)


def segfault(data: bytes, name: str) -> Extracted:
    os.kill(os.getpid(), signal.SIGSEGV)


def abort(data: bytes, name: str) -> Extracted:
    os.kill(os.getpid(), signal.SIGABRT)


def memory_error_on_stderr(data: bytes, name: str) -> Extracted:
    sys.stderr.write("x" * 3000 + "MemoryError" + "y" * 1900)
    sys.stderr.flush()
    os._exit(1)


def memory_error_long_ago(data: bytes, name: str) -> Extracted:
    sys.stderr.write("MemoryError" + "y" * 2000)
    sys.stderr.flush()
    os._exit(1)


def run(function: str, data: bytes = b"abc", memory: int = 256 * 2**20, **options):
    return isolated.run_isolated(
        f"tests.test_isolated_exact:{function}", data, "doc.pdf", options, memory, 60, "PDF"
    )


# ---------------------------------------------------------------- the parent's side


def test_the_child_gets_the_bytes_the_name_and_the_options_and_its_notes_come_back():
    extracted = run("echo", "Grüße".encode(), ocr=True, max_text_bytes=None)
    assert extracted == Extracted(
        text="Grüße",
        metadata={"name": "doc.pdf", "options": {"ocr": True, "max_text_bytes": None}},
        notes=("somelib: the library said so", "own note"),
    )


def test_the_childs_address_space_is_its_memory_and_twice_the_documents_size():
    extracted = run("address_space", b"x" * 1000, memory=300 * 2**20)
    limit = 300 * 2**20 + 2000
    assert extracted.text == f"{limit} {limit}"


def test_each_answer_of_the_child_is_raised_as_its_kind_of_error():
    with pytest.raises(InputError) as caught:
        run("refuse")
    assert str(caught.value) == "doc.pdf: not this one"
    with pytest.raises(FormatSupportMissing) as missed:
        run("missing")
    assert str(missed.value) == "reading it needs somelib"
    with pytest.raises(InputError) as caught:
        run("out_of_memory", memory=100 * 2**20)
    assert str(caught.value) == (
        "doc.pdf: refused, reading the PDF needed more than the 100 MB of memory it may take "
        "(a decompression bomb?)"
    )
    with pytest.raises(InputError) as caught:
        run("broken")
    assert str(caught.value) == "doc.pdf: cannot be read (KeyError: 'xref')"


def test_a_child_that_dies_is_said_by_its_exit_status_or_signal():
    with pytest.raises(InputError) as caught:
        run("exit_status")
    assert str(caught.value) == (
        "doc.pdf: the PDF reader failed on it (exit status 3): a damaged file?"
    )
    with pytest.raises(InputError) as caught:
        run("segfault")
    assert str(caught.value) == "doc.pdf: the PDF reader failed on it (signal 11): a damaged file?"


def test_a_child_killed_by_abort_or_a_memory_error_was_out_of_memory():
    message = (
        "doc.pdf: refused, reading the PDF needed more than the 2,048 MB of memory it may "
        "take (a decompression bomb?)"
    )
    for function in ("abort", "memory_error_on_stderr"):
        with pytest.raises(InputError) as caught:
            run(function, memory=2048 * 2**20)
        assert str(caught.value) == message, function


def test_a_memory_error_early_in_a_long_stderr_is_not_taken_for_the_cause():
    with pytest.raises(InputError, match=r"\(exit status 1\)"):
        run("memory_error_long_ago")


def test_died_reads_sigkill_as_out_of_memory_and_other_signals_as_signals():
    def died(code: int, stderr: bytes = b"") -> str:
        child = subprocess.CompletedProcess([], code, b"", stderr)
        return str(isolated._died("a.pdf", "PDF", child, 2**20))

    over = "a.pdf: refused, reading the PDF needed more than the 1 MB of memory"
    assert died(-signal.SIGKILL).startswith(over)
    assert died(-signal.SIGABRT).startswith(over)
    assert died(1, b"Traceback ...\nMemoryError\n").startswith(over)
    # only the last 2,000 bytes of what the child said are looked at
    assert died(1, b"MemoryError" + b"y" * 1989).startswith(over)
    assert died(1, b"MemoryError" + b"y" * 1990).endswith("(exit status 1): a damaged file?")
    assert (
        died(-signal.SIGTERM) == "a.pdf: the PDF reader failed on it (signal 15): a damaged file?"
    )
    assert died(0) == "a.pdf: the PDF reader failed on it (exit status 0): a damaged file?"


def test_a_child_past_its_time_is_killed_after_the_grace_and_refused(monkeypatch):
    monkeypatch.setattr(isolated, "GRACE_SECONDS", 0.5)
    with pytest.raises(InputError) as caught:
        isolated.run_isolated(
            "tests.test_isolated_exact:hang", b"", "stuck.pdf", {}, 2**30, 0.5, "EPUB"
        )
    assert str(caught.value) == (
        "stuck.pdf: refused, reading the EPUB took longer than 0 s (a document built to be slow?)"
    )


def test_the_child_runs_this_very_package():
    from pathlib import Path

    assert Path(isolated._ROOT) == Path(isolated.__file__).resolve().parents[3]
    assert (Path(isolated._ROOT) / "translate" / "inputs" / "extract" / "isolated.py").is_file()


# ---------------------------------------------------------------- the child's side


UNLIMITED = resource.getrlimit(resource.RLIMIT_AS) == (resource.RLIM_INFINITY,) * 2
needs_unlimited = pytest.mark.skipif(
    not UNLIMITED, reason="the test process's address space is capped already"
)


@pytest.fixture
def in_process(monkeypatch):
    """Run `child` here as the parent starts it, asking for no memory cap (a cap cannot be
    lifted again in this process); SIGINT's handler put back after."""
    handler = signal.getsignal(signal.SIGINT)

    def call(function: str, data: bytes = b"abc", **options) -> dict:
        request = {
            "function": f"tests.test_isolated_exact:{function}",
            "name": "doc.pdf",
            "options": options,
            "memory": resource.RLIM_INFINITY,
        }
        monkeypatch.setattr(sys, "argv", ["-c", isolated._ROOT, json.dumps(request)])
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        out = io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        isolated.child()
        return json.loads(out.getvalue())

    yield call
    signal.signal(signal.SIGINT, handler)


@needs_unlimited
def test_the_child_answers_each_outcome_in_json(in_process):
    assert in_process("echo", "Grüße".encode(), ocr=True) == {
        "text": "Grüße",
        "metadata": {"name": "doc.pdf", "options": {"ocr": True}},
        "notes": ["somelib: the library said so", "own note"],
    }
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # Ctrl-C is the parent's
    assert resource.getrlimit(resource.RLIMIT_AS) == (resource.RLIM_INFINITY,) * 2
    assert in_process("refuse") == {"refused": "doc.pdf: not this one"}
    assert in_process("missing") == {"missing": "reading it needs somelib"}
    assert in_process("out_of_memory") == {"memory": True}
    assert in_process("broken") == {"refused": "doc.pdf: cannot be read (KeyError: 'xref')"}


def _caps_in_a_fork(memories: list[int], first=None) -> list[tuple[int, int]]:
    """The address-space limits after each `_limit_memory(m)`, in a forked process (a cap
    cannot be lifted again), the limits set to `first` before."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the fork)
        try:
            os.close(read)
            caps = []
            if first is not None:
                resource.setrlimit(resource.RLIMIT_AS, first)
            for memory in memories:
                isolated._limit_memory(memory)
                caps.append(resource.getrlimit(resource.RLIMIT_AS))
            os.write(write, json.dumps(caps).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as answer:
        caps = json.loads(answer.read() or "null")
    os.waitpid(pid, 0)
    return [tuple(cap) for cap in caps]


@needs_unlimited
def test_the_memory_cap_is_set_and_only_ever_lowered():
    isolated._limit_memory(resource.RLIM_INFINITY)  # no cap asked: none set
    assert resource.getrlimit(resource.RLIMIT_AS) == (resource.RLIM_INFINITY,) * 2
    assert _caps_in_a_fork([2**41, 2**42, 2**40]) == [
        (2**41, 2**41),
        (2**41, 2**41),  # never above the hard limit set before
        (2**40, 2**40),
    ]


@needs_unlimited
def test_the_memory_cap_lifts_a_lower_soft_limit_up_to_the_hard_one():
    isolated._limit_memory(resource.RLIM_INFINITY)
    assert _caps_in_a_fork([2**42], first=(2**40, 2**41)) == [(2**41, 2**41)]


def test_the_child_runs_in_isolated_mode():
    assert run("flags").text == "isolated=1"  # no PYTHON* variables, no user site


def test_the_child_may_run_past_its_time_by_the_grace(monkeypatch):
    monkeypatch.setattr(isolated, "GRACE_SECONDS", 5)
    extracted = isolated.run_isolated(
        "tests.test_isolated_exact:nap", b"", "slow.pdf", {}, 2**30, 0.5, "PDF"
    )
    assert extracted.text == "awake"
