"""The service's engine: interactive requests go before document batches, concurrent requests
share decode batches, and their translations are those of the library's own pipeline."""

from __future__ import annotations

import threading
import time

import pytest

from translate.config import ModelOptions, RunOptions
from translate.flow.pipeline import segment_for_translation, translate_segmentations
from translate.serve.engine import Engine, Gate

pytestmark = pytest.mark.timeout(60)


def test_an_urgent_caller_goes_before_waiting_background_ones():
    gate, order, started = Gate(), [], threading.Event()

    def take(name: str, urgent: bool, wait: threading.Event | None = None):
        with gate.held(urgent):
            order.append(name)
            if wait is not None:
                started.set()
                wait.wait(5)

    release = threading.Event()
    first = threading.Thread(target=take, args=("batch 1", False, release))
    first.start()
    assert started.wait(5)
    background = threading.Thread(target=take, args=("batch 2", False))
    background.start()
    time.sleep(0.1)  # batch 2 is waiting for the gate
    urgent = threading.Thread(target=take, args=("request", True))
    urgent.start()
    for _ in range(50):  # bounded: until the request is waiting too
        if gate.urgent_waiting:
            break
        time.sleep(0.02)
    assert gate.urgent_waiting == 1
    release.set()
    for thread in (first, background, urgent):
        thread.join(5)
    assert order == ["batch 1", "request", "batch 2"]


@pytest.fixture(scope="module")
def engine(tiny_models):
    marian, bart = tiny_models
    options = RunOptions(models=ModelOptions(mt_model=str(marian), summary_model=str(bart)))
    engine = Engine(options)
    yield engine
    engine.stop()


def test_concurrent_requests_share_batches_and_match_the_pipeline(engine):
    texts = [
        "Der Rat hat heute getagt. Die Stadt plant einen neuen Park.",
        "Die Ergebnisse werden im Mai erwartet.",
        "Das Wetter war schlecht.",
    ]
    calls = []
    inner = engine.models.translator
    name = "generate_batches" if hasattr(inner, "generate_batches") else "generate_detailed"
    original = getattr(inner, name)

    def counting(batches, settings):  # counts inputs per model call
        calls.append(sum(map(len, batches)) if name == "generate_batches" else len(batches))
        return original(batches, settings)

    setattr(inner, name, counting)
    try:
        # Three requests from three clients, all waiting before the engine's worker looks
        # (it cannot take any while its condition is held here; the lock is reentrant).
        with engine._wake:
            futures = [engine.submit([text]) for text in texts]
            assert engine.queued_requests == 3
        answers = [future.result(timeout=30) for future in futures]
    finally:
        delattr(inner, name)
    expected = [
        r.text
        for r in translate_segmentations(
            inner,
            [segment_for_translation(inner, t, engine.options.chunk_tokens) for t in texts],
            engine.options.translation,
            engine.options.batch_tokens,
        )
    ]
    assert [answer[0] for answer in answers] == expected
    # one round, one model call: the three requests were decoded together
    assert len(calls) == 1 and calls[0] >= 3


def test_a_stopped_engine_refuses_new_requests(tiny_models):
    marian, bart = tiny_models
    engine = Engine(RunOptions(models=ModelOptions(mt_model=str(marian), summary_model=str(bart))))
    assert engine.translate(["Guten Morgen."])[0]
    engine.stop()
    with pytest.raises(RuntimeError, match="stopping"):
        engine.translate(["Guten Morgen."])


class _Words:
    """A stand-in model: a word is a token; it records the inputs of each call."""

    location = max_input_tokens = backend = None

    def __init__(self):
        self.calls: list[list[str]] = []

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def generate_detailed(self, texts, settings):
        from translate.engines.common import Generation

        self.calls.append(list(texts))
        return [Generation(t.upper(), True) for t in texts]

    def generate_batches(self, batches, settings):
        for batch in batches:
            yield self.generate_detailed(batch, settings)


def test_a_jobs_batch_passes_the_gate_a_slice_at_a_time_and_comes_back_whole():
    from translate.config import GenerationSettings
    from translate.serve.engine import GatedGenerator

    texts = [f"satz {i} hat vier" for i in range(6)]  # 4 tokens each
    for use_batches in (False, True):
        model = _Words()
        job = GatedGenerator(model, Gate(), urgent=False, slice_tokens=10)
        if use_batches:
            [out] = list(job.generate_batches([texts], GenerationSettings()))
        else:
            out = job.generate_detailed(texts, GenerationSettings())
        assert [g.text for g in out] == [t.upper() for t in texts]  # whole, in order
        assert model.calls == [texts[0:2], texts[2:4], texts[4:6]]  # 2 x 4 <= 10 < 3 x 4
    request = _Words()
    urgent = GatedGenerator(request, Gate(), urgent=True, slice_tokens=10)
    urgent.generate_detailed(texts, GenerationSettings())
    assert request.calls == [texts]  # a request is never sliced
