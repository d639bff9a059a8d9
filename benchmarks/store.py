"""The translation store and the run's order, measured (docs/store.md): on a folder of 25
documents, when the first output appears and how long the run takes, against the order
before growing waves and without the store; a run killed (kill -9) at 70 % of its time and
rerun, against an uninterrupted run; one edited paragraph of the longest document, redone,
against its first run; and the run with the store against the same run without it.

    python -m benchmarks.store              # published sizes, random weights (~15 min, 2 cores)
    python -m benchmarks.store --tiny       # the tiny checkpoints: a smoke run (seconds)

Each run is its own process, as a user's `translate run` is (the models are loaded in each;
loading is reported apart). Lengths are forced and the English is a stand-in, as in
benchmarks/variant.py (benchmarks/common.py: force_outputs), so random weights cost what real
ones would. Everything goes under TRANSLATE_BENCH_CACHE/store-bench (benchmarks/common.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import CACHE, SUMMARY_TOKENS, TRANSLATION_LENGTH_RATIO, emit

ROOT = Path(__file__).resolve().parent.parent
WORK = CACHE / "store-bench"
DOCUMENTS = 25
TINY_DOCUMENTS = 6
TINY_WORDS = 150
INTERRUPT_AT = 0.7  # of an uninterrupted run's time
SHUFFLE_SEED = 2  # the 5,000-word document 4th, as a report among letters


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="the tiny checkpoints: a smoke run")
    parser.add_argument("--documents", type=int, default=None, help="how many (default 25)")
    parser.add_argument(
        "--parts",
        default="order,interrupted,edited",
        help="which measurements (default: all): order (first output, with and without the "
        "store), interrupted (killed at 70 %%, rerun), edited (one paragraph changed)",
    )
    parser.add_argument(
        "--shuffle",
        action="store_true",
        help="name the documents in a mixed order of lengths, as a real folder has them (the "
        "workload is shortest first)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one measured run (JSON spec)
    args = parser.parse_args(argv)
    if args.child:
        return measured_run(json.loads(args.child))
    from benchmarks import build, workload

    env = _environment()
    _say("building (or finding) the checkpoints ...")
    _call(["benchmarks.build", *(["--tiny"] if args.tiny else [])], env)
    mt, summary = str(build.MT_DIR), str(build.SUMMARY_DIR)
    count = args.documents or (TINY_DOCUMENTS if args.tiny else DOCUMENTS)
    shutil.rmtree(WORK, ignore_errors=True)
    docs = WORK / "docs"
    files = workload.generate(docs, count=count, limit_words=TINY_WORDS if args.tiny else None)
    if args.shuffle:  # a fixed mixed order: long documents among the first too
        order = random.Random(SHUFFLE_SEED).sample(range(len(files)), len(files))
        files = [f.rename(f.with_name(f"{rank:02d}-{f.name}")) for rank, f in zip(order, files)]
    words = sum(workload.words_in(f) for f in files)
    _say(f"{count} documents, {words:,} words in {docs}")
    _call(["benchmarks.convert", mt, summary], env)  # once, before anything is timed
    bench = Bench(mt, summary, env)
    figures = {"documents": count, "words": words, "tiny": args.tiny, "shuffled": args.shuffle}
    parts = args.parts.split(",")
    if "order" in parts:
        figures.update(bench.order_and_store(docs))
    if "interrupted" in parts:
        figures["interrupted"] = bench.interrupted(docs, figures.get("store"))
    if "edited" in parts:
        figures["edited"] = bench.edited(max(files, key=workload.words_in))
    print(report(figures))
    emit(figures)
    return 0


class Bench:
    """The runs, each a child process with its own output folder; the store is the one
    under the benchmark's TRANSLATE_CACHE, removed where a run must start without it."""

    def __init__(self, mt: str, summary: str, env: dict):
        self.mt, self.summary, self.env = mt, summary, env
        self.store = Path(env["TRANSLATE_CACHE"]) / "translations.sqlite3"
        self.runs = 0

    def fresh_store(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            self.store.with_name(self.store.name + suffix).unlink(missing_ok=True)

    def run(self, paths: list[Path], label: str, **spec) -> dict:
        _say(f"{label} ...")
        self.runs += 1
        out = WORK / f"out{self.runs}" if "out" not in spec else Path(spec.pop("out"))
        started = time.time()
        process = self._start(paths, out, spec)
        stdout, _ = process.communicate()
        result = _result(stdout, process.returncode)
        result["wall_seconds"] = time.time() - started
        result["first_output_seconds"] = (result.pop("first_output_at") or started) - started
        _say(
            f"  {result['wall_seconds']:.1f} s ({result['load_seconds']:.1f} s loading), first "
            f"output at {result['first_output_seconds']:.1f} s, {result['written']} written, "
            f"{result['chunks_from_store']} of {result['chunks']} chunks from the store"
        )
        return result

    def order_and_store(self, docs: Path) -> dict:
        """Today's order (one wave of 256 chunks first) against growing waves, each without
        the store; then with it (empty at first), and again all from it (--force)."""
        today = self.run([docs], "the order before (256-chunk waves), no store", cache=False,
                         old_waves=True)  # fmt: skip
        without = self.run([docs], "growing waves, no store", cache=False)
        self.fresh_store()
        store = self.run([docs], "growing waves, the store (empty at first)", out=WORK / "kept")
        again = self.run([docs], "again, --force: every chunk from the store", force=True,
                         out=WORK / "kept")  # fmt: skip
        return {"today": today, "without_store": without, "store": store, "from_store": again}

    def interrupted(self, docs: Path, uninterrupted: dict | None) -> dict:
        """A run killed (SIGKILL) at INTERRUPT_AT of an uninterrupted run's time, then run
        again; the uninterrupted run is made just before (the same work, the store empty)
        unless given."""
        if uninterrupted is None:
            self.fresh_store()
            uninterrupted = self.run([docs], "uninterrupted, the store empty at first")
        self.fresh_store()
        out = WORK / "killed"
        whole, uninterrupted = uninterrupted, uninterrupted["wall_seconds"]
        _say(f"a run killed with SIGKILL after {INTERRUPT_AT * uninterrupted:.1f} s ...")
        process = self._start([docs], out, {})
        time.sleep(INTERRUPT_AT * uninterrupted)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        done = len(list(out.rglob("*.summary.en.md")))
        kept = _entries(self.store)
        _say(f"  {done} documents written, {kept} chunks in the store when killed")
        rerun = self.run([docs], "the rerun", out=out)
        return {"killed_after": INTERRUPT_AT * uninterrupted, "written_before": done,
                "kept_chunks": kept, "rerun": rerun, "uninterrupted": whole}  # fmt: skip

    def edited(self, document: Path) -> dict:
        """The longest document alone, then again with one paragraph in its middle replaced."""
        from benchmarks.workload import read_paragraphs

        self.fresh_store()
        folder = WORK / "edited"
        folder.mkdir()
        doc = folder / document.name
        shutil.copy(document, doc)
        first = self.run([doc], f"{doc.name} alone, the store empty", out=folder)
        blocks = doc.read_text(encoding="utf-8").split("\n\n")
        new = next(p for p in read_paragraphs() if p not in blocks)
        blocks[len(blocks) // 2] = new
        doc.write_text("\n\n".join(blocks), encoding="utf-8")
        second = self.run([doc], "the same with one paragraph replaced", out=folder)
        return {"document": doc.name, "paragraphs": len(blocks), "first": first, "edited": second}

    def _start(self, paths: list[Path], out: Path, spec: dict) -> subprocess.Popen:
        spec = {"mt": self.mt, "summary": self.summary, "paths": [str(p) for p in paths],
                "out": str(out), **spec}  # fmt: skip
        return subprocess.Popen(
            [sys.executable, "-m", "benchmarks.store", "--child", json.dumps(spec)],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip


def measured_run(spec: dict) -> int:
    """One `translate run` (what the CLI calls), lengths forced; its figures as a RESULT line."""
    started = time.perf_counter()
    import translate.flow.run as run_module
    from benchmarks.common import EnglishStandIn, force_outputs
    from translate.config import GenerationSettings, ModelOptions, RunOptions
    from translate.inputs.discovery import discover

    if spec.get("old_waves"):  # the order before: every wave as large as WAVE_CHUNKS
        run_module.FIRST_WAVE_CHUNKS = run_module.WAVE_CHUNKS
    options = RunOptions(
        models=ModelOptions(mt_model=spec["mt"], summary_model=spec["summary"], device="cpu"),
        translation=GenerationSettings(
            max_length_ratio=2.0, forced_length_ratio=TRANSLATION_LENGTH_RATIO
        ),
        summary=GenerationSettings(min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS),
        force=spec.get("force", False),
        output_dir=Path(spec["out"]),
        cache=spec.get("cache", True),
    )
    models = run_module.ModelSet(options)
    translator, summarizer = models.translator, models.summarizer
    stand_in = EnglishStandIn(summarizer.tokenizer)
    force_outputs(translator, "translation", stand_in)
    force_outputs(summarizer, "summary", stand_in)
    load_seconds = time.perf_counter() - started
    translating = [0.0]
    translate_jobs = run_module.translate_jobs

    def timed_translation(*args, **kwargs):
        begun = time.perf_counter()
        try:
            return translate_jobs(*args, **kwargs)
        finally:
            translating[0] += time.perf_counter() - begun

    run_module.translate_jobs = timed_translation
    documents, _ = discover([Path(p) for p in spec["paths"]], output_root=options.output_dir)
    run_started, cpu_started = time.perf_counter(), time.process_time()
    first_output_at, first_in_run, results = None, None, []
    for result in run_module.iter_results(documents, options, models):
        if result.status == "written" and first_output_at is None:
            first_output_at, first_in_run = time.time(), time.perf_counter() - run_started
        results.append(result)
    counts = [r.counts for r in results]
    emit(
        {
            "load_seconds": load_seconds,
            "run_seconds": time.perf_counter() - run_started,
            "run_cpu_seconds": time.process_time() - cpu_started,
            "translation_seconds": translating[0],
            "first_output_at": first_output_at,
            "first_output_run_seconds": first_in_run,  # after loading, from the run's start
            "written": sum(r.status == "written" for r in results),
            "skipped": sum(r.status == "skipped" for r in results),
            "chunks": sum(c.get("translation_chunks", 0) for c in counts),
            "chunks_from_store": sum(c.get("chunks_from_store", 0) for c in counts),
        }
    )
    return 0


def report(f: dict) -> str:
    """The figures in words and a table (docs/store.md quotes them); the parts measured."""
    rows, lines = [], []

    def share(part: float, whole: float) -> str:
        return f"{100 * part / whole:.0f} %" if whole else "n/a"

    def in_run(r: dict) -> str:
        return share(r["first_output_run_seconds"] or 0.0, r["run_seconds"])

    if "store" in f:
        today, store, without = f["today"], f["store"], f["without_store"]
        rows += [
            ("the order before (256-chunk waves), no store", today),
            ("growing waves, no store (--no-cache)", without),
            ("growing waves, the store (empty at first)", store),
            ("again, --force: every chunk from the store", f["from_store"]),
        ]
        lines += [
            f"- first output: {share(store['first_output_seconds'], store['wall_seconds'])} of "
            f"the run's time (before: {share(today['first_output_seconds'], today['wall_seconds'])}"
            f"); after loading the models, at {in_run(store)} of the rest (before: "
            f"{in_run(today)})",
            f"- growing waves against the order before, both without the store: "
            f"{share(without['wall_seconds'], today['wall_seconds'])} of its time, "
            f"{share(without['run_cpu_seconds'], today['run_cpu_seconds'])} of its CPU time",
            f"- with the store against without it: "
            f"{share(store['wall_seconds'], without['wall_seconds'])} of its time, "
            f"{share(store['run_cpu_seconds'], without['run_cpu_seconds'])} of its CPU time",
        ]
    if "interrupted" in f:
        killed = f["interrupted"]
        whole = killed["uninterrupted"]
        if "store" not in f:
            rows.append(("uninterrupted, the store (empty at first)", whole))
        rows.append((f"rerun after SIGKILL at {killed['killed_after']:.0f} s", killed["rerun"]))
        lines.append(
            f"- killed at {share(killed['killed_after'], whole['wall_seconds'])} of an "
            f"uninterrupted run's time ({killed['written_before']} documents written, "
            f"{killed['kept_chunks']} chunks kept): the rerun took "
            f"{share(killed['rerun']['wall_seconds'], whole['wall_seconds'])} of it"
        )
    if "edited" in f:
        edited = f["edited"]
        rows += [
            (f"{edited['document']} alone", edited["first"]),
            ("the same, one paragraph replaced", edited["edited"]),
        ]
        first, again = (
            edited["first"]["translation_seconds"],
            edited["edited"]["translation_seconds"],
        )
        lines.append(
            f"- one paragraph of {edited['paragraphs']} replaced: its translation took "
            f"{share(again, first)} of the first run's"
        )
    table = [
        f"{f['documents']} documents, {f['words']:,} words"
        + (" (tiny checkpoints: the figures mean nothing)" if f["tiny"] else ""),
        "",
        "| run | wall s | loading s | first output s | translating s | run CPU s | from store |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows:
        table.append(
            f"| {name} | {r['wall_seconds']:.1f} | {r['load_seconds']:.1f} | "
            f"{r['first_output_seconds']:.1f} | {r['translation_seconds']:.1f} | "
            f"{r['run_cpu_seconds']:.1f} | {r['chunks_from_store']}/{r['chunks']} |"
        )
    return "\n".join([*table, "", *lines])


def _entries(store: Path) -> int:
    import sqlite3

    try:
        with sqlite3.connect(store) as conn:
            return conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
    except sqlite3.Error:
        return 0


def _result(stdout: str, returncode: int) -> dict:
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if returncode != 0 or not lines:
        raise SystemExit(f"a measured run failed (exit status {returncode})")
    return json.loads(lines[-1][len("RESULT ") :])


def _environment() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["HF_HUB_OFFLINE"] = "1"
    env["TRANSLATE_CACHE"] = str(CACHE / "store-translate")  # conversions kept between runs
    return env


def _call(module_args: list[str], env: dict) -> None:
    done = subprocess.run([sys.executable, "-m", *module_args], cwd=ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(module_args)} failed:\n{done.stderr[-2000:]}")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
