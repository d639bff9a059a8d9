"""The CTranslate2 backend on the tiny checkpoints: conversion, its cache, generation."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from translate.config import GenerationSettings
from translate.engines.models import load, locate, resolve_backend
from translate.errors import TranslateError

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
        # One worker decodes the call as one batch, as torch does: a forced length is then
        # the call's on both sides (with workers it is each sub-batch's, tested below).
        ct2 = load(locate(str(path)), "cpu", backend="ctranslate2", quantize="float32", threads=1)
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


# state_budget of the two published models under a 300 MiB bound: the runs below are
# worked out for these budgets, whatever the default bound.
MARIAN_BUDGET, BART_BUDGET = 12_800, 6_400


def test_the_state_budget_follows_the_decoder_size(monkeypatch):
    from types import SimpleNamespace

    from translate.engines.ct2 import schedule

    monkeypatch.setattr(schedule, "_STATE_BYTES", 300 * 2**20)
    assert schedule.state_budget(SimpleNamespace(decoder_layers=6, d_model=512)) == MARIAN_BUDGET
    assert schedule.state_budget(SimpleNamespace(decoder_layers=6, d_model=1024)) == BART_BUDGET
    assert (
        schedule.state_budget(SimpleNamespace(num_hidden_layers=12, hidden_size=512)) == BART_BUDGET
    )


def test_the_default_bound_gives_the_summarizer_two_workers_of_a_full_window_each():
    """The published distilbart (6 decoder layers, 1,024 wide, beam 4, 141-token cap) gets
    two workers on 2 cores; each takes a full window, or two of up to ~880 tokens, not two
    full ones (which took the default run over 1.2 GB)."""
    from types import SimpleNamespace

    from translate.engines.ct2.schedule import state_budget, state_cost, sub_batches, workers_for

    budget = state_budget(SimpleNamespace(decoder_layers=6, d_model=1024))
    assert workers_for(2, state_cost(1, 1024, 4, 1024), budget) == 2
    # The pipeline's default summary batches (2,048 padded tokens), queued with others:
    assert sub_batches([1024, 1000], 4, 141, budget, 2, spread=False) == [[0], [1]]
    assert sub_batches([880, 870], 4, 141, budget, 2, spread=False) == [[0, 1]]
    # ten short windows: as many as a worker's share of the state holds
    assert [len(r) for r in sub_batches([200] * 10, 4, 141, budget, 2, spread=False)] == [6, 4]


def _check_runs(runs, lengths, budget, workers, cap=200):
    from translate.engines.ct2.schedule import _HYPOTHESES, state_cost

    assert [i for run in runs for i in run] == list(range(len(lengths)))  # all, in order
    for run in runs:  # each worker's share of the one bound, or a single input
        longest = max(lengths[i] for i in run)
        assert len(run) * 4 <= _HYPOTHESES // workers or len(run) == 1
        assert state_cost(len(run), longest, 4, cap) <= budget // workers or len(run) == 1


def test_ctranslate2_decodes_in_bounded_runs_that_keep_the_order():
    from translate.engines.ct2.schedule import sub_batches

    lengths = [64] * 40 + [1024, 1024] + [10] * 30
    runs = sub_batches(lengths, beams=4, cap=200, budget=MARIAN_BUDGET)
    _check_runs(runs, lengths, MARIAN_BUDGET, workers=1)
    # 24 + 16 of the 64-token inputs, the two 1,024-token inputs together, 24 + 6 short ones.
    assert [len(run) for run in runs] == [24, 16, 2, 24, 6]
    # Twice as much state per token (distilbart): each 1,024-token window goes alone.
    runs = sub_batches(lengths, beams=4, cap=200, budget=BART_BUDGET)
    _check_runs(runs, lengths, BART_BUDGET, workers=1)
    assert [len(run) for run in runs] == [12, 12, 12, 4, 1, 1, 24, 6]


def test_with_several_workers_each_gets_a_share_within_the_same_bound():
    from translate.engines.ct2.schedule import sub_batches

    lengths = [64] * 40 + [1024, 1024] + [10] * 30
    runs = sub_batches(lengths, beams=4, cap=200, budget=MARIAN_BUDGET, workers=2)
    _check_runs(runs, lengths, MARIAN_BUDGET, workers=2)
    assert [len(run) for run in runs] == [12, 12, 12, 4, 1, 1, 12, 12, 6]
    # Even runs, in whole rounds: no worker decodes the last run alone while the other waits.
    runs = sub_batches([30] * 34, 4, 30, MARIAN_BUDGET, workers=2)
    assert [len(r) for r in runs] == [9] * 3 + [7]
    assert sub_batches([], 4, 40, MARIAN_BUDGET, workers=2) == []
    # A call smaller than one sub-batch still reaches both workers.
    assert sub_batches([20] * 6, 4, 40, MARIAN_BUDGET, workers=2) == [[0, 1, 2], [3, 4, 5]]


def test_a_batch_among_others_goes_to_one_worker_whole_within_its_share():
    """Queued with other batches, a batch is not halved for the workers (the others keep
    them busy; halves decode fewer inputs per step): runs as large as a worker's share of
    the bounds, still of even size, and still within them."""
    from translate.engines.ct2.schedule import sub_batches

    assert sub_batches([20] * 6, 4, 40, MARIAN_BUDGET, workers=2, spread=False) == [list(range(6))]
    lengths = [30] * 34
    runs = sub_batches(lengths, 4, 30, MARIAN_BUDGET, workers=2, spread=False)
    assert [len(r) for r in runs] == [12, 12, 10]
    _check_runs(runs, lengths, MARIAN_BUDGET, workers=2)
    lengths = [64] * 40 + [1024, 1024] + [10] * 30
    runs = sub_batches(lengths, beams=4, cap=200, budget=MARIAN_BUDGET, workers=2, spread=False)
    _check_runs(runs, lengths, MARIAN_BUDGET, workers=2)


def test_several_workers_decode_what_one_does(tiny_models):
    """Outputs do not depend on how the inputs are shared between CTranslate2's workers."""
    marian, _ = tiny_models
    one = load(locate(str(marian)), "cpu", backend="ctranslate2", threads=1)
    two = load(locate(str(marian)), "cpu", backend="ctranslate2", threads=2)
    assert (one.workers, two.workers) == (1, 2)
    # 36 different inputs: three sub-batches of 12, all in flight at once (two of 18 for one
    # worker). Fixed lengths, the same whatever the split (a forced ratio is per sub-batch).
    texts = [f"{GERMAN[i % 3]} Seite {i}." for i in range(36)]
    settings = GenerationSettings(min_new_tokens=12, max_new_tokens=12)
    assert two.generate_detailed(texts, settings) == one.generate_detailed(texts, settings)
    assert len(two.generate(texts, settings)) == len(texts)


class _Collected:
    """A pending engine result that leaves `in_flight` (a test's record) once collected."""

    def __init__(self, pending, key, in_flight: dict):
        self.pending, self.key, self.in_flight = pending, key, in_flight

    def result(self):
        self.in_flight.pop(self.key, None)
        return self.pending.result()


def test_what_is_in_flight_stays_within_the_budget(tiny_models):
    """Sub-batches are submitted to the workers at once only while their attention state
    fits the budget together; past it, the next one waits for the oldest to finish."""
    from translate.engines.ct2.schedule import state_cost

    marian, _ = tiny_models
    model = load(locate(str(marian)), "cpu", backend="ctranslate2", threads=2)
    texts = [f"{GERMAN[i % 3]} Seite {i}." for i in range(36)]
    settings = GenerationSettings(min_new_tokens=12, max_new_tokens=12)
    unbounded = model.generate_detailed(texts, settings)
    engine = model.translator
    in_flight: dict[int, int] = {}
    seen: list[tuple[int, int]] = []  # (sub-batches, state) in flight after each submission

    class Recording:  # the real engine, noting what is submitted and not yet collected
        def translate_batch(self, batch, **options):
            key = len(seen)
            in_flight[key] = state_cost(
                len(batch), max(map(len, batch)), options["beam_size"],
                options["max_decoding_length"],
            )  # fmt: skip
            seen.append((len(in_flight), sum(in_flight.values())))
            return [_Collected(p, key, in_flight) for p in engine.translate_batch(batch, **options)]

    model.translator = Recording()
    model.state_budget = 3 * state_cost(3, 20, 4, 20)  # about three sub-batches of three
    assert model.generate_detailed(texts, settings) == unbounded
    assert len(seen) >= 6 and not in_flight
    assert max(count for count, _ in seen) >= 2  # the workers did share the work ...
    assert all(state <= model.state_budget for count, state in seen if count > 1)  # ... within


def test_batches_queued_together_decode_as_each_would_alone(tiny_models):
    """`generate_batches` yields, in order, what `generate_detailed` gives each batch alone
    (its own options, an empty batch empty), whatever its neighbours; a forced length too."""
    marian, _ = tiny_models
    model = load(locate(str(marian)), "cpu", backend="ctranslate2", threads=2)
    batches = [
        [f"{GERMAN[2]} {GERMAN[2]}"] * 3 + [GERMAN[0]],
        [],
        [f"{GERMAN[i % 3]} Seite {i}." for i in range(30)],
        [GERMAN[1]],
    ]
    for settings in (
        GenerationSettings(max_length_ratio=2.0),
        GenerationSettings(max_length_ratio=2.0, forced_length_ratio=1.0),
    ):
        alone = [model.generate_detailed(b, settings) for b in batches]
        assert list(model.generate_batches(batches, settings)) == alone
        assert [len(a) for a in alone] == [4, 0, 30, 1]
    assert list(model.generate_batches([], GenerationSettings())) == []


def test_a_worker_done_with_one_batch_starts_on_the_next(tiny_models):
    """The pipeline's batches reach CTranslate2 queued: the next batch's sub-batches are
    submitted while the last one's still decode, so no worker waits at a batch's end for
    the others (a call per batch made it wait), and the state in flight stays in bounds."""
    from translate.engines.ct2.schedule import state_cost
    from translate.flow.pipeline import token_batches, translate_texts

    marian, _ = tiny_models
    model = load(locate(str(marian)), "cpu", backend="ctranslate2", threads=2)
    engine = model.translator
    in_flight: dict[int, tuple[int, int]] = {}  # submission -> (batch, state)
    together: list[set[int]] = []  # the batches in flight after each submission

    class Recording:
        def translate_batch(self, batch, **options):
            key = len(together)
            first = batch[0]
            owner = next(i for i, texts in enumerate(tokens) if first in texts)
            cost = state_cost(
                len(batch), max(map(len, batch)), options["beam_size"],
                options["max_decoding_length"],
            )  # fmt: skip
            in_flight[key] = (owner, cost)
            together.append({b for b, _ in in_flight.values()})
            assert sum(c for _, c in in_flight.values()) <= model.state_budget
            return [_Collected(p, key, in_flight) for p in engine.translate_batch(batch, **options)]

    # Batches of four distinct sentences each (a sentence tells its batch).
    texts = [f"{GERMAN[i % 3]} Nummer {i}." for i in range(16)]
    settings = GenerationSettings(min_new_tokens=8, max_new_tokens=8)
    expected = model.generate_detailed(texts, settings)
    budget = max(model.count_tokens(t) for t in texts) * 4
    tokens = [  # each batch's sources, as the engine sees them
        [model.tokenizer.convert_ids_to_tokens(model.tokenizer(texts[i]).input_ids) for i in b]
        for b in token_batches([model.count_tokens(t) for t in texts], budget)
    ]
    assert len(tokens) >= 3
    model.translator = Recording()
    outputs, _ = translate_texts(model, texts, settings, budget)
    assert [o.text for o in outputs] == [e.text for e in expected]
    assert not in_flight
    assert any(len(batches) > 1 for batches in together)  # two batches decoded at once
    assert len(together) == len(tokens)  # each went whole to a worker, not halved

    # A lone batch is still shared between the workers.
    together.clear()
    tokens = tokens[:1]
    first = token_batches([model.count_tokens(t) for t in texts], budget)[0]
    assert len(first) >= 2
    list(model.generate_batches([[texts[i] for i in first]], settings))
    assert len(together) == 2


def test_a_forced_length_is_each_sub_batchs_own(tiny_models):
    """The benchmark's forced length (output = input tokens) stands in for a real model, whose
    outputs each end at their own length: each sub-batch is forced to its own longest input,
    as the engine batches them (and as the benchmark's ceiling forces it), not every
    sub-batch to the call's longest. Every other option is the whole call's."""
    marian, _ = tiny_models
    model = load(locate(str(marian)), "cpu", backend="ctranslate2", threads=2)
    engine = model.translator
    seen: list[tuple[int, dict]] = []  # (longest source, options) of each sub-batch

    class Recording:
        def translate_batch(self, batch, **options):
            decoding = {k: options[k] for k in model.decoding_options(GenerationSettings(), 1)}
            seen.append((max(map(len, batch)), decoding))
            return engine.translate_batch(batch, **options)

    model.translator = Recording()
    # Longest first, as the pipeline hands them over: two sub-batches of different lengths.
    texts = [f"{GERMAN[2]} {GERMAN[2]}"] * 3 + [GERMAN[1]] * 3
    longest = max(model.count_tokens(t) for t in texts)
    forced = GenerationSettings(max_length_ratio=2.0, forced_length_ratio=1.0)
    outputs = model.generate_detailed(texts, forced)
    assert len(seen) == 2 and seen[0][0] > seen[1][0]
    for own, options in seen:
        assert options == model.decoding_options(forced, own)
    assert seen[1][1]["min_decoding_length"] < model.decoding_options(forced, longest)[
        "min_decoding_length"
    ]
    # The short inputs' outputs are as long as they are, not as the call's longest.
    lengths = [model.count_tokens(o.text) for o in outputs]
    assert max(lengths[3:]) < min(lengths[:3])

    seen.clear()
    free = GenerationSettings(max_length_ratio=2.0)  # a real run: one cap for the whole call
    model.generate_detailed(texts, free)
    assert [options for _, options in seen] == [model.decoding_options(free, longest)] * 2


def test_workers_share_the_cores_unless_full_inputs_go_one_at_a_time():
    """opus-mt-de-en (inputs up to 512 tokens, beam 4: a third of its bound) gets a worker
    per core, up to 4, with equal threads each; distilbart (1,024-token windows, twice as
    wide: more than its whole bound) gets one worker with every thread, since its full
    windows go one at a time anyway."""
    from translate.engines.ct2.schedule import state_cost, workers_for

    marian_full = state_cost(1, 512, 4, 512)
    bart_full = state_cost(1, 1024, 4, 1024)
    assert [workers_for(t, marian_full, MARIAN_BUDGET) for t in (1, 2, 3, 4, 6, 8)] == [
        1, 2, 3, 4, 3, 4,
    ]  # fmt: skip  (6 cores: 3 workers of 2 threads, not 4 of 1 and 2 cores idle)
    assert [workers_for(t, bart_full, BART_BUDGET) for t in (1, 2, 4, 8)] == [1, 1, 1, 1]
    # The line is at half the bound: two full inputs fit at once, or not.
    assert workers_for(2, 500, 1000) == 2 and workers_for(2, 501, 1000) == 1


def test_a_model_whose_full_inputs_cannot_pair_gets_one_worker(tiny_models, monkeypatch):
    """The loaded engine's layout follows the rule: the tiny summarizer, with the bound
    shrunk just below two of its full-length inputs, runs one worker of 2 threads."""
    from translate.engines.ct2 import schedule

    _, bart = tiny_models
    model = load(locate(str(bart)), "cpu", backend="ctranslate2", threads=2)
    assert model.workers == 2 and model.translator.num_translators == 2  # it fits twice
    full = schedule.state_cost(1, model.max_input_tokens, 2, model.max_input_tokens)  # beam 2
    per_token = schedule._STATE_BYTES // model.state_budget
    monkeypatch.setattr(schedule, "_STATE_BYTES", (2 * full - 1) * per_token)
    model = load(locate(str(bart)), "cpu", backend="ctranslate2", threads=2)
    assert model.workers == 1 and model.translator.num_translators == 1


def test_a_ctranslate2_run_never_imports_torch(tiny_models, tmp_path):
    """torch takes ~180 MB of memory that CTranslate2 does not use: only the conversion, once
    per model, needs it. A run on the CPU (the auto backend) loads and runs both models
    without it; so does --device auto where no GPU driver is (test_models)."""
    marian, bart = tiny_models
    _load(marian), _load(bart)  # their conversions, into this test's cache (see conftest)
    doc = tmp_path / "docs" / "brief.txt"
    doc.parent.mkdir()
    doc.write_text(" ".join(GERMAN) + "\n", encoding="utf-8")
    report = "import atexit, sys; atexit.register(lambda: print('torch' in sys.modules))"
    code = f"{report}; from translate.cli import main; sys.argv[0] = 'translate'; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "run", str(doc), "--mt-model", str(marian)]
        + ["--summary-model", str(bart), "--device", "cpu"],
        capture_output=True,
        text=True,
        env=os.environ,  # TRANSLATE_CACHE: the conversions above
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "1 written" in result.stderr + result.stdout
    assert result.stdout.splitlines()[-1] == "False"


def _damage(folder, how: str) -> None:
    model = folder / "model.bin"
    if how == "truncated":
        model.write_bytes(model.read_bytes()[: model.stat().st_size // 2])
    elif how == "empty":
        model.write_bytes(b"")
    elif how == "random bytes":
        model.write_bytes(os.urandom(model.stat().st_size))  # same size: only the hash tells
    elif how == "no vocabulary":
        for vocabulary in folder.glob("*vocabulary*"):
            vocabulary.unlink()
    elif how == "broken config":
        (folder / "config.json").write_text("{", encoding="utf-8")
    elif how == "no manifest":
        (folder / "translate-manifest.json").unlink()


@pytest.mark.parametrize(
    "how",
    ["truncated", "empty", "random bytes", "no vocabulary", "broken config", "no manifest"],
)
def test_a_damaged_conversion_is_set_aside_and_made_again(tiny_models, caplog, how):
    from translate.engines.ct2.convert import damage, ensure_converted

    marian, _ = tiny_models
    location = locate(str(marian))
    folder = ensure_converted(location, "int8")
    assert damage(folder) is None
    _damage(folder, how)
    assert damage(folder) is not None
    with caplog.at_level(logging.WARNING, logger="translate"):
        again = ensure_converted(location, "int8")
    assert again == folder and damage(folder) is None  # whole again, in the same place
    assert f"the converted model in {folder} is damaged" in caplog.text  # names the cache
    assert len(list(folder.parent.glob(f".damaged-{folder.name}-*"))) == 1  # set aside
    model = _load(marian)  # and the engine loads it and translates
    assert len(model.generate(["Der Rat tagt am Montag."], GenerationSettings())) == 1
