"""`translate serve`'s LibreTranslate API, driven as its clients drive it: the real service
started as a subprocess on a free loopback port with the tiny models, a real LibreTranslate
client library from the package index (libretranslatepy), and plain HTTP for the rest.

The tiny translator copies its input (a faithful "translation"), so an answer can be
compared with the German sent. A few limits (429, a crash's 500) are shown in process
with a stand-in engine, where they can be reached without a flood.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import zipfile
from concurrent.futures import Future
from pathlib import Path

import httpx
import pytest
from libretranslatepy import LibreTranslateAPI
from typer.testing import CliRunner

from tests import documents
from tests.servehelp import running_service
from translate.cli import app as cli
from translate.errors import InputError
from translate.inputs.extract import extract

# The service needs the [serve] extra; without it (the plain test install) these are skipped.
pytest.importorskip("fastapi", reason="translate serve needs the [serve] extra")
pytest.importorskip("uvicorn", reason="translate serve needs the [serve] extra")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
KEY = "test-key-1"
GERMAN = "Der Stadtrat hat den Haushalt am Montag beschlossen."
CHAR_LIMIT = 400
MAX_INPUT_MB = 0.02  # 20 KB of text; packaged formats 50 times that, as `run` allows
UPLOAD_TIMEOUT = 2.0


@pytest.fixture(scope="module")
def service(tiny_models, tmp_path_factory):
    marian, bart = tiny_models
    args = [
        "--mt-model", str(marian), "--summary-model", str(bart), "--api-key", KEY,
        "--char-limit", str(CHAR_LIMIT), "--max-input-mb", str(MAX_INPUT_MB),
        "--upload-timeout", str(UPLOAD_TIMEOUT),
    ]  # fmt: skip
    with running_service(args, tmp_path_factory.mktemp("serve-data")) as running:
        yield running


@pytest.fixture(scope="module")
def http(service):
    with httpx.Client(base_url=service.url, timeout=60) as client:
        yield client


def post(http: httpx.Client, path: str, **body) -> httpx.Response:
    return http.post(path, json={"api_key": KEY, **body})


# ---------------------------------------------------------------- a real client


def test_a_libretranslate_client_translates_detects_and_lists_languages(service):
    client = LibreTranslateAPI(service.url, api_key=KEY)
    assert client.translate(GERMAN, source="de", target="en", timeout=60) == GERMAN
    assert client.translate(GERMAN, source="auto", target="en", timeout=60) == GERMAN
    detected = client.detect("Der Rat hat heute lange getagt und viel beschlossen.", timeout=30)
    assert detected[0]["language"] == "de" and 50 < detected[0]["confidence"] <= 100
    languages = client.languages(timeout=30)
    assert {"code": "de", "name": "German", "targets": ["en"]} in languages
    assert [lang["code"] for lang in languages] == ["de", "en"]


def test_a_wrong_or_missing_key_is_refused_with_403(service):
    with pytest.raises(urllib.error.HTTPError) as refused:
        LibreTranslateAPI(service.url, api_key="wrong").translate(GERMAN, "de", "en", timeout=30)
    assert refused.value.code == 403
    assert json.loads(refused.value.read()) == {"error": "Invalid API key"}
    with pytest.raises(urllib.error.HTTPError) as missing:
        LibreTranslateAPI(service.url).detect(GERMAN, timeout=30)
    assert missing.value.code == 403 and "API key is required" in missing.value.read().decode()
    assert httpx.get(service.url + "/v1/jobs", timeout=30).status_code == 403  # jobs too


def test_what_a_client_reads_first_needs_no_key(http):
    health = http.get("/health").json()
    assert health["status"] == "ok" and set(health["models"]) == {"translation", "summary"}
    assert health["queue"] == {"requests": 0, "jobs": 0} and health["version"]
    settings = http.get("/frontend/settings").json()
    assert settings["charLimit"] == CHAR_LIMIT and settings["keyRequired"] is True
    assert ".docx" in settings["supportedFilesFormat"]
    assert settings["language"]["source"]["code"] == "de"
    assert http.get("/openapi.json").json()["paths"]["/translate"]
    missing = http.get("/no/such/route")
    assert missing.status_code == 404 and "error" in missing.json()


# ---------------------------------------------------------------- /translate


def test_a_list_is_answered_with_a_list_and_auto_detects_each(http):
    texts = [GERMAN, "Die Opposition stimmte dagegen.", ""]
    answer = post(http, "/translate", q=texts, source="auto", target="en").json()
    assert answer["translatedText"] == texts
    assert answer["detectedLanguage"] == [answer["detectedLanguage"][0]] * 3  # as LibreTranslate
    assert answer["detectedLanguage"][0]["language"] == "de"


def test_html_keeps_its_markup_and_translates_the_text(http):
    html = '<p class="x">Der Rat hat <b>heute</b> getagt.</p><script>var a = "<b>";</script>'
    answer = post(http, "/translate", q=html, source="de", target="en", format="html").json()
    assert answer["translatedText"] == html  # the copying model: every node comes back as is


def test_json_form_and_query_bodies_are_all_understood(http):
    fields = {"q": GERMAN, "source": "de", "target": "en"}
    as_json = http.post("/translate", json={**fields, "api_key": KEY})
    as_form = http.post("/translate", data={**fields, "api_key": KEY})
    as_query = http.post("/translate", params={**fields, "api_key": KEY})
    for answer in (as_json, as_form, as_query):
        assert answer.status_code == 200 and answer.json() == {"translatedText": GERMAN}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"source": "fr", "target": "en"}, "only German (de) to English (en) is offered; "
                                            "asked for fr→en"),
        ({"source": "de", "target": "es"}, "asked for de→es"),
        ({"target": "en"}, "Invalid request: missing source parameter"),
        ({"source": "de", "target": "en", "format": "pdf"}, "pdf format is not supported"),
    ],
)  # fmt: skip
def test_bad_parameters_are_400_saying_what_is_wrong(http, fields, error):
    answer = post(http, "/translate", q=GERMAN, **fields)
    assert answer.status_code == 400 and error in answer.json()["error"]


def test_over_the_character_limit_is_400_as_libretranslate_says_it(http):
    texts = [GERMAN * 5, GERMAN * 5]  # each under the limit; together over it
    size = sum(map(len, texts))
    answer = post(http, "/translate", q=texts, source="de", target="en")
    assert answer.status_code == 400
    assert answer.json() == {
        "error": f"Invalid request: request ({size}) exceeds text limit ({CHAR_LIMIT})"
    }


def test_auto_refuses_another_language_naming_it(http):
    french = "Le conseil municipal a adopté le budget lundi après une longue discussion."
    answer = post(http, "/translate", q=french, source="auto", target="en")
    assert answer.status_code == 400 and "looks like French (fr)" in answer.json()["error"]
    assert post(http, "/translate", q=french, source="de", target="en").status_code == 200


def test_a_body_that_is_not_json_or_too_big_is_refused(http):
    broken = http.post("/translate", content=b"{q:", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]
    huge = http.post("/translate", json={"q": "x" * int(MAX_INPUT_MB * 1e6 + 10), "api_key": KEY})
    assert huge.status_code == 413 and "over the limit, 20,000 bytes" in huge.json()["error"]


# ---------------------------------------------------------------- /translate_file


def upload(http: httpx.Client, name: str, data: bytes, source: str = "de") -> httpx.Response:
    fields = {"source": source, "target": "en", "api_key": KEY}
    return http.post("/translate_file", data=fields, files={"file": (name, data)})


def test_a_document_comes_back_as_english_markdown_to_download(service, http, tmp_path):
    data = documents.docx(tmp_path / "haushalt.docx").read_bytes()
    answer = upload(http, "../../Haushalt 2025.docx", data, source="auto")
    assert answer.status_code == 200, answer.text
    url = answer.json()["translatedFileUrl"]
    assert url.startswith(str(http.base_url)) and url.endswith("/Haushalt%202025.en.md")
    download = httpx.get(url, timeout=30)  # no key: the random id in the URL is the secret
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/markdown")
    assert "attachment" in download.headers["content-disposition"]
    expected = extract(Path("haushalt.docx"), data).text  # as `translate run` reads it
    assert download.text == expected  # the copying model's English is its German
    assert "Der Stadtrat hat den Haushalt am Montag beschlossen." in download.text
    kept = [p.relative_to(service.data_dir) for p in service.data_dir.rglob("*.en.md")]
    assert Path("files", url.split("/")[-2], "Haushalt 2025.en.md") in kept  # a name, no path
    assert not list(service.data_dir.parent.glob("Haushalt*"))  # nothing where .. led


@pytest.mark.parametrize(
    ("client_name", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ana\\Bericht.docx", "Bericht.docx"),
        (".bashrc", "bashrc"),
        ("", "document"),
        ("a\x00b\n<c>.txt", "a_b_c_.txt"),
        ("x" * 300 + ".docx", "x" * 115 + ".docx"),  # 120 characters
        ("Größe März.pdf", "Größe März.pdf"),
    ],
)
def test_a_client_file_name_is_made_safe_to_keep(client_name, kept):
    from translate.serve.params import safe_name

    assert safe_name(client_name) == kept


def test_a_download_url_cannot_reach_outside_its_folder(http):
    for path in ("/download_file/AAAAAAAAAAAAAAAAAAAAAA/..", "/download_file/..%2F..%2Fetc/passwd"):
        assert http.get(path).status_code == 404


def test_bad_documents_are_refused_with_runs_messages(http, tmp_path):
    good = documents.docx(tmp_path / "gut.docx").read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(good)) as source:
            for item in source.infolist():
                archive.writestr(item, source.read(item))
        archive.writestr("word/media/zeros.bin", bytes(20_000_000))  # ~20 KB packed
    cases = {
        "corrupt.docx": good[: len(good) // 2],
        "leer.txt": b"",
        "bombe.docx": bomb.getvalue(),
        "tabelle.xlsx": b"PK\x03\x04",
        "falsch.pdf": good,  # a zip under a PDF's name
    }
    for name, data in cases.items():
        answer = upload(http, name, data)
        with pytest.raises(InputError) as run_says:
            extract(Path(name), data, int(MAX_INPUT_MB * 1e6))
        assert (answer.status_code, answer.json()) == (400, {"error": str(run_says.value)})
    assert "zip bomb" in upload(http, "bombe.docx", bomb.getvalue()).json()["error"]


def test_a_document_over_the_limit_is_413(http):
    text = (GERMAN + "\n").encode() * 500  # 26 KB of text: over the 20 KB text limit
    answer = upload(http, "lang.txt", text)
    assert answer.status_code == 413 and "lang.txt: over the 20 KB" in answer.json()["error"]
    # A body declared larger than any upload may be is refused before it is read.
    answer = raw_request(
        http,
        b"POST /translate_file HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\n\r\n--b",
    )
    assert answer.startswith("HTTP/1.1 413") and "9,999,999 bytes" in answer


def raw_request(http: httpx.Client, head: bytes) -> str:
    """What the service answers to bytes sent as they are (e.g. a body left unfinished)."""
    answer = b""
    with socket.create_connection((http.base_url.host, http.base_url.port), timeout=30) as out:
        out.sendall(head)
        for _ in range(100):  # until the service closes the connection (it says it will)
            part = out.recv(4096)
            if not part:
                break
            answer += part
    return answer.decode()


def test_a_body_that_stops_arriving_times_out_with_408(http):
    started = time.monotonic()
    answer = raw_request(
        http,
        b"POST /translate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"q": "Der',
    )
    assert answer.startswith("HTTP/1.1 408") and "did not arrive in time" in answer
    assert time.monotonic() - started < UPLOAD_TIMEOUT + 10


# ---------------------------------------------------------------- starting and stopping


def test_another_address_without_a_key_is_a_usage_error():
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "0.0.0.0 is reachable from other machines" in result.stderr
    assert "--api-key" in result.stderr and "--no-auth" in result.stderr


def test_without_the_serve_extra_it_says_what_to_install(tmp_path):
    shadow = tmp_path / "shadow" / "fastapi"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {"PYTHONPATH": f"{shadow.parent}:{Path(__file__).parent.parent}"}
    result = subprocess.run(
        [sys.executable, "-m", "translate", "serve"],
        capture_output=True, text=True, timeout=60, env={**os.environ, **env},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().endswith("pip install 'translate-digest[serve]'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_missing_model_is_said_as_run_says_it(tmp_path):
    args = ["--mt-model", str(tmp_path / "no-such-model")]
    (tmp_path / "kurz.txt").write_text(GERMAN, encoding="utf-8")
    served = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path / "data"), *args])
    ran = CliRunner().invoke(cli, ["run", str(tmp_path / "kurz.txt"), *args])
    assert served.exit_code == 1
    error = next(line for line in served.stderr.splitlines() if line.startswith("error:"))
    assert "no-such-model" in error and error in ran.stderr


# ---------------------------------------------------------------- in process


class StandInEngine:
    """The engine's face to the routes, without models: upper-cases, or fails on demand."""

    def __init__(self, waiting: int = 0, failure: Exception | None = None):
        self.queued_requests, self.failure = waiting, failure

    def submit(self, texts: list[str]) -> Future:
        future: Future = Future()
        if self.failure is not None:
            raise self.failure
        future.set_result([text.upper() for text in texts])
        return future

    def recipe(self) -> dict:
        return {"translation_model": "stand-in", "summary_model": "stand-in"}


def in_process(engine: StandInEngine, tmp_path: Path, **settings):
    from fastapi.testclient import TestClient

    from translate.serve.app import create_app
    from translate.serve.settings import ServeSettings

    app = create_app(engine, ServeSettings(data_dir=tmp_path, **settings))
    return TestClient(app, raise_server_exceptions=False)


def test_without_keys_configured_no_key_is_asked_for(tmp_path):
    client = in_process(StandInEngine(), tmp_path)
    answer = client.post("/translate", data={"q": GERMAN, "source": "de", "target": "en"})
    assert answer.json() == {"translatedText": GERMAN.upper()}


def test_too_many_waiting_requests_are_429_with_retry_after(tmp_path):
    client = in_process(StandInEngine(waiting=8), tmp_path, max_waiting_requests=8)
    answer = client.post("/translate", json={"q": GERMAN, "source": "de", "target": "en"})
    assert answer.status_code == 429 and answer.json()["error"].startswith("Slowdown:")
    assert int(answer.headers["Retry-After"]) > 0


def test_an_unexpected_error_is_500_without_a_traceback(tmp_path, caplog):
    client = in_process(StandInEngine(failure=ValueError("boom in the engine")), tmp_path)
    answer = client.post("/translate", json={"q": GERMAN, "source": "de", "target": "en"})
    assert answer.status_code == 500
    assert answer.json()["error"].startswith("internal error") and "boom" not in answer.text
    assert "ValueError: boom in the engine" in caplog.text


class GatheringEngine(StandInEngine):
    """Answers no request until `count` of them wait together: requests that block one
    another (a route holding the event loop) would never all arrive."""

    def __init__(self, count: int):
        super().__init__()
        self.count, self.futures = count, []

    def submit(self, texts: list[str]) -> Future:
        future: Future = Future()
        self.futures.append((future, texts))
        if len(self.futures) == self.count:
            for waiting, its_texts in self.futures:
                waiting.set_result([text.upper() for text in its_texts])
        return future


def test_concurrent_requests_reach_the_engine_together(tmp_path):
    import asyncio

    from translate.serve.app import create_app
    from translate.serve.settings import ServeSettings

    engine = GatheringEngine(count=4)
    app = create_app(engine, ServeSettings(data_dir=tmp_path))

    async def four_at_once():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            sent = [
                client.post("/translate", json={"q": f"Satz {i}.", "source": "de", "target": "en"})
                for i in range(4)
            ]
            return await asyncio.wait_for(asyncio.gather(*sent), timeout=20)

    answers = asyncio.run(four_at_once())
    assert sorted(a.json()["translatedText"] for a in answers) == [f"SATZ {i}." for i in range(4)]


# ---------------------------------------------------------------- last: the module's service ends


def test_sigterm_stops_the_service_with_status_0(service):
    """Last in the file: it stops the service the tests above share."""
    service.process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert service.wait_exit(30) == 0
    assert time.monotonic() - started < 30
    assert "Traceback" not in service.stderr
