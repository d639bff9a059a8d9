"""The speed benchmark: a naive transformers script against `translate run` and its options.

    python -m benchmarks.run            # the full run (~30 min on 2 cores)
    python -m benchmarks.run --quick    # a smoke run on 4 short documents (~3 min)

Builds the architecture-faithful checkpoints once (benchmarks/build.py), writes the workload
(benchmarks/workload.py), then runs each variant in its own process, so that each peak RSS
is that process's own, and prints a table with the ratios against the baseline and whether
the targets are met. The weights are random: these figures measure speed, not quality.
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

from benchmarks import build, workload
from benchmarks.common import SUMMARY_TOKENS, SUMMARY_TOKENS_PER_GERMAN_WORD

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / ".cache" / "results"

# name: (label, extra `translate run` options; None for the naive baseline)
VARIANTS = {
    "naive": ("naive transformers (baseline)", None),
    "default": ("translate run (default: auto = ctranslate2 int8)", []),
    "torch": ("translate run --backend torch (fp32)", ["--backend", "torch"]),
    "torch-int8": (
        "translate run --backend torch --quantize int8",
        ["--backend", "torch", "--quantize", "int8"],
    ),
}
TARGETS = {
    "translation_speedup": 10.0,  # translation stage tokens/s vs the baseline, same beams
    "run_speedup": 4.0,  # whole run documents/minute vs the baseline
    "rss_default_mb": 2000.0,  # peak RSS of a default run
    "rss_int8_mb": 1200.0,  # peak RSS with the int8 options
    "help_seconds": 1.0,  # translate --help
}
INT8_VARIANTS = ("default", "torch-int8")  # the default runs CTranslate2 int8 on the CPU


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="4 short documents: a smoke run")
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"comma-separated, from: {', '.join(VARIANTS)} (default: all)",
    )
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=None,
        help="run the slow baseline on every Nth document (by length) and extrapolate its "
        "rates to the whole workload (default: 3; 1 = every document)",
    )
    parser.add_argument("--markdown", type=Path, help="also write the report as Markdown here")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        parser.error(f"unknown variants: {', '.join(unknown)}")

    env = _environment()
    mt_dir, summary_dir = build.build()
    docs_dir = HERE / ".cache" / "workload-quick" if args.quick else workload.WORKLOAD
    documents = (
        workload.generate(docs_dir, count=4, limit_words=150)
        if args.quick
        else workload.generate(docs_dir)
    )
    every = args.baseline_every or (2 if args.quick else 3)
    subset = documents[::every]
    words = {str(d): workload.words_in(d) for d in documents}
    counts = _child(["benchmarks.naive", "--count", str(mt_dir), *map(str, documents)], env)
    report = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "quick": args.quick,
        "models": build.describe(),
        "workload": {
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
        },
        "help_seconds": measure_help(env),
        "results": {},
    }
    _say(_workload_line(report))
    if "default" in names:  # auto means CTranslate2 on the CPU
        report["ct2_conversion"] = _convert(mt_dir, summary_dir, env)
    for name in names:
        label, extra = VARIANTS[name]
        _say(f"running {label} ...")
        started = time.perf_counter()
        cpu_before = _children_cpu()
        load_before = os.getloadavg()[0]
        try:
            if extra is None:
                result = _child(
                    ["benchmarks.naive", str(mt_dir), str(summary_dir), *map(str, subset)], env
                )
            else:
                with tempfile.TemporaryDirectory(prefix="translate-bench-out-") as out:
                    result = _child(
                        [
                            "benchmarks.variant",
                            name,
                            str(mt_dir),
                            str(summary_dir),
                            str(docs_dir),
                            out,
                            *extra,
                        ],
                        env,
                    )
        except RuntimeError as exc:
            _say(f"  {name} failed: {exc}")
            report["results"][name] = {"error": str(exc)}
            continue
        result["wall_seconds"] = time.perf_counter() - started
        # CPU seconds per wall second of the child: ~cores when it had the machine to itself;
        # far less means other processes competed (the figures are then pessimistic).
        result["cpu_per_wall"] = (_children_cpu() - cpu_before) / result["wall_seconds"]
        result["load_average"] = [load_before, os.getloadavg()[0]]
        report["results"][name] = result
        _say(
            f"  done in {result['wall_seconds']:.0f} s (CPU use "
            f"{result['cpu_per_wall']:.2f} cores, load average {load_before:.1f} -> "
            f"{os.getloadavg()[0]:.1f})"
        )
    metrics = compute(report)
    report["metrics"] = metrics
    text = render(report, markdown=False)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}{'-quick' if args.quick else ''}.json").write_text(
        json.dumps(report, indent=2)
    )
    if args.markdown:
        # Replace the previous run's section; keep what a person wrote above it.
        previous = args.markdown.read_text(encoding="utf-8") if args.markdown.exists() else ""
        intro = previous.split("## Benchmark run", 1)[0] if "## Benchmark run" in previous else ""
        args.markdown.write_text(intro + render(report, markdown=True), encoding="utf-8")
    return 0 if all("error" not in r for r in report["results"].values()) else 1


# --- measuring ------------------------------------------------------------------------------


def _environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["HF_HUB_OFFLINE"] = "1"  # local folders only; never wait on the network
    # Its own CTranslate2 cache, emptied before each run (see _convert): never the user's.
    env["TRANSLATE_CACHE"] = str(HERE / ".cache" / "translate")
    return env


def _child(module_args: list[str], env: dict) -> dict:
    """Run `python -m <module_args>` and return the JSON of its last 'RESULT ' line."""
    process = subprocess.run(
        [sys.executable, "-m", *module_args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        tail = "\n".join((process.stderr or process.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"exit status {process.returncode}:\n{tail}")
    return json.loads(lines[-1][len("RESULT ") :])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def compute(report: dict) -> dict:
    """Rates per variant, the baseline's extrapolated to the whole workload, and ratios."""
    w = report["workload"]
    metrics = {}
    for name, r in report["results"].items():
        if "error" in r:
            continue
        if name == "naive":
            tokens = w["baseline_source_tokens"]
            translate_s = r["translation"]["seconds"]
            summary_per_doc = r["summary"]["seconds"] / r["documents"]
            # Everything but the summaries scales with the source tokens; the summary is one
            # call per document. Extrapolated from the subset to the whole workload:
            per_token = (r["run_seconds"] - r["summary"]["seconds"]) / tokens
            run_s = per_token * w["source_tokens"] + summary_per_doc * w["documents"]
            metrics[name] = {
                "docs_per_min": 60 * w["documents"] / run_s,
                "run_seconds": run_s,
                "measured_on": f"{r['documents']} of {w['documents']} documents",
                "tokens_per_s": tokens / translate_s,
                "summary_s_per_doc": summary_per_doc,
                "peak_rss_mb": r["peak_rss_mb"] * 1.048576,  # MiB -> MB
                "load_seconds": r["load_seconds"],
                "beams": r.get("num_beams"),
            }
        else:
            metrics[name] = {
                "docs_per_min": 60 * r["written"] / r["run_seconds"],
                "run_seconds": r["run_seconds"],
                "measured_on": f"{r['documents']} of {w['documents']} documents",
                "tokens_per_s": w["source_tokens"] / r["translation"]["seconds"],
                "summary_s_per_doc": r["summary"]["seconds"] / max(1, r["summary"]["items"]),
                "peak_rss_mb": r["peak_rss_mb"] * 1.048576,
                "load_seconds": r["load_seconds"],
                "beams": r["describe"].get("num_beams"),
                "failed": r["failed"],
            }
    base = metrics.get("naive")
    if base:
        for m in metrics.values():
            m["x_docs"] = m["docs_per_min"] / base["docs_per_min"]
            m["x_tokens"] = m["tokens_per_s"] / base["tokens_per_s"]
            m["x_summary"] = base["summary_s_per_doc"] / m["summary_s_per_doc"]
    return metrics


# --- reporting ------------------------------------------------------------------------------


def render(report: dict, markdown: bool) -> str:
    w, metrics = report["workload"], report["metrics"]
    lines = []
    add = lines.append
    add(
        ("## " if markdown else "")
        + f"Benchmark run {report['date']}"
        + (" (quick)" if report["quick"] else "")
    )
    add("")
    add(
        "Random-weight checkpoints with the published architectures: these figures measure "
        "speed, not quality."
    )
    m = report["machine"]
    add(
        f"Machine: {m['cpu']}, {m['cores']} cores ({m['logical']} logical), "
        f"{m['memory_gb']} GB RAM, {m['os']}"
    )
    add("Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()))
    add(_workload_line(report))
    add(
        f"Forced lengths: translation output = input tokens; summary = {SUMMARY_TOKENS} new "
        "tokens (min = max); each model's default beams (4 and 4). Translations are computed in "
        "full, then replaced by English prose as long as the real models' (in summarizer tokens: "
        f"{SUMMARY_TOKENS_PER_GERMAN_WORD} per German word), which the summary stage then reads."
    )
    add("")
    header = [
        "variant",
        "docs/min",
        "x",
        "transl. tok/s",
        "x",
        "summary s/doc",
        "x",
        "peak RSS MB",
        "load s",
    ]
    rows = []
    for name, (label, _) in VARIANTS.items():
        if name not in report["results"]:
            continue
        if name not in metrics:
            rows.append([label, "failed", "", "", "", "", "", "", ""])
            continue
        v = metrics[name]
        rows.append(
            [
                label + (" *" if name == "naive" else ""),
                f"{v['docs_per_min']:.2f}",
                _x(v.get("x_docs")),
                f"{v['tokens_per_s']:.0f}",
                _x(v.get("x_tokens")),
                f"{v['summary_s_per_doc']:.1f}",
                _x(v.get("x_summary")),
                f"{v['peak_rss_mb']:.0f}",
                f"{v['load_seconds']:.1f}",
            ]
        )
    add(_table(header, rows, markdown))
    add("")
    if "naive" in metrics:
        add(
            f"* The baseline ran on {metrics['naive']['measured_on']} (every "
            f"{_ordinal(w['baseline_every'])} by length, {w['baseline_words']:,} words); "
            "its docs/min is extrapolated to the whole workload "
            "from its measured tokens/s and seconds per summary."
        )
    add(
        "tok/s: source tokens (the translator's tokens of every sentence) per second of the "
        "translation stage; summary s/doc: seconds in the summary stage per document (the "
        "pipeline summarizes a long text in passes, the baseline reads its first 1,024 tokens "
        "only); x: ratio to the baseline (higher is better)."
    )
    conversion = report.get("ct2_conversion")
    if conversion and "seconds" in conversion:
        state = "already cached" if conversion.get("cached") else "converted now"
        add(
            f"CTranslate2 conversion (one-time, on a first run; done before the measured run "
            f"and not in its figures): {conversion['seconds']:.1f} s ({state}), peak RSS "
            f"{conversion['peak_rss_mb'] * 1.048576:.0f} MB."
        )
    help_s = report["help_seconds"]
    add(f"`translate --help`: {help_s['median']:.2f} s median of 5 (max {help_s['max']:.2f} s).")
    add("")
    add(("### " if markdown else "") + "Targets")
    add("")
    for line in targets(report):
        add(("- " if markdown else "  ") + line)
    return "\n".join(lines) + "\n"


def targets(report: dict) -> list[str]:
    metrics = report["metrics"]
    out = []

    def check(ok: bool, text: str) -> None:
        out.append(("met     " if ok else "NOT MET ") + text)

    for name in ("default", "torch", "torch-int8"):
        v = metrics.get(name)
        if not v or "x_tokens" not in v:
            continue
        label = VARIANTS[name][0]
        same = v["beams"] == metrics["naive"]["beams"]
        check(
            v["x_tokens"] >= TARGETS["translation_speedup"],
            f"translation >= 10x baseline tok/s ({label}, beams {v['beams']} vs "
            f"{metrics['naive']['beams']}{'' if same else ' - NOT the same beams'}): "
            f"{v['x_tokens']:.1f}x" + _gap(v["x_tokens"], TARGETS["translation_speedup"]),
        )
        check(
            v["x_docs"] >= TARGETS["run_speedup"] and not v.get("failed"),
            f"whole run >= 4x baseline docs/min ({label}): {v['x_docs']:.1f}x"
            + _gap(v["x_docs"], TARGETS["run_speedup"])
            + (f" - {v['failed']} documents FAILED" if v.get("failed") else ""),
        )
    if "default" in metrics:
        rss = metrics["default"]["peak_rss_mb"]  # int8 here, but checked against 2.0 GB too
        check(
            rss <= TARGETS["rss_default_mb"],
            f"peak RSS of a default run <= 2.0 GB: {rss / 1000:.2f} GB",
        )
    if "torch" in metrics:
        rss = metrics["torch"]["peak_rss_mb"]
        check(
            rss <= TARGETS["rss_default_mb"],
            f"peak RSS of --backend torch (fp32) <= 2.0 GB: {rss / 1000:.2f} GB",
        )
    for name in INT8_VARIANTS:
        if name in metrics:
            rss = metrics[name]["peak_rss_mb"]
            check(
                rss <= TARGETS["rss_int8_mb"],
                f"peak RSS with int8 ({VARIANTS[name][0]}) <= 1.2 GB: {rss / 1000:.2f} GB",
            )
    help_s = report["help_seconds"]["median"]
    check(help_s < TARGETS["help_seconds"], f"`translate --help` under 1 s: {help_s:.2f} s")
    return out


def _gap(value: float, target: float) -> str:
    return "" if value >= target else f" (short by {target / value:.2f}x)"


def _ordinal(n: int) -> str:
    return {1: "one", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _x(value) -> str:
    return "" if value is None else f"{value:.1f}x"


def _table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda row: "  ".join(  # noqa: E731
        str(c).ljust(widths[i]) if i == 0 else str(c).rjust(widths[i]) for i, c in enumerate(row)
    )
    return "\n".join([fmt(header), fmt(["-" * n for n in widths]), *map(fmt, rows)])


def _workload_line(report: dict) -> str:
    w = report["workload"]
    return (
        f"Workload: {w['documents']} German documents, {w['words']:,} words "
        f"({w['shortest_words']} to {w['longest_words']:,} each), {w['sentences']:,} sentences, "
        f"{w['source_tokens']:,} source tokens ({w['source_tokens'] / w['words']:.2f} per word "
        "with the benchmark's tokenizer)."
    )


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
