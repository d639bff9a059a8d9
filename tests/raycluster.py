"""A real Ray cluster for tests: a head and worker nodes as separate `ray start` processes,
bound to 127.0.0.1, stopped by process id (never `ray stop`, which stops every Ray on the
machine).

Every process of the cluster carries a token in its environment, so the test can find
exactly the processes it started, kill one of them on purpose, and check none is left.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil

TOKEN_VAR = "TRANSLATE_TEST_RAY_CLUSTER"


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A free port on 127.0.0.1 not handed out before in this session: the kernel may offer a
    port it just gave to another call, and Ray refuses two components on one port."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def quiet_ray_env() -> dict[str, str]:
    """For the cluster and the test's driver: no usage reports, no token files in $HOME."""
    return {"RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}


# Ray replaces a loopback address it is given (--node-ip-address, a cluster address) with the
# machine's outward one, for clusters that span machines. A test's cluster must talk over
# loopback only, so its `ray start` processes and its drivers run this first.
LOOPBACK_ONLY = """
import ray._private.services
ray._private.services.resolve_ip_for_localhost = lambda host: host
"""
_RAY_START = (
    LOOPBACK_ONLY
    + """
import sys
from ray.scripts.scripts import main
sys.argv[0] = "ray"
sys.exit(main())
"""
)


class LocalCluster:
    """Nodes of one Ray cluster on this machine, each with `cpus_per_node` CPUs."""

    def __init__(
        self,
        nodes: int = 2,
        cpus_per_node: int = 1,
        env: dict | None = None,
        cores: list[set[int]] | None = None,
    ):
        """`cores`: the physical cores each node's processes may run on (one set per node; a
        benchmark pins nodes so that a 1-CPU node really has one core), or any core."""
        self.cores = cores
        # Short: Ray's socket paths (under the temp dir) must fit in 107 bytes.
        self.temp_dir = Path(tempfile.mkdtemp(prefix="rt-", dir="/tmp"))
        self.token = secrets.token_hex(8)
        self.env = {
            **os.environ,
            **quiet_ray_env(),
            **(env or {}),
            TOKEN_VAR: self.token,
        }
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        try:
            for index in range(nodes):
                self._start(head=index == 0, cpus=cpus_per_node, node=index)
        except BaseException:
            self.stop()
            raise

    def _start(self, head: bool, cpus: int, node: int = 0) -> None:
        ports = {
            "--node-manager-port": free_port(),
            "--object-manager-port": free_port(),
            "--dashboard-agent-listen-port": free_port(),
            "--dashboard-agent-grpc-port": free_port(),
            "--metrics-export-port": free_port(),
            "--runtime-env-agent-port": free_port(),
        }
        args = [sys.executable, "-c", _RAY_START, "start", "--node-ip-address=127.0.0.1"]
        args += [f"--num-cpus={cpus}"]
        args += ["--disable-usage-stats", *(f"{k}={v}" for k, v in ports.items())]
        if head:
            args += [
                "--head",
                f"--port={self.port}",
                f"--temp-dir={self.temp_dir}",
                "--include-dashboard=false",
                f"--ray-client-server-port={free_port()}",
            ]
        else:
            args += [f"--address={self.address}"]
        # Into a file, not a pipe: the daemons it starts inherit its output and keep it open.
        log = self.temp_dir / "ray-start.log"
        with log.open("a") as out:
            cores = self.cores[node] if self.cores else None
            pin = (lambda: os.sched_setaffinity(0, cores)) if cores else None  # inherited
            code = subprocess.call(
                args, env=self.env, stdout=out, stderr=out, timeout=120, preexec_fn=pin
            )
        if code != 0:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"ray start {' '.join(args[4:])} failed:\n{tail}")

    def processes(self) -> list[psutil.Process]:
        """Every live process of this cluster: the token in its environment, or its temp dir
        in its command line or open files (Ray's titles can overwrite the environment)."""
        found = []
        for proc in psutil.process_iter():
            try:
                if proc.pid != os.getpid() and self._ours(proc):
                    found.append(proc)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found

    def _ours(self, proc: psutil.Process) -> bool:
        if proc.environ().get(TOKEN_VAR) == self.token:
            return True
        where = str(self.temp_dir)
        if any(where in arg for arg in proc.cmdline()):
            return True
        with contextlib.suppress(OSError):  # its logs: every Ray process writes some there
            for fd in os.scandir(f"/proc/{proc.pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(fd.path).startswith(where):
                        return True
        return False

    def find(self, name_part: str) -> list[psutil.Process]:
        """Processes whose title contains `name_part` (Ray names workers after their actor)."""
        found = []
        for proc in self.processes():
            try:
                if name_part in " ".join(proc.cmdline()):
                    found.append(proc)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        return found

    def stop(self) -> list[psutil.Process]:
        """Kill this cluster's processes; returns any left. SIGKILL at once (as `ray stop
        --force`): a raylet that is given time restarts the agents it sees end."""
        for _ in range(5):  # until none is left: one may have started a child meanwhile
            procs = self.processes()
            if not procs:
                break
            for proc in procs:
                with _gone():
                    proc.kill()
            psutil.wait_procs(procs, timeout=2)
        left = self.processes()
        shutil.rmtree(self.temp_dir, ignore_errors=True)
        return left


class _gone:
    """Ignore a process that ended by itself meanwhile."""

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is not None and issubclass(kind, psutil.NoSuchProcess)
