"""Ray against a plain run on the same workload, and Ray's scaling over local nodes.

    python -m benchmarks.ray_scaling                 # 30 documents (benchmarks/workload.py)
    python -m benchmarks.ray_scaling --documents 12  # quicker

On this machine, with the same models, settings and documents:

  plain   translate's single-machine run (one process, every CPU)
  ray 1x2 a Ray cluster of one node with 2 CPUs (the default actor pools)
  ray 1x1 one node with 1 CPU
  ray 2x1 two nodes with 1 CPU each (separate `ray start` processes on 127.0.0.1)

Each figure is documents/minute end to end (cluster already up; workers, model loading and
the run included) and steady (from the first result to the last, n-1 documents: the rate a
long run settles at). Printed ratios: ray 1x2 / plain (Ray's overhead on one machine; target
>= 0.8) and ray 2x1 / ray 1x1 (scaling; target >= 1.7). The load average is printed before
and after: other processes on the machine slow every figure alike, but not evenly.

Models: the tiny random-weight checkpoints the tests build (tests/checkpoints.py), so a run
takes minutes, not hours. Their per-document compute is small, so Ray's fixed costs weigh
more than they would with the real models: the overhead ratio is a lower bound.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=30)
    args = parser.parse_args(argv)
    from tests.raycluster import LOOPBACK_ONLY, quiet_ray_env

    work = Path(tempfile.mkdtemp(prefix="ray-scaling-"))
    os.environ.update(quiet_ray_env())
    os.environ["TRANSLATE_CACHE"] = str(work / "cache")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    exec(LOOPBACK_ONLY)
    try:
        options, docs = _set_up(work, args.documents)
        print(f"load average before: {_load()}")
        print(f"workload: {len(docs)} documents, {sum(_words(d.path) for d in docs):,} words")
        plain = _measure("plain", lambda: _plain(docs, options(work / "plain")), len(docs))
        figures = {"plain": plain}
        for nodes, cpus in ((1, 2), (1, 1), (2, 1)):
            name = f"ray {nodes}x{cpus}"
            out = work / name.replace(" ", "-")
            figures[name] = _measure(
                name, lambda n=nodes, c=cpus, o=out: _ray(docs, options(o), n, c, work), len(docs)
            )
        print(f"load average after: {_load()}")
        for kind in ("end to end", "steady"):
            over = figures["ray 1x2"][kind] / figures["plain"][kind]
            scale = figures["ray 2x1"][kind] / figures["ray 1x1"][kind]
            print(
                f"{kind:10}: ray 1x2 / plain = {over:.2f}x (target >= 0.8); "
                f"ray 2x1 / ray 1x1 = {scale:.2f}x (target >= 1.7)"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _set_up(work: Path, count: int):
    from benchmarks.workload import generate
    from tests.checkpoints import build_bart, build_marian
    from translate.config import ModelOptions, RunOptions
    from translate.discovery import discover

    marian, bart = build_marian(work / "marian"), build_bart(work / "bart")
    generate(work / "docs", count)
    docs, _ = discover([work / "docs"])

    def options(out: Path) -> RunOptions:
        models = ModelOptions(mt_model=str(marian), summary_model=str(bart), device="cpu")
        return RunOptions(models=models, force=True, output_dir=out)

    _plain(docs[:1], options(work / "warm-up"))  # converts the models once, not measured
    return options, docs


def _plain(docs, options) -> list[float]:
    from translate.run import iter_results

    return _timed(iter_results(docs, options))


def _ray(docs, options, nodes: int, cpus: int, work: Path) -> list[float]:
    from tests.raycluster import LocalCluster
    from translate.distributed import RayOptions, iter_results

    cluster = LocalCluster(nodes, cpus, env={"TRANSLATE_CACHE": str(work / "cache")})
    try:
        started = time.perf_counter()
        return [started, *_timed(iter_results(docs, options, RayOptions(cluster.address)))]
    finally:
        left = cluster.stop()
        assert not left, f"Ray processes left: {left}"


def _timed(results) -> list[float]:
    """When each result came; every document must have been written."""
    times = []
    for result in results:
        if result.status != "written":
            raise SystemExit(f"{result.path}: {result.status}: {result.reason}")
        times.append(time.perf_counter())
    return times


def _measure(name: str, run, count: int) -> dict:
    started = time.perf_counter()
    times = run()
    if name != "plain":
        started, times = times[0], times[1:]
    total = times[-1] - started
    steady = times[-1] - times[0]
    figures = {
        "end to end": count / total * 60,
        "steady": (count - 1) / steady * 60 if steady > 0 else float("nan"),
    }
    print(
        f"{name:8} {figures['end to end']:7.1f} docs/min end to end ({total:.1f} s), "
        f"{figures['steady']:7.1f} docs/min steady; load {_load()}",
        flush=True,
    )
    return figures


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _words(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").split())


if __name__ == "__main__":
    main()
