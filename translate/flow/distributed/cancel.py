"""Ending a Ray run early (Ctrl-C, SIGTERM, a failed job) so that what is on disk when the
driver exits is final.

Left to itself, Ray ends a job's actors in its own time once the driver lets go of them: a
summarizer at work then finishes its documents and writes them after the driver has gone,
and a rerun finds other outputs than the interrupted run saw. So the driver stops the job's
actors itself and waits (bounded) until every node says their processes are gone. A worker
killed mid-write leaves at most a hidden temporary, never a partial output (writes are
atomic), which the next run removes.
"""

from __future__ import annotations

import contextlib
import logging
import time

log = logging.getLogger(__name__)

# How long the driver waits for the job's workers to end before it exits anyway.
STOP_TIMEOUT = 60.0


def stop_job(ray, dataset) -> None:
    """Stop `dataset`'s execution and every actor of this Ray job; return once their
    processes are gone (or after STOP_TIMEOUT, with a warning)."""
    with contextlib.suppress(Exception):
        # Ray Data's forced shutdown: ray.kill (no restart) for each actor, cancelled tasks.
        # A no-op when an interrupt inside Ray Data already shut it down gently.
        dataset._synchronize_progress_bar()
    try:
        job = ray.get_runtime_context().get_job_id()
        end = ray.remote(num_cpus=0, max_retries=0)(end_actors_of_job)
        left = ray.get(end.remote(job, STOP_TIMEOUT), timeout=STOP_TIMEOUT + 30)
    except Exception as exc:  # the cluster is going away too: Ray ends the job's workers
        log.warning("could not confirm that the Ray job's workers stopped: %s", exc)
        return
    if left:
        log.warning("Ray workers still running after %.0f s: %s", STOP_TIMEOUT, left)


def end_actors_of_job(job_hex: str, timeout: float) -> list[str]:
    """Runs in the cluster: end the job's actors on every node that hosts one; returns
    "node:pid" for each process still alive after `timeout` seconds."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    actors = ray._private.state.actors(job_id=ray.JobID.from_hex(job_hex)).values()
    by_node: dict[str, list[tuple[int, float]]] = {}
    for actor in actors:
        if actor["Pid"] and not actor["IsDetached"]:
            node = actor["Address"]["NodeID"]
            by_node.setdefault(node, []).append((actor["Pid"], actor["StartTime"] / 1000))
    alive = {node["NodeID"] for node in ray.nodes() if node["Alive"]}  # a lost node's are gone
    end = ray.remote(num_cpus=0, max_retries=0)(end_processes)
    refs = {
        node: end.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)
        ).remote(targets, timeout)
        for node, targets in by_node.items()
        if node in alive
    }
    return [f"{node[:8]}:{pid}" for node, ref in refs.items() for pid in ray.get(ref)]


def end_processes(targets: list[tuple[int, float]], timeout: float) -> list[int]:
    """Runs on one node: SIGKILL each Ray worker `(pid, actor start time)` still there,
    wait until they are gone; returns the pids still alive after `timeout` seconds."""
    import psutil

    procs = [proc for pid, started in targets if (proc := _worker(pid, started)) is not None]
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    deadline = time.monotonic() + timeout
    while procs and time.monotonic() < deadline:
        procs = [proc for proc in procs if _running(proc)]
        time.sleep(0.05)
    return [proc.pid for proc in procs]


def _worker(pid: int, actor_started: float):
    """The process `pid` if it is still the actor's: a Ray worker that existed when the
    actor started (a pid reused since belongs to a younger process). Clocks may differ
    between nodes by a little, hence the slack."""
    import psutil

    try:
        proc = psutil.Process(pid)
        title = " ".join(proc.cmdline())
        if title.startswith("ray::") and proc.create_time() <= actor_started + 60:
            return proc
    except psutil.Error:
        pass
    return None


def _running(proc) -> bool:
    import psutil

    try:
        return proc.status() != psutil.STATUS_ZOMBIE  # a zombie runs no code
    except psutil.Error:
        return False
