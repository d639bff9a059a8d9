"""The CTranslate2 backend on the tiny checkpoints: conversion, its cache, generation."""

from __future__ import annotations

import sys

import pytest

from translate.config import GenerationSettings
from translate.errors import TranslateError
from translate.models import load, locate, resolve_backend

GERMAN = [
    "Die Regierung hat am Montag neue Pläne vorgestellt.",
    "Das ist ein kurzer Satz.",
    "Viele Bürger sind davon betroffen, sagte die Ministerin in Berlin.",
]
ENGLISH = ["The government presented new plans on Monday. Many citizens are affected."]


def _load(path, quantize="none"):
    return load(locate(str(path)), "cpu", backend="ctranslate2", quantize=quantize)


def _converted(tmp_path):
    root = tmp_path / "translate-cache" / "ct2"  # TRANSLATE_CACHE, set by conftest
    return sorted(root.iterdir()) if root.is_dir() else []


def test_generates_one_string_per_input(tiny_models, tmp_path):
    marian, bart = tiny_models
    translator = _load(marian)
    outputs = translator.generate(GERMAN, GenerationSettings(max_length_ratio=2.0))
    assert len(outputs) == len(GERMAN) and all(isinstance(o, str) for o in outputs)
    assert translator.generate([], GenerationSettings()) == []
    summarizer = _load(bart)
    assert len(summarizer.generate(ENGLISH, GenerationSettings())) == 1
    # --quantize none still runs int8 on the CPU, and says so.
    assert translator.describe(GenerationSettings())["compute_type"] == "int8"
    assert summarizer.describe(GenerationSettings())["num_beams"] == 2  # the model's own default
    assert [p.name.endswith("-int8") for p in _converted(tmp_path)] == [True, True]


def test_same_output_and_lengths_as_torch(tiny_models, tmp_path):
    """In float32 both engines compute the same thing: identical outputs, token for token.

    A random-weight Marian: the shared one copies its input, and decoding forced past the
    copy's end is a near-tie that float rounding decides differently in each engine."""
    from tests.checkpoints import build_marian

    marian, bart = build_marian(tmp_path / "random-marian"), tiny_models[1]
    for path, texts in ((marian, GERMAN), (bart, ENGLISH)):
        ct2 = _load(path, quantize="float32")
        torch = load(locate(str(path)), "cpu")
        for settings in (
            GenerationSettings(),
            GenerationSettings(forced_length_ratio=1.0),
            GenerationSettings(min_new_tokens=12, max_new_tokens=12, num_beams=1),
        ):
            assert ct2.generate(texts, settings) == torch.generate(texts, settings)
            # ... and agree on which outputs ended by themselves and which hit the cap.
            ended = [g.finished for g in ct2.generate_detailed(texts, settings)]
            assert ended == [g.finished for g in torch.generate_detailed(texts, settings)]
        assert ct2.count_tokens(texts[0]) == torch.count_tokens(texts[0])
        assert ct2.max_input_tokens == torch.max_input_tokens


def test_conversion_is_cached(tiny_models, tmp_path, monkeypatch):
    import ctranslate2

    marian, _ = tiny_models
    _load(marian)
    [folder] = _converted(tmp_path)
    before = folder.stat().st_mtime_ns

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(ctranslate2.converters.TransformersConverter, "convert", no_conversion)
    translator = _load(marian)
    assert translator.model_dir == folder
    assert folder.stat().st_mtime_ns == before
    assert _converted(tmp_path) == [folder]


def test_interrupted_conversion_leaves_nothing(tiny_models, tmp_path, monkeypatch):
    import ctranslate2

    marian, _ = tiny_models

    def interrupted(self, output_dir, *args, **kwargs):
        from pathlib import Path

        Path(output_dir).mkdir(parents=True)
        (Path(output_dir) / "model.bin").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(ctranslate2.converters.TransformersConverter, "convert", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _load(marian)
    assert _converted(tmp_path) == []
    monkeypatch.undo()
    monkeypatch.setenv("TRANSLATE_CACHE", str(tmp_path / "translate-cache"))
    assert len(_load(marian).generate(GERMAN[:1], GenerationSettings())) == 1  # and recovers


def test_missing_ctranslate2_says_how_to_install_it(tiny_models, monkeypatch):
    marian, _ = tiny_models
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # import fails as if not installed
    with pytest.raises(TranslateError, match=r"pip install ctranslate2"):
        _load(marian)


def test_auto_backend_is_ctranslate2_on_cpu_and_torch_without_it(tiny_models, monkeypatch):
    marian, _ = tiny_models
    model = load(locate(str(marian)), "cpu", backend="auto")
    assert model.backend == "ctranslate2"
    assert model.describe(GenerationSettings())["compute_type"] == "int8"
    assert resolve_backend("auto", "mps") == "torch"  # CTranslate2 has no Apple GPU support
    assert resolve_backend("torch", "cpu") == "torch"  # an explicit choice stands
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # as if not installed
    assert load(locate(str(marian)), "cpu", backend="auto").backend == "torch"


def test_ctranslate2_decodes_in_bounded_runs_that_keep_the_order():
    from translate.ct2 import _HYPOTHESES, _HYPOTHESIS_TOKENS, _sub_batches

    lengths = [64] * 40 + [1024, 1024] + [10] * 30
    runs = _sub_batches(lengths, beams=4)
    assert [i for run in runs for i in run] == list(range(len(lengths)))  # all, in order
    for run in runs:
        assert len(run) * 4 <= _HYPOTHESES or len(run) == 1
        assert len(run) * max(lengths[i] for i in run) * 4 <= _HYPOTHESIS_TOKENS or len(run) == 1
    # 24 + 16 of the 64-token inputs, each 1,024-token summary window alone, 24 + 6 short ones.
    assert [len(run) for run in runs] == [24, 16, 1, 1, 24, 6]
