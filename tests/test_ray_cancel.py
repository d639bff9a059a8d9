"""Ending a Ray run early (translate/flow/distributed/cancel.py) without a cluster: the
driver's requests to Ray are recorded (`stop_job`), the cluster's view of the job's actors is
given (`end_actors_of_job`), and a node's side kills real processes titled as Ray workers
(`end_processes`). tests/test_ray.py interrupts a real cluster's run. Mutation testing found
these unpinned (docs/mutation.md)."""

from __future__ import annotations

import logging
import subprocess
import time

import psutil
import pytest

ray = pytest.importorskip("ray", reason="needs the [ray] extra")
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy  # noqa: E402

from translate.flow.distributed import cancel  # noqa: E402
from translate.flow.distributed.cancel import STOP_TIMEOUT, end_processes, stop_job  # noqa: E402

JOB = "02000000"


class Dataset:
    def __init__(self, fails: bool = False):
        self.fails, self.synchronized = fails, 0

    def _synchronize_progress_bar(self):
        self.synchronized += 1
        if self.fails:
            raise RuntimeError("already shut down")


class DriverRay:
    """What stop_job asks of Ray, recorded; the cluster's answer is `left` (or `error`)."""

    def __init__(self, left=(), error: Exception | None = None):
        self.left, self.error, self.asked = list(left), error, []

    def get_runtime_context(self):
        class Context:
            def get_job_id(self):
                return JOB

        return Context()

    def remote(self, **options):
        def wrap(fn):
            class Task:
                @staticmethod
                def remote(*args):
                    self.asked.append(("remote", fn, options, args))
                    return "ref"

            return Task

        return wrap

    def get(self, ref, timeout=None):
        self.asked.append(("get", ref, timeout))
        if self.error is not None:
            raise self.error
        return self.left


def test_stopping_a_job_ends_its_actors_and_waits_for_the_cluster_to_say_so(caplog):
    local, dataset = DriverRay(), Dataset()
    with caplog.at_level(logging.WARNING, logger=cancel.log.name):
        stop_job(local, dataset)
    assert dataset.synchronized == 1  # Ray Data's own forced shutdown first
    assert local.asked == [
        ("remote", cancel.end_actors_of_job, {"num_cpus": 0, "max_retries": 0}, (JOB, 60.0)),
        ("get", "ref", 90.0),
    ]
    assert STOP_TIMEOUT == 60.0
    assert caplog.records == []


def test_workers_still_running_after_the_wait_are_named(caplog):
    local = DriverRay(left=["0123abcd:42"])
    with caplog.at_level(logging.WARNING, logger=cancel.log.name):
        stop_job(local, Dataset(fails=True))  # a dataset already shut down is no error
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage() == "Ray workers still running after 60 s: ['0123abcd:42']"


def test_a_cluster_that_cannot_answer_is_a_warning_not_an_error(caplog):
    local = DriverRay(error=ConnectionError("the cluster is gone"))
    with caplog.at_level(logging.WARNING, logger=cancel.log.name):
        stop_job(local, Dataset())
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage() == (
        "could not confirm that the Ray job's workers stopped: the cluster is gone"
    )


NODE_A, NODE_B, NODE_C = "a1" * 28, "b2" * 28, "c3" * 28


def test_the_job_actors_are_ended_on_each_live_node_that_hosts_one(monkeypatch):
    def actor(node, pid, started_ms, detached=False):
        return {
            "Pid": pid,
            "IsDetached": detached,
            "Address": {"NodeID": node},
            "StartTime": started_ms,
        }

    actors = {
        1: actor(NODE_A, 11, 1_000_500),
        2: actor(NODE_B, 21, 2_000_000),
        3: actor(NODE_A, 12, 3_000_000),
        4: actor(NODE_A, 13, 4_000_000, detached=True),  # outlives the job by design
        5: actor(NODE_B, 0, 5_000_000),  # never started: no process
        6: actor(NODE_C, 31, 6_000_000),  # its node is lost, and its processes with it
    }
    asked_for = []

    def job_actors(job_id):
        asked_for.append(job_id)
        return actors

    nodes = [
        {"NodeID": NODE_A, "Alive": True},
        {"NodeID": NODE_B, "Alive": True},
        {"NodeID": NODE_C, "Alive": False},
    ]
    sent, gets = [], []

    class Task:
        def __init__(self, fn, options):
            self.fn, self.opts = fn, options

        def options(self, **more):
            return Task(self.fn, {**self.opts, **more})

        def remote(self, targets, timeout):
            sent.append((self.fn, self.opts, targets, timeout))
            return targets

    def get(targets):
        gets.append(targets)
        return [pid for pid, _ in targets if pid != 12]  # what is still alive there

    monkeypatch.setattr(ray._private.state, "actors", job_actors)
    monkeypatch.setattr(ray, "nodes", lambda: nodes)
    monkeypatch.setattr(ray, "remote", lambda **options: lambda fn: Task(fn, options))
    monkeypatch.setattr(ray, "get", get)
    left = cancel.end_actors_of_job(JOB, 5.0)
    assert asked_for == [ray.JobID.from_hex(JOB)]
    assert [(t[0], t[3]) for t in sent] == [(end_processes, 5.0)] * 2
    by_node = {}
    for _, options, targets, _ in sent:
        strategy = options.pop("scheduling_strategy")
        assert isinstance(strategy, NodeAffinitySchedulingStrategy) and strategy.soft is False
        assert options == {"num_cpus": 0, "max_retries": 0}
        by_node[strategy.node_id] = targets
    assert by_node == {NODE_A: [(11, 1000.5), (12, 3000.0)], NODE_B: [(21, 2000.0)]}
    assert left == ["a1a1a1a1:11", "b2b2b2b2:21"]


def ray_worker(title: str = "ray::Summarizer") -> subprocess.Popen:
    """A process titled as a Ray worker is (its command line starts with `ray::`)."""
    proc = subprocess.Popen(["bash", "-c", f'exec -a "{title}" sleep 60'])
    deadline = time.monotonic() + 10
    while psutil.Process(proc.pid).cmdline()[:1] != [title]:
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.01)
    return proc


@pytest.fixture
def workers():
    started: list[subprocess.Popen] = []

    def start(title: str = "ray::Summarizer") -> subprocess.Popen:
        started.append(ray_worker(title))
        return started[-1]

    yield start
    for proc in started:  # every process the test started ends with it
        proc.kill()
        proc.wait(timeout=10)


def gone(proc: subprocess.Popen) -> bool:
    try:
        return proc.wait(timeout=5) == -9
    except subprocess.TimeoutExpired:
        return False


def test_a_node_kills_the_actors_workers_and_waits_until_they_are_gone(workers):
    first, second = workers(), workers()
    started = time.time()
    before = time.monotonic()
    assert end_processes([(first.pid, started), (second.pid, started)], 20.0) == []
    assert time.monotonic() - before < 10  # it returns once they are gone, not at the timeout
    assert gone(first) and gone(second)


def test_a_node_spares_processes_that_are_not_the_actors(workers):
    other = workers("xray::Summarizer")  # not a Ray worker's title
    younger = workers()  # a pid reused since the actor started: a younger process
    older = workers()
    born = psutil.Process(younger.pid).create_time()
    targets = [
        (other.pid, time.time()),
        (younger.pid, born - 60.5),  # started more than a minute after the actor
        (older.pid, psutil.Process(older.pid).create_time() - 60),  # clocks differ a little
        (2**22 + 1, time.time()),  # no such process
    ]
    assert end_processes(targets, 20.0) == []
    assert gone(older)
    assert other.poll() is None and younger.poll() is None


def test_workers_not_seen_gone_before_the_timeout_are_returned(workers):
    worker = workers()
    assert end_processes([(worker.pid, time.time())], 0.0) == [worker.pid]
    assert gone(worker)  # killed all the same


def test_a_process_that_has_ended_is_not_running(workers):
    worker = workers()
    proc = psutil.Process(worker.pid)
    assert cancel._running(proc) is True
    assert cancel._worker(worker.pid, time.time()) is not None
    worker.kill()
    deadline = time.monotonic() + 10
    while proc.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert cancel._running(proc) is False  # a zombie runs nothing
    worker.wait(timeout=10)
    assert cancel._running(proc) is False  # and one reaped is no process at all
    assert cancel._worker(worker.pid, time.time()) is None


def test_a_worker_that_ends_before_it_is_killed_is_no_error(workers, monkeypatch):
    worker = workers()
    proc = psutil.Process(worker.pid)  # seen as the actor's worker...
    worker.kill()
    worker.wait(timeout=10)  # ...and gone before the kill
    monkeypatch.setattr(cancel, "_worker", lambda pid, started: proc)
    assert end_processes([(worker.pid, time.time())], 20.0) == []
