"""Reading a document in a child process that has a memory and a time limit.

PDFium inflates a PDF's streams natively: a 1 MB file can ask for gigabytes, out of reach of
any check in Python. So a PDF is read by a child Python (`run_isolated`) whose address space
is capped (RLIMIT_AS, where the platform has it) and which is killed when it runs too long;
either way the document is refused in one line and the run goes on. Starting the child costs
about a tenth of a second (docs/formats.md), small beside a document's model time.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from translate.errors import FormatSupportMissing, InputError
from translate.inputs.extract.common import Extracted

# Seconds the child gets past its own time limit to stop by itself and say so (it checks the
# clock between pages); past that it is killed.
GRACE_SECONDS = 15
# The package's own folder goes first on the child's path, so the child runs this very code
# (not another installed copy, not a folder named `translate` in the current directory).
_ROOT = str(Path(__file__).resolve().parents[3])
_CHILD = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from translate.inputs.extract.isolated import child; child()"
)


def run_isolated(
    function: str, data: bytes, name: str, options: dict, memory: int, seconds: float, what: str
) -> Extracted:
    """`function(data, name, **options)` ("module:function") run in a child process.

    Args:
        memory: the child's address space in bytes, beyond twice the size of `data`.
        seconds: how long the child may run; it is killed GRACE_SECONDS later.
        what: the document's kind, for messages ("PDF").

    Raises:
        InputError: the function refused the document, or the child ran out of memory or
            time, or died.
    """
    limit = memory + 2 * len(data)  # and the bytes read, and the library's copy of them
    request = json.dumps({"function": function, "name": name, "options": options, "memory": limit})
    try:
        child = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, _ROOT, request],
            input=data,
            capture_output=True,
            timeout=seconds + GRACE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed it
        raise InputError(
            f"{name}: refused, reading the {what} took longer than {seconds:.0f} s "
            "(a document built to be slow?)"
        ) from None
    try:
        reply = json.loads(child.stdout)
    except ValueError:
        raise _died(name, what, child, memory) from None
    if "text" in reply:
        notes = tuple(reply["notes"])
        return Extracted(text=reply["text"], metadata=reply["metadata"], notes=notes)
    if "missing" in reply:
        raise FormatSupportMissing(reply["missing"])
    if "memory" in reply:
        raise _over_memory(name, what, memory)
    raise InputError(reply["refused"])


def _over_memory(name: str, what: str, memory: int) -> InputError:
    return InputError(
        f"{name}: refused, reading the {what} needed more than the {memory / 2**20:,.0f} MB of "
        "memory it may take (a decompression bomb?)"
    )


def _died(name: str, what: str, child: subprocess.CompletedProcess, memory: int) -> InputError:
    """A child that gave no answer. PDFium aborts when an allocation fails (SIGABRT)."""
    code = child.returncode
    out_of_memory = [-s for s in (getattr(signal, "SIGABRT", 0), getattr(signal, "SIGKILL", 0))]
    if code in out_of_memory or b"MemoryError" in child.stderr[-2000:]:
        return _over_memory(name, what, memory)
    how = f"signal {-code}" if code < 0 else f"exit status {code}"
    return InputError(f"{name}: the {what} reader failed on it ({how}): a damaged file?")


def child() -> None:
    """The child's side: limit its memory, read the document from stdin, answer on stdout."""
    import importlib

    from translate.inputs.extract.notes import library_notes

    # Ctrl-C is the parent's to handle: it stops the run and kills this child on its way out,
    # rather than this child's death being taken for a document the reader failed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    request = json.loads(sys.argv[2])
    _limit_memory(request["memory"])
    module, _, function = request["function"].partition(":")
    try:
        data = sys.stdin.buffer.read()
        with library_notes() as notes:
            read = getattr(importlib.import_module(module), function)
            extracted = read(data, request["name"], **request["options"])
        reply = {"text": extracted.text, "metadata": extracted.metadata}
        reply["notes"] = [*notes, *extracted.notes]
    except FormatSupportMissing as exc:
        reply = {"missing": str(exc)}
    except InputError as exc:
        reply = {"refused": str(exc)}
    except MemoryError:
        reply = {"memory": True}
    except Exception as exc:  # a library's own error on a hostile file: still one line
        reply = {"refused": f"{request['name']}: cannot be read ({type(exc).__name__}: {exc})"}
    sys.stdout.write(json.dumps(reply))


def _limit_memory(memory: int) -> None:
    """Cap the address space (Linux, BSD); where the platform cannot, only time is bounded."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, AttributeError, ValueError, OSError):
        pass
