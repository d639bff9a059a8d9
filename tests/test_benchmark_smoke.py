"""Every benchmark entry point still runs: `python -m benchmarks.X`, end to end, on a tiny
workload, so that a refactor of the package (or of what it calls) cannot silently break one.

The models are the benchmark's own, built by `python -m benchmarks.build --tiny`: the
published tokenizers, vocabularies, position limits and generation settings at the tests'
widths and depths. Everything the benchmark writes goes into a temporary cache
(TRANSLATE_BENCH_CACHE, benchmarks/common.py), never into benchmarks/.cache. The figures
themselves mean nothing here; each test checks that its entry point exits 0 and prints (or
writes) its figures.

Argos Translate cannot run here: `python -m benchmarks.argos --install` makes a venv and
installs argostranslate from the network. Its entry point is imported and its arguments
parsed (`--help`), as every entry point's are; `benchmarks.run` reports it "not installed"
and runs the rest, as it does on any machine without it. The service benchmark
(`benchmarks.serve`) runs without its peer, LibreTranslate, for the same reason
(`--skip-peer`; its install is tests/test_argos_install.py's path).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Every entry point (a module with a __main__ block), and the modules they share.
ENTRY_POINTS = [
    "argos",
    "build",
    "call_timeline",
    "ceiling",
    "convert",
    "easynmt",
    "extraction",
    "fidelity",
    "fidelity_data",
    "naive",
    "packing",
    "ray_scaling",
    "run",
    "serve",
    "serve_priority",
    "serve_sides",
    "store",
    "variant",
    "window_memory",
    "workload",
]
SHARED = ["common", "plot", "report"]
# Those that parse their arguments with argparse (the others take positional arguments from
# the runner, benchmarks/run.py, and are run below).
WITH_HELP = [
    "argos",
    "build",
    "extraction",
    "fidelity",
    "fidelity_data",
    "packing",
    "ray_scaling",
    "run",
    "serve_priority",
    "serve",
    "store",
    "variant",
    "workload",
]
SMOKE_TOKEN = "TRANSLATE_TEST_BENCHMARK_SMOKE"  # in the environment of all a test starts


def test_every_entry_point_is_listed_here():
    found = sorted(
        p.stem
        for p in (ROOT / "benchmarks").glob("*.py")
        if 'if __name__ == "__main__":' in p.read_text(encoding="utf-8")
    )
    assert found == ENTRY_POINTS


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", ENTRY_POINTS + SHARED)
def test_every_module_imports(name):
    importlib.import_module(f"benchmarks.{name}")


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", WITH_HELP)
def test_help(name, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--help"],
        cwd=ROOT,
        env={**os.environ, "TRANSLATE_BENCH_CACHE": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=25,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")
    assert not list(tmp_path.iterdir())  # --help builds nothing


@pytest.mark.timeout(30)
def test_argos_without_arguments_says_what_it_needs(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.argos"],
        cwd=ROOT,
        env={**os.environ, "TRANSLATE_BENCH_CACHE": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=25,
    )
    assert done.returncode == 2
    assert "--install, or MODEL_DIR SPM HOME THREADS DOC" in done.stderr


@pytest.mark.timeout(30)
def test_workload(tmp_path):
    out = bench(
        ["benchmarks.workload", str(tmp_path / "docs"), "--documents", "4", "--limit-words", "80"],
        {**os.environ, "TRANSLATE_BENCH_CACHE": str(tmp_path / "cache")},
        timeout=25,
    )
    files = sorted((tmp_path / "docs").iterdir())
    assert len(files) == 4
    assert f"4 documents in {tmp_path / 'docs'}" in out.stdout


@pytest.mark.timeout(60)
def test_fidelity():
    """The completeness check's benchmark on its first 60 pairs: no model, a second or two."""
    out = bench(["benchmarks.fidelity", "--limit", "60"], dict(os.environ), timeout=50)
    assert "60 pairs (de_en_pairs.tsv)" in out.stdout
    assert "false alarms on correct one-sentence pairs: " in out.stdout
    assert "untranslated caught: " in out.stdout and "(target >= 95%: " in out.stdout
    assert "truncated caught: " in out.stdout
    assert "wrong numbers (must be caught): 9/9 right" in out.stdout
    assert "right numbers (must pass): 15/15 right" in out.stdout


# --- the model-running entry points, on the tiny checkpoints ---------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny checkpoints in a cache of their own, a 4-document workload, and the
    environment every entry point runs in."""
    cache = tmp_path_factory.mktemp("bench-cache")
    env = {
        **os.environ,
        "TRANSLATE_BENCH_CACHE": str(cache),
        "TRANSLATE_CACHE": str(cache / "translate"),  # one CTranslate2 conversion for all
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }
    built = bench(["benchmarks.build", "--tiny"], env, timeout=100)
    from benchmarks import workload

    docs = cache / "docs"
    workload.generate(docs, count=4, limit_words=120)
    return SimpleNamespace(
        cache=cache,
        env=env,
        built=built,
        mt=cache / "models" / "opus-mt-de-en-architecture",
        summary=cache / "models" / "distilbart-cnn-12-6-architecture",
        docs=docs,
        documents=sorted(str(p) for p in docs.iterdir()),
    )


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_build(tiny):
    assert "opus-mt-de-en: " in tiny.built.stdout
    assert "parameters (tiny)" in tiny.built.stdout
    built = result(tiny.built)
    assert set(built) >= {"translation", "summary"}
    assert built["summary"]["path"] == str(tiny.summary)
    # Built once: a later build (as benchmarks.run starts one) keeps them.
    again = bench(["benchmarks.build"], tiny.env, timeout=60)
    assert "building" not in again.stdout
    assert result(again)["translation"] == built["translation"]


@pytest.mark.slow
@pytest.mark.timeout(200)
def test_run_quick(tiny):
    """The runner, as `--quick` runs it, through every variant that can run here and the
    ceiling: each in its own process (build, naive --count, convert, naive, variant, easynmt,
    ceiling), the report, the JSON and the scaling plot."""
    out = bench(
        ["benchmarks.run", "--quick", "--variants", "naive,default,easynmt,argos",
         "--scaling", "4,5"],
        tiny.env,
        timeout=180,
    )  # fmt: skip
    assert "Benchmark run " in out.stdout
    assert "### Targets" in out.stdout or "Targets" in out.stdout
    [saved] = (tiny.cache / "results").glob("*-quick.json")
    data = json.loads(saved.read_text())
    assert data["workload"]["documents"] == 4
    assert "error" not in data["ct2_conversion"]
    for name in ("naive", "default", "easynmt"):
        assert "error" not in data["results"][name], data["results"][name]
    argos = data["results"]["argos"]
    assert "absent" in argos or "error" not in argos
    default = data["results"]["default"]
    assert default["written"] == default["documents"] == 4
    assert default["summary_windows"] > 0  # the summarizer ran, not only the translator
    assert "error" not in data["ceiling"]
    assert {"translation", "summary"} <= set(data["ceiling"])
    assert [p["documents"] for p in data["scaling"]] == [4, 5]
    assert all("error" not in p["result"] for p in data["scaling"])
    assert data["metrics"]["default"]["docs_per_min"] > 0
    assert list((tiny.cache / "results").glob("*-quick-scaling.png"))
    assert (tiny.cache / "default-run-inputs.json").is_file()  # what the ceiling replays


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_call_timeline(tiny, tmp_path):
    out = bench(
        ["benchmarks.call_timeline", "default", str(tiny.mt), str(tiny.summary),
         str(tiny.docs), str(tmp_path / "out")],
        tiny.env,
        timeout=100,
    )  # fmt: skip
    variant = result(out)
    assert variant["written"] == variant["documents"] == 4
    assert "opus-mt-de-en-architecture:" in out.stdout  # each model's seconds in its calls
    assert "distilbart-cnn-12-6-architecture:" in out.stdout
    assert "peak resident memory (sampled):" in out.stdout
    summaries = sorted((tmp_path / "out").rglob("*.summary.en.md"))
    assert len(summaries) == 4
    for summary in summaries:
        check_forced(summary)  # the variant's models wrote the stand-in's English


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_window_memory(tiny):
    # The windows a default run would have recorded: long English texts.
    english = (ROOT / "tests" / "data" / "corpus_en.txt").read_text(encoding="utf-8").split()
    windows = [" ".join(english[i : i + 300]) for i in range(0, 900, 300)]
    record = {"translation_calls": [], "summary_calls": [windows[:2], windows[2:]]}
    (tiny.cache / "default-run-inputs.json").write_text(json.dumps(record))
    out = bench(["benchmarks.window_memory", "2", "1", "2"], tiny.env, timeout=100)
    assert "2 worker(s) x 1 batch(es) of 1 window(s)" in out.stdout
    assert "MiB at most while decoding" in out.stdout


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_packing(tiny):
    out = bench(
        ["benchmarks.packing", "--words", "80", "--repeats", "1", "--chunk-tokens", "1,64"],
        tiny.env,
        timeout=100,
    )
    rows = [line.split() for line in out.stdout.splitlines()]
    assert [r[0] for r in rows if r and r[-1].endswith("x")][-2:] == ["1", "64"]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_extraction(tiny):
    out = bench(
        ["benchmarks.extraction", "--pages", "2", "--runs", "1", "--every", "1"],
        tiny.env,
        timeout=100,
    )
    assert "2 pages" in out.stdout
    # At most the last word: the last page may end in the first half of a hyphenated word.
    differing = re.search(r"words differing from the source, in order: (\d+)", out.stdout)
    assert differing and int(differing[1]) <= 1, out.stdout
    assert "extraction / translation: " in out.stdout
    assert (tiny.cache / "extraction" / "report-2-pages.pdf").is_file()


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_ray_scaling(tiny):
    """The plain run and a Ray cluster of two nodes, with the forced-length stand-in
    installed in the driver and in every Ray worker: each summary must be its English."""
    pytest.importorskip("ray")
    out = bench(
        ["benchmarks.ray_scaling", "--documents", "2", "--limit-words", "60",
         "--layouts", "plain,2x1"],
        tiny.env,
        timeout=220,
    )  # fmt: skip
    assert "workload: 2 documents" in out.stdout
    assert "plain " in out.stdout
    assert "ray 2x1 " in out.stdout
    assert "docs/min end to end" in out.stdout


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_serve_priority(tiny):
    """A short /translate beside a document job: the requests are answered, by the phase the
    job was in, and the report says so (tiny models: the job is quick, the phases vary)."""
    pytest.importorskip("fastapi")
    out = bench(["benchmarks.serve_priority", "--tiny", "--requests", "3"], tiny.env, timeout=220)
    data = result(out)
    assert data["idle"]["requests"] == 3
    assert sum(f["requests"] for f in data["beside_job"].values()) == 3
    assert "idle service" in out.stdout


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_serve(tiny):
    """The service benchmark without its peer: `translate serve` started with forced lengths
    (its answers the stand-in's English), /translate from 1 and 4 clients, a document job,
    the engine alone and `translate run` on the same sentences, the report and its JSON."""
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    out = bench(
        ["benchmarks.serve", "--tiny", "--skip-peer", "--clients", "1,4", "--doc-clients", "1"],
        tiny.env,
        timeout=220,
    )  # fmt: skip
    assert "| translate serve | 1 |" in out.stdout
    assert "| translate serve | 4 |" in out.stdout
    assert "/v1/jobs (translation and summary)" in out.stdout
    assert "Targets:" in out.stdout
    [saved] = (tiny.cache / "results").glob("serve-*-tiny.json")
    data = json.loads(saved.read_text())
    assert data["errors"] == []
    ours = data["servers"]["translate serve"]
    assert set(ours["levels"]) == {"1", "4"}
    for level in ours["levels"].values():
        assert level["requests"] > 0 and level["tokens_per_s"] > 0
        assert level["timings"]["rounds"] >= 1  # the service's own account was read
        assert level["timings"]["translation_seconds"] > 0
    assert ours["documents"]["1"]["docs_per_min"] > 0
    assert "LibreTranslate" not in data["servers"]
    assert len(data["engine"]["seconds"]) == len(ours["latency"]["seconds"]) > 0
    assert data["run"]["tokens_per_s"] > 0
    assert {t["name"].split(",")[0] for t in data["targets"]} >= {"at 4 clients"}


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", ["ctranslate2", "torch"])
@pytest.mark.parametrize("role", ["translation", "summary"])
def test_forced_outputs_on_every_path(tiny, monkeypatch, backend, role):
    """benchmarks.common.force_outputs (the Ray benchmark's models, driver and workers):
    each of generate, generate_detailed and generate_batches decodes in full, once, at the
    forced length, and hands back the stand-in's English, never random weights' noise."""
    from benchmarks.common import (
        ENGLISH_CORPUS,
        SUMMARY_TOKENS,
        TRANSLATION_LENGTH_RATIO,
        EnglishStandIn,
        force_outputs,
    )
    from translate.config import GenerationSettings
    from translate.engines.models import load, locate

    monkeypatch.setenv("TRANSLATE_CACHE", tiny.env["TRANSLATE_CACHE"])
    folder = tiny.mt if role == "translation" else tiny.summary
    model = load(locate(str(folder)), "cpu", backend=backend, threads=1)
    settings = (
        GenerationSettings(max_length_ratio=2.0, forced_length_ratio=TRANSLATION_LENGTH_RATIO)
        if role == "translation"
        else GenerationSettings(min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS)
    )
    decoded: list[tuple[int, int]] = []  # (min, max) length of each engine call
    if backend == "ctranslate2":
        engine = model.translator

        class Counted:
            def translate_batch(self, batch, **options):
                decoded.append((options["min_decoding_length"], options["max_decoding_length"]))
                return engine.translate_batch(batch, **options)

        model.translator = Counted()
    else:
        generate = model.model.generate

        def counted(**kwargs):
            decoded.append((kwargs["min_length"], kwargs["max_length"]))
            return generate(**kwargs)

        monkeypatch.setattr(model.model, "generate", counted)
    summarizer_tokenizer = load(locate(str(tiny.summary)), "cpu", backend="torch").tokenizer
    force_outputs(model, role, EnglishStandIn(summarizer_tokenizer))
    known = set(ENGLISH_CORPUS.read_text(encoding="utf-8").split())
    german = (ROOT / "tests" / "data" / "sentences_de.txt").read_text(encoding="utf-8")
    texts = [line for line in german.splitlines() if line.strip()][:3]

    def english(text: str) -> bool:
        return bool(text.split()) and set(text.split()) <= known

    assert all(english(t) for t in model.generate(texts, settings))
    assert all(english(g.text) and g.finished for g in model.generate_detailed(texts, settings))
    calls = 2
    if backend == "ctranslate2":
        batches = list(model.generate_batches([texts[:2], texts[2:]], settings))
        assert [len(b) for b in batches] == [2, 1]
        assert all(english(g.text) for b in batches for g in b)
        calls += 2
    assert len(decoded) == calls  # each call decoded once: none skipped, none twice
    assert all(low == high for low, high in decoded)  # at the forced length


# --- helpers ----------------------------------------------------------------------------------


def bench(module_args: list[str], env: dict, timeout: float) -> subprocess.CompletedProcess:
    """`python -m <module_args>` from the repository root, on one core; it must exit 0.
    Whatever it started (Ray's daemons and workers included) is stopped afterwards, by
    process id.

    One core: the benchmark gives CTranslate2 and torch a thread per core it may use
    (translate.engines.ct2.schedule.default_threads), and on a busy 2-core machine two
    threads on models this small spin against each other (EasyNMT-style on 55 sentences:
    0.7 s with one thread, 9 s with two)."""
    token = secrets.token_hex(8)
    pin = None
    if hasattr(os, "sched_setaffinity"):  # Linux
        core = {min(os.sched_getaffinity(0))}
        pin = lambda: os.sched_setaffinity(0, core)  # noqa: E731 (inherited by its children)
    process = subprocess.Popen(
        [sys.executable, "-m", *module_args],
        cwd=ROOT,
        env={**env, SMOKE_TOKEN: token},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=pin,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"{' '.join(module_args)}: still running after {timeout} s\n{stderr[-3000:]}")
    finally:
        _stop_what_carries(token)
    assert process.returncode == 0, (
        f"{' '.join(module_args)}: exit {process.returncode}\n" + (stderr or stdout)[-4000:]
    )
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _stop_what_carries(token: str) -> None:
    """Kill every process of this user whose environment carries `token` (the entry point's
    children, grandchildren, Ray daemons that left its session), and wait for them."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.pid != os.getpid() and proc.environ().get(SMOKE_TOKEN) == token:
                found.append(proc)
    for proc in found:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(found, timeout=10)


def result(done: subprocess.CompletedProcess) -> dict:
    """The JSON of the entry point's last `RESULT ` line (benchmarks/common.py's emit)."""
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout[-2000:]
    return json.loads(lines[-1][len("RESULT ") :])


def check_forced(summary: Path) -> None:
    from benchmarks.ray_scaling import _check_forced

    _check_forced(summary)  # SystemExit when it is random weights' noise


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_store(tiny):
    """The store's benchmark end to end: every run it makes, its table and its figures."""
    out = bench(["benchmarks.store", "--tiny", "--documents", "3"], tiny.env, timeout=220)
    assert "| growing waves, the store (empty at first) |" in out.stdout
    figures = result(out)
    assert figures["documents"] == 3 and figures["tiny"]
    assert figures["from_store"]["chunks_from_store"] == figures["from_store"]["chunks"] > 0
    assert figures["without_store"]["chunks_from_store"] == 0
    edited = figures["edited"]["edited"]
    assert 0 < edited["chunks_from_store"] < edited["chunks"]  # only the new paragraph redone
    rerun = figures["interrupted"]["rerun"]
    assert rerun["written"] + rerun["skipped"] == 3
