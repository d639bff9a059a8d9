"""Ray against a plain run on the same workload, and Ray's scaling over local nodes.

    python -m benchmarks.ray_scaling                 # 20 documents: ~20-25 min on 2 quiet cores
    python -m benchmarks.ray_scaling --documents 2 --limit-words 100   # smoke: does it all work
    python -m benchmarks.ray_scaling --layouts plain,2x1   # only some of the layouts below

On this machine, with the same models, settings and documents (benchmarks/workload.py):

  plain   translate's single-machine run (one process, every CPU)
  ray 1x2 a Ray cluster of one node with 2 CPUs (the default actor pools)
  ray 1x1 one node with 1 CPU, its processes pinned to one core
  ray 2x1 two nodes with 1 CPU each (separate `ray start` processes on 127.0.0.1), each
          pinned to a core of its own

Models: the published architectures with random weights (benchmarks/build.py, built once),
on the default engine, with the main benchmark's forced lengths (benchmarks/common.py): every
translation and summary is computed in full at a real one's length, then replaced by English
of a real length, so random weights cost what the real models cost. In the Ray runs the same
replacement is installed in every worker process (a Ray worker setup hook).

Each figure is documents/minute end to end (cluster already up; workers, model loading and
the run included) and steady (from the first result to the last, n-1 documents: the rate a
long run settles at). Printed ratios: ray 1x2 / plain (Ray's overhead on one machine; target
>= 0.8) and ray 2x1 / ray 1x1 (scaling; target >= 1.7), and what a million documents cost
in node-hours at the measured one-node rate. The load average is printed throughout: other
processes on the machine slow every figure, but not evenly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = 20
SETUP_HOOK = "benchmarks.ray_scaling.force_lengths"
LAYOUTS = {"1x2": (1, 2), "1x1": (1, 1), "2x1": (2, 1)}  # Ray: nodes x CPUs each


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--limit-words", type=int, help="cap every document (a smoke run)")
    parser.add_argument(
        "--layouts",
        default=",".join(["plain", *LAYOUTS]),
        help="run only these, comma-separated (default: all, in this order; a ratio is printed "
        "when both of its layouts ran)",
    )
    args = parser.parse_args(argv)
    layouts = [name.strip() for name in args.layouts.split(",") if name.strip()]
    unknown = sorted(set(layouts) - {"plain", *LAYOUTS})
    if unknown or not layouts:
        parser.error(f"unknown layouts: {', '.join(unknown)} (from: plain, {', '.join(LAYOUTS)})")
    from benchmarks import build
    from tests.raycluster import LOOPBACK_ONLY, quiet_ray_env

    build.build()  # the published architectures, random weights; once
    work = Path(tempfile.mkdtemp(prefix="ray-scaling-"))
    env = {"TRANSLATE_CACHE": str(work / "cache"), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    os.environ.update({**quiet_ray_env(), **env})
    exec(LOOPBACK_ONLY)
    force_lengths()  # the plain run's models, as every Ray worker's
    try:
        options, docs = _set_up(work, args.documents, args.limit_words)
        print(f"load average before: {_load()}")
        print(f"workload: {len(docs)} documents, {sum(_words(d.path) for d in docs):,} words")
        figures = {}
        if "plain" in layouts:
            figures["plain"] = _measure("plain", lambda: _plain(docs, options(work / "plain")))
        for layout, (nodes, cpus) in LAYOUTS.items():
            if layout not in layouts:
                continue
            name = f"ray {layout}"
            out = work / name.replace(" ", "-")
            figures[name] = _measure(
                name, lambda n=nodes, c=cpus, o=out: _ray(docs, options(o), n, c, env)
            )
        print(f"load average after: {_load()}")
        _conclude(figures)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _conclude(figures: dict) -> None:
    for kind in ("end to end", "steady"):
        ratios = [
            f"{top} / {bottom} = {figures[top][kind] / figures[bottom][kind]:.2f}x "
            f"(target >= {target})"
            for top, bottom, target in (("ray 1x2", "plain", 0.8), ("ray 2x1", "ray 1x1", 1.7))
            if top in figures and bottom in figures
        ]
        if ratios:
            print(f"{kind:10}: " + "; ".join(ratios))
    if "ray 1x2" not in figures:
        return
    per_hour = figures["ray 1x2"]["steady"] * 60
    print(
        f"one 2-CPU node on Ray: {per_hour:,.0f} documents/hour (steady): a million documents "
        f"of this mix = {1e6 / per_hour:,.0f} node-hours on such nodes"
    )


def force_lengths() -> None:
    """Every model loaded from now on, in this process, computes its forced lengths in full
    and then hands on English of a real length, whichever way the pipeline calls it
    (benchmarks/common.py's force_outputs; benchmarks/variant.py does the same for the main
    benchmark). Also the Ray workers' setup hook."""
    from benchmarks.common import force_outputs
    from translate.engines.modelset import ModelSet

    if getattr(ModelSet, "_lengths_forced", False):
        return
    load = ModelSet._load

    def load_forced(self, location, role):
        model = load(self, location, role)
        force_outputs(model, role, _english())  # generate, generate_detailed, generate_batches
        return model

    ModelSet._load = load_forced
    ModelSet._lengths_forced = True


@lru_cache(maxsize=1)
def _english():
    from transformers import AutoTokenizer

    from benchmarks import build
    from benchmarks.common import EnglishStandIn

    return EnglishStandIn(AutoTokenizer.from_pretrained(build.SUMMARY_DIR))


def _set_up(work: Path, count: int, limit_words: int | None):
    from benchmarks import build
    from benchmarks.common import SUMMARY_TOKENS, TRANSLATION_LENGTH_RATIO
    from benchmarks.workload import generate
    from translate.config import GenerationSettings, ModelOptions, RunOptions
    from translate.inputs.discovery import discover

    generate(work / "docs", count, limit_words)
    docs, _ = discover([work / "docs"])

    def options(out: Path) -> RunOptions:
        models = ModelOptions(mt_model=str(build.MT_DIR), summary_model=str(build.SUMMARY_DIR))
        return RunOptions(
            models=models,
            # The CLI's translation settings, lengths forced (as benchmarks/variant.py).
            translation=GenerationSettings(
                max_length_ratio=2.0, forced_length_ratio=TRANSLATION_LENGTH_RATIO
            ),
            summary=GenerationSettings(
                min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS
            ),
            force=True,
            output_dir=out,
            cache=False,  # the engines' speed, not the translation store's
        )

    _plain(docs[:1], options(work / "warm-up"))  # converts the models once, not measured
    return options, docs


def _plain(docs, options) -> list[float]:
    from translate.flow.run import iter_results

    return _timed(iter_results(docs, options))


def _ray(docs, options, nodes: int, cpus: int, env: dict) -> list[float]:
    import logging

    import ray

    from tests.raycluster import LocalCluster
    from translate.flow.distributed import RayOptions, iter_results

    # A 1-CPU node gets one core of its own: Ray's CPU count is a reservation, not a limit,
    # and a node's translator and summarizer would otherwise compute on both cores at once.
    cores = [{node % os.cpu_count()} for node in range(nodes)] if cpus == 1 else None
    cluster = LocalCluster(nodes, cpus, env=env, cores=cores)
    try:
        started = time.perf_counter()
        logging.getLogger("ray.data").setLevel(logging.ERROR)  # its progress notes
        ray.init(
            address=cluster.address,
            runtime_env={"worker_process_setup_hook": SETUP_HOOK},
            logging_level=logging.ERROR,
            log_to_driver=False,
        )
        try:
            return [started, *_timed(iter_results(docs, options, RayOptions(cluster.address)))]
        finally:
            ray.shutdown()
    finally:
        left = cluster.stop()
        assert not left, f"Ray processes left: {left}"


def _timed(results) -> list[float]:
    """When each result came; every document must have been written, by forced models."""
    times = []
    for result in results:
        if result.status != "written":
            raise SystemExit(f"{result.path}: {result.status}: {result.reason}")
        times.append(time.perf_counter())
        _check_forced(result.outputs[0])
    return times


def _check_forced(summary: Path) -> None:
    """The summary is the stand-in's English, not random weights' noise: else the models of
    this run (a Ray worker without the setup hook) did not cost what real ones cost."""
    from benchmarks.common import ENGLISH_CORPUS

    words = summary.read_text(encoding="utf-8").split("# Summary", 1)[-1].split()[-20:]
    known = _corpus_words(ENGLISH_CORPUS)
    if sum(w in known for w in words) < 0.9 * len(words):
        raise SystemExit(f"{summary}: not the forced-length stand-in's English: {words}")


@lru_cache(maxsize=1)
def _corpus_words(path: Path) -> frozenset[str]:
    return frozenset(path.read_text(encoding="utf-8").split())


def _measure(name: str, run) -> dict:
    started = time.perf_counter()
    times = run()
    if name != "plain":
        started, times = times[0], times[1:]
    count = len(times)
    total = times[-1] - started
    steady = times[-1] - times[0]
    figures = {
        "end to end": count / total * 60,
        "steady": (count - 1) / steady * 60 if steady > 0 else float("nan"),
    }
    print(
        f"{name:8} {figures['end to end']:7.2f} docs/min end to end ({total:.1f} s), "
        f"{figures['steady']:7.2f} docs/min steady; load {_load()}",
        flush=True,
    )
    return figures


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _words(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").split())


if __name__ == "__main__":
    main()
