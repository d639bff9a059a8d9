"""The service under load: `translate serve` against a real LibreTranslate server, on the
same model architecture, with the main benchmark's random weights and forced lengths.

    python -m benchmarks.serve --install-peer      # LibreTranslate, in its own venv (once)
    python -m benchmarks.serve --markdown docs/benchmarks.md   # the full run (~15 min)
    TRANSLATE_BENCH_CACHE=/tmp/bench python -m benchmarks.serve --tiny --skip-peer
                                                   # a smoke run: tiny models, seconds

What it measures, on each server (each in its own process, on 127.0.0.1):
- `/translate`, one German sentence a request (benchmarks/german_paragraphs.txt, split as
  the main benchmark splits it, each sentence sent once: no cache helps either side), from
  1, 4 and 16 concurrent clients, each sending its next request as soon as the last is
  answered: requests/s, source tokens/s (the main benchmark's measure: the translator's
  tokens of each sentence), p50/p95 latency, the server's peak RSS (sampled, children
  included; and the kernel's high-water mark at the end).
- documents: `translate serve`'s job endpoint (POST /v1/jobs, then GET /v1/jobs/{id} until
  done: translation *and* summary) and LibreTranslate's /translate_file (translation only,
  the file downloaded), from 1 and 4 concurrent clients: documents/min, tokens/s, p50/p95.
- one sentence at low load (one client, a pause between requests) against the engine's own
  time for it (`translator.generate([sentence])` in a process of its own, fastest of 5).
- `translate run` on the 16-client sentences (one document, a sentence a paragraph): its
  translation stage's tokens/s (benchmarks/variant.py, as the main benchmark measures it).

The models: benchmarks/build.py's published-size checkpoints (random weights; --tiny: the
smoke tests' tiny ones), converted once for CTranslate2 (int8). `translate serve` runs with
its defaults, its lengths forced as `translate run`'s are (benchmarks/serve_sides.py).
LibreTranslate serves the Argos package the main benchmark's Argos row builds from the same
int8 conversion, with the same forced-length shim (benchmarks/argos.py), with its defaults
(waitress, 4 threads; Argos: beam 4, CTranslate2 batches of 32 tokens, our thread count).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks import argos, workload
from benchmarks.common import CACHE

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CACHE = HERE / ".cache"
PEER_VENV = CACHE / "libretranslate-venv"
PEER_REQUIREMENTS = ["libretranslate>=1.9,<2", "spacy>=3.7,<4"]
HOST = "127.0.0.1"

CLIENTS = (1, 4, 16)
REQUESTS = {1: 24, 4: 64, 16: 128}  # sentences per level (each sentence sent once)
TINY_REQUESTS = {1: 8, 4: 16, 16: 32}
WARM_UP = 4  # sentences sent first to each server, not measured (LibreTranslate loads lazily)
LATENCY_SENTENCES = 10  # low load: this many sentences of about the median length
TINY_LATENCY_SENTENCES = 3
LATENCY_PAUSE = 0.2  # seconds between low-load requests
ENGINE_REPEATS = 5
DOC_CLIENTS = (1, 4)
DOCUMENTS = 8  # made as the main workload's (benchmarks/workload.py), capped at DOC_WORDS
DOC_WORDS = 400
TINY_DOCUMENTS = 4
TINY_DOC_WORDS = 120
SEED = 20261205
TARGETS = {
    "vs_peer_tokens": 3.0,  # at 16 clients: tokens/s, x LibreTranslate's (p95 no worse)
    "latency_vs_engine": 1.5,  # one sentence at low load: latency / the engine's own time
    "vs_run_tokens": 0.8,  # at 16 clients: tokens/s, x `translate run`'s translation stage
}
START_TIMEOUT = 600.0  # seconds for a server to load its models and answer
REQUEST_TIMEOUT = 600.0
JOB_POLL = 0.05


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tiny", action="store_true", help="the tiny models: a smoke run")
    parser.add_argument("--skip-peer", action="store_true", help="leave LibreTranslate out")
    parser.add_argument(
        "--install-peer", action="store_true", help=f"make {PEER_VENV} with LibreTranslate"
    )
    parser.add_argument(
        "--clients", default=",".join(map(str, CLIENTS)), help="concurrent clients, comma-separated"
    )
    parser.add_argument(
        "--doc-clients",
        default=",".join(map(str, DOC_CLIENTS)),
        help="concurrent clients sending documents, comma-separated (empty: none)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        help=f"sentences per /translate level (default: {REQUESTS}; tiny: {TINY_REQUESTS})",
    )
    parser.add_argument(
        "--documents",
        type=int,
        help=f"documents per document level (default: {DOCUMENTS}; tiny: {TINY_DOCUMENTS})",
    )
    parser.add_argument(
        "--markdown", type=Path, help="write the figures into this file's Service section"
    )
    args = parser.parse_args(argv)
    if args.install_peer:
        planned = argos.install_into(PEER_VENV, PEER_REQUIREMENTS)
        print(f"LibreTranslate installed in {PEER_VENV} ({len(planned)} packages)")
        return 0
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    doc_clients = [int(c) for c in args.doc_clients.split(",") if c.strip()]
    bench = Bench(args.tiny, args.requests, args.documents)
    data = bench.run(clients, doc_clients, peer=not args.skip_peer)
    text = render(data)
    print(text)
    results = bench.cache / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (results / f"serve-{stamp}{'-tiny' if args.tiny else ''}.json").write_text(
        json.dumps(data, indent=2)
    )
    if args.markdown:
        write_markdown(args.markdown, data)
    return 0 if not data["errors"] else 1


class Bench:
    def __init__(self, tiny: bool, requests: int | None = None, documents: int | None = None):
        self.tiny, self.requests, self.documents = tiny, requests, documents
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT), self.env.get("PYTHONPATH")) if p
        )
        self.env["HF_HUB_OFFLINE"] = "1"
        if tiny and not os.environ.get("TRANSLATE_BENCH_CACHE"):
            self.env["TRANSLATE_BENCH_CACHE"] = str(DEFAULT_CACHE / "tiny")
        self.cache = Path(self.env.get("TRANSLATE_BENCH_CACHE") or DEFAULT_CACHE)
        self.env["TRANSLATE_BENCH_CACHE"] = str(self.cache)
        self.mt = self.cache / "models" / "opus-mt-de-en-architecture"
        self.summary = self.cache / "models" / "distilbart-cnn-12-6-architecture"
        # The CTranslate2 conversion, kept: its own (benchmarks.run empties "translate/ct2").
        self.converted = self.cache / "serve-translate"
        self.work = Path(tempfile.mkdtemp(prefix="translate-bench-serve-"))
        self.errors: list[str] = []

    # --- the run ----------------------------------------------------------------------------

    def run(self, clients: list[int], doc_clients: list[int], peer: bool) -> dict:
        try:
            return self._run(clients, doc_clients, peer)
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def _run(self, clients: list[int], doc_clients: list[int], peer: bool) -> dict:
        from benchmarks.run import _child, machine, versions

        say(f"building the checkpoints (once; in {self.cache / 'models'}) ...")
        _child(["benchmarks.build", *(["--tiny"] if self.tiny else [])], self.env)
        say("converting them for CTranslate2 (once) ...")
        conversion = _child(
            ["benchmarks.convert", str(self.mt), str(self.summary)],
            {**self.env, "TRANSLATE_CACHE": str(self.converted)},
        )
        plan = self._plan(clients, doc_clients)
        data = {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "tiny": self.tiny,
            "machine": machine(),
            "load_before": os.getloadavg()[0],
            "versions": versions(),
            "threads": _threads(),
            "sentences": {
                "levels": {str(c): len(plan["levels"][c]) for c in clients},
                "tokens": {
                    str(c): sum(plan["tokens"][s] for s in plan["levels"][c]) for c in clients
                },
            },
            "documents": {
                str(c): {"count": len(ds), "words": sum(d["words"] for d in ds),
                         "tokens": sum(d["tokens"] for d in ds)}
                for c, ds in plan["documents"].items()
            },
            "servers": {},
            "errors": self.errors,
        }  # fmt: skip
        data["servers"]["translate serve"] = self._measure(
            "translate serve", self._start_service, plan, clients, doc_clients
        )
        if peer:
            python = argos.venv_python(PEER_VENV)
            if not python.is_file():
                why = "not installed: run `python -m benchmarks.serve --install-peer`"
                say(f"LibreTranslate {why}")
                data["servers"]["LibreTranslate"] = {"absent": why}
            else:
                start = lambda: self._start_peer(conversion["folders"][0])  # noqa: E731
                data["servers"]["LibreTranslate"] = self._measure(
                    "LibreTranslate", start, plan, clients, doc_clients
                )
        say("timing the engine alone on the low-load sentences ...")
        top = plan["levels"][max(clients)] if clients else plan["warm"]
        data["engine"] = self._engine(plan["latency"], top[:16])
        if clients:
            top = max(clients)
            say(f"running `translate run` on the {top}-client sentences ...")
            data["run"] = self._translate_run(plan["levels"][top], plan["tokens"], top)
        data["load_after"] = os.getloadavg()[0]
        data["targets"] = targets(data)
        return data

    def _plan(self, clients: list[int], doc_clients: list[int]) -> dict:
        """Sentences for the warm-up, the low-load latency and each level, and documents for
        each document level, none repeated: their paragraphs are disjoint, so neither the
        service's translation store nor its job store answers for the models."""
        from sentence_splitter import SentenceSplitter
        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        from benchmarks.naive import sentences_of

        hf_logging.set_verbosity_error()
        tokenizer = AutoTokenizer.from_pretrained(self.mt)
        splitter = SentenceSplitter(language="de")
        paragraphs = workload.read_paragraphs()
        rng = random.Random(SEED)
        rng.shuffle(paragraphs)
        count, cap = (TINY_DOCUMENTS, TINY_DOC_WORDS) if self.tiny else (DOCUMENTS, DOC_WORDS)
        count = self.documents or count
        documents: dict[int, list[dict]] = {}
        for c in doc_clients:
            folder = self.work / f"documents-{c}"
            folder.mkdir()
            documents[c] = []
            for index, words in enumerate(workload.target_lengths(count), start=1):
                body, total = [], 0
                while not body or total < min(words, cap):
                    if not paragraphs:
                        raise SystemExit("not enough distinct paragraphs for the documents")
                    body.append(paragraphs.pop())
                    total += len(body[-1].split())
                text = f"{workload.TITLES[index % len(workload.TITLES)]} {index:02d}\n\n"
                text += "\n\n".join(body) + "\n"
                path = folder / f"doc{index:02d}_{len(text.split()):04d}w.txt"
                path.write_text(text, encoding="utf-8")
                tokens = sum(len(tokenizer(x).input_ids) for x in sentences_of(text, splitter))
                documents[c].append({"path": path, "words": len(text.split()), "tokens": tokens})
        text = "\n\n".join(paragraphs)
        sentences = list(dict.fromkeys(x.strip() for x in sentences_of(text, splitter)))
        sentences = [x for x in sentences if len(x.split()) >= 3]
        rng.shuffle(sentences)
        tokens = {x: len(tokenizer(x).input_ids) for x in sentences}
        median = statistics.median(tokens.values())
        latency_count = TINY_LATENCY_SENTENCES if self.tiny else LATENCY_SENTENCES
        order = {x: i for i, x in enumerate(sentences)}
        latency = sorted(sentences, key=lambda x: (abs(tokens[x] - median), order[x]))
        latency = latency[:latency_count]
        pool = [x for x in sentences if x not in set(latency)]
        warm, pool = pool[:WARM_UP], pool[WARM_UP:]
        sizes = TINY_REQUESTS if self.tiny else REQUESTS
        levels = {}
        for c in clients:
            wanted = self.requests or sizes.get(c, max(sizes.values()))
            if len(pool) < wanted:
                raise SystemExit(f"not enough distinct sentences for {c} clients")
            levels[c], pool = pool[:wanted], pool[wanted:]
        warm_doc = self.work / "warm-up.txt"
        warm_doc.write_text("Aufwärmen\n\n" + " ".join(pool[:3]) + "\n", encoding="utf-8")
        return {"warm": warm, "latency": latency, "levels": levels, "tokens": tokens,
                "documents": documents, "warm_doc": warm_doc, "left": len(pool)}  # fmt: skip

    # --- servers ----------------------------------------------------------------------------

    def _translate_cache(self) -> Path:
        """A fresh TRANSLATE_CACHE that shares the kept CTranslate2 conversion: no translation
        store from an earlier run answers for the models."""
        folder = Path(tempfile.mkdtemp(prefix="cache-", dir=self.work))
        (folder / "ct2").symlink_to(self.converted / "ct2", target_is_directory=True)
        return folder

    def _start_service(self) -> Server:
        port = free_port()
        data_dir = Path(tempfile.mkdtemp(prefix="serve-data-", dir=self.work))
        timings = self.work / f"timings-{port}.json"
        env = {**self.env, "TRANSLATE_CACHE": str(self._translate_cache()),
               "TRANSLATE_BENCH_TIMINGS": str(timings)}  # fmt: skip
        command = [sys.executable, "-m", "benchmarks.serve_sides", "service", str(self.mt),
                   str(self.summary), "--", "--host", HOST, "--port", str(port), "--device",
                   "cpu", "--data-dir", str(data_dir)]  # fmt: skip
        return Server("translate serve", command, env, port, "/health", self.work, timings)

    def _start_peer(self, model_dir: str) -> Server:
        port = free_port()
        home = Path(tempfile.mkdtemp(prefix="argos-home-", dir=self.work))
        command = [str(argos.venv_python(PEER_VENV)), "-m", "benchmarks.serve_sides",
                   "libretranslate", model_dir, str(self.mt / "source.spm"), str(home),
                   str(_threads()), HOST, str(port)]  # fmt: skip
        return Server("LibreTranslate", command, self.env, port, "/languages", self.work)

    def _measure(self, name, start, plan, clients, doc_clients) -> dict:
        say(f"starting {name} ...")
        try:
            server = start()
        except RuntimeError as exc:
            self.errors.append(f"{name}: {exc}")
            say(f"  failed: {exc}")
            return {"error": str(exc)}
        result: dict = {"start_seconds": server.start_seconds}
        try:
            say(f"  ready in {server.start_seconds:.1f} s; warming up ...")
            load_level(server, plan["warm"][:1], 1, plan["tokens"])
            load_level(server, plan["warm"][1:], 2, plan["tokens"])
            if name == "translate serve":
                check_forced(server, plan["warm"][0])
            say("  one sentence at low load ...")
            before = server.timings()
            result["latency"] = latency_run(server, plan["latency"])
            result["latency"]["timings"] = _difference(server.timings(), before)
            result["levels"] = {}
            for c in clients:
                say(f"  /translate, {c} client(s), {len(plan['levels'][c])} sentences ...")
                before = server.timings()
                level = load_level(server, plan["levels"][c], c, plan["tokens"])
                level["timings"] = _difference(server.timings(), before)
                result["levels"][str(c)] = level
                say("    " + level_line(level))
            result["documents"] = {}
            job = name == "translate serve"
            if doc_clients:
                run_clients(server, [plan["warm_doc"]], 1, submit_job if job else translate_file)
            for c in doc_clients:
                docs = plan["documents"][c]
                say(f"  documents, {c} client(s), {len(docs)} documents ...")
                before = server.timings()
                level = documents_level(server, docs, c, job=job)
                level["timings"] = _difference(server.timings(), before)
                result["documents"][str(c)] = level
                say("    " + level_line(level, documents=True))
            result["peak_rss_mb"] = server.high_water_mb()
            result["version"] = server.banner
        except Exception as exc:  # reported, so the other side still runs
            self.errors.append(f"{name}: {exc}")
            say(f"  failed: {exc}\n{server.log_tail()}")
            result["error"] = str(exc)
        finally:
            server.stop()
        return result

    # --- the engine alone, and `translate run` ------------------------------------------------

    def _engine(self, sentences: list[str], batch: list[str]) -> dict:
        from benchmarks.run import _child

        listing = self.work / "engine-sentences.json"
        listing.write_text(json.dumps({"latency": sentences, "batch": batch}), encoding="utf-8")
        env = {**self.env, "TRANSLATE_CACHE": str(self._translate_cache())}
        try:
            return _child(["benchmarks.serve_sides", "engine", str(self.mt), str(self.summary),
                           str(listing), str(ENGINE_REPEATS)], env)  # fmt: skip
        except RuntimeError as exc:
            self.errors.append(f"engine alone: {exc}")
            return {"error": str(exc)}

    def _translate_run(self, sentences: list[str], tokens: dict, clients: int) -> dict:
        from benchmarks.run import _child

        folder = self.work / "run-docs"
        folder.mkdir()
        (folder / "sentences.txt").write_text("\n\n".join(sentences) + "\n", encoding="utf-8")
        env = {**self.env, "TRANSLATE_CACHE": str(self._translate_cache())}
        out = self.work / "run-out"
        try:
            result = _child(["benchmarks.variant", "default", str(self.mt), str(self.summary),
                             str(folder), str(out)], env)  # fmt: skip
        except RuntimeError as exc:
            self.errors.append(f"translate run: {exc}")
            return {"error": str(exc)}
        count = sum(tokens[s] for s in sentences)
        seconds = result["translation"]["seconds"]
        return {
            "sentences": len(sentences),
            "tokens": count,
            "translation_seconds": seconds,
            "tokens_per_s": count / seconds,
            "cpu_seconds": result["translation"]["cpu_seconds"],
            "tokens_per_cpu_s": count / result["translation"]["cpu_seconds"],
            "engine_seconds": result["translation_engine"]["seconds"],
            "batches": result["translation_engine"]["batches"],
            "peak_rss_mb": result["peak_rss_mb"],
            "clients": clients,
        }


def _threads() -> int:
    from benchmarks.run import _threads as threads

    return threads()


def _difference(after: dict, before: dict) -> dict:
    return {k: v - before.get(k, 0) for k, v in after.items()}


# --- one server -----------------------------------------------------------------------------


class Server:
    """A server process on 127.0.0.1:`port`, started and waited for; its memory sampled."""

    def __init__(self, name, command, env, port, ready_path, work, timings: Path | None = None):
        self.name, self.port, self.timings_path = name, port, timings
        self.log = work / f"{name.replace(' ', '-')}-{port}.log"
        started = time.perf_counter()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.banner = ""
        try:
            self._wait_ready(ready_path)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - started
        self.banner = next(
            (line for line in self.log.read_text(errors="replace").splitlines()
             if line.startswith(("LIBRETRANSLATE pid", "SERVICE pid"))), ""
        )  # fmt: skip

    def _wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _ = request(self.port, "GET", path, timeout=5)
                if status == 200:
                    return
            time.sleep(0.25)
        raise RuntimeError(f"not ready after {START_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def rss_mb(self) -> float:
        import psutil

        try:
            root = psutil.Process(self.process.pid)
            total = root.memory_info().rss
            for child in root.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
            return total / 2**20
        except psutil.Error:
            return 0.0

    def cpu_seconds(self) -> float:
        """CPU seconds the server (children included) has used so far."""
        import psutil

        try:
            root = psutil.Process(self.process.pid)
            total = sum(root.cpu_times()[:2])
            for child in root.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += sum(child.cpu_times()[:2])
            return total
        except psutil.Error:
            return 0.0

    def high_water_mb(self) -> float | None:
        """The kernel's peak RSS of the server process itself (VmHWM), in MiB."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            return None
        return None

    def timings(self) -> dict:
        """The service's own account of its time so far (benchmarks/serve_sides.py)."""
        if self.timings_path is None or self.process.poll() is not None:
            return {}
        self.timings_path.unlink(missing_ok=True)
        os.kill(self.process.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                return json.loads(self.timings_path.read_text())
            time.sleep(0.02)
        return {}

    def log_tail(self, lines: int = 25) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


class Sampler:
    """The server's RSS (children included), every 50 ms while a phase runs."""

    def __init__(self, server: Server) -> None:
        self.server, self.peak = server, server.rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.server.rss_mb())


# --- the clients ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT, conn=None):
    """(status, body bytes); over `conn` (kept alive) when given."""
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def translate_one(port: int, conn, sentence: str) -> float:
    body = json.dumps({"q": sentence, "source": "de", "target": "en", "format": "text"})
    started = time.perf_counter()
    status, answer = request(port, "POST", "/translate", body.encode(),
                             {"Content-Type": "application/json"}, conn=conn)  # fmt: skip
    took = time.perf_counter() - started
    if status != 200 or "translatedText" not in json.loads(answer):
        raise RuntimeError(f"/translate answered {status}: {answer[:300]!r}")
    return took


def check_forced(server: Server, sentence: str) -> None:
    """The service's models hand on the forced-length stand-in's English (serve_sides.py),
    never random weights' noise: else its lengths were not forced either."""
    from benchmarks.common import ENGLISH_CORPUS

    body = json.dumps({"q": sentence, "source": "de", "target": "en"}).encode()
    status, answer = request(server.port, "POST", "/translate", body,
                             {"Content-Type": "application/json"})  # fmt: skip
    words = json.loads(answer).get("translatedText", "").split() if status == 200 else []
    known = set(ENGLISH_CORPUS.read_text(encoding="utf-8").split())
    if not words or not set(words) <= known:
        raise RuntimeError(f"not the forced-length stand-in's English: {answer[:200]!r}")


def run_clients(server: Server, items: list, clients: int, one) -> dict:
    """`clients` threads, each taking the next item as soon as its last is done (a kept-alive
    connection each); the latencies, the wall time and the peak RSS meanwhile."""
    queue = list(reversed(items))
    lock = threading.Lock()
    latencies: list[float] = []
    failures: list[str] = []
    start = threading.Barrier(clients + 1)

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT)
        start.wait()
        try:
            while True:
                with lock:
                    if not queue or failures:
                        return
                    item = queue.pop()
                try:
                    took = one(server.port, conn, item)
                except Exception as exc:  # noqa: BLE001 (reported, and the level stops)
                    with lock:
                        failures.append(f"{type(exc).__name__}: {exc}")
                    return
                with lock:
                    latencies.append(took)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    with Sampler(server) as sampler:
        cpu = server.cpu_seconds()
        start.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu
    if failures:
        raise RuntimeError(failures[0])
    return {"latencies": latencies, "wall_seconds": wall, "peak_rss_mb": sampler.peak,
            "cpu_seconds": cpu}  # fmt: skip


def load_level(server: Server, sentences: list[str], clients: int, tokens: dict) -> dict:
    done = run_clients(server, sentences, clients, translate_one)
    return _figures(done, len(sentences), sum(tokens[s] for s in sentences), clients)


def latency_run(server: Server, sentences: list[str]) -> dict:
    """One client, a pause between requests: each sentence's latency at low load."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT)
    try:
        seconds = []
        for sentence in sentences:
            time.sleep(LATENCY_PAUSE)
            seconds.append(translate_one(server.port, conn, sentence))
    finally:
        conn.close()
    return {"seconds": seconds}


def documents_level(server: Server, docs: list[dict], clients: int, job: bool) -> dict:
    one = submit_job if job else translate_file
    done = run_clients(server, [d["path"] for d in docs], clients, one)
    figures = _figures(done, len(docs), sum(d["tokens"] for d in docs), clients)
    figures["docs_per_min"] = len(docs) / done["wall_seconds"] * 60
    figures["endpoint"] = "/v1/jobs (translation and summary)" if job else (
        "/translate_file (translation only)")  # fmt: skip
    return figures


def _multipart(path: Path, fields: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                     f"{value}\r\n".encode())  # fmt: skip
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"'
        f"\r\nContent-Type: text/plain\r\n\r\n".encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def submit_job(port: int, conn, path: Path) -> float:
    """POST /v1/jobs, then GET /v1/jobs/{id} until it is done, then its summary."""
    body, kind = _multipart(path, {"source_lang": "de"})
    started = time.perf_counter()
    status, answer = request(port, "POST", "/v1/jobs", body, {"Content-Type": kind}, conn=conn)
    if status != 202:
        raise RuntimeError(f"/v1/jobs answered {status}: {answer[:300]!r}")
    job = json.loads(answer)["id"]
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while time.monotonic() < deadline:
        status, answer = request(port, "GET", f"/v1/jobs/{job}", conn=conn)
        state = json.loads(answer).get("state") if status == 200 else None
        if state == "done":
            break
        if state in ("failed", "refused") or status != 200:
            raise RuntimeError(f"job {job}: {status} {answer[:300]!r}")
        time.sleep(JOB_POLL)
    else:
        raise RuntimeError(f"job {job} not done after {REQUEST_TIMEOUT:.0f} s")
    status, answer = request(port, "GET", f"/v1/jobs/{job}/summary", conn=conn)
    if status != 200:
        raise RuntimeError(f"job {job}'s summary: {status}")
    return time.perf_counter() - started


def translate_file(port: int, conn, path: Path) -> float:
    """LibreTranslate's /translate_file, then the translated file it points to."""
    body, kind = _multipart(path, {"source": "de", "target": "en"})
    started = time.perf_counter()
    status, answer = request(port, "POST", "/translate_file", body, {"Content-Type": kind},
                             conn=conn)  # fmt: skip
    if status != 200:
        raise RuntimeError(f"/translate_file answered {status}: {answer[:300]!r}")
    url = urlsplit(json.loads(answer)["translatedFileUrl"])
    status, answer = request(port, "GET", url.path, conn=conn)
    if status != 200 or not answer:
        raise RuntimeError(f"{url.path}: {status}")
    return time.perf_counter() - started


def _figures(done: dict, count: int, tokens: int, clients: int) -> dict:
    latencies = sorted(done["latencies"])
    wall = done["wall_seconds"]
    return {
        "clients": clients,
        "requests": count,
        "tokens": tokens,
        "wall_seconds": wall,
        "requests_per_s": count / wall,
        "tokens_per_s": tokens / wall,
        "p50_s": percentile(latencies, 50),
        "p95_s": percentile(latencies, 95),
        "max_s": latencies[-1],
        "peak_rss_mb": done["peak_rss_mb"],
        # How many cores the server really had (the machine is shared), and its tokens per
        # CPU second: less sensitive to other load than tokens/s.
        "cpu_seconds": done["cpu_seconds"],
        "cores_used": done["cpu_seconds"] / wall,
        "tokens_per_cpu_s": tokens / done["cpu_seconds"] if done["cpu_seconds"] else None,
    }


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile, linear between the nearest ranks (numpy's default)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# --- the report -----------------------------------------------------------------------------


def targets(data: dict) -> list[dict]:
    found = []
    ours = data["servers"].get("translate serve", {}).get("levels", {})
    peer = data["servers"].get("LibreTranslate", {}).get("levels", {})
    top = str(max((int(c) for c in ours), default=0))
    if top in ours and top in peer:
        ratio = ours[top]["tokens_per_s"] / peer[top]["tokens_per_s"]
        p95_ok = ours[top]["p95_s"] <= peer[top]["p95_s"]
        found.append({
            "name": f"at {top} clients, tokens/s >= {TARGETS['vs_peer_tokens']}x "
                    "LibreTranslate's, p95 no worse",
            "value": f"{ratio:.2f}x; p95 {ours[top]['p95_s'] * 1000:.0f} ms vs "
                     f"{peer[top]['p95_s'] * 1000:.0f} ms (per CPU second: "
                     f"{_ratio(ours[top], peer[top])})",
            "met": ratio >= TARGETS["vs_peer_tokens"] and p95_ok,
        })  # fmt: skip
    latency = data["servers"].get("translate serve", {}).get("latency")
    engine = data.get("engine", {})
    if latency and "seconds" in engine:
        ratios = [s / e for s, e in zip(latency["seconds"], engine["seconds"])]
        ratio = statistics.median(ratios)
        found.append({
            "name": f"one sentence at low load within {TARGETS['latency_vs_engine']}x the "
                    "engine's own time",
            "value": f"{ratio:.2f}x (median of {len(ratios)} sentences: "
                     f"{statistics.median(latency['seconds']) * 1000:.0f} ms answered, "
                     f"{statistics.median(engine['seconds']) * 1000:.0f} ms in the engine)",
            "met": ratio <= TARGETS["latency_vs_engine"],
        })  # fmt: skip
        inside = latency.get("timings", {}).get("translation_seconds")
        if inside:
            found[-1]["value"] += (
                f"; against the engine's time inside the service for the same requests, at "
                f"the same moment: {sum(latency['seconds']) / inside:.2f}x"
            )
    run = data.get("run", {})
    if top in ours and "tokens_per_s" in run:
        ratio = ours[top]["tokens_per_s"] / run["tokens_per_s"]
        found.append({
            "name": f"at {top} clients, tokens/s >= {TARGETS['vs_run_tokens']}x `translate "
                    "run`'s translation stage on the same sentences",
            "value": f"{ratio:.2f}x ({ours[top]['tokens_per_s']:.0f} vs "
                     f"{run['tokens_per_s']:.0f} tok/s; per CPU second: "
                     f"{_ratio(ours[top], run)})",
            "met": ratio >= TARGETS["vs_run_tokens"],
        })  # fmt: skip
        ceiling = max((c["tokens_per_s"] for n, c in engine.get("calls", {}).items()
                       if n in (str(top), "2x8")), default=None)  # fmt: skip
        if ceiling:
            found[-1]["value"] += (
                f". {top} one-sentence clients hold at most {top} sentences in the service at "
                f"once; the engine alone, given {top} of them at once, reaches "
                f"{ceiling:.0f} tok/s ({ceiling / run['tokens_per_s']:.2f}x the run's, which "
                f"batches all {run.get('sentences', 'its')} sentences sorted by length): the "
                f"service reaches {ours[top]['tokens_per_s'] / ceiling:.2f}x of that ceiling"
            )
    return found


def _ratio(ours: dict, theirs: dict) -> str:
    a, b = ours.get("tokens_per_cpu_s"), theirs.get("tokens_per_cpu_s")
    return f"{a / b:.2f}x" if a and b else "unknown"


def level_line(level: dict, documents: bool = False) -> str:
    rate = (f"{level['docs_per_min']:.1f} docs/min" if documents
            else f"{level['requests_per_s']:.1f} req/s")  # fmt: skip
    unit, scale = ("s", 1) if documents else ("ms", 1000)
    return (
        f"{rate}, {level['tokens_per_s']:.0f} tok/s, p50 {level['p50_s'] * scale:.0f} {unit}, "
        f"p95 {level['p95_s'] * scale:.0f} {unit}, peak RSS {level['peak_rss_mb']:.0f} MB"
    )


def where_time_goes(level: dict) -> str | None:
    """The service's account of a /translate level: rounds, the engine's share, the rest."""
    t = level.get("timings") or {}
    if not t.get("rounds"):
        return None
    wall = level["wall_seconds"]
    engine = t.get("translation_seconds", 0.0)
    rounds = t["rounds"]
    busy = t.get("round_wall_seconds", t["round_seconds"])  # any round running (they overlap)
    return (
        f"{rounds:.0f} rounds of {t['round_requests'] / rounds:.1f} requests on average; "
        f"the translator's calls {engine:.1f} s in all over {wall:.1f} s "
        f"({engine / wall:.0%}; over 100 %: rounds decoding at once on the engine's workers), "
        f"{t.get('translation_calls', 0):.0f} calls; rounds {t['round_seconds']:.1f} s in all "
        f"({t['round_seconds'] - engine:.1f} s in them outside the engine: segmenting, "
        f"checking, gate), some round running {busy:.1f} s; none running "
        f"{max(0.0, wall - busy):.1f} s (HTTP, JSON, waiting for a round)"
    )


def _call_name(size: str) -> str:
    if size == "2x8":
        return "2 calls of 8 at once, each on a worker of its own (two overlapping rounds)"
    return f"{size} at once"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def render(data: dict, markdown: bool = False) -> str:
    lines = []
    m = data["machine"]
    size = "tiny models (a smoke run: the figures mean nothing)" if data["tiny"] else (
        "published-size checkpoints, random weights, forced lengths")  # fmt: skip
    lines.append(
        f"Service benchmark {data['date']}: {m['cpu']}, {m['cores']} cores "
        f"({m['logical']} logical), load average {data['load_before']:.1f} before, "
        f"{data['load_after']:.1f} after; {size}; {data['threads']} CTranslate2 threads."
    )
    s = data["sentences"]
    levels = ", ".join(f"{c} client(s): {n} sentences ({s['tokens'][c]:,} tokens)"
                       for c, n in s["levels"].items())  # fmt: skip
    docs = "; ".join(
        f"{c} client(s): {d['count']} ({d['words']:,} words, {d['tokens']:,} tokens)"
        for c, d in data["documents"].items()
    )
    lines.append("")
    lines.append(f"Sentences, each sent once: {levels}. Documents, each sent once: {docs}.")
    lines.append("")
    lines.append("/translate, one German sentence a request:")
    lines.append("")
    lines.append(
        "| server | clients | req/s | tok/s | p50 ms | p95 ms | peak RSS MB | CPU | tok/CPU-s |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for name, result in data["servers"].items():
        if "levels" not in result:
            why = result.get("absent") or result.get("error", "").splitlines()[0]
            lines.append(f"| {name} | {why} | | | | | | | |")
            continue
        for c, level in result["levels"].items():
            lines.append(
                f"| {name} | {c} | {level['requests_per_s']:.1f} | {level['tokens_per_s']:.0f} | "
                f"{level['p50_s'] * 1000:.0f} | {level['p95_s'] * 1000:.0f} | "
                f"{level['peak_rss_mb']:.0f} | {level['cores_used']:.2f} | "
                f"{_num(level['tokens_per_cpu_s'])} |"
            )
    lines.append("")
    lines.append("Documents:")
    lines.append("")
    lines.append(
        "| server | endpoint | clients | docs/min | tok/s | p50 s | p95 s | peak RSS MB | CPU |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for name, result in data["servers"].items():
        for c, level in result.get("documents", {}).items():
            lines.append(
                f"| {name} | {level['endpoint']} | {c} | {level['docs_per_min']:.1f} | "
                f"{level['tokens_per_s']:.0f} | {level['p50_s']:.1f} | {level['p95_s']:.1f} | "
                f"{level['peak_rss_mb']:.0f} | {level['cores_used']:.2f} |"
            )
    lines.append("")
    for name, result in data["servers"].items():
        if "start_seconds" in result:
            hwm = result.get("peak_rss_mb")
            lines.append(
                f"- {name}: ready {result['start_seconds']:.1f} s after start; peak RSS over "
                f"the whole run (the kernel's high-water mark) "
                f"{f'{hwm:.0f} MB' if hwm else 'unknown'}. {result.get('version', '')}".rstrip()
            )
    ours = data["servers"].get("translate serve", {})
    for c, level in ours.get("levels", {}).items():
        told = where_time_goes(level)
        if told:
            lines.append(f"- translate serve, {c} client(s): {told}.")
    engine = data.get("engine", {})
    if engine.get("calls"):
        calls = ", ".join(f"{_call_name(n)} {c['tokens_per_s']:.0f} tok/s "
                          f"({c['tokens_per_cpu_s']:.0f} tok/CPU-s)"
                          for n, c in engine["calls"].items())  # fmt: skip
        lines.append(
            f"- The translator alone ({engine.get('workers')} CTranslate2 worker(s) of "
            f"{engine.get('threads')} thread(s) in all), one call of the 16-client level's "
            f"first sentences: {calls}."
        )
    run = data.get("run", {})
    if "tokens_per_s" in run:
        lines.append(
            f"- `translate run` on the {run['clients']}-client sentences (one document): "
            f"translation stage {run['translation_seconds']:.1f} s, {run['tokens_per_s']:.0f} "
            f"tok/s ({run['tokens_per_cpu_s']:.0f} tok/CPU-s), {run['batches']} engine "
            f"batches; peak RSS {run['peak_rss_mb']:.0f} MB."
        )
    lines.append("")
    lines.append("Targets:" if not markdown else "Targets:\n")
    for t in data["targets"]:
        lines.append(f"- {'met' if t['met'] else 'MISSED'}: {t['name']}: {t['value']}")
    if data["errors"]:
        lines.append("")
        lines.append("Errors:")
        lines.extend(f"- {e}" for e in data["errors"])
    return "\n".join(lines) + "\n"


SECTION = "## Service (`translate serve`)"


def write_markdown(path: Path, data: dict) -> None:
    """Replace the Service section (up to the next `## ` heading), or put it before 'Rerun
    them' (above the full report, which benchmarks/run.py rewrites)."""
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    body = (
        f"{SECTION}\n\n"
        "How `translate serve` holds up under load, against a real LibreTranslate server on the\n"
        "same model (`benchmarks/serve.py`, which says what each figure means):\n\n"
        "```sh\n"
        "python -m benchmarks.serve --install-peer    # LibreTranslate, in its own venv (once)\n"
        "python -m benchmarks.serve --markdown docs/benchmarks.md    # rewrites this section\n"
        "TRANSLATE_BENCH_CACHE=/tmp/bench python -m benchmarks.serve --tiny --skip-peer  # smoke\n"
        "```\n\n"
        "Both servers on 127.0.0.1, each in its own process, one after the other, with their\n"
        "defaults: `translate serve` (CTranslate2 int8, its workers and threads), lengths forced\n"
        "as `translate run`'s are in the main benchmark (`benchmarks/serve_sides.py`);\n"
        "LibreTranslate (waitress, 4 threads) serving the Argos package of the same int8\n"
        "conversion, with the Argos row's forced-length shim (beam 4 on both sides). Clients\n"
        "send their next request as soon as the last is answered; every sentence and document\n"
        "is sent once. tok/s: source tokens (the translator's tokens of each sentence) per\n"
        "second of the level; CPU: CPU seconds the server used per second of the level (2 = both\n"
        "cores); tok/CPU-s: tokens per CPU second of the server, less sensitive to other work on\n"
        "a shared machine. LibreTranslate's /translate_file only translates; the job endpoint\n"
        "also summarizes.\n\n" + render(data, markdown=True) + "\n"
    )
    if SECTION in previous:
        before, rest = previous.split(SECTION, 1)
        after = rest.split("\n## ", 1)
        text = before + body + ("## " + after[1] if len(after) > 1 else "")
    elif "\n## Rerun them" in previous:
        before, after = previous.split("\n## Rerun them", 1)
        text = before + "\n" + body + "## Rerun them" + after
    else:
        text = previous + "\n" + body
    path.write_text(text, encoding="utf-8")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
