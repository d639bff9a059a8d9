"""What every benchmark variant shares: forced lengths, the English stand-in, measuring."""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGLISH_CORPUS = HERE.parent / "tests" / "data" / "corpus_en.txt"
# Where the benchmark keeps what it builds and writes: the checkpoints, workloads, its
# CTranslate2 cache, the recorded inputs, results and Argos's venv. TRANSLATE_BENCH_CACHE
# moves all of it (the smoke tests, tests/test_benchmark_smoke.py, point it at a temporary
# folder of tiny checkpoints, so they never touch a real run's files).
CACHE = Path(os.environ.get("TRANSLATE_BENCH_CACHE") or HERE / ".cache")

# Summaries: a typical distilbart-cnn summary (3-4 sentences, ~70 words; the model's own
# bounds are 56-142 tokens), forced as minimum and maximum, on every side.
SUMMARY_TOKENS = 100
# Translations: output tokens = input tokens (the pipeline: of the longest input in a batch).
TRANSLATION_LENGTH_RATIO = 1.0
# A real translation's length in the real summarizer's tokens: English runs ~10% more words
# than German (German compounds are one word), and distilbart's GPT-2 BPE reads English
# news at ~1.3 tokens a word. The stand-in English is sized to this many of *our*
# summarizer's tokens, whose small trained vocabulary splits words more finely.
SUMMARY_TOKENS_PER_GERMAN_WORD = 1.45
SUMMARY_WINDOW = 1024  # the naive baseline summarizes the first 1,024 tokens


class EnglishStandIn:
    """Realistic English text in place of what random weights write.

    A random-weight translator writes token soup ("ber ber ber ..."): its length in the
    summarizer's tokens is unrelated to a real translation's, and the pipeline's loop
    detector would (rightly) translate every chunk a second time. Each translation is
    therefore computed in full, at its forced length, and then replaced by English prose
    from tests/data/corpus_en.txt as long, in summarizer tokens, as the real models'
    translation would be (SUMMARY_TOKENS_PER_GERMAN_WORD), so the summary stage gets the
    amount of work it would get from the real models.
    """

    def __init__(self, summary_tokenizer) -> None:
        self.words = ENGLISH_CORPUS.read_text(encoding="utf-8").split()
        self.position = 0
        tokens = sum(len(summary_tokenizer(line).input_ids) - 2 for line in _lines(self.words))
        self.tokens_per_word = tokens / len(self.words)
        self.words_per_german_word = SUMMARY_TOKENS_PER_GERMAN_WORD / self.tokens_per_word

    def summary(self) -> str:
        """A summary as long as a real one (SUMMARY_TOKENS) in place of random tokens.

        Random weights mostly pick the padding entries of the vocabulary; "<extra_31234>"
        re-tokenizes to ~10 tokens, so partial summaries would come back longer than their
        input and the pipeline would (rightly) refuse to go on."""
        return self._take(max(1, round(SUMMARY_TOKENS / self.tokens_per_word)))

    def for_source(self, german: str) -> str:
        return self._take(max(1, round(len(german.split()) * self.words_per_german_word)))

    def _take(self, count: int) -> str:
        picked = []
        for _ in range(count):
            picked.append(self.words[self.position % len(self.words)])
            self.position += 1
        return " ".join(picked)


def force_outputs(model, role: str, stand_in: EnglishStandIn) -> None:
    """Make a loaded model (CTranslate2 or torch backend) compute every call in full, at the
    forced length its settings ask for, and then hand back the stand-in's English instead of
    random weights' noise: a translation ("translation") as long as a real one of its German
    source, a summary (any other role) as long as a real summary.

    Every way the pipeline generates is forced: `generate` (the torch backend's summaries),
    `generate_detailed` (one call: the torch backend's translations, a looping piece's second
    try) and `generate_batches` (CTranslate2: all of a stage's batches, queued at once). The
    engines call one another (CTranslate2: generate -> generate_detailed -> generate_batches;
    torch: generate -> generate_detailed), so only the outermost call hands back English; the
    calls within it run the model as they are. benchmarks/variant.py forces the main
    benchmark's models the same way, and times each engine call as it goes."""
    from translate.engines.common import Generation

    calls = threading.local()  # how deep in forced calls this thread is

    def english(texts: list[str]) -> list[Generation]:
        if role == "translation":
            return [Generation(stand_in.for_source(t), finished=True) for t in texts]
        return [Generation(stand_in.summary(), finished=True) for _ in texts]

    def call(method, *args):
        """(whether this is the outermost call, what the model itself returned)"""
        outer = not getattr(calls, "depth", 0)
        calls.depth = getattr(calls, "depth", 0) + 1
        try:
            return outer, method(*args)  # computed in full, at the forced length ...
        finally:
            calls.depth -= 1

    detailed, plain = model.generate_detailed, model.generate

    def generate_detailed(texts, settings):
        outer, generated = call(detailed, texts, settings)
        return english(texts) if outer else generated  # ... then English of a real length

    def generate(texts, settings):
        outer, generated = call(plain, texts, settings)
        return [g.text for g in english(texts)] if outer else generated

    model.generate_detailed, model.generate = generate_detailed, generate
    queued = getattr(model, "generate_batches", None)
    if queued is None:
        return

    def generate_batches(groups, settings, **how):  # how: the engine's own keywords (spread)
        if getattr(calls, "depth", 0):  # within generate_detailed, which replaces the outputs
            return queued(groups, settings, **how)
        return _english_batches(groups, queued(groups, settings, **how))

    def _english_batches(groups, generated):
        batches = iter(generated)
        for texts in groups:
            call(next, batches)  # each batch decoded in full before its English is handed on
            yield english(texts)

    model.generate_batches = generate_batches


def _lines(words: list[str], size: int = 200) -> list[str]:
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def peak_rss_mb() -> float:
    """This process's own peak resident set size, in MiB.

    On Linux, `ru_maxrss` is not the process's own: a child started by fork (or vfork, as
    subprocess does) and exec starts with its parent's high-water mark, so a small variant
    started by a big runner reports the runner's peak. `VmHWM` in /proc/self/status is the
    peak of this process's own address space, which exec replaces. Elsewhere (macOS reports
    bytes, and keeps no such inheritance) `ru_maxrss` is used.
    """
    own = status_kib("VmHWM")
    if own is not None:
        return own / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def inherited_rss_mb() -> float:
    """`ru_maxrss` as the kernel reports it (Linux: KiB), for showing what it would have said."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def status_kib(field: str) -> int | None:
    """A size field of /proc/self/status (VmHWM: peak, VmRSS: now), in KiB; None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])  # "VmHWM:   123456 kB"
    except (OSError, ValueError, IndexError):
        return None
    return None


class Stage:
    """Accumulated wall time, CPU time and work of one stage (translation or summary)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.cpu_seconds = 0.0  # all threads of this process: less sensitive to other load
        self.calls = 0
        self.items = 0
        self.tokens = 0
        self.raised_peak_to = 0.0

    def timed(self, fn, *args, **kwargs):
        started, cpu_started = time.perf_counter(), time.process_time()
        peak = peak_rss_mb()
        try:
            return fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started
            self.calls += 1
            if peak_rss_mb() > peak:  # this stage raised the process's peak RSS
                self.raised_peak_to = peak_rss_mb()

    def timed_batches(self, batches):
        """Yield from an engine's generator of batches (`generate_batches`), timing only what
        it spends producing them (the engine's time; each batch counts as a call)."""
        iterator = iter(batches)
        while True:
            started, cpu_started = time.perf_counter(), time.process_time()
            peak = peak_rss_mb()
            try:
                batch = next(iterator)
            except StopIteration:
                return
            finally:
                self.seconds += time.perf_counter() - started
                self.cpu_seconds += time.process_time() - cpu_started
                if peak_rss_mb() > peak:
                    self.raised_peak_to = peak_rss_mb()
            self.calls += 1
            yield batch

    def as_dict(self) -> dict:
        return {
            "raised_peak_to_mib": self.raised_peak_to,
            "seconds": self.seconds,
            "cpu_seconds": self.cpu_seconds,
            "calls": self.calls,
            "items": self.items,
            "tokens": self.tokens,
        }


def emit(result: dict) -> None:
    """The variant's result, as the last line of stdout, for the runner to read."""
    result["peak_rss_mb"] = peak_rss_mb()  # MiB, this process's own
    result["ru_maxrss_mb"] = inherited_rss_mb()  # what ru_maxrss says (may include the parent's)
    print("RESULT " + json.dumps(result), flush=True)
