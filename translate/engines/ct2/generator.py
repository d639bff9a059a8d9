"""Generation with CTranslate2: `CT2Seq2Seq`, the engine the pipeline calls.

Owns loading the converted model into CTranslate2 with the checkpoint's Hugging Face
tokenizer, turning our generation settings into CTranslate2's decoding options (so outputs
and lengths mean what they mean with the torch backend), and feeding the workers: every
batch's sub-batches queued within the state bound (schedule.py), results yielded in order.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from translate.config import GenerationSettings
from translate.engines.common import (
    Generation,
    ModelLocation,
    describe,
    generate_kwargs,
    generation_defaults,
    input_limit,
    load_text_side,
)
from translate.engines.ct2.convert import (
    STORAGE,
    compute_type_for,
    ensure_converted,
    import_ctranslate2,
)
from translate.engines.ct2.schedule import (
    default_threads,
    return_freed_memory,
    state_budget,
    state_cost,
    sub_batches,
    workers_for,
)
from translate.progress import Progress

log = logging.getLogger(__name__)


class CT2Seq2Seq:
    """A seq2seq model run by CTranslate2, with the checkpoint's Hugging Face tokenizer."""

    backend = "ctranslate2"

    def __init__(
        self,
        location: ModelLocation,
        device: str = "cpu",
        compute_type: str = "none",
        threads: int | None = None,
        progress: Progress | None = None,
    ):
        ctranslate2 = import_ctranslate2()
        from transformers.utils import logging as hf_logging

        if not log.isEnabledFor(logging.DEBUG):  # we count long texts on purpose
            hf_logging.set_verbosity_error()
        if device not in ("cpu", "cuda"):
            log.warning("CTranslate2 cannot use device %r; running on the CPU", device)
            device = "cpu"
        self.location = location
        self.device = device
        self.quantize = compute_type
        self.compute_type = compute_type_for(device, compute_type)
        self.threads = threads or default_threads()
        self.tokenizer, config, self.generation_config = load_text_side(location)
        self.max_input_tokens = input_limit(self.tokenizer, config)
        self._max_positions = getattr(config, "max_position_embeddings", 1024)
        self.state_budget = state_budget(config)
        self.model_dir = ensure_converted(location, STORAGE[self.compute_type], progress)
        # One worker on a GPU (it is one device); on a CPU, workers of the threads (see
        # schedule.workers_for).
        beams = max(1, getattr(self.generation_config, "num_beams", None) or 1)
        full_input = state_cost(1, self.max_input_tokens, beams, self.max_input_tokens)
        self.workers = (
            workers_for(self.threads, full_input, self.state_budget) if device == "cpu" else 1
        )
        self.translator = ctranslate2.Translator(
            str(self.model_dir),
            device=device,
            compute_type=self.compute_type,
            inter_threads=self.workers,
            intra_threads=self.threads // self.workers if device == "cpu" else 0,
        )
        vocabulary = _target_vocabulary(self.model_dir)
        self._prefix = self._forced_prefix(vocabulary)
        self._suppress = self._suppressed_sequences(vocabulary)
        self._forced_eos = getattr(self.generation_config, "forced_eos_token_id", None) is not None

    def count_tokens(self, text: str) -> int:
        # verbose=False: no "longer than the maximum" warning, texts are split before use.
        return len(self.tokenizer(text, verbose=False).input_ids)

    def generation_defaults(self) -> dict:
        """The model's own settings, read as `TorchSeq2Seq.generation_defaults` reads them."""
        return generation_defaults(self.generation_config, self.max_input_tokens)

    def describe(self, settings: GenerationSettings) -> dict:
        # compute_type is int8 on the CPU even for --quantize none (see convert._COMPUTE_TYPES).
        return describe(settings, self.generation_defaults(), self.backend, self.compute_type)

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        return [g.text for g in self.generate_detailed(texts, settings)]

    def generate_detailed(self, texts: list[str], settings: GenerationSettings) -> list[Generation]:
        if not texts:
            return []
        [generations] = self.generate_batches([texts], settings)
        return generations

    def generate_batches(
        self, batches: list[list[str]], settings: GenerationSettings, spread: bool | None = None
    ) -> Iterator[list[Generation]]:
        """`generate_detailed` of each batch, yielded in order as each is done.

        Every batch's sub-batches are queued for the workers as far as the state bound
        allows, so a worker that finishes its part of one batch starts on the next: one call
        per batch would leave it idle until the other worker finished too (2 cores, the
        default run's 42 summary windows: 81.5 s queued against 98.6 s in calls; CTranslate2
        alone on all of them at once, 74.4 s). Each batch still decodes with its own options,
        as a call of its own would, so its outputs do not depend on its neighbours.

        `spread`: whether to cut the batches so that every worker gets a share; by default
        when there are fewer batches than workers. False where other calls keep the other
        workers busy (the service's overlapping request rounds)."""
        if not batches:
            return
        sources = [
            [self.tokenizer.convert_ids_to_tokens(self.tokenizer(t).input_ids) for t in texts]
            for texts in batches
        ]
        jobs: list[tuple[int, list[list[str]], dict]] = []  # (batch, sub-batch, its options)
        # With a batch for every worker, each batch goes whole (within a worker's share of
        # the bounds): halves of batches would decode fewer inputs per step, for nothing.
        if spread is None:
            spread = sum(1 for batch in sources if batch) < self.workers
        for index, batch in enumerate(sources):
            if not batch:
                continue
            # One set of options for the whole batch, as the torch backend has: how the
            # inputs are split between workers changes no output.
            options = self.decoding_options(settings, max(len(s) for s in batch))
            beams, cap = options["beam_size"], options["max_decoding_length"]
            for part in sub_batches(
                [len(s) for s in batch], beams, cap, self.state_budget, self.workers, spread
            ):
                run = [batch[i] for i in part]
                # Except a forced length (the benchmark's stand-in for a real model, whose
                # outputs each end at their own length): per sub-batch, as the engine batches
                # them, as the benchmark's ceiling forces it. Forced per batch, every
                # sub-batch of short inputs would decode as long as the batch's longest
                # input: work no real model does.
                if settings.forced_length_ratio is not None:
                    jobs.append((index, run, self.decoding_options(settings, max(map(len, run)))))
                else:
                    jobs.append((index, run, options))
        done: list = []
        waiting = [0] * len(batches)  # sub-batches of each batch not yet done
        for index, _, _ in jobs:
            waiting[index] += 1
        finished = 0  # batches yielded so far
        for (index, _, _), results in zip(jobs, self._decode([(r, o) for _, r, o in jobs])):
            done += results
            waiting[index] -= 1
            while finished < len(batches) and not waiting[finished]:
                count = len(sources[finished])
                yield self._generations(done[:count])
                done = done[count:]
                finished += 1
        while finished < len(batches):  # empty batches at the end
            yield []
            finished += 1

    def _generations(self, results: list) -> list[Generation]:
        if not results:
            return []
        hypotheses = [r.hypotheses[0] for r in results]
        ids = [self.tokenizer.convert_tokens_to_ids(h) for h in hypotheses]
        decoded = self.tokenizer.batch_decode(ids, skip_special_tokens=True)
        # An end token is the model's own: where the model forces one at the cap
        # (forced_eos_token_id), decoding_options stops one position short of it, as the
        # torch backend counts one there as cut (tests/test_end_at_cap.py).
        end = self.tokenizer.eos_token
        return_freed_memory()
        return [
            Generation(text=text, finished=bool(h) and h[-1] == end)
            for text, h in zip(decoded, hypotheses)
        ]

    def _decode(self, jobs: list[tuple[list[list[str]], dict]]) -> Iterator[list]:
        """`translate_batch` results of each (sub-batch, options) job, in order, as each is
        done; several at once when there are workers, within `state_budget` in flight (a
        larger sub-batch goes alone)."""
        in_flight: deque = deque()  # (pending results, cost), oldest first
        cost_in_flight = 0
        try:
            for batch, options in jobs:
                cost = state_cost(
                    len(batch), max(len(s) for s in batch), options["beam_size"],
                    options["max_decoding_length"],
                )  # fmt: skip
                while in_flight and cost_in_flight + cost > self.state_budget:
                    pending, done_cost = in_flight.popleft()
                    cost_in_flight -= done_cost
                    yield [p.result() for p in pending]
                pending = self.translator.translate_batch(
                    batch,
                    target_prefix=[list(self._prefix) for _ in batch] if self._prefix else None,
                    return_end_token=True,  # its presence tells an ended output from a capped one
                    asynchronous=True,
                    **options,
                )
                in_flight.append((pending, cost))
                cost_in_flight += cost
            while in_flight:
                pending, done_cost = in_flight.popleft()
                cost_in_flight -= done_cost
                yield [p.result() for p in pending]
        finally:  # after an error, let what was submitted finish: nothing decodes behind our back
            for pending, _ in in_flight:
                for p in pending:
                    with contextlib.suppress(Exception):
                        p.result()

    def decoding_options(self, settings: GenerationSettings, longest: int) -> dict:
        """`translate_batch` options for a batch whose longest source has `longest` tokens
        (also used by the benchmark's engine ceiling, so both decode the same way)."""
        kwargs = generate_kwargs(settings.merged_over(self.generation_defaults()), longest)
        # transformers' max_length/min_length count the decoder start token; CTranslate2's
        # decoding lengths count generated tokens only (the end token included, a target
        # prefix included), so both are one less. Positions past the model's table are an error
        # in CTranslate2, so the cap is the same as the torch backend's.
        max_decoding = min(kwargs["max_length"], self._max_positions) - 1
        if self._forced_eos:
            # transformers turns the last allowed token into the end token (forced_eos_token_id),
            # so a capped output has one real token less; CTranslate2 simply stops at the cap.
            max_decoding -= 1
        min_decoding = min(kwargs["min_length"] - 1, max_decoding)
        return dict(
            beam_size=max(1, kwargs.get("num_beams", 1)),
            length_penalty=float(kwargs.get("length_penalty") or 1.0),
            no_repeat_ngram_size=int(kwargs.get("no_repeat_ngram_size") or 0),
            repetition_penalty=float(kwargs.get("repetition_penalty") or 1.0),
            suppress_sequences=self._suppress or None,
            max_input_length=self.max_input_tokens,
            max_decoding_length=max(1, max_decoding),
            min_decoding_length=max(0, min_decoding),
        )

    @property
    def target_prefix(self) -> list[str]:
        """Tokens every output starts with (BART's forced <s>); empty for Marian."""
        return list(self._prefix)

    def _forced_prefix(self, vocabulary: set[str] | None) -> list[str]:
        """BART-style models force a first token (transformers' forced_bos_token_id)."""
        forced = getattr(self.generation_config, "forced_bos_token_id", None)
        if forced is None:
            return []
        token = self.tokenizer.convert_ids_to_tokens(forced)
        return [token] if vocabulary is None or token in vocabulary else []

    def _suppressed_sequences(self, vocabulary: set[str] | None) -> list[list[str]]:
        """transformers' bad_words_ids as tokens; ones the converted vocabulary lacks (Marian's
        <pad>, which the converter removes) cannot be produced anyway."""
        bad = getattr(self.generation_config, "bad_words_ids", None) or []
        sequences = [self.tokenizer.convert_ids_to_tokens(list(ids)) for ids in bad]
        if vocabulary is None:
            return []
        return [s for s in sequences if s and all(t in vocabulary for t in s)]


def _target_vocabulary(model_dir: Path) -> set[str] | None:
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        file = model_dir / name
        if file.is_file():
            return set(json.loads(file.read_text(encoding="utf-8")))
    return None
