"""The speed benchmark: `translate run` against the peers a user would pick instead, against
the engine alone, and as the work grows, in one run.

    python -m benchmarks.run --markdown docs/benchmarks.md   # the full run (see docs/benchmarks.md)
    python -m benchmarks.run --quick                         # a smoke run (~6 min on 2 cores)

Builds the architecture-faithful checkpoints once (benchmarks/build.py, in a child), writes
the workload (benchmarks/workload.py), then runs each variant in its own process, started by
this small one, so each peak RSS is that process's own: the naive transformers script, the
default run and its torch options, Argos Translate (benchmarks/argos.py), the EasyNMT-style
pooling (benchmarks/easynmt.py), then CTranslate2 alone on the same work (benchmarks/ceiling.py),
the default run and the ceiling again in turns (--rounds), and the default run on 10 to 300
documents. The weights are random: these figures measure
speed, not quality.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from benchmarks import argos, build, report, workload
from benchmarks.common import CACHE, peak_rss_mb
from benchmarks.plot import scaling_plot

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = CACHE / "results"
PLOT = ROOT / "docs" / "benchmarks-scaling.png"

# name: extra `translate run` options (None: not a `translate run` variant)
VARIANTS = {
    "naive": None,
    "default": [],
    "torch": ["--backend", "torch"],
    "torch-int8": ["--backend", "torch", "--quantize", "int8"],
    # The default with the tighter memory bounds it had before 2026-12-03 (300 MiB of
    # CTranslate2's attention state in flight, benchmark only, and --batch-tokens 1024):
    # what the wider default bounds gain in speed and cost in memory.
    "narrow-state": ["--state-mib", "300", "--batch-tokens", "1024"],
    # Room for the ceiling's usual summary layout, two full windows on each of two workers:
    # what that layout would gain in the pipeline and what it costs in memory.
    "wide-state": ["--state-mib", "1700"],
    "argos": None,
    "easynmt": None,
}
SCALING = (10, 30, 100, 300)  # documents, made like the main workload (30: it is reused)
QUICK_DOCUMENTS = 4  # --quick: this many documents of at most QUICK_WORDS words,
QUICK_WORDS = 150
QUICK_SCALING = (4, 12)  # and the scaling series on this many
QUICK_VARIANTS = ("naive", "default", "argos", "easynmt")  # the torch options: full run only
# The default run and CTranslate2 alone, again, in turns (full run): on a shared 2-core VM the
# same work took 77.7 s and 92.8 s half an hour apart, so one measurement of each side can
# miss a target by noise alone. Each side's fastest round stands (as timeit's best of N).
ROUNDS = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="4 short documents: a smoke run")
    parser.add_argument(
        "--variants",
        default=None,
        help=f"comma-separated, from: {', '.join(VARIANTS)} (default: all; quick: "
        f"{','.join(QUICK_VARIANTS)})",
    )
    parser.add_argument("--no-ceiling", action="store_true", help="skip CTranslate2 alone")
    parser.add_argument(
        "--scaling",
        default=None,
        help="document counts for the scaling series, comma-separated; 0 to skip "
        f"(default: {','.join(map(str, SCALING))}; quick: {','.join(map(str, QUICK_SCALING))})",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="measure the default run and the ceiling this many times, in turns; the fastest "
        f"of each stands (default: {ROUNDS}; quick: 1)",
    )
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=None,
        help="run the slow baseline on every Nth document (by length) and extrapolate its "
        "rates to the whole workload (default: 3; 1 = every document)",
    )
    parser.add_argument(
        "--markdown", type=Path, help=f"also write the report as Markdown here (and {PLOT.name})"
    )
    args = parser.parse_args(argv)
    chosen = args.variants or ",".join(QUICK_VARIANTS if args.quick else VARIANTS)
    names = [n.strip() for n in chosen.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants: {', '.join(unknown)}")
    if "default" not in names and not args.no_ceiling:
        parser.error("the ceiling replays the default run's inputs: add default or --no-ceiling")
    scaling = _scaling_sizes(args)

    env = _environment()
    load_before = os.getloadavg()[0]
    _say(f"building the checkpoints (once; cached in {build.MODELS}) ...")
    _child(["benchmarks.build"], env)  # in a child: torch never enters this process
    mt_dir, summary_dir = build.MT_DIR, build.SUMMARY_DIR
    docs_dir = CACHE / "workload-quick" if args.quick else workload.WORKLOAD
    documents = (
        workload.generate(docs_dir, count=QUICK_DOCUMENTS, limit_words=QUICK_WORDS)
        if args.quick
        else workload.generate(docs_dir)
    )
    every = args.baseline_every or (2 if args.quick else 3)
    data = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": load_before,
        "versions": versions(),
        "quick": args.quick,
        "models": build.describe(),
        "workload": _describe_workload(documents, docs_dir, every, mt_dir, env),
        "help_seconds": measure_help(env),
        "results": {},
    }
    _say(report.workload_line(data))
    conversion = _convert(mt_dir, summary_dir, env)
    data["ct2_conversion"] = conversion
    record = CACHE / "default-run-inputs.json"
    for name in names:
        data["results"][name] = _variant(name, documents, docs_dir, every, conversion, record, env)
    if not args.no_ceiling and "error" not in data["results"]["default"]:
        _say("running CTranslate2 alone on the same work (the ceiling) ...")
        threads = data["results"]["default"]["threads"]
        data["ceiling"] = _timed(
            ["benchmarks.ceiling", str(mt_dir), str(summary_dir), str(record), str(threads),
             "quick" if args.quick else "full", *map(str, documents)], env,
        )  # fmt: skip
        rounds = args.rounds or (1 if args.quick else ROUNDS)
        data["rounds"] = _rounds(rounds, data, documents, docs_dir, conversion, record, env)
    data["scaling"] = _scaling(scaling, data, mt_dir, summary_dir, args.quick, env)
    data["runner_peak_mb"] = peak_rss_mb()
    data["metrics"] = report.compute(data)
    return _write(data, args)


def _scaling_sizes(args) -> list[int]:
    if args.scaling is None:
        return list(QUICK_SCALING if args.quick else SCALING)
    sizes = [int(n) for n in args.scaling.split(",") if n.strip()]
    return [] if sizes == [0] else sorted(sizes)


def _describe_workload(documents, docs_dir, every, mt_dir, env) -> dict:
    subset = documents[::every]
    words = {str(d): workload.words_in(d) for d in documents}
    counts = _child(["benchmarks.naive", "--count", str(mt_dir), *map(str, documents)], env)
    return {
        "folder": str(docs_dir),
        "documents": len(documents),
        "words": sum(words.values()),
        "sentences": sum(c["sentences"] for c in counts.values()),
        "source_tokens": sum(c["tokens"] for c in counts.values()),
        "shortest_words": min(words.values()),
        "longest_words": max(words.values()),
        "baseline_documents": len(subset),
        "baseline_every": every,
        "baseline_words": sum(words[str(d)] for d in subset),
        "baseline_source_tokens": sum(counts[str(d)]["tokens"] for d in subset),
    }


def _variant(name, documents, docs_dir, every, conversion, record, env) -> dict:
    mt_dir, summary_dir = str(build.MT_DIR), str(build.SUMMARY_DIR)
    _say(f"running {name} ...")
    if name == "naive":
        return _timed(["benchmarks.naive", mt_dir, summary_dir, *map(str, documents[::every])], env)
    if name == "easynmt":
        return _timed(["benchmarks.easynmt", mt_dir, "4", str(_threads()), *map(str, documents)],
                      env)  # fmt: skip
    if name == "argos":
        python = argos.interpreter()
        if python is None:
            why = "not installed: run `python -m benchmarks.argos --install` (see docs)"
            _say(f"  Argos Translate {why}")
            return {"absent": why}
        if "folders" not in conversion:
            return {"error": "the CTranslate2 conversion failed"}
        spm = build.MT_DIR / "source.spm"
        with tempfile.TemporaryDirectory(prefix="translate-bench-argos-") as home:
            return _timed(["benchmarks.argos", conversion["folders"][0], str(spm), home,
                           str(_threads()), *map(str, documents)], env, python)  # fmt: skip
    extra = VARIANTS[name]
    if name == "default" and record:
        extra = [*extra, "--record", str(record)]
    with tempfile.TemporaryDirectory(prefix="translate-bench-out-") as out:
        return _timed(["benchmarks.variant", name, mt_dir, summary_dir, str(docs_dir), out,
                       *extra], env)  # fmt: skip


def _rounds(count, data, documents, docs_dir, conversion, record, env) -> list[dict]:
    """Rounds 2..count: the default run, then CTranslate2 alone with the settings the first
    round's sweep chose (no sweep), replaying the first round's recorded inputs."""
    ceiling = data["ceiling"]
    if "error" in ceiling:
        return []
    chosen = {stage: ceiling[stage]["best"] for stage in ("translation", "summary")}
    if "fitting" in ceiling["summary"]:
        chosen["summary_fitting"] = ceiling["summary"]["fitting"]["setting"]
    threads = data["results"]["default"]["threads"]
    later = []
    for number in range(2, count + 1):
        _say(f"round {number} of {count}:")
        default = _variant("default", documents, docs_dir, 1, conversion, None, env)
        _say("running CTranslate2 alone again (the first round's settings) ...")
        again = _timed(
            ["benchmarks.ceiling", str(build.MT_DIR), str(build.SUMMARY_DIR), str(record),
             str(threads), f"again:{json.dumps(chosen)}", *map(str, documents)], env,
        )  # fmt: skip
        later.append({"default": default, "ceiling": again})
    return later


def _scaling(sizes, data, mt_dir, summary_dir, quick, env) -> list[dict]:
    """The default run over growing workloads of the same make (the main one is reused)."""
    points = []
    main_size = data["workload"]["documents"]
    for size in sizes:
        if size == main_size and "default" in data["results"]:
            result, folder = data["results"]["default"], Path(data["workload"]["folder"])
        else:
            folder = CACHE / f"workload-{size}"
            workload.generate(folder, count=size, limit_words=QUICK_WORDS if quick else None)
            _say(f"running default on {size} documents (scaling) ...")
            with tempfile.TemporaryDirectory(prefix="translate-bench-out-") as out:
                result = _timed(["benchmarks.variant", "default", str(mt_dir), str(summary_dir),
                                 str(folder), out], env)  # fmt: skip
        words = sum(workload.words_in(f) for f in folder.iterdir())
        points.append({"documents": size, "words": words, "result": result})
    return points


def _write(data: dict, args) -> int:
    text = report.render(data, markdown=False)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "-quick" if args.quick else ""
    (RESULTS / f"{stamp}{suffix}.json").write_text(json.dumps(data, indent=2))
    rows = report.scaling_rows(data)
    plot = PLOT if args.markdown else RESULTS / f"{stamp}{suffix}-scaling.png"
    if len(rows) > 1:
        title = f"translate run (default), {data['machine']['cores']} cores, {data['date'][:10]}"
        problem = scaling_plot(rows, plot, title)
        _say(problem or f"scaling plot: {plot}")
    if args.markdown:
        # Replace the previous run's section; keep what a person wrote above it.
        previous = args.markdown.read_text(encoding="utf-8") if args.markdown.exists() else ""
        intro = kept_intro(previous)
        link = os.path.relpath(PLOT, args.markdown.resolve().parent)
        args.markdown.write_text(intro + report.render(data, True, link), encoding="utf-8")
    results = [
        *data["results"].values(),
        *(p["result"] for p in data["scaling"]),
        *(r[side] for r in data.get("rounds", []) for side in ("default", "ceiling")),
    ]
    return 0 if all("error" not in r for r in results) else 1


def kept_intro(previous: str) -> str:
    """What a person wrote above the previous run's section: up to its heading, which starts
    a line (the text above may quote the heading's words)."""
    heading = "\n## Benchmark run "
    return previous.split(heading, 1)[0] + "\n" if heading in previous else ""


# --- measuring ------------------------------------------------------------------------------


def _environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["HF_HUB_OFFLINE"] = "1"  # local folders only; never wait on the network
    # Its own CTranslate2 cache, emptied before each run (see _convert): never the user's.
    env["TRANSLATE_CACHE"] = str(CACHE / "translate")
    return env


def _child(module_args: list[str], env: dict, python: str | None = None) -> dict:
    """Run `python -m <module_args>` and return the JSON of its last 'RESULT ' line."""
    process = subprocess.run(
        [python or sys.executable, "-m", *module_args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        tail = "\n".join((process.stderr or process.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"exit status {process.returncode}:\n{tail}")
    return json.loads(lines[-1][len("RESULT ") :])


def _timed(module_args: list[str], env: dict, python: str | None = None) -> dict:
    """A measured child: its result plus wall time, CPU use and the load around it; a failure
    is reported, not raised, so the other variants still run."""
    started = time.perf_counter()
    cpu_before = _children_cpu()
    load_before = os.getloadavg()[0]
    try:
        result = _child(module_args, env, python)
    except RuntimeError as exc:
        _say(f"  failed: {exc}")
        return {"error": str(exc)}
    result["wall_seconds"] = time.perf_counter() - started
    # CPU seconds per wall second of the child: ~cores when it had the machine to itself;
    # far less means other processes competed (the figures are then pessimistic).
    result["cpu_per_wall"] = (_children_cpu() - cpu_before) / result["wall_seconds"]
    result["load_average"] = [load_before, os.getloadavg()[0]]
    _say(
        f"  done in {result['wall_seconds']:.0f} s (CPU use {result['cpu_per_wall']:.2f} "
        f"cores, load average {load_before:.1f} -> {os.getloadavg()[0]:.1f})"
    )
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _threads() -> int:
    """The default run's CTranslate2 threads (physical cores), given to the peers too."""
    from translate.engines.ct2.schedule import default_threads

    return default_threads()


def _convert(mt_dir: Path, summary_dir: Path, env: dict) -> dict:
    """Convert both models for CTranslate2 before measuring: a one-time cost on a user's first
    run, measured afresh each time (the benchmark's own cache is emptied) and reported apart."""
    _say("converting the models for CTranslate2 (a user's first run does this once) ...")
    shutil.rmtree(Path(env["TRANSLATE_CACHE"]) / "ct2", ignore_errors=True)
    try:
        return _child(["benchmarks.convert", str(mt_dir), str(summary_dir)], env)
    except RuntimeError as exc:
        return {"error": str(exc)}


def measure_help(env: dict, runs: int = 5) -> dict:
    """Wall time of `translate --help` (the installed command), fresh process each time."""
    command = (
        [shutil.which("translate")]
        if shutil.which("translate")
        else [sys.executable, "-m", "translate"]
    )
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*command, "--help"], env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return {"median": statistics.median(times), "max": max(times), "command": " ".join(command)}


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the machine ----------------------------------------------------------------------------


def machine() -> dict:
    cpu, cores = platform.processor() or platform.machine(), None
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        fields = dict(
            (k.strip(), v.strip())
            for k, _, v in (line.partition(":") for line in lscpu.splitlines())
        )
        cpu = fields.get("Model name", cpu)
        cores = int(fields["Core(s) per socket"]) * int(fields.get("Socket(s)", 1))
    except (OSError, KeyError, ValueError):
        pass
    memory = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9)
    return {
        "cpu": cpu,
        "cores": cores or os.cpu_count(),
        "logical": os.cpu_count(),
        "memory_gb": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def versions() -> dict:
    found = {"python": platform.python_version()}
    for package in (
        "translate-digest",
        "torch",
        "transformers",
        "ctranslate2",
        "tokenizers",
        "huggingface_hub",
    ):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


if __name__ == "__main__":
    sys.exit(main())
