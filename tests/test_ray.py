"""`translate run --ray`: the same run on a real Ray cluster (a head and a worker node, each a
separate `ray start` on 127.0.0.1 with one CPU), through the tiny models, against a plain
run's files. No part of Ray is replaced; every process the tests start is stopped."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SEED_DOC
from translate.cli import app
from translate.config import ModelOptions, RunOptions
from translate.errors import TranslateError
from translate.flow.distributed.cluster import RayOptions, plan_pools
from translate.flow.run import SUMMARY_GROUP
from translate.outputs.markdown import md_text

runner = CliRunner()
GERMAN = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"
DOCS = 8


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def documents(folder: Path, count: int = DOCS) -> Path:
    """`count` short German documents, and one empty file (which must fail)."""
    folder.mkdir(parents=True)
    lead = "\n\n".join(SEED_DOC.read_text(encoding="utf-8").split("\n\n")[:2])
    for i in range(count):
        (folder / f"doc{i:02}.txt").write_text(f"Bericht Nr. {i}.\n\n{lead}\n\n{GERMAN}")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def outputs(folder: Path) -> dict[str, str]:
    """Every output's text without its `seconds` and `chunks_from_store` lines (the fields
    that may differ: each node's translation store may hold chunks an earlier run made)."""
    return {
        p.name: "".join(
            line
            for line in p.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith(("seconds: ", "chunks_from_store: "))
        )
        for p in sorted(folder.glob("*.en.md"))
        if not p.name.startswith("translate-digest.")
    }


def digest(folder: Path) -> str:
    """The folder's digest, less what names the folder and the minute it was made."""
    text = (folder / "translate-digest.en.md").read_text(encoding="utf-8")
    text = text.replace(str(folder), "FOLDER").replace(md_text(str(folder)), "FOLDER")
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "DATE", text)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def wait_for(predicate, timeout: float = 240.0, poll: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not reached")
        time.sleep(poll)


def statuses(result) -> dict[str, str]:
    return {Path(d["path"]).name: d["status"] for d in json.loads(result.stdout)["documents"]}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A two-node cluster on 127.0.0.1, and this process set up as a driver for it."""
    ray = pytest.importorskip("ray", reason="needs the [ray] extra (.ci/run installs it)")
    from tests.raycluster import LOOPBACK_ONLY, LocalCluster, quiet_ray_env

    cache = tmp_path_factory.mktemp("ray-translate-cache")
    resolve = ray._private.services.resolve_ip_for_localhost
    saved = {name: os.environ.get(name) for name in quiet_ray_env()}
    os.environ.update(quiet_ray_env())
    exec(LOOPBACK_ONLY)
    started = LocalCluster(nodes=2, cpus_per_node=1, env={"TRANSLATE_CACHE": str(cache)})
    try:
        yield started
    finally:
        left = started.stop()
        ray._private.services.resolve_ip_for_localhost = resolve
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        assert left == [], f"Ray processes left running: {left}"


@pytest.fixture(scope="module")
def plain(tmp_path_factory, tiny_models) -> dict[str, str]:
    """A plain single-machine run's outputs for `documents()`."""
    folder = documents(tmp_path_factory.mktemp("plain") / "docs")
    marian, bart = tiny_models
    result = invoke("run", str(folder), "--mt-model", str(marian), "--summary-model", str(bart))
    assert result.exit_code == 1, result.output  # the empty file
    return {**outputs(folder), "digest": digest(folder)}


def ray_args(cluster) -> list[str]:
    # One actor of each kind: the fewest processes to start, and one summarizer to kill.
    return ["--ray", cluster.address, "--ray-translators", "1", "--ray-summarizers", "1"]


def test_ray_run_writes_the_files_a_plain_run_writes(cluster, plain, tmp_path, model_args):
    folder = documents(tmp_path / "docs")
    result = invoke("run", str(folder), *model_args, *ray_args(cluster), "--json")
    assert result.exit_code == 1, result.output  # one document failed, the others are written
    expected = {f"doc{i:02}.txt": "written" for i in range(DOCS)}
    assert statuses(result) == {"empty.txt": "failed", **expected}
    report = json.loads(result.stdout)
    assert [d["error"] for d in report["documents"] if d["status"] == "failed"] == [
        f"{folder / 'empty.txt'}: the file is empty"
    ]
    assert digest(folder) == plain["digest"]  # the same digest
    assert {**outputs(folder), "digest": digest(folder)} == plain and len(plain) == DOCS + 1
    assert leftovers(folder) == []  # no locks, temp or probe files


def test_driver_io_ships_texts_and_writes_the_same_files(cluster, plain, tmp_path, model_args):
    folder = documents(tmp_path / "docs")
    args = ["run", str(folder), *model_args, *ray_args(cluster), "--ray-io", "driver"]
    first = invoke(*args)
    assert first.exit_code == 1, first.output
    assert f"{DOCS} written, 0 skipped, 1 failed" in first.stderr
    assert {**outputs(folder), "digest": digest(folder)} == plain
    again = invoke(*args)
    assert f"0 written, {DOCS} skipped, 1 failed" in again.stderr


def new_summarizer(cluster, before: set[int]):
    """A summarizer actor process not among `before` (pids), as soon as there is one (it is
    slow to start: it loads its model), so the test can act on it within milliseconds."""
    found = []

    def started() -> bool:
        found[:] = [p for p in cluster.find("Summarizer") if p.pid not in before]
        return bool(found)

    wait_for(started)
    return found[0]


def pids(cluster) -> set[int]:
    return {p.pid for p in cluster.processes()}


def busy(process) -> bool:
    """Whether a Ray actor is running a task now (Ray titles it `...(Summarizer)).submit`)."""
    import psutil

    try:
        return process.cmdline()[0].endswith(".submit")
    except (psutil.Error, IndexError):
        return False


def test_ctrl_c_then_a_rerun_that_survives_a_killed_worker(cluster, tmp_path, model_args):
    from tests.raycluster import LOOPBACK_ONLY

    count = 2 * SUMMARY_GROUP + 1  # three summary groups: the rerun has at least two
    folder = documents(tmp_path / "docs", count)
    main = LOOPBACK_ONLY + "import sys\nfrom translate.cli import main\nsys.exit(main())"
    command = [sys.executable, "-c", main, "run", str(folder), *model_args, *ray_args(cluster)]
    wait_for(lambda: not cluster.find("MapBatches"), 60)  # earlier tests' actors are gone
    before = pids(cluster)
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        at_work = new_summarizer(cluster, before)
        wait_for(lambda: any(folder.glob("*.summary.en.md")), 240, poll=0.002)
        # Frozen mid-run, as a summarizer still busy when Ctrl-C comes: without the driver's
        # stop it would go on writing once thawed, after the driver has exited.
        at_work.send_signal(signal.SIGSTOP)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrupted: finished documents are kept" in stderr
    assert "Ray workers still running" not in stderr and "could not confirm" not in stderr
    done = sorted(folder.glob("*.summary.en.md"))
    assert 1 <= len(done) < count, "the signal should land mid-run"
    # The report counts what is on disk when the run ends (issue 29): the summaries workers
    # wrote whose results had not reached the driver yet too, each with its line.
    lines = stderr.splitlines()
    totals = [line for line in lines if re.match(r"\d+ written, \d+ skipped, ", line)]
    assert totals and totals[-1].startswith(f"{len(done)} written, "), stderr
    assert sum(line.startswith("written  ") for line in lines) == len(done), stderr
    # Ray's own messages (a worker's death, tracebacks, coloured prefixes) never raw.
    assert "(raylet)" not in stderr and "Traceback" not in stderr and "\x1b" not in stderr
    for output in done:  # whole files only
        assert "# Summary of doc" in output.read_text(encoding="utf-8")
    # The driver ended the job's actors before it exited: none is left to write later.
    assert not cluster.find("Summarizer") and not cluster.find("Translator")
    wait_for(lambda: not cluster.find("MapBatches"), 30)  # the job's other workers end too
    assert sorted(folder.glob("*.summary.en.md")) == done
    written_before = {p.name: p.stat().st_mtime_ns for p in done}
    # A worker ended mid-write may leave a hidden temporary (never an output): the rerun
    # removes it, as after kill -9 on one machine.
    resumed_plainly = tmp_path / "plain"  # what a plain rerun would write from here
    shutil.copytree(folder, resumed_plainly)
    assert invoke("run", str(resumed_plainly), *model_args).exit_code == 1

    # The Ray rerun does only what is left, although its summarizer is killed at work.
    killed: list[float] = []
    before = pids(cluster)

    def kill_the_summarizer():
        process = new_summarizer(cluster, before)
        wait_for(lambda: busy(process), 240, poll=0.002)
        process.send_signal(signal.SIGKILL)
        killed.append(time.time())

    killer = threading.Thread(target=kill_the_summarizer, daemon=True)
    killer.start()
    again = invoke("run", str(folder), *model_args, *ray_args(cluster), "--json")
    killer.join(timeout=5)
    assert killed, "no summarizer was seen at work"
    assert again.exit_code == 1, again.output  # the empty file
    status = statuses(again)
    assert status.pop("empty.txt") == "failed"
    skipped = {n.replace(".txt", ".summary.en.md") for n, s in status.items() if s != "written"}
    assert skipped >= set(written_before), again.stdout  # nothing done is redone
    assert {p.name: p.stat().st_mtime_ns for p in done} == written_before
    # Skipped too: what the killed summarizer wrote before it died, found done when retried.
    assert set(status.values()) <= {"written", "skipped"} and "written" in status.values()
    assert len(status) == count
    assert outputs(folder) == outputs(resumed_plainly)
    assert not [n for n in leftovers(folder) if n.endswith(".tmp")]
    after = [p for p in folder.glob("*.summary.en.md") if p.stat().st_mtime > killed[0]]
    assert after, "the kill should land mid-run"


def test_the_probe_asks_every_node_whether_it_sees_the_files(cluster, tmp_path):
    import ray

    from translate.flow.distributed.runner import _sees, probe_shared_files
    from translate.inputs.discovery import discover

    docs, _ = discover([documents(tmp_path / "docs", 1)])
    ray.init(address=cluster.address)
    try:
        assert probe_shared_files(ray, docs) is True
    finally:
        ray.shutdown()
    assert leftovers(tmp_path / "docs") == []  # the probe file is gone
    # What a node answers when it sees another file, or none.
    source = docs[0].path
    stat = source.stat()
    assert _sees(None, "t", str(source), stat.st_size, stat.st_mtime_ns) is True
    assert _sees(None, "t", str(source), stat.st_size, stat.st_mtime_ns + 1) is False
    assert _sees(str(tmp_path / "none"), "t", str(source), stat.st_size, stat.st_mtime_ns) is False


def test_without_ray_the_option_says_what_to_install(tmp_path, monkeypatch, model_args):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    folder = documents(tmp_path / "docs", 1)
    result = invoke("run", str(folder), *model_args, "--ray", "auto")
    assert result.exit_code == 1
    assert "pip install 'translate-digest[ray]'" in result.stderr
    assert not list(folder.glob("*.en.md"))


def test_the_cli_does_not_import_ray_until_asked():
    code = "import sys, translate.cli, translate.flow.distributed; print('ray' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize(
    ("resources", "device", "threads", "asked", "expected"),
    [
        # one translator and one summarizer per CPU, sharing it; tasks keep a tenth
        ({"CPU": 2.0}, "auto", None, (None, None), (2, 2, 1, 0.45, 0.0)),
        ({"CPU": 16.0}, "cpu", 4, (None, None), (4, 4, 4, 1.8, 0.0)),
        ({"CPU": 2.0}, "cpu", None, (1, 3), (1, 3, 1, 0.45, 0.0)),
        ({"CPU": 16.0, "GPU": 2.0}, "auto", None, (None, None), (2, 2, 1, 0.5, 0.5)),
        ({"CPU": 0.0}, "cpu", None, (None, None), (1, 1, 1, 0.5, 0.0)),  # autoscaling
    ],
)
def test_pools_are_sized_from_the_cluster(resources, device, threads, asked, expected):
    options = RunOptions(models=ModelOptions(device=device, threads=threads))
    pools = plan_pools(resources, options, RayOptions(translators=asked[0], summarizers=asked[1]))
    got = (pools.translators, pools.summarizers, pools.threads, pools.cpus, pools.gpus)
    assert got == expected


def test_cuda_on_a_cluster_without_gpus_is_refused():
    options = RunOptions(models=ModelOptions(device="cuda"))
    with pytest.raises(TranslateError, match="no GPU"):
        plan_pools({"CPU": 4.0}, options, RayOptions())


def test_a_ray_run_cuts_waves_where_a_plain_run_does():
    """Beyond one block of documents too: the same waves batch, and so translate, alike."""
    import random

    from translate.flow.distributed.runner import split_blocks
    from translate.flow.distributed.stages import form_waves
    from translate.flow.job import Job
    from translate.flow.run import WAVE_CHUNKS, WAVE_DOCUMENTS, plan_waves
    from translate.inputs.discovery import Document
    from translate.text.segment import Segmentation

    rng = random.Random(12)
    count = 2 * WAVE_DOCUMENTS + 2  # 130: three blocks, the last one short

    def job(index: int) -> Job:
        chunks = rng.choice([1, 3, 40, WAVE_CHUNKS // 3])  # some waves fill up within a block
        return Job(
            document=Document(Path(f"doc{index:03}.txt"), Path(".")),
            text="",
            sha256="",
            source_mode=0o644,
            source={},
            language="de",
            detected_language="de",
            summary_path=Path(f"doc{index:03}.summary.en.md"),
            translation_path=None,
            fingerprint="",
            segmentation=Segmentation("", [None] * chunks, chunks),
        )

    # Every fifth document is done or failed before translation: the indices have gaps.
    jobs = [(index, job(index)) for index in range(count) if index % 5 != 4]
    plain = [[j.document.path.name for j in wave] for wave in plan_waves(jobs)]
    on_ray = [
        [j.document.path.name for j in wave.jobs]
        for block in split_blocks(jobs)
        for wave in form_waves(block)
    ]
    assert on_ray == plain
    assert sum(map(len, plain)) == len(jobs)
    sizes = [sum(len(j.segmentation.chunks) for j in wave) for wave in plan_waves(jobs)]
    assert any(size >= WAVE_CHUNKS for size in sizes), "some waves should fill up"
    blocks = [{int(name[3:6]) // WAVE_DOCUMENTS for name in wave} for wave in plain]
    assert all(len(b) == 1 for b in blocks), "no wave spans two blocks"


def test_each_node_keeps_translations_in_the_store_under_its_own_translate_cache(
    cluster, tmp_path, model_args
):
    """The translators on the nodes look chunks up in, and put them into, the store under
    their own TRANSLATE_CACHE (here the cluster's), never the driver's; --no-cache too."""
    from translate.store import STORE_NAME, store_path

    folder = documents(tmp_path / "docs", 3)
    (folder / "empty.txt").unlink()
    args = ["run", str(folder), *model_args, *ray_args(cluster), "--json"]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert (Path(cluster.env["TRANSLATE_CACHE"]) / STORE_NAME).stat().st_size > 0
    assert not store_path().exists()  # the driver translates nothing: it has no store

    def from_store(result) -> list[tuple[int, int]]:
        assert result.exit_code == 0, result.output
        counts = [d["counts"] for d in json.loads(result.stdout)["documents"]]
        return [(c["chunks_from_store"], c["translation_chunks"]) for c in counts]

    assert all(kept == chunks > 0 for kept, chunks in from_store(invoke(*args, "--force")))
    bypassed = from_store(invoke(*args, "--force", "--no-cache"))
    assert all(kept == 0 < chunks for kept, chunks in bypassed)
    assert not store_path().exists()
