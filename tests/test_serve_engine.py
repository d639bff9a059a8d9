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
        "Der Bürgermeister sprach lange.",
        "Die Schule bleibt geschlossen.",
        "Am Abend regnete es wieder.",
    ]
    calls = []
    inner = engine.models.translator
    name = "generate_batches" if hasattr(inner, "generate_batches") else "generate_detailed"
    original = getattr(inner, name)

    def counting(batches, settings, **how):  # counts inputs per model call
        calls.append(sum(map(len, batches)) if name == "generate_batches" else len(batches))
        return original(batches, settings, **how)

    setattr(inner, name, counting)
    try:
        # Six requests from six clients, all waiting before the engine's worker looks
        # (it cannot take any while its condition is held here; the lock is reentrant).
        with engine._wake:
            futures = [engine.submit([text]) for text in texts]
            assert engine.queued_requests == 6
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
    # one round a lane (one call each), the requests decoded together in them
    assert len(calls) == engine.lanes and sum(calls) >= 6
    assert all(count >= 6 // engine.lanes for count in calls)


def test_a_round_begins_on_a_free_worker_while_another_decodes(tiny_models):
    """Rounds overlap: a request that comes while a round decodes is answered on the other
    CTranslate2 worker, without waiting for that round to end."""
    marian, bart = tiny_models
    models = ModelOptions(mt_model=str(marian), summary_model=str(bart), threads=2)
    engine = Engine(RunOptions(models=models))
    try:
        if engine.lanes < 2:
            pytest.skip(f"the translator has {engine.lanes} worker here: nothing to overlap")
        inner = engine.models.translator
        original, started, release = inner.generate_batches, threading.Event(), threading.Event()
        spreads = []

        def held_first(batches, settings, **how):
            spreads.append(how.get("spread"))
            if not started.is_set():
                started.set()
                assert release.wait(20)  # the first round decodes until told
            return original(batches, settings, **how)

        inner.generate_batches = held_first
        first = engine.submit(["Der Rat hat heute getagt."])
        assert started.wait(20)
        second = engine.submit(["Das Wetter war schlecht."])
        assert second.result(timeout=20)  # answered while the first round still runs
        assert not first.done()
        release.set()
        assert first.result(timeout=20)
        # the first round had the workers to itself; the second came while it ran
        assert spreads == [True, False]
    finally:
        release.set()
        engine.stop()


def test_urgent_callers_share_the_gate_and_a_job_waits_for_all_of_them():
    gate, events = Gate(), []
    inside, leave = threading.Barrier(3, timeout=5), threading.Event()

    def urgent(name: str):
        with gate.held(True):
            events.append(f"{name} in")
            inside.wait()  # both urgent callers hold the gate at the same moment
            leave.wait(5)
            events.append(f"{name} out")

    def job():
        with gate.held(False):
            events.append("job in")

    callers = [threading.Thread(target=urgent, args=(n,)) for n in ("a", "b")]
    for thread in callers:
        thread.start()
    inside.wait()
    waiting_job = threading.Thread(target=job)
    waiting_job.start()
    time.sleep(0.1)
    assert "job in" not in events  # not while an urgent caller holds it
    leave.set()
    for thread in (*callers, waiting_job):
        thread.join(5)
    assert events[-1] == "job in" and len(events) == 5


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
