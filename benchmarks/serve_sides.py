"""The two servers of the service benchmark (benchmarks/serve.py), and the engine alone, each
started by it in a process of its own, with the main benchmark's forced lengths.

    python -m benchmarks.serve_sides service MT_DIR SUMMARY_DIR -- SERVE_ARGS...
        `translate serve SERVE_ARGS` (the real command, in this process), its models forced
        as benchmarks/variant.py forces `translate run`'s: translations decode exactly as many
        tokens as their source (forced_length_ratio 1.0, so the pipeline, as in the main
        benchmark, does not check random weights' noise), summaries SUMMARY_TOKENS; then
        English of a real length is handed on (benchmarks/common.py's force_outputs). It
        keeps where its time goes (Timings), written to $TRANSLATE_BENCH_TIMINGS on SIGUSR1.
    python -m benchmarks.serve_sides libretranslate MODEL_DIR SPM HOME THREADS HOST PORT
        A real LibreTranslate server (its own `main()`, waitress, default settings), in its
        own venv (benchmarks/serve.py --install-peer), serving the Argos package the main
        benchmark builds (benchmarks/argos.py) of the same CTranslate2 int8 model, with the
        same forced-length shim as the main benchmark's Argos row. Offline: two packages
        (de->en, en->de of the same model) make it skip its model-index update, and
        ARGOS_CHUNK_TYPE=SPACY with a blank spaCy pipeline in Argos's cache avoids MiniSBD's
        model download.
    python -m benchmarks.serve_sides engine MT_DIR SUMMARY_DIR SENTENCES_JSON REPEATS
        The translator alone (`translator.generate([sentence])`, as the service loads it, the
        same forced settings): each sentence's fastest of REPEATS calls, for the low-load
        latency target; and calls of 1 to 16 sentences at once (what a service round of that
        many requests costs the engine at best).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

from benchmarks.common import SUMMARY_TOKENS, TRANSLATION_LENGTH_RATIO


def force_run_options() -> None:
    """Every RunOptions made in this process from now on carries the main benchmark's forced
    lengths (benchmarks/variant.py: translation forced_length_ratio 1.0, summary min = max =
    SUMMARY_TOKENS new tokens), whatever else it was given: the service's own, and each
    job's."""
    from dataclasses import replace

    from translate.config import RunOptions

    if getattr(RunOptions, "_lengths_forced", False):
        return
    init = RunOptions.__init__

    def forced_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        translation = replace(self.translation, forced_length_ratio=TRANSLATION_LENGTH_RATIO)
        if translation.max_length_ratio is None:
            translation = replace(translation, max_length_ratio=2.0)
        summary = replace(
            self.summary, min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS
        )
        object.__setattr__(self, "translation", translation)  # a frozen dataclass
        object.__setattr__(self, "summary", summary)

    RunOptions.__init__ = forced_init
    RunOptions._lengths_forced = True


class Timings:
    """Where the service's time goes, per model (cumulative; benchmarks/serve.py asks for a
    copy with SIGUSR1 between phases and takes differences): the seconds in each model's
    outermost calls (the engine, CTranslate2's queued batches included), its calls, the
    texts they got; and the interactive request rounds (translate/serve/engine.py's
    Engine._translate_round: how many requests and texts each round gathered, and its
    seconds, segmenting and checking included)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.figures: dict[str, float] = {}
        self.local = threading.local()

    def add(self, **amounts: float) -> None:
        with self.lock:
            for key, amount in amounts.items():
                self.figures[key] = self.figures.get(key, 0) + amount

    def dump(self, *_) -> None:
        with self.lock:
            figures = dict(self.figures)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(figures), encoding="utf-8")
        tmp.replace(self.path)

    def timed_model(self, model, role: str) -> None:
        """Time the model's outermost generate, generate_detailed and generate_batches."""

        def outer() -> bool:
            return not getattr(self.local, "depth", 0)

        def wrap(method):
            def timed(texts, settings):
                first = outer()
                self.local.depth = getattr(self.local, "depth", 0) + 1
                started = time.perf_counter()
                try:
                    return method(texts, settings)
                finally:
                    self.local.depth -= 1
                    if first:
                        self.add(**{f"{role}_seconds": time.perf_counter() - started,
                                    f"{role}_calls": 1, f"{role}_texts": len(texts)})  # fmt: skip

            return timed

        model.generate, model.generate_detailed = (
            wrap(model.generate),
            wrap(model.generate_detailed),
        )
        queued = getattr(model, "generate_batches", None)
        if queued is None:
            return

        def generate_batches(groups, settings, **how):  # how: the engine's keywords (spread)
            if not outer():
                yield from queued(groups, settings, **how)
                return
            batches = iter(queued(groups, settings, **how))
            self.add(**{f"{role}_calls": 1, f"{role}_texts": sum(map(len, groups))})
            while True:
                self.local.depth = getattr(self.local, "depth", 0) + 1
                started = time.perf_counter()
                try:
                    batch = next(batches)
                except StopIteration:
                    return
                finally:
                    self.local.depth -= 1
                    self.add(**{f"{role}_seconds": time.perf_counter() - started})
                yield batch

        model.generate_batches = generate_batches


def service(mt_dir: str, summary_dir: str, serve_args: list[str]) -> None:
    from benchmarks import build
    from benchmarks.common import EnglishStandIn, force_outputs

    build.SUMMARY_DIR = Path(summary_dir)
    force_run_options()
    timings = Timings(Path(os.environ["TRANSLATE_BENCH_TIMINGS"]))
    signal.signal(signal.SIGUSR1, timings.dump)
    from transformers import AutoTokenizer

    from translate.engines.modelset import ModelSet

    stand_in = EnglishStandIn(AutoTokenizer.from_pretrained(summary_dir))
    load = ModelSet._load

    def load_forced(self, location, role):
        model = load(self, location, role)
        timings.timed_model(model, role)  # the engine's own time, below the forcing ...
        force_outputs(model, role, stand_in)  # ... computed in full, then English handed on
        return model

    ModelSet._load = load_forced
    from translate.serve import engine as serve_engine

    round_ = serve_engine.Engine._translate_round
    running = {"rounds": 0, "since": 0.0}  # rounds overlap: the wall time any one runs

    def timed_round(self, requests, *args, **kwargs):
        started = time.perf_counter()
        with timings.lock:
            running["rounds"] += 1
            if running["rounds"] == 1:
                running["since"] = started
        try:
            return round_(self, requests, *args, **kwargs)
        finally:
            ended = time.perf_counter()
            with timings.lock:
                running["rounds"] -= 1
                wall = ended - running["since"] if not running["rounds"] else 0.0
            timings.add(rounds=1, round_requests=len(requests),
                        round_texts=sum(len(r.texts) for r in requests),
                        round_seconds=ended - started, round_wall_seconds=wall)  # fmt: skip

    serve_engine.Engine._translate_round = timed_round
    import importlib

    cli = importlib.import_module("translate.cli.app")  # the package exports the Typer app

    sys.argv = ["translate", "serve", "--mt-model", mt_dir, "--summary-model", summary_dir,
                *serve_args]  # fmt: skip
    print(f"SERVICE pid {os.getpid()}", flush=True)
    cli.main()


def engine(mt_dir: str, summary_dir: str, sentences_json: str, repeats: int) -> None:
    """Each low-load sentence alone, fastest of `repeats`; then calls of 1, 4, 8 and 16 of
    the batch sentences together (what one service round of that many requests costs the
    engine at best), fastest of 2, with their tokens/s; and the first 16 as two calls of 8
    at once, each whole on a worker of its own (what two overlapping rounds of the service
    cost at best)."""
    from benchmarks.common import emit
    from translate.config import ModelOptions, RunOptions
    from translate.engines.modelset import ModelSet

    force_run_options()
    options = RunOptions(
        models=ModelOptions(mt_model=mt_dir, summary_model=summary_dir, device="cpu")
    )
    models = ModelSet(options)
    translator = models.translator
    given = json.loads(Path(sentences_json).read_text(encoding="utf-8"))
    sentences, batch = given["latency"], given["batch"]
    translator.generate(sentences[:1], options.translation)  # warm

    def fastest(texts: list[str], times: int) -> tuple[float, float]:
        """(the fastest call's wall seconds, and its CPU seconds, all threads)"""
        best = (float("inf"), 0.0)
        for _ in range(times):
            started, cpu = time.perf_counter(), time.process_time()
            translator.generate(texts, options.translation)
            best = min(best, (time.perf_counter() - started, time.process_time() - cpu))
        return best

    seconds = [fastest([sentence], repeats)[0] for sentence in sentences]
    calls = {}
    for size in (1, 4, 8, 16):
        if size <= len(batch):
            texts = batch[:size]
            tokens = sum(translator.count_tokens(t) for t in texts)
            took, cpu = fastest(texts, 2)
            calls[str(size)] = {
                "seconds": took,
                "cpu_seconds": cpu,
                "tokens": tokens,
                "tokens_per_s": tokens / took,
                "tokens_per_cpu_s": tokens / cpu,
            }
    if len(batch) >= 16 and getattr(translator, "workers", 1) >= 2:
        calls["2x8"] = _two_lanes(translator, batch[:16], options.translation)
    emit(
        {
            "seconds": seconds,
            "calls": calls,
            "threads": getattr(translator, "threads", None),
            "workers": getattr(translator, "workers", None),
            "backend": translator.backend,
            "settings": translator.describe(options.translation),
        }
    )


def _two_lanes(translator, texts: list[str], settings) -> dict:
    """Two halves of `texts` decoded at once from two threads, each whole on one worker
    (spread=False, as the service's overlapping rounds are), fastest of 2."""
    halves = [texts[: len(texts) // 2], texts[len(texts) // 2 :]]
    best = (float("inf"), 0.0)
    for _ in range(2):
        started, cpu = time.perf_counter(), time.process_time()
        lanes = [
            threading.Thread(
                target=lambda h=half: list(translator.generate_batches([h], settings, spread=False))
            )
            for half in halves
        ]
        for lane in lanes:
            lane.start()
        for lane in lanes:
            lane.join()
        best = min(best, (time.perf_counter() - started, time.process_time() - cpu))
    tokens = sum(translator.count_tokens(t) for t in texts)
    return {"seconds": best[0], "cpu_seconds": best[1], "tokens": tokens,
            "tokens_per_s": tokens / best[0], "tokens_per_cpu_s": tokens / best[1]}  # fmt: skip


def libretranslate(model_dir: str, spm: str, home: str, threads: int, host: str, port: int) -> None:
    from benchmarks.argos import ForcedLengthTranslator, build_package, offline_environment

    home_dir = Path(home)
    offline_environment(home_dir, threads)

    archives = [
        build_package(Path(model_dir), Path(spm), home_dir / "build", a, b)
        for a, b in (("de", "en"), ("en", "de"))
    ]
    # Argos's spaCy mode looks for a cached multilingual model at import, and downloads it if
    # missing: a blank pipeline stands there (the packaged one is what it uses).
    cached = home_dir / "cache" / "argos-translate" / "spacy"
    shutil.copytree(home_dir / "build" / "translate-de_en-benchmark" / "spacy", cached)
    (cached / "senter" / "model").mkdir(parents=True)

    from argostranslate import package
    from argostranslate import translate as argos

    for archive in archives:
        package.install_from_path(archive)
    translators = []

    def make_translator(*args, **kwargs):
        translators.append(ForcedLengthTranslator(*args, **kwargs))
        return translators[-1]

    argos.ctranslate2 = type("ctranslate2", (), {"Translator": staticmethod(make_translator)})
    import importlib

    lt_main = importlib.import_module("libretranslate.main")  # the package exports main()

    sys.argv = ["libretranslate", "--host", host, "--port", str(port), "--load-only", "de,en",
                "--disable-web-ui"]  # fmt: skip
    print(f"LIBRETRANSLATE pid {os.getpid()} argos {_version()}", flush=True)
    lt_main.main()


def _version() -> str:
    from importlib import metadata

    found = []
    for name in ("libretranslate", "argos-translate-lt", "argostranslate"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found.append(f"{name} {metadata.version(name)}")
    return ", ".join(found)


if __name__ == "__main__":
    role, *rest = sys.argv[1:] or ["--help"]
    if role == "service":
        split = rest.index("--") if "--" in rest else len(rest)
        service(rest[0], rest[1], rest[split + 1 :])
    elif role == "engine":
        engine(rest[0], rest[1], rest[2], int(rest[3]))
    elif role == "libretranslate":
        libretranslate(rest[0], rest[1], rest[2], int(rest[3]), rest[4], int(rest[5]))
    else:
        print(__doc__)
        sys.exit(0 if role in ("-h", "--help") else 2)
