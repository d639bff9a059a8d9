"""Start the real `translate serve` for a test and always stop it: a subprocess on a free
loopback port (`--port 0`; the port is read from its ready line), its stderr kept for
assertions, every wait bounded.

    with running_service(model_args, tmp_path / "data") as service:
        httpx.get(service.url + "/health")
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

READY = re.compile(r"translate serve: ready on (http://127\.0\.0\.1:\d+)")
START_SECONDS = 120  # loading the tiny models takes a few seconds; a busy machine, more
STOP_SECONDS = 30


class Service:
    """A running `translate serve`: its URL once ready, its stderr so far, its process
    and its data folder."""

    def __init__(self, process: subprocess.Popen, data_dir: Path):
        self.process = process
        self.data_dir = data_dir
        self.lines: list[str] = []
        self.url: str | None = None
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:  # until the process closes stderr (it exits)
            self.lines.append(line)
            match = READY.search(line)
            if match and self.url is None:
                self.url = match.group(1)
                self._ready.set()
        self._ready.set()  # ended without being ready: wake the waiter

    @property
    def stderr(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, seconds: float = START_SECONDS) -> str:
        """The service's URL; fails the test with its stderr when it is not ready in time."""
        self._ready.wait(seconds)
        if self.url is None:
            raise AssertionError(f"translate serve did not get ready:\n{self.stderr}")
        return self.url

    def wait_exit(self, seconds: float = STOP_SECONDS) -> int:
        code = self.process.wait(seconds)
        self._reader.join(5)
        return code

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL if it has not stopped in time; its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.wait_exit()
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
                return None
        return self.process.returncode


def serve_command(args: list[str], data_dir: Path) -> list[str]:
    port = ["--port", "0"]  # any free port: the ready line names it
    return [sys.executable, "-m", "translate", "serve", *port, "--data-dir", str(data_dir), *args]


def start_service(args: list[str], data_dir: Path, env: dict | None = None) -> Service:
    """Start `translate serve ARGS` (not waiting for it to be ready); stop it with .stop()."""
    process = subprocess.Popen(
        serve_command(args, data_dir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    return Service(process, data_dir)


@contextmanager
def running_service(args: list[str], data_dir: Path, env: dict | None = None):
    """A ready service for the `with` block; stopped (killed if need be) after it."""
    service = start_service(args, data_dir, env)
    try:
        service.wait_ready()
        yield service
    finally:
        started = time.monotonic()
        service.stop()
        assert time.monotonic() - started < STOP_SECONDS + 15
