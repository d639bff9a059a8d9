"""The CTranslate2 backend: the same models, converted once, run by a faster engine.

A Hugging Face checkpoint is converted on first use into the cache
(`default_cache_dir() / "ct2" / <model>-<revision>-<quantization>`) and reused afterwards.
Text goes in and out through the model's own Hugging Face tokenizer, so chunk sizes and
outputs mean the same as with the torch backend; generation settings come from the model's
generation_config.json exactly as `TorchSeq2Seq` reads them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from translate.config import ENV_CACHE, GenerationSettings, default_cache_dir
from translate.engines.common import (
    Generation,
    ModelLocation,
    describe,
    generate_kwargs,
    generation_defaults,
    input_limit,
    load_text_side,
)
from translate.errors import ConfigError, ModelNotAvailableError, TranslateError
from translate.progress import Progress
from translate.units import human_size

log = logging.getLogger(__name__)

INSTALL_HINT = "--backend ctranslate2 needs CTranslate2: pip install ctranslate2"

# `--quantize` (none | int8) → CTranslate2 compute type, per device. CTranslate2 has no fast
# float32 path worth choosing on CPU (int8 is its design point, ~4x smaller, faster), so
# "none" still means int8 there; on a GPU "none" means float16 and "int8" int8 weights with
# float16 activations.
_COMPUTE_TYPES = {
    ("cpu", "none"): "int8",
    ("cpu", "int8"): "int8",
    ("cuda", "none"): "float16",
    ("cuda", "int8"): "int8_float16",
}
# How the converted weights are stored for each compute type (what the cache folder holds).
_STORAGE = {"int8": "int8", "int8_float16": "int8", "float16": "float16", "float32": "float32"}
# What CTranslate2 decodes at once, all workers together (see _sub_batches). Beam search
# keeps, per hypothesis (beams per input) and per source and output token, the attention's
# keys and values in every decoder layer: its memory. At most this many bytes of them are in
# flight by that estimate (a larger single input goes alone), and at most _HYPOTHESES
# hypotheses (each has a vocabulary-wide row of scores: 58k for Marian). The estimate counts
# a source once per beam, more than CTranslate2 holds (a full distilbart window with its
# summary: ~221 MB estimated, +137 MiB measured by benchmarks/window_memory.py). This bound
# gives the summarizer two workers on 2 cores, each taking a full window or two shorter
# ones (up to ~960 tokens each; a summary batch is --batch-tokens of padded tokens, two
# full windows by default). The default run then peaked at 981 MiB; at 1,700 MiB, with two
# full windows on each worker, at 1,154 MiB (1.21 GB), over its 1.2 GB target
# (benchmarks/call_timeline.py, 2026-12-03; docs/benchmarks.md). Sub-batches past the
# workers wait in CTranslate2's queue, holding only their tokens. For opus-mt-de-en's
# sentence-sized inputs the _HYPOTHESES cap binds first.
_STATE_BYTES = 800 * 2**20
_HYPOTHESES = 96
# On a CPU, CTranslate2 workers (inter_threads) of one thread each decode separate
# sub-batches at once: int8 matrix products over a few hypotheses spread badly over threads.
# Measured on 2 cores (benchmarks/ceiling.py's sweep, opus-mt-de-en architecture, beam 4):
# 2 workers x 1 thread 469 tok/s, 1 worker x 2 threads 297 tok/s (and 284 against 189
# tokens per CPU second). Beyond 4 workers is unmeasured: more cores go to each worker.
_MAX_WORKERS = 4
# Leftovers of conversions killed outright (SIGKILL, power loss) are removed after this long.
_STALE_TMP_SECONDS = 24 * 3600


def _import_ctranslate2():
    try:
        import ctranslate2
    except ImportError:
        raise TranslateError(INSTALL_HINT) from None
    return ctranslate2


def compute_type_for(device: str, quantize: str) -> str:
    """The CTranslate2 compute type for our `--quantize` value on `device` (cpu or cuda)."""
    if quantize in _STORAGE:  # an explicit CTranslate2 compute type, e.g. from a test
        return quantize
    try:
        return _COMPUTE_TYPES[(device, quantize)]
    except KeyError:
        raise TranslateError(
            f"--quantize {quantize!r} is not supported: use none or int8"
        ) from None


def default_threads() -> int:
    """Physical cores this process may use (CTranslate2 gains nothing from SMT siblings)."""
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    import psutil

    physical = psutil.cpu_count(logical=False) or available
    return max(1, min(available, physical))


def converted_dir(location: ModelLocation, storage: str) -> Path:
    """Where the converted copy of `location` with `storage` weights lives in the cache."""
    if location.revision.startswith("local-"):
        # A folder: its name plus a hash of where it is (the revision covers its content).
        where = hashlib.sha256(str(location.path).encode()).hexdigest()[:8]
        name = f"{location.path.name}-{where}"
    else:
        name = location.name
    safe = re.sub(r"[^A-Za-z0-9._-]+", "--", name).strip("-.")[-80:] or "model"
    return default_cache_dir() / "ct2" / f"{safe}-{location.revision[:16]}-{storage}"


def ensure_converted(
    location: ModelLocation, storage: str, progress: Progress | None = None
) -> Path:
    """The converted model folder for `location`, converting it first if it is not cached.

    The conversion writes into a temporary folder next to the final one and renames it into
    place, so the final folder exists only when complete; an interruption leaves nothing.
    """
    ctranslate2 = _import_ctranslate2()
    target = converted_dir(location, storage)
    if target.is_dir() and ctranslate2.contains_model(str(target)):
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(target.parent)
        work = Path(tempfile.mkdtemp(prefix=f".tmp-{target.name}-", dir=target.parent))
    except OSError as exc:  # the whole run needs the cache: one run-wide error, not one per file
        raise cache_error(target.parent, exc) from None
    started = time.perf_counter()
    log.info("converting %s for CTranslate2 (%s) into %s", location.name, storage, target)
    try:
        if progress is not None:
            size = human_size(_weights_size(location.path))
            progress.phase(
                "convert",
                f"converting {location.name} ({size}) for CTranslate2, once: it is kept in "
                f"{target.parent}",
            )
        source = _patched_source(location.path, work / "source")
        out = work / "model"
        _convert(ctranslate2, source, out, storage)
        try:
            out.rename(target)
        except OSError:  # another process finished the same conversion first: use theirs
            if not (target.is_dir() and ctranslate2.contains_model(str(target))):
                raise
    except TranslateError:
        raise
    except Exception as exc:
        log.debug("converting %s failed", location.name, exc_info=True)  # shown with --verbose
        raise ModelNotAvailableError(
            f"model {location.name!r} at {location.path} could not be converted for "
            f"CTranslate2: {type(exc).__name__}: {(str(exc).strip() or '-').splitlines()[0]}"
        ) from None
    finally:  # also on Ctrl-C: nothing half-made stays behind
        shutil.rmtree(work, ignore_errors=True)
    log.info("converted %s in %.1f s", location.name, time.perf_counter() - started)
    return target


def _convert(ctranslate2, source: Path, out: Path, storage: str) -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    converter = ctranslate2.converters.TransformersConverter(str(source), low_cpu_mem_usage=True)
    converter.convert(str(out), quantization=storage)


def _patched_source(model_dir: Path, work: Path) -> Path:
    """The model folder as the converter needs it.

    Configs saved by transformers >= 5 leave out `normalize_before`, which the converter's
    BART loader reads; BART in transformers is post-norm, so the value is False. When it is
    missing, a folder of links to the files with a patched config.json is returned.
    """
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") != "bart" or "normalize_before" in config:
        return model_dir
    work.mkdir(parents=True)
    for file in model_dir.iterdir():
        if file.name == "config.json" or not file.is_file():
            continue
        try:
            (work / file.name).symlink_to(file.resolve())
        except OSError:  # no symlinks (Windows without developer mode): copy
            shutil.copy2(file, work / file.name)
    config["normalize_before"] = False
    (work / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return work


def _weights_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.suffix in (".safetensors", ".bin"))


def check_cache_dir() -> None:
    """Refuse, before any document is read, a model cache that is a file or cannot be made.

    (One that exists but is read-only is fine as long as the models are converted already.)
    """
    folder = default_cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cache_error(folder, exc) from None


def cache_error(folder: Path, exc: OSError) -> ConfigError:
    why = exc.strerror or str(exc)
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        why = "a file is in the way of that folder"
    return ConfigError(
        f"cannot use {folder} as the cache for converted models ({why}); set {ENV_CACHE} "
        "to a folder you can write, or use --backend torch"
    )


def _remove_stale_temporaries(folder: Path) -> None:
    now = time.time()
    for leftover in folder.glob(".tmp-*"):
        try:
            if now - leftover.stat().st_mtime > _STALE_TMP_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            pass


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
        ctranslate2 = _import_ctranslate2()
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
        self.state_budget = _state_budget(config)
        self.model_dir = ensure_converted(location, _STORAGE[self.compute_type], progress)
        # One worker on a GPU (it is one device); on a CPU, workers of the threads (see
        # _workers_for).
        beams = max(1, getattr(self.generation_config, "num_beams", None) or 1)
        full_input = _state_cost(1, self.max_input_tokens, beams, self.max_input_tokens)
        self.workers = (
            _workers_for(self.threads, full_input, self.state_budget) if device == "cpu" else 1
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
        # compute_type is int8 on the CPU even for --quantize none (see _COMPUTE_TYPES).
        return describe(settings, self.generation_defaults(), self.backend, self.compute_type)

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        return [g.text for g in self.generate_detailed(texts, settings)]

    def generate_detailed(self, texts: list[str], settings: GenerationSettings) -> list[Generation]:
        if not texts:
            return []
        [generations] = self.generate_batches([texts], settings)
        return generations

    def generate_batches(
        self, batches: list[list[str]], settings: GenerationSettings
    ) -> Iterator[list[Generation]]:
        """`generate_detailed` of each batch, yielded in order as each is done.

        Every batch's sub-batches are queued for the workers as far as the state bound
        allows, so a worker that finishes its part of one batch starts on the next: one call
        per batch would leave it idle until the other worker finished too (2 cores, the
        default run's 42 summary windows: 81.5 s queued against 98.6 s in calls; CTranslate2
        alone on all of them at once, 74.4 s). Each batch still decodes with its own options,
        as a call of its own would, so its outputs do not depend on its neighbours."""
        if not batches:
            return
        sources = [
            [self.tokenizer.convert_ids_to_tokens(self.tokenizer(t).input_ids) for t in texts]
            for texts in batches
        ]
        jobs: list[tuple[int, list[list[str]], dict]] = []  # (batch, sub-batch, its options)
        limits = [0] * len(batches)  # each batch's cap: tells an ended output from a capped one
        # With a batch for every worker, each batch goes whole (within a worker's share of
        # the bounds): halves of batches would decode fewer inputs per step, for nothing.
        spread = sum(1 for batch in sources if batch) < self.workers
        for index, batch in enumerate(sources):
            if not batch:
                continue
            # One set of options for the whole batch, as the torch backend has: how the
            # inputs are split between workers changes no output.
            options = self.decoding_options(settings, max(len(s) for s in batch))
            beams, cap = options["beam_size"], options["max_decoding_length"]
            limits[index] = cap + (1 if self._forced_eos else 0)
            for part in _sub_batches(
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
                yield self._generations(done[:count], limits[finished])
                done = done[count:]
                finished += 1
        while finished < len(batches):  # empty batches at the end
            yield []
            finished += 1

    def _generations(self, results: list, limit: int) -> list[Generation]:
        if not results:
            return []
        hypotheses = [r.hypotheses[0] for r in results]
        ids = [self.tokenizer.convert_tokens_to_ids(h) for h in hypotheses]
        decoded = self.tokenizer.batch_decode(ids, skip_special_tokens=True)
        # As the torch backend counts: an end token in the cap's last position may be the one
        # transformers forces there, so it does not count as a natural end.
        end = self.tokenizer.eos_token
        _return_freed_memory()
        return [
            Generation(text=text, finished=bool(h) and h[-1] == end and len(h) < limit)
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
                cost = _state_cost(
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
                    try:
                        p.result()
                    except Exception:
                        pass

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


def _state_budget(config) -> int:
    """_STATE_BYTES in hypothesis-tokens of this model: keys and values (float32) of every
    decoder layer's self- and cross-attention."""
    layers = getattr(config, "decoder_layers", None) or getattr(config, "num_hidden_layers", 6)
    width = getattr(config, "d_model", None) or getattr(config, "hidden_size", 512)
    return max(1, _STATE_BYTES // (2 * 4 * layers * width))


def _workers_for(threads: int, full_input: int, budget: int) -> int:
    """How many CTranslate2 workers share `threads` on a CPU: one per core, up to
    _MAX_WORKERS, each with the same number of threads; but one worker with every thread
    for a model whose full-length input (`full_input`, see _state_cost) takes more than half
    the state `budget`, since two of them never decode at once.

    Such a model decodes its inputs one at a time under the bound anyway, and on a worker
    of one thread that leaves the other cores idle. Under the 300 MiB bound of before
    2026-12-03 the summarizer was one (2 cores, distilbart-cnn-12-6 architecture, int8,
    beam 4, 15 recorded summary calls: 1 worker x 2 threads 95 and 104 s, 2 workers x 1
    thread 128 and 127 s); under the default bound now neither default model is, so both
    keep a worker per core.
    """
    if full_input > budget // 2:
        return 1
    workers = min(threads, _MAX_WORKERS)
    while threads % workers:  # 6 cores: 3 workers of 2 threads, not 4 of 1 and 2 idle
        workers -= 1
    return workers


def _state_cost(inputs: int, longest: int, beams: int, cap: int) -> int:
    """Hypothesis-tokens of attention state for a sub-batch: its source tokens (padded) and
    its output, counted as long as the source (a translation's length) up to the cap."""
    return inputs * beams * (longest + min(cap, longest))


def _sub_batches(
    lengths: list[int], beams: int, cap: int, budget: int, workers: int = 1, spread: bool = True
) -> list[list[int]]:
    """Consecutive runs of inputs small enough for one of `workers` to decode while the others
    decode theirs: at most 1/workers of _HYPOTHESES hypotheses and of the `budget` of
    attention state (see _state_cost), in runs of even size. With `spread`, in whole rounds
    of a run per worker, so that a small call still reaches every worker and no worker
    decodes a last run alone; without it (other batches keep the other workers busy), as
    few runs as those bounds allow. A larger input goes alone.

    Bounds the memory whatever batch the pipeline hands over, at little cost in speed.
    Measured on 2 cores with one worker (opus-mt-de-en architecture, int8, beam 4, 64 chunks
    of ~64 tokens): all 64 at once +920 MiB at 150 tok/s; runs of 32 +476 MiB at 165 tok/s;
    16 +250 MiB at 159 tok/s.
    """
    # As many inputs per run as keeps every worker busy to the end: runs of the largest
    # size in whole rounds of `workers` runs (34 inputs at 12 a run: 9, 9, 9, 7, not 12, 12,
    # 10 with the last alone on one worker).
    largest = max(1, _HYPOTHESES // workers // beams)
    runs_per_round = workers if spread else 1
    rounds = max(1, math.ceil(len(lengths) / (runs_per_round * largest)))
    per_input = max(1, math.ceil(len(lengths) / (runs_per_round * rounds)))
    batches: list[list[int]] = []
    longest = 0
    for index, length in enumerate(lengths):
        if batches:
            size = len(batches[-1]) + 1
            wider = max(longest, length)
            if size <= per_input and _state_cost(size, wider, beams, cap) <= budget // workers:
                batches[-1].append(index)
                longest = wider
                continue
        batches.append([index])
        longest = length
    return batches


def _return_freed_memory() -> None:
    """Hand the engine's freed working memory back to the system (glibc keeps it otherwise).

    Without it the resident size ratchets up call by call (each worker thread's malloc arena
    keeps its largest batch's buffers) until it sits well above what one batch needs."""
    global _MALLOC_TRIM
    if _MALLOC_TRIM is None:
        import ctypes
        import ctypes.util

        try:
            _MALLOC_TRIM = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        except (OSError, AttributeError):  # not glibc (macOS, musl, Windows): nothing to do
            _MALLOC_TRIM = False
    if _MALLOC_TRIM:
        _MALLOC_TRIM(0)


_MALLOC_TRIM = None


def _target_vocabulary(model_dir: Path) -> set[str] | None:
    for name in ("shared_vocabulary.json", "target_vocabulary.json"):
        file = model_dir / name
        if file.is_file():
            return set(json.loads(file.read_text(encoding="utf-8")))
    return None
