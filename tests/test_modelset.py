"""The run's models: located up front, loaded once on first use, a failed load remembered."""


import pytest

from tests.test_model_revision import fake_model_folder
from translate.config import ModelOptions, RunOptions
from translate.engines import modelset
from translate.errors import ModelNotAvailableError


def model_folder(path):
    return fake_model_folder(path)


@pytest.fixture
def loads(monkeypatch):
    """Records each load (location name, device, engine options) instead of loading."""
    calls = []

    def fake_load(location, device, backend, quantize, threads, progress=None):
        calls.append((location.name, device, backend, quantize, threads))
        if "broken" in location.name:
            raise ModelNotAvailableError(f"{location.name} could not be loaded")
        return f"model {location.name}"

    monkeypatch.setattr(modelset, "load", fake_load)
    monkeypatch.setattr(modelset, "pick_device", lambda device: f"picked-{device}")
    return calls


def options(tmp_path, mt="mt", summary="sum", **models):
    tmp_path.mkdir(exist_ok=True)
    mt_path = model_folder(tmp_path / mt)
    sum_path = model_folder(tmp_path / summary)
    return RunOptions(
        models=ModelOptions(mt_model=str(mt_path), summary_model=str(sum_path), **models)
    )


def test_each_model_loads_once_on_first_use(tmp_path, loads):
    models = modelset.ModelSet(options(tmp_path, backend="ctranslate2", quantize="int8"))
    assert loads == []  # locating loads nothing
    assert models.translator == f"model {tmp_path / 'mt'}"
    assert models.translator is models.translator
    assert models.summarizer == f"model {tmp_path / 'sum'}"
    assert models.summarizer is models.summarizer
    assert loads == [
        (str(tmp_path / "mt"), "picked-auto", "ctranslate2", "int8", None),
        (str(tmp_path / "sum"), "picked-auto", "ctranslate2", "int8", None),
    ]


def test_the_device_is_resolved_when_first_needed_unless_it_must_be_checked(tmp_path, loads):
    for name in "abc":
        (tmp_path / name).mkdir()
    assert modelset.ModelSet(options(tmp_path / "a", device="cpu"))._device is None
    lazy = modelset.ModelSet(options(tmp_path / "b", device="auto"))
    assert lazy._device is None and lazy.device == "picked-auto" and lazy.device == "picked-auto"
    assert modelset.ModelSet(options(tmp_path / "c", device="cuda"))._device == "picked-cuda"


def test_a_failed_load_is_remembered_not_retried_for_every_document(tmp_path, loads):
    models = modelset.ModelSet(options(tmp_path, summary="broken-sum"))
    for _ in range(3):
        with pytest.raises(ModelNotAvailableError, match="broken-sum could not be loaded"):
            _ = models.summarizer
    assert [call[0] for call in loads] == [str(tmp_path / "broken-sum")]
    assert models.translator == f"model {tmp_path / 'mt'}"  # the other model still loads


def test_threads_reach_torch_and_the_engine(tmp_path, loads, monkeypatch):
    import torch

    set_to = []
    monkeypatch.setattr(torch, "set_num_threads", set_to.append)
    models = modelset.ModelSet(options(tmp_path / "a", threads=3, device="cpu", backend="torch"))
    assert models.translator
    assert set_to == [3] and loads[0][-1] == 3
    # CTranslate2 takes its threads itself: torch is not even imported for it.
    models = modelset.ModelSet(options(tmp_path / "b", threads=2, backend="ctranslate2"))
    assert models.translator
    assert set_to == [3] and loads[1][-1] == 2


def test_the_recipe_leaves_unset_settings_out(tmp_path, loads):
    recipe = modelset.ModelSet(options(tmp_path)).recipe()
    assert list(recipe) == [
        "translation_model",
        "translation_model_revision",
        "summary_model",
        "summary_model_revision",
        "backend",
        "quantize",
        "translation_settings",
        "summary_settings",
        "chunk_tokens",
        "source_lang",
    ]
    assert (recipe["chunk_tokens"], recipe["source_lang"]) == (1, None)  # a sentence each
    assert recipe["translation_settings"] == {"max_length_ratio": 2.0}
    assert recipe["summary_settings"] == {}
    assert recipe["backend"] == "auto" and recipe["quantize"] == "none"


def test_the_conversion_cache_is_checked_up_front_unless_torch_runs(tmp_path, loads, monkeypatch):
    from translate.engines.ct2 import convert

    checked = []
    monkeypatch.setattr(convert, "check_cache_dir", lambda: checked.append(True))
    modelset.ModelSet(options(tmp_path / "a", backend="torch"))
    assert checked == []
    modelset.ModelSet(options(tmp_path / "b", backend="auto"))
    modelset.ModelSet(options(tmp_path / "c", backend="ctranslate2"))
    assert checked == [True, True]
