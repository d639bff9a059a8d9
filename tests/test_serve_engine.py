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
        with engine.gate.held(urgent=True):  # hold the models: the three requests gather
            answers: dict[int, list[str]] = {}
            threads = [
                threading.Thread(
                    target=lambda i=i: answers.update({i: engine.translate([texts[i]])})
                )
                for i in range(3)
            ]
            for thread in threads:
                thread.start()
            for _ in range(250):  # bounded: until at most one request is in a round of its own
                if engine.queued_requests >= 2:
                    break
                time.sleep(0.02)
            assert engine.queued_requests >= 2
        for thread in threads:
            thread.join(30)
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
    assert [answers[i][0] for i in range(3)] == expected
    # fewer model calls than requests: at least two requests were decoded together
    assert len(calls) < 3 and max(calls) >= 2


def test_a_stopped_engine_refuses_new_requests(tiny_models):
    marian, bart = tiny_models
    engine = Engine(RunOptions(models=ModelOptions(mt_model=str(marian), summary_model=str(bart))))
    assert engine.translate(["Guten Morgen."])[0]
    engine.stop()
    with pytest.raises(RuntimeError, match="stopping"):
        engine.translate(["Guten Morgen."])
