"""A short /translate while a long document is translated: are interactive requests first?

    python -m benchmarks.serve_priority               # published-size models (~5 min)
    TRANSLATE_BENCH_CACHE=/tmp/bench python -m benchmarks.serve_priority --tiny   # seconds

`translate serve` gives interactive requests priority (translate/serve/engine.py): a document
job takes the models one decode batch at a time and lets every waiting request through
first, so a request waits at most for the batch in progress, never for the document. This
measures it on the service benchmark's set-up (benchmarks/serve.py: the published
architectures with random weights, lengths forced as `translate run`'s, CTranslate2 int8,
127.0.0.1 only):

1. idle: single-sentence /translate requests, one at a time: their latency alone;
2. a long document (the workload's paragraphs, WORDS words, each paragraph once) is sent
   as a job; once it is translating, the same kind of requests, one at a time with a
   pause: their latency beside it, and whether the job was still translating after each;
3. the job's own pace: its translation tokens per second while the requests came in, and
   so how long one of its decode batches takes (--batch-tokens).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import workload
from benchmarks.serve import (
    HOST,
    Bench,
    Server,
    _multipart,
    free_port,
    percentile,
    request,
    translate_one,
)

WORDS, TINY_WORDS = 8_000, 1_500
REQUESTS, TINY_REQUESTS = 16, 4
PAUSE = 1.0  # seconds between requests beside the job
JOB_TIMEOUT = 1_800.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="the tiny models: a smoke run")
    parser.add_argument(
        "--words", type=int, help=f"the document's words ({WORDS}; tiny {TINY_WORDS})"
    )
    parser.add_argument("--requests", type=int, help=f"requests beside the job ({REQUESTS})")
    parser.add_argument(
        "--batch-tokens", type=int, help="the service's --batch-tokens (default: its own)"
    )
    args = parser.parse_args(argv)
    bench = Bench(args.tiny)
    words = args.words or (TINY_WORDS if args.tiny else WORDS)
    count = args.requests or (TINY_REQUESTS if args.tiny else REQUESTS)
    extra = ["--batch-tokens", str(args.batch_tokens)] if args.batch_tokens else []
    data = measure(bench, words, count, extra)
    print(render(data))
    print("RESULT " + json.dumps(data))
    return 0


def measure(bench: Bench, words: int, count: int, serve_args: list[str]) -> dict:
    from benchmarks.run import _child

    _child(["benchmarks.build", *(["--tiny"] if bench.tiny else [])], bench.env)
    _child(["benchmarks.convert", str(bench.mt), str(bench.summary)],
           {**bench.env, "TRANSLATE_CACHE": str(bench.converted)})  # fmt: skip
    document, sentences = _material(bench.work, words, 2 * count + 2)
    server = _start(bench, serve_args)
    try:
        translate_one(server.port, None, sentences.pop())  # warm up
        idle = [translate_one(server.port, None, sentences.pop()) for _ in range(count)]
        job = _submit(server.port, document)
        _wait_for_phase(server.port, job, "translate")
        beside: dict[str, list[float]] = {}
        first = last = None  # progress samples in the translate phase: the job's pace
        for _ in range(count):
            time.sleep(PAUSE)
            before = _progress(server.port, job)
            latency = translate_one(server.port, None, sentences.pop())
            after = (_progress(server.port, job), time.perf_counter())
            beside.setdefault(before["phase"] or before["state"], []).append(latency)
            if after[0]["phase"] == "translate":
                first, last = first or after, after
    finally:
        server.stop()
    return {
        "tiny": bench.tiny,
        "serve_args": serve_args,
        "document_words": words,
        "idle": _figures(idle),
        # By the job's phase when each request was sent: its translation, its summary.
        "beside_job": {phase: _figures(values) for phase, values in beside.items()},
        "job_tokens_per_s_while_answering": _pace(first, last),
    }


def _start(bench: Bench, serve_args: list[str]) -> Server:
    """`translate serve` as benchmarks/serve.py starts it, with the translation store off
    (the document's repeated sentences would otherwise cost nothing)."""
    port = free_port()
    data_dir = Path(tempfile.mkdtemp(prefix="serve-data-", dir=bench.work))
    env = {**bench.env, "TRANSLATE_CACHE": str(bench._translate_cache()),
           "TRANSLATE_BENCH_TIMINGS": str(bench.work / f"timings-{port}.json")}  # fmt: skip
    command = [sys.executable, "-m", "benchmarks.serve_sides", "service", str(bench.mt),
               str(bench.summary), "--", "--host", HOST, "--port", str(port), "--device",
               "cpu", "--data-dir", str(data_dir), "--no-cache", *serve_args]  # fmt: skip
    return Server("translate serve", command, env, port, "/health", bench.work)


def _material(work: Path, words: int, sentences: int) -> tuple[Path, list[str]]:
    """A document of about `words` words of the workload's paragraphs, and `sentences`
    single sentences from paragraphs the document does not hold."""
    paragraphs = workload.read_paragraphs()
    body, total = [], 0
    while paragraphs and total < words:
        body.append(paragraphs.pop(0))
        total += len(body[-1].split())
    path = work / "long-report.txt"
    path.write_text("Bericht\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    rest = [s.strip() + "." for p in paragraphs for s in p.split(". ") if len(s.split()) >= 6]
    if len(rest) < sentences:
        raise SystemExit("not enough paragraphs left for the requests: lower --words")
    return path, rest[:sentences]


def _submit(port: int, path: Path) -> str:
    body, kind = _multipart(path, {"source_lang": "de"})
    status, answer = request(port, "POST", "/v1/jobs", body, {"Content-Type": kind})
    if status != 202:
        raise RuntimeError(f"/v1/jobs answered {status}: {answer[:300]!r}")
    return json.loads(answer)["id"]


def _progress(port: int, job: str) -> dict:
    status, body = request(port, "GET", f"/v1/jobs/{job}")
    if status != 200:
        raise RuntimeError(f"GET /v1/jobs/{job} answered {status}: {body[:200]!r}")
    state = json.loads(body)
    progress = state.get("progress") or {}
    return {"state": state.get("state"), "phase": state.get("phase"), **progress}


def _wait_for_phase(port: int, job: str, phase: str) -> None:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        state = _progress(port, job)
        if state["phase"] == phase:
            return
        if state["state"] in ("done", "failed", "refused"):
            raise RuntimeError(f"the job ended ({state}) before it was translating")
        time.sleep(0.1)
    raise RuntimeError(f"the job never reached its {phase} phase")


def _pace(first, last) -> float | None:
    """The job's translated tokens per second between two (progress, time) samples."""
    if first is None or last is None or last[1] <= first[1]:
        return None
    return (last[0]["done"] - first[0]["done"]) / (last[1] - first[1])


def _figures(latencies: list[float]) -> dict:
    return {
        "requests": len(latencies),
        "p50_s": statistics.median(latencies),
        "p95_s": percentile(latencies, 95),
        "max_s": max(latencies),
    }


def render(data: dict) -> str:
    def line(label: str, f: dict) -> str:
        return (
            f"  {label:<26} p50 {f['p50_s']:.3f} s  p95 {f['p95_s']:.3f} s  "
            f"max {f['max_s']:.3f} s  ({f['requests']} requests)"
        )

    lines = [
        f"one-sentence /translate, {'tiny' if data['tiny'] else 'published-size'} models, "
        f"beside a {data['document_words']:,}-word document job "
        f"(translate serve {' '.join(data['serve_args']) or 'defaults'})",
        line("idle service", data["idle"]),
        *(line(f"job in its {phase} phase", f) for phase, f in data["beside_job"].items()),
    ]
    pace = data["job_tokens_per_s_while_answering"]
    if pace is not None:
        lines.append(f"  the job's translation meanwhile: {pace:.0f} tokens/s")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
