"""Joining a Ray cluster and sizing the actor pools (translate/flow/distributed/cluster.py),
without a cluster: `ray.init` and `ray.shutdown` are replaced by recorders, so what the
driver asks of Ray is seen exactly. tests/test_ray.py joins real clusters. Mutation testing
found these unpinned (docs/mutation.md)."""

from __future__ import annotations

import logging
import os
import signal
import sys

import pytest

ray = pytest.importorskip("ray", reason="needs the [ray] extra")

from translate.config import ModelOptions, RunOptions  # noqa: E402
from translate.errors import MissingExtraError, TranslateError  # noqa: E402
from translate.flow.distributed import cluster  # noqa: E402
from translate.flow.distributed.cluster import RayOptions, connect, plan_pools  # noqa: E402

ADDRESS = "10.0.0.1:6379"


@pytest.fixture
def init(monkeypatch):
    """Ray's init and shutdown recorded; init sets SIGTERM as Ray's does. The loggers and
    environment variables connect() changes are restored after the test."""
    calls: list = []

    def fake_init(**kwargs):
        calls.append(("init", kwargs))
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # as ray.init puts its own handler
        if calls_fail:
            raise calls_fail[0]

    calls_fail: list = []
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", fake_init)
    monkeypatch.setattr(ray, "shutdown", lambda: calls.append(("shutdown",)))
    for name in ("RAY_USAGE_STATS_ENABLED", "RAY_BACKEND_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    loggers = {n: logging.getLogger(n) for n in ("ray", "ray.data")}
    saved = {n: (lg.level, list(lg.handlers), lg.propagate) for n, lg in loggers.items()}
    sigterm = signal.getsignal(signal.SIGTERM)
    yield _Calls(calls, calls_fail)
    signal.signal(signal.SIGTERM, sigterm)
    for n, lg in loggers.items():
        level, handlers, propagate = saved[n]
        lg.setLevel(level)
        lg.handlers[:] = handlers
        lg.propagate = propagate


class _Calls:
    def __init__(self, calls, fail):
        self.calls, self._fail = calls, fail

    def fail_with(self, exc):
        self._fail.append(exc)


def mine(signum, frame):  # the caller's own SIGTERM handler
    pass


def test_joining_a_cluster_asks_ray_for_quiet_logs_and_keeps_our_sigterm_handler(init):
    signal.signal(signal.SIGTERM, mine)
    ray_logger = logging.getLogger("ray")
    console = logging.StreamHandler()
    kept = logging.FileHandler(os.devnull)  # a StreamHandler's subclass: Ray's log files
    ray_logger.addHandler(console)
    ray_logger.addHandler(kept)
    ray_logger.propagate = False
    try:
        with connect(RayOptions(address=ADDRESS)) as joined:
            assert joined is ray
            assert init.calls == [
                (
                    "init",
                    {"address": ADDRESS, "logging_level": logging.ERROR, "log_to_driver": False},
                )
            ]
            assert signal.getsignal(signal.SIGTERM) is mine
            assert os.environ["RAY_BACKEND_LOG_LEVEL"] == "fatal"
            assert "RAY_USAGE_STATS_ENABLED" not in os.environ  # a cluster's own choice
            assert logging.getLogger("ray.data").level == logging.ERROR
            assert console not in ray_logger.handlers and kept in ray_logger.handlers
            assert ray_logger.propagate is True
        assert init.calls[-1] == ("shutdown",) and len(init.calls) == 2
    finally:
        kept.close()


def test_a_local_try_out_starts_a_cluster_without_dashboard_or_usage_reports(init):
    with connect(RayOptions(address="local")):
        pass
    assert init.calls == [
        (
            "init",
            {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False},
        ),
        ("shutdown",),
    ]
    assert os.environ["RAY_USAGE_STATS_ENABLED"] == "0"


def test_a_users_own_ray_settings_are_kept(init, monkeypatch):
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "1")
    monkeypatch.setenv("RAY_BACKEND_LOG_LEVEL", "debug")
    with connect(RayOptions(address="local")):
        pass
    assert os.environ["RAY_USAGE_STATS_ENABLED"] == "1"
    assert os.environ["RAY_BACKEND_LOG_LEVEL"] == "debug"


def test_verbose_shows_rays_own_logs(init):
    ray_logger = logging.getLogger("ray")
    console = logging.StreamHandler()
    ray_logger.addHandler(console)
    data_level = logging.getLogger("ray.data").level
    with connect(RayOptions(address=ADDRESS, verbose=True)):
        assert init.calls == [
            ("init", {"address": ADDRESS, "logging_level": logging.INFO, "log_to_driver": True})
        ]
        assert "RAY_BACKEND_LOG_LEVEL" not in os.environ
        assert logging.getLogger("ray.data").level == data_level
        assert console in ray_logger.handlers


def test_the_connection_ends_with_the_block_even_when_it_raises(init):
    with pytest.raises(KeyboardInterrupt), connect(RayOptions(address=ADDRESS)):
        raise KeyboardInterrupt
    assert init.calls[-1] == ("shutdown",)


@pytest.mark.parametrize("error", [ConnectionError, RuntimeError, ValueError])
def test_a_cluster_that_cannot_be_joined_is_one_line_naming_it(init, error):
    signal.signal(signal.SIGTERM, mine)
    init.fail_with(error("no cluster there\nand a long story"))
    with pytest.raises(TranslateError) as caught, connect(RayOptions(address=ADDRESS)):
        pytest.fail("joined")
    assert str(caught.value) == f"cannot join the Ray cluster at '{ADDRESS}': no cluster there"
    assert caught.value.__suppress_context__
    assert signal.getsignal(signal.SIGTERM) is mine
    assert [c[0] for c in init.calls] == ["init"]  # nothing to shut down


def test_a_driver_already_connected_keeps_its_connection(monkeypatch):
    calls = []
    monkeypatch.setattr(ray, "is_initialized", lambda: True)
    monkeypatch.setattr(ray, "init", lambda **kw: calls.append("init"))
    monkeypatch.setattr(ray, "shutdown", lambda: calls.append("shutdown"))
    with connect(RayOptions(address=ADDRESS)) as joined:
        assert joined is ray
    assert calls == []


@pytest.mark.parametrize("missing", ["ray", "ray.data"])
def test_without_ray_the_error_says_what_to_install(monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(MissingExtraError) as caught:
        cluster.import_ray()
    message = str(caught.value)
    assert message.startswith("--ray needs Ray with its data extra, which is not installed (")
    assert f"import of {missing} halted" in message
    assert message.endswith(
        "). Install it with: pip install 'translate-digest[ray]'   "
        "(that is: pip install 'ray[data,client]>=2.60,<2.64')"
    )
    assert caught.value.__suppress_context__


def test_ray_options_default_to_the_cluster_this_machine_belongs_to():
    options = RayOptions()
    assert (options.address, options.translators, options.summarizers) == ("auto", None, None)
    assert (options.io, options.verbose) == ("auto", False)


def test_only_rays_console_handlers_are_taken_off_its_loggers():
    class RayHandler(logging.Handler):  # as Ray names its own
        def emit(self, record):
            pass

    loggers = [logging.getLogger("ray"), logging.getLogger("ray.data")]
    saved = [(lg.handlers[:], lg.propagate) for lg in loggers]
    kept = logging.FileHandler(os.devnull)
    try:
        for lg in loggers:
            lg.handlers[:] = [logging.StreamHandler(), RayHandler(), kept, logging.NullHandler()]
            lg.propagate = False
        cluster._route_ray_logs()
        for lg in loggers:
            assert [type(h) for h in lg.handlers] == [logging.FileHandler, logging.NullHandler]
            assert lg.propagate is True
    finally:
        kept.close()
        for lg, (handlers, propagate) in zip(loggers, saved):
            lg.handlers[:], lg.propagate = handlers, propagate


def pools(resources, device="cpu", threads=None, translators=None, summarizers=None):
    options = RunOptions(models=ModelOptions(device=device, threads=threads))
    p = plan_pools(resources, options, RayOptions(translators=translators, summarizers=summarizers))
    return (p.translators, p.summarizers, p.threads, p.cpus, p.gpus)


def test_pools_for_clusters_at_the_edges():
    assert pools({}) == (1, 1, 1, 0.5, 0.0)  # no CPUs yet (autoscaling): one of each
    assert pools({"CPU": 1.0}) == (1, 1, 1, 0.45, 0.0)  # one CPU: the actors share it
    assert pools({"CPU": 3.0}, threads=2) == (1, 1, 2, 1.0, 0.0)  # 3 // 2 = 1
    assert pools({"CPU": 0.5}, threads=4) == (1, 1, 4, 2.0, 0.0)
    assert pools({"CPU": 3.0}, translators=1, summarizers=2) == (1, 2, 1, 0.5, 0.0)


def test_gpu_pools_one_actor_of_each_per_gpu_with_a_gpu_at_most():
    assert pools({"CPU": 4.0, "GPU": 1.0}, device="cuda") == (1, 1, 1, 0.5, 0.5)
    assert pools({"CPU": 4.0, "GPU": 1.0}, device="auto") == (1, 1, 1, 0.5, 0.5)
    assert pools({"CPU": 4.0, "GPU": 0.5}, device="auto") == (4, 4, 1, 0.45, 0.0)
    assert pools({"CPU": 8.0, "GPU": 4.0}, device="cuda", translators=1, summarizers=1) == (
        1,
        1,
        1,
        0.5,
        1.0,
    )
    assert pools({"CPU": 8.0, "GPU": 3.0}, device="cuda")[4] == 0.5  # 3/6
    assert pools({"CPU": 8.0, "GPU": 2.0}, device="cuda", translators=3, summarizers=4)[4] == 0.2857


def test_cuda_on_a_cluster_without_a_whole_gpu_is_refused_with_its_resources():
    with pytest.raises(TranslateError) as caught:
        pools({"CPU": 4.0, "GPU": 0.5}, device="cuda")
    assert str(caught.value) == (
        "--device cuda: the Ray cluster has no GPU (its resources: 4 CPUs, 0.5 GPUs)"
    )
    with pytest.raises(TranslateError, match=r"\(its resources: 0 CPUs, 0 GPUs\)$"):
        pools({}, device="cuda")


def test_fractional_resources_are_rounded_down_to_what_ray_takes():
    assert cluster._resource(0.123456) == 0.1234
    assert cluster._resource(0.99999) == 0.9999
    assert cluster._resource(2.0) == 2.0
    assert cluster._resource(0.00001) == 0.0001  # never 0: an actor must reserve something
    assert cluster._resource(0.0) == 0.0001
