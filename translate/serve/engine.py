"""The service's one set of models, shared by interactive requests and document jobs.

Interactive requests (`/translate`) go first: a document job yields the models between its
decode batches whenever a request waits, so a short request waits at most one batch of a
300-page document, never the document. Requests that arrive together share decode batches
(dynamic batching: while rounds decode, the next round's requests gather), and rounds
overlap, one per engine worker (CTranslate2 on a CPU: one per core), so a worker that has
answered its round starts the next while the other still decodes; document jobs share
batches with one another as a folder run's documents do (jobs/worker.py runs them
together).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from translate.config import GenerationSettings, RunOptions
from translate.engines.common import Generation, TextGenerator
from translate.engines.modelset import ModelSet
from translate.flow.pipeline import segment_for_translation, translate_segmentations
from translate.progress import Progress

log = logging.getLogger(__name__)

# A job's translation passes the gate this many padded tokens at a time: a waiting request
# then waits ~1 s on 2 cores for the slice in progress (4.6 s with whole 2,048-token
# batches), and the job still translates at its pace (python -m benchmarks.serve_priority).
JOB_SLICE_TOKENS = 512
# Under concurrent load a round waits this long for the clients the last round answered:
# without it 16 clients settled into two alternating rounds of ~8 (CTranslate2 decodes 8
# sentences at half the speed of 16); a lone client's requests never wait for it.
GATHER_SECONDS = 0.02


class Gate:
    """Who may call a model now. Urgent callers (request rounds) share it: each decodes on
    an engine worker of its own. A document job's call holds it alone, and lets every
    urgent caller, holding or waiting, go first: an urgent caller waits at most for the
    job's batch in progress.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._holders = 0
        self._exclusive = False  # a job's call holds it
        self._urgent_waiting = 0

    @contextmanager
    def held(self, urgent: bool) -> Iterator[None]:
        with self._cond:
            if urgent:
                self._urgent_waiting += 1
                try:
                    self._cond.wait_for(lambda: not self._exclusive)
                finally:
                    self._urgent_waiting -= 1
            else:
                self._cond.wait_for(lambda: not self._holders and not self._urgent_waiting)
                self._exclusive = True
            self._holders += 1
        try:
            yield
        finally:
            with self._cond:
                self._holders -= 1
                if not urgent:
                    self._exclusive = False
                self._cond.notify_all()

    @property
    def urgent_waiting(self) -> int:
        with self._cond:
            return self._urgent_waiting


class GatedGenerator:
    """A TextGenerator whose model calls pass the gate. A job's (not `urgent`) calls pass it
    a slice of at most `slice_tokens` padded tokens at a time, so a waiting request waits
    for one slice, not for a whole batch of the run's --batch-tokens. `spread`, where given,
    tells CTranslate2 whether to spread a call over its workers (False: other rounds keep
    them busy)."""

    def __init__(
        self,
        inner: TextGenerator,
        gate: Gate,
        urgent: bool,
        slice_tokens: int | None = None,
        spread: bool | None = None,
    ):
        self._inner, self._gate, self._urgent = inner, gate, urgent
        self._slice_tokens = None if urgent else slice_tokens
        self._spread = {} if spread is None else {"spread": spread}
        self.location = inner.location
        self.max_input_tokens = inner.max_input_tokens
        self.backend = inner.backend
        if hasattr(inner, "generate_batches"):  # CTranslate2: queued batches (see below)
            self.generate_batches = self._gated_batches

    def count_tokens(self, text: str) -> int:
        return self._inner.count_tokens(text)

    def describe(self, settings: GenerationSettings) -> dict:
        return self._inner.describe(settings)

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        return [g.text for g in self.generate_detailed(texts, settings)]

    def generate_detailed(self, texts: list[str], settings: GenerationSettings) -> list[Generation]:
        done: list[Generation] = []
        for piece in self._slices(texts):
            with self._gate.held(self._urgent):
                done += self._inner.generate_detailed(piece, settings)
        return done

    def _gated_batches(
        self, batches: list[list[str]], settings: GenerationSettings
    ) -> Iterator[list[Generation]]:
        """CTranslate2's queued batches: an urgent caller queues all of its batches in one pass
        of the gate; a job one slice of a batch a pass (the engine spreads a lone slice over
        its workers), letting waiting requests through in between."""
        if self._urgent:
            with self._gate.held(True):
                done = list(self._inner.generate_batches(batches, settings, **self._spread))
            yield from done
            return
        for batch in batches:
            generations: list[Generation] = []
            for piece in self._slices(batch):
                with self._gate.held(False):
                    [part] = list(self._inner.generate_batches([piece], settings))
                generations += part
            yield generations

    def _slices(self, texts: list[str]) -> list[list[str]]:
        """`texts` in order, in runs of at most `slice_tokens` padded tokens (one text at
        least); all of them at once without a bound."""
        if self._slice_tokens is None or len(texts) < 2:
            return [texts] if texts else []
        slices: list[list[str]] = [[]]
        longest = 0
        for text in texts:
            tokens = self._inner.count_tokens(text)
            if slices[-1] and (len(slices[-1]) + 1) * max(longest, tokens) > self._slice_tokens:
                slices.append([])
                longest = 0
            slices[-1].append(text)
            longest = max(longest, tokens)
        return slices

    def __getattr__(self, name: str):  # anything else a backend offers (e.g. its tokenizer)
        if name == "generate_batches":  # only where the model itself has it (set in __init__)
            raise AttributeError(name)
        return getattr(self._inner, name)


@dataclass
class _Request:
    texts: list[str]
    future: Future = field(default_factory=Future)


class Engine:
    """Both models, loaded once; `translate` for interactive requests, `job_models` for jobs.

    Raises (on construction) TranslateError when a model is missing or cannot be loaded.
    """

    def __init__(self, options: RunOptions, progress: Progress | None = None):
        self.options = options
        self.models = ModelSet(options, progress)
        self.models.load()
        # One gate per model: a request needs only the translator, so it never waits for a
        # job's summary batch (seconds long), only for a translation batch in progress.
        self.gate, summary_gate = Gate(), Gate()
        self._urgent_translator = GatedGenerator(self.models.translator, self.gate, urgent=True)
        translator = self.models.translator
        self._jobs = self.models.wrapped(
            lambda g: (
                GatedGenerator(g, self.gate, False, JOB_SLICE_TOKENS)
                if g is translator
                else GatedGenerator(g, summary_gate, False)
            )
        )
        # Rounds in flight at once: one per CTranslate2 worker on a CPU (each decodes a round
        # alone; together they keep every core busy), one on a GPU or with torch.
        self.lanes = max(1, getattr(translator, "workers", 1))
        if not hasattr(translator, "generate_batches"):
            self.lanes = 1
        self._pending: list[_Request] = []
        self._wake = threading.Condition()
        self._stopping = False
        self._busy_lanes = 0
        self._answered = 0  # requests answered since the last round began: they may return
        self._worker = threading.Thread(target=self._serve, name="translate-requests", daemon=True)
        self._worker.start()

    def job_models(self) -> ModelSet:
        """The models for document jobs: every batch yields to waiting interactive requests."""
        return self._jobs

    def recipe(self) -> dict:
        return self.models.recipe()

    @property
    def queued_requests(self) -> int:
        with self._wake:
            return len(self._pending)

    def translate(self, texts: list[str]) -> list[str]:
        """German texts (each any length: split and checked as a document's are) in English,
        in shared batches with the other requests waiting now. Blocks until done.

        Raises what the translator raises; RuntimeError once the engine is stopped.
        """
        return self.submit(texts).result()

    def submit(self, texts: list[str]) -> Future:
        """`translate` without waiting: the future of the English texts, for callers that
        must not block (the HTTP routes await it). RuntimeError once the engine is stopped."""
        request = _Request(list(texts))
        with self._wake:
            if self._stopping:
                raise RuntimeError("the service is stopping")
            self._pending.append(request)
            self._wake.notify()
        return request.future

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the requests already taken, refuse new ones, end the worker thread."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._worker.join(timeout)

    def _serve(self) -> None:
        with ThreadPoolExecutor(self.lanes, thread_name_prefix="translate-round") as lanes:
            while True:
                with self._wake:
                    self._wake.wait_for(
                        lambda: (
                            (self._pending and self._busy_lanes < self.lanes)
                            or (self._stopping and not self._pending)
                        )
                    )
                    if not self._pending:
                        return
                    # Under concurrent load the clients just answered return: wait for them.
                    if self._answered > 1:
                        wanted = len(self._pending) + self._answered
                        self._wake.wait_for(
                            lambda w=wanted: len(self._pending) >= w or self._stopping,
                            GATHER_SECONDS,
                        )
                    rounds = self._form_rounds()
                for round_, spread in rounds:
                    lanes.submit(self._run_round, round_, spread)

    def _form_rounds(self) -> list[tuple[list[_Request], bool]]:
        """The waiting requests as rounds for the free lanes (called holding `_wake`): one
        round while another lane decodes; split evenly, in arrival order, between the free
        lanes when all are free. A round spreads over the engine's workers only when it is
        the only one."""
        free = self.lanes - self._busy_lanes
        count = min(free, len(self._pending)) if not self._busy_lanes else 1
        size = -(-len(self._pending) // count)
        rounds = [self._pending[i : i + size] for i in range(0, len(self._pending), size)]
        self._pending, self._answered = [], 0
        self._busy_lanes += len(rounds)
        spread = self.lanes == 1 or len(rounds) == 1 and self._busy_lanes == 1
        return [(round_, spread) for round_ in rounds]

    def _run_round(self, round_: list[_Request], spread: bool) -> None:
        try:
            self._translate_round(round_, spread)
        finally:
            with self._wake:
                self._busy_lanes -= 1
                self._answered += len(round_)
                self._wake.notify_all()

    def _translate_round(self, round_: list[_Request], spread: bool = True) -> None:
        o, translator = self.options, self._urgent_translator
        if self.lanes > 1:  # each round on the workers it was given
            translator = GatedGenerator(self.models.translator, self.gate, True, spread=spread)
        # A request whose caller has gone (its future cancelled) is not translated at all.
        round_ = [r for r in round_ if r.future.set_running_or_notify_cancel()]
        if not round_:
            return
        try:
            texts = [text for request in round_ for text in request.texts]
            segmentations = [
                segment_for_translation(translator, text, o.chunk_tokens) for text in texts
            ]
            results = translate_segmentations(
                translator, segmentations, o.translation, o.batch_tokens
            )
        except BaseException as exc:  # every waiting caller hears of it; the worker lives on
            log.debug("a round of %d requests failed", len(round_), exc_info=True)
            for request in round_:
                request.future.set_exception(exc)
            return
        english = iter(result.text for result in results)
        for request in round_:
            request.future.set_result([next(english) for _ in request.texts])
