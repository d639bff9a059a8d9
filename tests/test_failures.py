"""Failures: each is reported for every document it hits, in words the user can act on."""

import json

import pytest

from tests.test_front_matter import Clock, TimedModels
from tests.test_pipeline import FakeModel
from translate.config import GenerationSettings, RunOptions
from translate.engines import models as models_module
from translate.errors import ModelNotAvailableError, TranslateError
from translate.flow.pipeline import summarize
from translate.flow.run import iter_results
from translate.inputs.discovery import discover

DOCS = {
    "a.txt": "Der erste Absatz ist hier.\n\nDer zweite Absatz ist auch hier.\n",
    "b.txt": "Ein anderer Absatz auf Deutsch steht hier.\n",
    "c.txt": "Noch ein dritter Text, der kaputt ist.\n",
}


def documents(tmp_path):
    for name, text in DOCS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return discover([tmp_path])[0]


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_failed_translation_batch_reports_every_document_in_it(tmp_path):
    models = TimedModels(Clock())

    def broken(texts, settings):
        raise RuntimeError("out of memory in the batch")

    models._models["translator"].generate = broken
    results = list(iter_results(documents(tmp_path), RunOptions(), models))
    assert [(r.path.name, r.status) for r in results] == [
        ("a.txt", "failed"),
        ("b.txt", "failed"),
        ("c.txt", "failed"),
    ]
    for result in results:
        assert result.reason == f"{result.path}: RuntimeError: out of memory in the batch"
    assert not list(tmp_path.glob("*.md")) and leftovers(tmp_path) == []


def test_a_summarizer_failing_on_one_document_fails_that_one_only(tmp_path):
    models = TimedModels(Clock())
    summarizer = models._models["summarizer"]
    real = summarizer.generate

    def fails_on_c(texts, settings):
        if any("KAPUTT" in t for t in texts):
            raise TranslateError("the summarizer gave up")
        return real(texts, settings)

    summarizer.generate = fails_on_c
    results = {r.path.name: r for r in iter_results(documents(tmp_path), RunOptions(), models)}
    assert {n: r.status for n, r in results.items()} == {
        "a.txt": "written",
        "b.txt": "written",
        "c.txt": "failed",
    }
    assert results["c.txt"].reason == f"{results['c.txt'].path}: the summarizer gave up"
    assert not (tmp_path / "c.summary.en.md").exists() and leftovers(tmp_path) == []


def test_a_summarizer_that_cannot_load_stops_the_run_once_before_any_output(tmp_path):
    models = TimedModels(Clock())
    attempts = []

    def cannot_load(self):
        attempts.append(1)
        raise ModelNotAvailableError("model folder /x/bart could not be loaded: broken weights")

    models.__class__ = type("Broken", (TimedModels,), {"summarizer": property(cannot_load)})
    results = iter_results(documents(tmp_path), RunOptions(), models)
    with pytest.raises(ModelNotAvailableError, match="could not be loaded: broken weights"):
        list(results)
    assert attempts == [1]  # one run-wide error, not one per document
    assert not list(tmp_path.glob("*.md")) and leftovers(tmp_path) == []  # locks freed


def test_an_empty_summary_is_a_failure_not_an_empty_file():
    class Mute(FakeModel):
        def generate(self, texts, settings):
            return ["  " for _ in texts]

    model = Mute(mode="summarize", max_input_tokens=20)
    with pytest.raises(TranslateError, match="returned an empty summary"):
        summarize(
            model, "Ten words here that are more than a summary is.", GenerationSettings(), 100
        )


class Hub:
    """Stands in for the library's snapshot_download: records whether it was let ask the hub
    (local_files_only False) and answers as an empty cache, in words that are not ours."""

    def __init__(self):
        self.asked_hub = []

    def snapshot_download(self, repo_id, revision=None, allow_patterns=None, **kwargs):
        from huggingface_hub.errors import LocalEntryNotFoundError

        self.asked_hub.append(not kwargs["local_files_only"])
        raise LocalEntryNotFoundError("LIBRARY WORDING: cannot find the requested files")


@pytest.fixture
def hub(monkeypatch):
    import huggingface_hub

    fake = Hub()
    monkeypatch.setattr(huggingface_hub, "snapshot_download", fake.snapshot_download)
    return fake


@pytest.mark.parametrize("download", [False, True])
def test_offline_means_the_hub_is_never_asked_and_the_message_is_ours(monkeypatch, hub, download):
    monkeypatch.setattr(models_module, "_hub_offline", lambda: True)
    with pytest.raises(ModelNotAvailableError) as caught:
        models_module.locate("org/absent", download=download)
    assert hub.asked_hub == [False]  # the cache only, even when told to download
    message = str(caught.value)
    assert message.startswith("model 'org/absent' is not available: it is not in the cache, ")
    assert "downloads are off (HF_HUB_OFFLINE is set)" in message
    assert "LIBRARY WORDING" not in message


def test_online_the_cache_is_tried_first_then_the_hub(monkeypatch, hub):
    monkeypatch.setattr(models_module, "_hub_offline", lambda: False)
    with pytest.raises(ModelNotAvailableError, match="the hub could not be reached"):
        models_module.locate("org/absent")
    assert hub.asked_hub == [False, True]
    with pytest.raises(ModelNotAvailableError, match="it is not in the cache. Looked in"):
        models_module.locate("org/absent", local_only=True)
    assert hub.asked_hub == [False, True, False]
    with pytest.raises(ModelNotAvailableError):
        models_module.locate("org/absent", download=True)
    assert hub.asked_hub == [False, True, False, True]  # straight to the hub


def test_json_of_a_failed_batch_has_one_entry_per_document(tmp_path, monkeypatch):
    import translate.flow.run as run_module

    models = TimedModels(Clock())
    models._models["translator"].generate = lambda texts, settings: 1 / 0
    monkeypatch.setattr(run_module, "WAVE_CHUNKS", 2)  # a and b share a wave; c has its own
    results = list(iter_results(documents(tmp_path), RunOptions(), models))
    assert json.dumps([r.status for r in results]) == json.dumps(["failed"] * 3)
    assert all("ZeroDivisionError" in r.reason for r in results)
