"""Joining a Ray cluster, and sizing the run's actor pools from what the cluster has."""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass

from translate.config import RunOptions
from translate.errors import MissingExtraError, TranslateError

log = logging.getLogger(__name__)

INSTALL_HINT = (
    "pip install 'translate-digest[ray]'   (that is: pip install 'ray[data,client]>=2.60,<2.64')"
)

# Each CPU hosts one translator thread and one summarizer thread by default: the two models
# take turns on it, so neither idles while the other stage has no work. Actors reserve
# this much of the CPUs; the rest is left for the light read/segment tasks.
ACTOR_SHARE = 0.9
TASK_CPUS = 0.05


@dataclass(frozen=True)
class RayOptions:
    """How to run on Ray: where the cluster is and how many model actors to start."""

    address: str = "auto"  # auto | local | host:port | ray://host:port
    translators: int | None = None  # None: from the cluster's CPUs (or GPUs)
    summarizers: int | None = None
    io: str = "auto"  # auto | shared | driver: who reads inputs and writes outputs
    verbose: bool = False  # Ray's own logs and the workers' output on the console


@dataclass(frozen=True)
class Pools:
    """The actor pools of a run: how many of each, and what each actor reserves."""

    translators: int
    summarizers: int
    threads: int  # CPU threads each actor computes with
    cpus: float  # CPUs each actor reserves
    gpus: float  # GPUs each actor reserves (0 on a CPU cluster)


def import_ray():
    """Ray and Ray Data, or an error that says exactly what to install."""
    try:
        import ray
        import ray.data  # noqa: F401  (the data extra)
    except ImportError as exc:
        raise MissingExtraError(
            f"--ray needs Ray with its data extra, which is not installed ({exc}). "
            f"Install it with: {INSTALL_HINT}"
        ) from None
    return ray


@contextlib.contextmanager
def connect(options: RayOptions) -> Iterator:
    """Join the cluster at `options.address` (or start one: `local`) for the block's length.

    A caller that has already called `ray.init` keeps its connection: it is used as it is.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    kwargs: dict = {"address": options.address}
    if options.address == "local":
        # A try-out on this machine: no dashboard, and no usage reports sent.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        kwargs = {"include_dashboard": False}
    if not options.verbose:  # Ray's notes are for Ray's users; ours read our messages
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        logging.getLogger("ray.data").setLevel(logging.ERROR)
    sigterm = signal.getsignal(signal.SIGTERM)  # ray.init replaces it with its own
    try:
        ray.init(
            logging_level=logging.INFO if options.verbose else logging.ERROR,
            log_to_driver=options.verbose,
            **kwargs,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise TranslateError(
            f"cannot join the Ray cluster at {options.address!r}: {exc}".splitlines()[0]
        ) from None
    finally:
        if sigterm is not None:
            signal.signal(signal.SIGTERM, sigterm)
    if not options.verbose:
        _route_ray_logs()
    try:
        yield ray
    finally:  # also on Ctrl-C: the job's tasks and actors end with the driver's connection
        ray.shutdown()


def _route_ray_logs() -> None:
    """Ray's and Ray Data's log records to the caller's logging (the CLI's: one line each),
    not to their own console handlers, which print tracebacks raw. Their files stay."""
    for name in ("ray", "ray.data"):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            if type(handler) is logging.StreamHandler or "RayHandler" in type(handler).__name__:
                logger.removeHandler(handler)
        logger.propagate = True


def plan_pools(resources: dict, options: RunOptions, ray_options: RayOptions) -> Pools:
    """Actor pools for a cluster with `resources` (`ray.cluster_resources()`).

    By default one translator and one summarizer per `--threads` CPUs (per GPU with
    `--device cuda`), each with `--threads` threads (default 1).
    """
    cpus, gpus = resources.get("CPU", 0.0), resources.get("GPU", 0.0)
    device = options.models.device
    if device == "cuda" and gpus < 1:
        raise TranslateError(
            "--device cuda: the Ray cluster has no GPU (its resources: "
            f"{cpus:g} CPUs, {gpus:g} GPUs)"
        )
    use_gpus = device == "cuda" or (device == "auto" and gpus >= 1)
    threads = options.models.threads or 1
    units = int(gpus) if use_gpus else max(1, int(cpus // threads))
    translators = ray_options.translators or units
    summarizers = ray_options.summarizers or units
    actors = translators + summarizers
    # Half a CPU per thread, less where the actors asked for would not all fit at once.
    share = threads / 2 if cpus < 1 else min(threads / 2, ACTOR_SHARE * cpus / actors)
    return Pools(
        translators=translators,
        summarizers=summarizers,
        threads=threads,
        cpus=_resource(share),
        gpus=_resource(min(1.0, gpus / actors)) if use_gpus else 0.0,
    )


def _resource(amount: float) -> float:
    """Ray takes fractional resources to 4 decimals; round down so the actors still fit."""
    return max(0.0001, math.floor(amount * 10_000) / 10_000)
