"""Model loading through the same code the CLI uses: local folders, the hub cache, offline."""

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import SEED_DOC
from translate.cli import app
from translate.config import GenerationSettings
from translate.engines.models import folder_size, hub_cache_dir, locate
from translate.engines.torch_backend import TorchSeq2Seq
from translate.errors import ModelNotAvailableError
from translate.flow.pipeline import segment_for
from translate.outputs.front_matter import read_front_matter
from translate.units import human_size

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def put_in_hub_cache(folder: Path, repo_id: str) -> Path:
    """Lay a checkpoint out as huggingface_hub's cache does after a download."""
    repo = hub_cache_dir() / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / COMMIT
    shutil.copytree(folder, snapshot, dirs_exist_ok=True)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(COMMIT)
    return snapshot


def test_the_input_limit_comes_from_the_model(tiny_models):
    marian = TorchSeq2Seq(locate(str(tiny_models[0])))
    assert marian.max_input_tokens == 64  # the tiny config's positions, not a hard-coded 512
    seg = segment_for(marian, SEED_DOC.read_text(encoding="utf-8"), target_tokens=64)
    assert seg.reassemble() == SEED_DOC.read_text(encoding="utf-8")
    assert max(marian.count_tokens(c.clean) for c in seg.chunks) <= 64
    outputs = marian.generate(
        [c.clean for c in seg.chunks[:3]], GenerationSettings(max_length_ratio=2.0)
    )
    assert len(outputs) == 3 and all(isinstance(o, str) for o in outputs)


def test_generation_is_deterministic(tiny_models):
    bart = TorchSeq2Seq(locate(str(tiny_models[1])))
    text = ["The government said on Monday that it would act soon on housing."]
    assert bart.generate(text, GenerationSettings()) == bart.generate(text, GenerationSettings())


def test_hub_id_loads_from_the_cache_under_hf_home_offline(tiny_models, tmp_path):
    put_in_hub_cache(tiny_models[0], "test-org/tiny-marian")
    put_in_hub_cache(tiny_models[1], "test-org/tiny-bart")
    location = locate("test-org/tiny-marian")
    assert location.revision == COMMIT
    assert str(location.path).startswith(str(hub_cache_dir()))
    doc = tmp_path / "brief.txt"
    doc.write_text("Der Präsident sagte am Montag in Berlin, dass die Regierung handeln werde.\n")
    args = [
        "run",
        str(doc),
        "--mt-model",
        "test-org/tiny-marian",
        "--summary-model",
        "test-org/tiny-bart",
    ]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    front = read_front_matter(tmp_path / "brief.summary.en.md")
    assert front["translation_model"] == "test-org/tiny-marian"
    assert front["translation_model_revision"] == COMMIT

    listing = CliRunner().invoke(
        app,
        ["models", "list", "--mt-model", "test-org/tiny-marian", "--summary-model", "x-org/absent"],
    )
    header, marian, absent, cache, advice = listing.stdout.splitlines()
    assert header.split() == ["ROLE", "MODEL", "STATUS", "SIZE", "REVISION", "PATH"]
    size = human_size(folder_size(locate("test-org/tiny-marian").path))
    # The tiny models are a few MB at most: shown with a unit that keeps digits, never "0 MB".
    assert size.endswith((" KB", " MB")) and not size.startswith("0 ")
    assert marian.split()[:3] == ["translation", "test-org/tiny-marian", "available"]
    assert marian.index(size) == header.index("SIZE")  # columns aligned under the header
    assert marian.index(COMMIT[:12]) == header.index("REVISION")
    assert absent.split()[:3] == ["summary", "x-org/absent", "not"]
    assert cache == f"cache: {hub_cache_dir()}"
    assert "translate models download" in advice


def test_download_offline_fails_with_a_clear_message(tiny_models):
    args = ["models", "download", "--mt-model", "x-org/absent", "--summary-model", "y-org/absent"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "x-org/absent" in error and "y-org/absent" in error and "HF_HUB_OFFLINE" in error
    assert "translate models download" not in error  # never advise what just failed
    local = CliRunner().invoke(app, ["models", "download", "--mt-model", str(tiny_models[0])])
    assert f"using local folder {tiny_models[0]}" in local.stderr
    assert f"downloading {tiny_models[0]}" not in local.stderr


def test_missing_model_message_names_model_place_and_remedy():
    from translate.engines.models import missing_message

    with pytest.raises(ModelNotAvailableError) as info:
        locate("x-org/absent")
    message = missing_message([("--mt-model", info.value)], download=True)
    assert "x-org/absent" in message
    assert str(hub_cache_dir()) in message  # where it looked: the cache...
    assert str(Path("x-org/absent").absolute()) in message  # ...and a folder of that name
    assert "translate models download" in message  # the three ways out
    assert "copy a Hugging Face cache" in message
    assert "--mt-model DIR (or TRANSLATE_MT_MODEL)" in message
    assert "\n" not in message


def test_a_folder_that_is_not_a_model_is_reported(tmp_path, tiny_models):
    from translate.engines.models import load

    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelNotAvailableError, match="no config.json, no weights"):
        locate(str(tmp_path))
    broken = tmp_path / "broken"
    shutil.copytree(tiny_models[0], broken)
    (broken / "vocab.json").write_text("{not json")
    with pytest.raises(ModelNotAvailableError, match="could not be loaded") as info:
        load(locate(str(broken)), "cpu")
    assert "\n" not in str(info.value)


def test_torch_int8_needs_quantize_dynamic_and_the_cpu(tiny_models, monkeypatch):
    import torch

    from translate.errors import TranslateError

    location = locate(str(tiny_models[0]))
    with pytest.raises(TranslateError, match="runs on the CPU only"):
        TorchSeq2Seq(location, device="cuda", quantize="int8")  # refused before any weights load
    model = TorchSeq2Seq(location, quantize="int8")
    assert model.describe(GenerationSettings())["compute_type"] == "int8"
    assert "quantized" in type(model.model.model.encoder.layers[0].fc1).__module__
    monkeypatch.delattr(torch.ao.quantization, "quantize_dynamic")  # as in a future torch
    with pytest.raises(TranslateError, match="no longer has; use --backend ctranslate2"):
        TorchSeq2Seq(location, quantize="int8")


def test_a_folder_without_a_tokenizer_class_gets_its_familys_tokenizer(tiny_models, tmp_path):
    """Older hub repositories (opus-mt-de-en, distilbart-cnn-12-6) name no tokenizer class;
    their family's is taken without AutoTokenizer (which imports torch), and it tokenizes as
    the named one does. A family we do not know still goes through AutoTokenizer."""
    import json

    import transformers

    from translate.engines.common import _tokenizer_class, load_text_side

    folder = tmp_path / "unnamed"
    shutil.copytree(tiny_models[0], folder)
    settings_file = folder / "tokenizer_config.json"
    settings = json.loads(settings_file.read_text())
    assert settings.pop("tokenizer_class") == "MarianTokenizer"
    settings_file.write_text(json.dumps(settings))
    named = load_text_side(locate(str(tiny_models[0])))[0]
    unnamed, config, _ = load_text_side(locate(str(folder)))
    assert type(unnamed) is transformers.MarianTokenizer and config.model_type == "marian"
    text = "Die Regierung hat am Montag neue Pläne vorgestellt."
    assert unnamed(text).input_ids == named(text).input_ids
    assert _tokenizer_class(folder, {"model_type": "t5"}) is transformers.AutoTokenizer
    settings_file.write_text(json.dumps({**settings, "tokenizer_class": "NoSuchTokenizer"}))
    assert _tokenizer_class(folder, {"model_type": "t5"}) is transformers.AutoTokenizer


def test_auto_finds_no_gpu_without_importing_torch_where_no_driver_is(tmp_path, monkeypatch):
    import sys

    from translate.engines import models
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(models, "_GPU_DEVICE_FILES", (str(tmp_path / "nvidiactl"),))
    monkeypatch.setitem(sys.modules, "torch", None)  # an import of torch would now fail
    assert models.pick_device("auto") == "cpu" and models.pick_device("cpu") == "cpu"
    (tmp_path / "nvidiactl").touch()  # a driver: only torch can tell whether it has a GPU
    with pytest.raises(ImportError):
        models.pick_device("auto")
    monkeypatch.setattr(sys, "platform", "darwin")  # Apple's mps: only torch can tell
    (tmp_path / "nvidiactl").unlink()
    with pytest.raises(ImportError):
        models.pick_device("auto")
