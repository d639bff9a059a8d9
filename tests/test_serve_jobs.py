"""Document jobs through a real `translate serve` process on a free loopback port, with the
tiny models: a job end to end (its summary is `translate run`'s), its events, results
answered from the store, bad uploads, deleting, /v1/summarize, a second service on the same
data folder, the queue's bound, and recovery after SIGTERM and kill -9, with pruning."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tests import documents
from tests.conftest import SEED_DOC
from tests.servehelp import START_SECONDS, Service, start_service
from translate.cli import app
from translate.errors import ConfigError
from translate.outputs.front_matter import read_front_matter
from translate.serve.jobs.store import DocumentOptions, JobRecord, JobStore, new_job_id
from translate.serve.jobs.worker import Worker

# The service needs the [serve] extra; without it (the plain test install) these are skipped.
pytest.importorskip("fastapi", reason="translate serve needs the [serve] extra")
pytest.importorskip("uvicorn", reason="translate serve needs the [serve] extra")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

JOB_S = 90.0  # a job finishes within this
# Front matter that says how an output was made, not what it is: how long it took, and how
# many chunks the translation store (shared by earlier jobs and runs) answered.
HOW_MADE = ("seconds", "chunks_from_store")


def start(data_dir: Path, model_args: list[str], env: dict, *extra: str) -> Service:
    """A ready `translate serve` (servehelp's), whose stop the caller sees to."""
    service = start_service([*model_args, *extra], data_dir, env)
    try:
        service.wait_ready()
    except BaseException:
        kill(service)
        raise
    return service


def kill(service: Service) -> None:
    if service.process.poll() is None:
        service.process.kill()
        service.wait_exit(10)


def terminate(service: Service) -> int:
    """SIGTERM; its exit status (it must stop in time)."""
    code = service.stop()
    assert code is not None, f"it did not stop on SIGTERM:\n{service.stderr}"
    return code


def http(service: Service) -> httpx.Client:
    return httpx.Client(base_url=service.url, timeout=30.0)


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    """The services' environment: one conversion cache for all of them."""
    return {"TRANSLATE_CACHE": str(tmp_path_factory.mktemp("serve-cache"))}


@pytest.fixture(scope="module")
def service(tmp_path_factory, model_args, env):
    running = start(tmp_path_factory.mktemp("serve-data"), model_args, env)
    yield running
    terminate(running)


@pytest.fixture(scope="module")
def client(service):
    with http(service) as client:
        yield client


def submit(client: httpx.Client, name: str, data: bytes, **fields: str) -> dict:
    answer = client.post("/v1/jobs", files={"file": (name, data)}, data=fields)
    assert answer.status_code == 202, answer.text
    assert answer.headers["location"] == answer.json()["url"]
    return answer.json()


def wait_for(client: httpx.Client, job_id: str, until=("done", "failed", "refused")) -> dict:
    deadline = time.monotonic() + JOB_S
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] in until:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} still {job['state']} after {JOB_S} s")


def events(client: httpx.Client, job_id: str) -> list[dict]:
    seen = []
    with client.stream("GET", f"/v1/jobs/{job_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line.removeprefix("data: ")))
            assert len(seen) < 1000
    return seen


def split(markdown: str) -> tuple[dict, str]:
    """Front matter without HOW_MADE, and the text after it."""
    _, front, body = markdown.split("---\n", 2)
    values = dict(line.split(": ", 1) for line in front.splitlines())
    return {k: json.loads(v) for k, v in values.items() if k not in HOW_MADE}, body


def test_a_job_gives_what_translate_run_writes_with_its_events_in_order(
    client, tmp_path, model_args
):
    job = submit(client, "bericht.txt", SEED_DOC.read_bytes(), keep_translation="true",
                 bilingual="true")  # fmt: skip
    seen = events(client, job["id"])
    states = [event["state"] for event in seen]
    assert states[-1] == "done" and "done" not in states[:-1], seen
    assert states == sorted(states, key=["queued", "running", "done"].index), seen
    phases = [e["progress"]["phase"] for e in seen if e["progress"]]
    order = ["read", "translate", "summarize"]
    assert phases and phases == sorted(phases, key=order.index), seen
    final = client.get(job["url"]).json()
    assert final == seen[-1] and final["name"] == "bericht.txt"

    copy = tmp_path / "bericht.txt"
    shutil.copy(SEED_DOC, copy)
    run = CliRunner().invoke(
        app, ["run", str(copy), *model_args, "--keep-translation", "--bilingual"],
        catch_exceptions=False,
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    for kind, suffix in (("summary", ".summary.en.md"), ("translation", ".en.md"),
                         ("bilingual", ".de-en.md")):  # fmt: skip
        answer = client.get(final["results"][kind])
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/markdown")
        assert f"bericht{suffix}" in answer.headers["content-disposition"]
        expected = (tmp_path / f"bericht{suffix}").read_text("utf-8")
        assert split(answer.text) == split(expected), f"{answer.text}\n----\n{expected}"
    front = client.get(final["results"]["front_matter"]).json()
    written = read_front_matter(tmp_path / "bericht.summary.en.md")
    assert front == written | {key: front[key] for key in HOW_MADE if key in front}


def test_the_same_bytes_and_settings_are_answered_from_the_stored_result(client):
    data = SEED_DOC.read_bytes() + b"\nDer Rat tagt erneut am Montag.\n"
    first = wait_for(client, submit(client, "eins.txt", data)["id"])
    answer = submit(client, "zwei.txt", data)
    assert answer["state"] == "done"  # at once: nothing is run again
    again = client.get(answer["url"]).json()
    assert again["reused_from"] == first["id"] and again["state"] == "done"
    one, two = (split(client.get(job["results"]["summary"]).text) for job in (first, again))
    unhashed = {"source": "zwei.txt", "content_sha256": None, "content_bytes": None}
    assert two[0] | unhashed == one[0] | unhashed  # the title's name changed, nothing else
    assert two[1] == one[1].replace("Summary of eins.txt", "Summary of zwei.txt")
    other = wait_for(client, submit(client, "drei.txt", data, keep_translation="1")["id"])
    assert other["reused_from"] is None  # other outputs asked for: made anew


def test_bad_uploads_are_refused_as_run_refuses_them(client, tmp_path, model_args):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "leer.txt").write_bytes(b"")
    (bad / "kaputt.docx").write_bytes(b"PK\x03\x04 this is no Word file")
    documents.zip_bomb(bad / "bombe.docx")
    jobs = {p.name: submit(client, p.name, p.read_bytes())["id"] for p in sorted(bad.iterdir())}
    run = CliRunner().invoke(app, ["run", str(bad), *model_args, "--json"])
    said = {Path(d["path"]).name: d["error"] for d in json.loads(run.stdout)["documents"]}
    for name, job_id in jobs.items():
        job = wait_for(client, job_id)
        assert job["state"] == "refused"
        assert job["error"] == said[name].replace(str(bad / name), name)

    wrong = client.post("/v1/jobs", files={"file": ("setup.exe", b"MZ\x90\x00")})
    assert wrong.status_code == 400
    assert wrong.json()["error"].startswith("setup.exe: .exe is not a format this tool reads")
    big = client.post("/v1/jobs", files={"file": ("gross.txt", b"a" * 2_000_001)})
    assert big.status_code == 413 and "error" in big.json()
    assert client.post("/v1/jobs", data={"bilingual": "1"}).status_code == 400
    maybe = client.post("/v1/jobs", files={"file": ("a.txt", b"x")}, data={"bilingual": "maybe"})
    assert maybe.status_code == 400


def test_deleting_a_job_removes_it_and_its_files(client, service):
    job = wait_for(client, submit(client, "weg.txt", SEED_DOC.read_bytes() + b"\nWeg.\n")["id"])
    folder = service.data_dir / "jobs" / job["id"]
    assert folder.is_dir()
    assert client.delete(job["url"]).status_code == 204
    assert client.get(job["url"]).status_code == 404
    assert client.get(job["results"]["summary"]).json()["error"]
    assert not folder.exists()
    assert client.delete(job["url"]).status_code == 404
    for bad in ("..%2F..%2Fetc", "x" * 17, "%00"):
        assert client.get(f"/v1/jobs/{bad}").status_code == 404
    assert job["id"] not in [j["id"] for j in client.get("/v1/jobs").json()["jobs"]]


def test_summarize_answers_a_text_with_its_summary_and_front_matter(client):
    text = SEED_DOC.read_text("utf-8")
    answer = client.post("/v1/summarize", json={"text": text}, timeout=60)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["summary"].strip() and body["front_matter"]["source_language"] == "de"
    assert body["front_matter"]["words"] == len(text.split())
    french = "Le conseil municipal a voté le budget lundi. " * 5
    refused = client.post("/v1/summarize", json={"text": french}, timeout=60)
    assert refused.status_code == 400 and "French" in refused.json()["error"]
    assert client.post("/v1/summarize", json={"text": " "}).status_code == 400


def test_the_openapi_schema_names_the_job_routes_and_their_bodies(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/jobs", "/v1/jobs/{job_id}/events", "/v1/summarize"} <= set(paths)
    upload = paths["/v1/jobs"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert set(upload["schema"]["properties"]) >= {"file", "keep_translation", "bilingual"}


def test_a_second_service_on_the_same_data_folder_is_refused(service, model_args, env):
    second = start_service(model_args, service.data_dir, env)
    try:
        assert second.wait_exit(START_SECONDS) == 1
    finally:
        kill(second)
    said = second.stderr
    assert "error: another translate serve is already using the data folder" in said, said
    assert "ready on" not in said and "Traceback" not in said
    with http(service) as client:  # the first one serves on
        assert client.get("/health").json()["status"] == "ok"


def _big_document(seed: int) -> bytes:
    """German text long enough that a job is still running when the test stops it."""
    lines = SEED_DOC.read_text("utf-8").split(". ")
    return "\n\n".join(f"Absatz {seed}-{i}: {lines[i % len(lines)]}." for i in range(300)).encode()


def _running(client: httpx.Client, job_id: str) -> None:
    """Wait until the job runs (it is then mid-job: it runs for seconds)."""
    job = wait_for(client, job_id, until=("done", "failed", "refused", "running"))
    assert job["state"] == "running", job


def _state_on_disk(data_dir: Path, job_id: str) -> str:
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        return db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()[0]


def test_jobs_survive_sigterm_and_kill_and_old_ones_are_pruned(tmp_path, model_args, env):
    data_dir = tmp_path / "data"
    first = start(data_dir, model_args, env, "--max-queue", "1")
    try:
        with http(first) as client:
            stopped = submit(client, "lang.txt", _big_document(1))["id"]
            _running(client, stopped)
            full = client.post("/v1/jobs", files={"file": ("mehr.txt", b"Noch ein Text.")})
            assert full.status_code == 429 and int(full.headers["retry-after"]) > 0
        streamed: list[list[dict]] = []

        def listen() -> None:
            with http(first) as own:
                streamed.append(events(own, stopped))

        listener = threading.Thread(target=listen)
        listener.start()  # an open event stream must not hold the stop up
        time.sleep(0.2)
    finally:
        began = time.monotonic()
        assert terminate(first) == 0, first.stderr
    assert time.monotonic() - began < 15  # not the 30 s a stop waits for open responses
    listener.join(10)
    assert streamed and streamed[0][-1]["state"] == "running"  # it ended with the service
    assert _state_on_disk(data_dir, stopped) == "queued"  # requeued, to be redone

    second = start(data_dir, model_args, env, "--max-queue", "1")
    try:
        with http(second) as client:
            assert wait_for(client, stopped)["state"] == "done"
            killed = submit(client, "noch-länger.txt", _big_document(2))["id"]
            _running(client, killed)
    finally:
        kill(second)  # SIGKILL: kill -9
    assert _state_on_disk(data_dir, killed) == "running"  # as kill -9 left it
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:  # finished 30 days ago
        db.execute(
            "UPDATE jobs SET finished = ? WHERE id = ?", (time.time() - 30 * 86_400, stopped)
        )

    third = start(data_dir, model_args, env, "--keep-days", "7")
    try:
        with http(third) as client:
            done = wait_for(client, killed)
            assert done["state"] == "done", done
            assert client.get(done["results"]["summary"]).text.startswith("---\n")
            assert client.get(f"/v1/jobs/{stopped}").status_code == 404  # pruned at start
            assert not (data_dir / "jobs" / stopped).exists()

            running = submit(client, "abbrechen.txt", _big_document(3))["id"]
            _running(client, running)
            assert client.delete(f"/v1/jobs/{running}").status_code == 204  # cancelled
            assert client.get(f"/v1/jobs/{running}").status_code == 404
            after = wait_for(
                client, submit(client, "danach.txt", b"Der Rat hat heute getagt.")["id"]
            )
            assert after["state"] == "done"  # the worker went on to the next job
            assert not (data_dir / "jobs" / running).exists()
    finally:
        assert terminate(third) == 0


def _job(store: JobStore, name: str, options: DocumentOptions, sha256: str) -> JobRecord:
    job = JobRecord(
        id=new_job_id(), state="queued", phase=None, phase_text=None, done=None, total=None,
        unit=None, keep_translation=options.keep_translation, bilingual=options.bilingual,
        source_lang=options.source_lang, name=name, suffix=".txt", sha256=sha256,
        settings_key="k", created=time.time(), started=None, finished=None, error=None,
        reused_from=None,
    )  # fmt: skip
    store.add(job)
    return job


def test_a_round_takes_the_oldest_job_and_the_waiting_ones_with_its_options(tmp_path):
    """Jobs that run together share decode batches; their options must be the same, and the
    same bytes twice run once (the second is answered from the first's result after)."""
    store = JobStore(tmp_path / "jobs.sqlite3")
    plain, bilingual = DocumentOptions(), DocumentOptions(bilingual=True)
    first = _job(store, "a.txt", plain, "1")
    other = _job(store, "b.txt", bilingual, "2")
    third = _job(store, "c.txt", plain, "3")
    again = _job(store, "d.txt", plain, "1")
    worker = Worker(None, store, tmp_path / "jobs", keep_days=7)
    assert [job.id for job in worker._take()] == [first.id, third.id]
    assert {job.id for job in store.queued()} == {other.id, again.id}
    assert store.count_active() == 4
    store.close()


def test_a_job_store_from_a_newer_version_is_refused_not_misread(tmp_path):
    path = tmp_path / "jobs.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigError, match="newer version of translate"):
        JobStore(path)
