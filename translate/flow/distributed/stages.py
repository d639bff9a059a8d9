"""The run's stages as Ray Data calls them, each a thin wrapper over the flow's steps.

Rows carry one pickled item each (column `item`): a block of documents to prepare (a list
of `Source`s or `Job`s), a wave of prepared jobs to translate together (a `Wave`), a
translated `Job`, a `Finished` job (outputs made, for the driver to write) or a final
`DocumentResult`. A stage works on the items it knows and passes the others on, so skipped
and failed documents flow to the driver with the rest. Every exception a document raises
becomes its failed result here: Ray only ever sees lost workers, which it retries.

Waves are formed as a single-machine run forms them (`translate.flow.run.plan_waves`): per block
of `WAVE_DOCUMENTS` documents (one prepare task each), in their order, closed when full. The
same batches make the same translations, so both runs write the same files.
"""

import logging
import pickle
import socket
from dataclasses import dataclass
from functools import lru_cache

from translate.config import RunOptions
from translate.engines.modelset import ModelSet
from translate.errors import TranslateError
from translate.flow.job import DocumentResult, Job, claim, failed, prepare, release
from translate.flow.render import Rendered, render_outputs, write_outputs
from translate.flow.run import plan_waves, summary_groups
from translate.flow.steps import segment_job, summarize_jobs, translate_jobs
from translate.inputs.discovery import Document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """A document for a worker to read itself (its path is on a filesystem every node sees)."""

    document: Document


@dataclass
class Finished:
    """A document whose outputs are made; the driver writes them (workers cannot)."""

    job: Job
    rendered: Rendered


def encode(items: list) -> dict:
    import numpy as np

    return {"item": np.array([pickle.dumps(i, protocol=5) for i in items], dtype=object)}


def decode(batch: dict) -> list:
    return [pickle.loads(data) for data in batch["item"]]


@dataclass
class Wave:
    """Jobs to translate together, in document order."""

    jobs: list[Job]


def prepare_block(batch: dict, options: RunOptions, recipe: dict) -> dict:
    """CPU task: read and decode a block's `Source`s (skipping what is done), segment its
    jobs, and group them into waves. A block holds `(index in the run, item)` pairs."""
    out: list = []
    for block in decode(batch):
        prepared = [(index, prepare_one(item, options, recipe)) for index, item in block]
        out.extend(item for _, item in prepared if not isinstance(item, Job))
        out.extend(form_waves(prepared))
    return encode(out)


def form_waves(prepared: list[tuple[int, Job | DocumentResult]]) -> list[Wave]:
    """The waves of a block's prepared jobs, as a single-machine run forms them."""
    return [Wave(jobs) for jobs in plan_waves((i, j) for i, j in prepared if isinstance(j, Job))]


def prepare_one(item, options: RunOptions, recipe: dict) -> Job | DocumentResult:
    path = item.document.path
    try:
        if isinstance(item, Source):
            item = prepare(item.document, options, recipe)
            if isinstance(item, DocumentResult):
                return item
            busy = busy_elsewhere(item, options)
            if busy is not None:
                return busy
        counter = None
        if item.language != "en":
            counter = _token_counter(options.models.mt_model, options.models.mt_revision)
        segment_job(item, counter, options.chunk_tokens)
        return item
    except Exception as exc:
        return failed(path, exc)


def busy_elsewhere(job: Job, options: RunOptions) -> DocumentResult | None:
    """Skip a document another run is working on now, before translating it for nothing.

    The lock is taken for real when the outputs are written (`write_claimed`).
    """
    result = claim(job, options)
    release(job)
    return result


@lru_cache(maxsize=2)
def _token_counter(name: str, revision: str | None):
    from translate.engines.models import TokenCounter, locate

    return TokenCounter(locate(name, revision))


def write_claimed(job: Job, rendered: Rendered, options: RunOptions) -> DocumentResult:
    """Write a job's outputs under its lock, unless another run has it or has just done it."""
    try:
        busy = claim(job, options)
        if busy is not None:
            return busy
        return write_outputs(job, rendered)
    except Exception as exc:
        return failed(job.document.path, exc)
    finally:
        release(job)


class _ModelActor:
    """Loads its model once, when the actor starts; a failure fails the documents it gets."""

    role = ""

    def __init__(self, options: RunOptions, recipe: dict):
        self.options = options
        self.models: ModelSet | None = None
        self.error: Exception | None = None
        try:
            models = ModelSet(options)
            _check_same_models(models.recipe(), recipe)
            getattr(models, self.role)  # load it now, not inside the first batch
            self.models = models
        except Exception as exc:
            log.debug("the %s failed to load", self.role, exc_info=exc)
            self.error = exc


class Translator(_ModelActor):
    """Translates a wave of jobs together (their chunks share length-sorted batches), and
    passes each job on as its own row, so that summaries spread over every summarizer."""

    role = "translator"

    def __call__(self, batch: dict) -> dict:
        out: list = []
        for item in decode(batch):
            if not isinstance(item, Wave):
                out.append(item)
                continue
            try:
                if self.error is not None:
                    raise self.error
                translate_jobs(item.jobs, self.models, self.options)
                # Summarized in the groups a single-machine run summarizes together.
                out.extend(Wave(group) for group in summary_groups(item.jobs))
            except Exception as exc:  # the jobs share batches, so they fail together
                out.extend(failed(job.document.path, exc) for job in item.jobs)
        return encode(out)


class Summarizer(_ModelActor):
    """Summarizes each job and makes its files; writes them when `write_here` is set."""

    role = "summarizer"

    def __init__(self, options: RunOptions, recipe: dict, write_here: bool):
        super().__init__(options, recipe)
        self.write_here = write_here

    def __call__(self, batch: dict) -> dict:
        out: list = []
        for item in decode(batch):
            if not isinstance(item, Wave):
                out.append(item)
                continue
            try:
                if self.error is None:
                    summarize_jobs(item.jobs, self.models, self.options)  # windows share batches
            except Exception:  # each job then fails (or is summarized) alone
                log.debug("summarizing documents together failed", exc_info=True)
            out.extend(self._finish(job) for job in item.jobs)
        return encode(out)

    def _finish(self, job: Job):
        try:
            if self.error is not None:
                raise self.error
            rendered = render_outputs(job, self.models, self.options)
        except Exception as exc:
            return failed(job.document.path, exc)
        if self.write_here:
            return write_claimed(job, rendered, self.options)
        return Finished(job, rendered)


def _check_same_models(here: dict, driver: dict) -> None:
    """Outputs record which models made them: every node must have the driver's copies."""
    differ = sorted(k for k in driver if here.get(k) != driver[k])
    if differ:
        details = "; ".join(f"{k}: {here.get(k)!r} here, {driver[k]!r} expected" for k in differ)
        raise TranslateError(
            f"the models on node {socket.gethostname()} differ from the run's ({details}); "
            "give every node the same model files (a hub id with the same revision, or a "
            "folder copied with its timestamps, e.g. rsync -a)"
        )
