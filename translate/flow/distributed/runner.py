"""A run on a Ray cluster: plan it, stream the documents through Ray Data, yield results.

Who touches the files: when every node sees the inputs and output folders (a shared
filesystem, checked with a probe file), the workers read and write them; otherwise the
driver reads each input, decides what needs work, ships the text, and writes the outputs
the workers send back. Writes are atomic either way, under the document's lock.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path

from translate.config import RunOptions
from translate.engines.models import locate
from translate.engines.modelset import ModelSet
from translate.errors import ModelNotAvailableError, TranslateError
from translate.flow.distributed.cancel import stop_job
from translate.flow.distributed.cluster import (
    TASK_CPUS,
    Pools,
    RayOptions,
    connect,
    plan_pools,
)
from translate.flow.distributed.stages import (
    Finished,
    Source,
    Summarizer,
    Translator,
    busy_elsewhere,
    prepare_block,
    write_claimed,
)
from translate.flow.job import DocumentResult, Job, failed, prepare
from translate.flow.run import WAVE_DOCUMENTS
from translate.inputs.discovery import Document

log = logging.getLogger(__name__)

# A worker that dies while working on a document is restarted and the document retried
# this many times; after that the document is reported as failed and the run goes on.
RETRIES = 3


def iter_results(
    documents: list[Document], options: RunOptions, ray_options: RayOptions
) -> Iterator[DocumentResult]:
    """Process `documents` on the Ray cluster of `ray_options`, yielding each one's result
    as soon as it is final (in the order they finish).

    Raises:
        MissingExtraError: Ray is not installed (the message says what to install).
        ModelNotAvailableError: a model cannot be found on the cluster.
        TranslateError: the cluster cannot be joined, or the Ray job failed as a whole.
    """
    if not documents:
        return
    with connect(ray_options) as ray:
        recipe = _cluster_recipe(ray, options)
        options = _pinned(options, recipe)
        pools = plan_pools(ray.cluster_resources(), options, ray_options)
        shared = _workers_see_files(ray, documents, ray_options)
        log.info(
            "Ray run: %s; %s",
            pools,
            "workers read and write" if shared else "driver I/O",
        )
        todo: list[tuple[int, Source | Job]] = []
        for index, document in enumerate(documents):
            item = Source(document) if shared else _prepare_here(document, options, recipe)
            if isinstance(item, DocumentResult):
                yield item
            else:
                todo.append((index, item))
        if todo:
            yield from _stream(ray, split_blocks(todo), options, recipe, pools, shared)


def split_blocks(items: list[tuple[int, object]]) -> list[list[tuple[int, object]]]:
    """`(index in the run, item)` pairs in blocks of `WAVE_DOCUMENTS` documents, one prepare
    task each: waves never span two blocks, in a single-machine run either."""
    blocks: dict[int, list] = {}
    for index, item in items:
        blocks.setdefault(index // WAVE_DOCUMENTS, []).append((index, item))
    return list(blocks.values())


def _cluster_recipe(ray, options: RunOptions) -> dict:
    """The models' recipe: from the driver's copies if it has them (no download), else as
    the cluster sees them (a driver need not hold the models)."""
    m = options.models
    try:
        for name, revision in (
            (m.mt_model, m.mt_revision),
            (m.summary_model, m.summary_revision),
        ):
            locate(name, revision, local_only=True)
        return _recipe(options.with_models(device="cpu"))
    except ModelNotAvailableError:
        log.info("the models are not on this machine: asking the cluster for their versions")
    task = ray.remote(num_cpus=TASK_CPUS)(_recipe)
    try:
        return ray.get(task.remote(options.with_models(device="cpu")))
    except ray.exceptions.RayTaskError as exc:
        if isinstance(exc.cause, TranslateError):
            raise exc.cause from None
        raise


def _recipe(options: RunOptions) -> dict:
    return ModelSet(options).recipe()


def _pinned(options: RunOptions, recipe: dict) -> RunOptions:
    """Options that make every node load the revision the recipe names (hub models)."""
    return options.with_models(
        mt_revision=recipe["translation_model_revision"],
        summary_revision=recipe["summary_model_revision"],
    )


def _prepare_here(document: Document, options: RunOptions, recipe: dict):
    """The driver reads the document and decides whether it needs work (driver I/O)."""
    try:
        job = prepare(document, options, recipe)
        if isinstance(job, DocumentResult):
            return job
        return busy_elsewhere(job, options) or job
    except Exception as exc:
        return failed(document.path, exc)


def _workers_see_files(ray, documents: list[Document], ray_options: RayOptions) -> bool:
    """Whether every node sees the driver's files (`--ray-io auto`)."""
    if ray_options.io != "auto":
        return ray_options.io == "shared"
    if ray_options.address == "local":
        return True
    here = ray.util.get_node_ip_address()
    if all(node["NodeManagerAddress"] == here for node in ray.nodes() if node["Alive"]):
        return True  # every node runs on this machine
    return probe_shared_files(ray, documents)


def probe_shared_files(ray, documents: list[Document]) -> bool:
    """Ask every node whether it sees the first input (same size and time) and a probe file
    written into the first output folder for the occasion."""
    first, folder = documents[0].path, documents[0].output_dir
    token = secrets.token_hex(8)
    probe: Path | None = folder / f".translate-ray-probe-{token}"
    try:
        stat = first.stat()
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_text(token, encoding="utf-8")
    except OSError:  # the outputs cannot be written here anyway: judge by the input
        probe = None
    try:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        check = ray.remote(num_cpus=0)(_sees)
        nodes = [node["NodeID"] for node in ray.nodes() if node["Alive"]]
        refs = [
            check.options(
                scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False)
            ).remote(
                str(probe) if probe else None,
                token,
                str(first),
                stat.st_size,
                stat.st_mtime_ns,
            )
            for node in nodes
        ]
        return all(ray.get(refs, timeout=300))
    except Exception as exc:  # a node that cannot answer is a node that may not see them
        log.info("the shared-filesystem probe failed: %s", exc)
        return False
    finally:
        if probe is not None:
            with contextlib.suppress(OSError):
                probe.unlink()


def _sees(probe: str | None, token: str, source: str, size: int, mtime_ns: int) -> bool:
    try:
        stat = os.stat(source)
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
            return False
        return probe is None or Path(probe).read_text(encoding="utf-8") == token
    except OSError:
        return False


def _stream(
    ray,
    blocks: list[list],
    options: RunOptions,
    recipe: dict,
    pools: Pools,
    shared: bool,
) -> Iterator[DocumentResult]:
    pending = {item.document.path for block in blocks for _, item in block}
    with _data_context():
        ds = _pipeline(ray, blocks, options, recipe, pools, shared)
        finished = False
        try:
            for row in ds.iter_rows():
                result = pickle.loads(row["item"])
                if isinstance(result, Finished):
                    result = write_claimed(result.job, result.rendered, options)
                pending.discard(result.path)
                yield result
            finished = True
        except ray.exceptions.RayError as exc:
            raise TranslateError(f"the Ray job failed: {exc}".splitlines()[0]) from None
        finally:  # Ctrl-C, SIGTERM, a caller that stops early: no worker writes after this
            if not finished:
                stop_job(ray, ds)
    for path in sorted(pending):  # their workers died more often than they were retried
        yield DocumentResult(
            path=path,
            status="failed",
            reason=f"{path}: lost: the Ray worker working on it died {RETRIES + 1} times",
        )


def _pipeline(ray, blocks: list[list], options, recipe, pools: Pools, shared: bool):
    """The Ray Data plan: prepare tasks (a block of documents each), then the translator
    (a wave at a time) and summarizer (a document at a time) actor pools."""
    from ray.data import ActorPoolStrategy

    per_actor = {"num_cpus": pools.cpus, "num_gpus": pools.gpus or None}
    models = {"options": options.with_models(threads=pools.threads), "recipe": recipe}
    ds = ray.data.from_items(
        [{"item": pickle.dumps(block, protocol=5)} for block in blocks],
        override_num_blocks=len(blocks),
    )
    ds = ds.map_batches(
        prepare_block,
        batch_size=1,
        num_cpus=TASK_CPUS,
        fn_kwargs={"options": options, "recipe": recipe},
    )
    with warnings.catch_warnings():
        # Ray 2.60 takes retry limits only as (deprecated) remote args: hence the pin <2.64.
        warnings.simplefilter("ignore", DeprecationWarning)
        ds = ds.map_batches(
            Translator,
            batch_size=1,
            compute=ActorPoolStrategy(size=pools.translators),
            fn_constructor_kwargs=models,
            max_task_retries=RETRIES,
            **per_actor,
        )
        return ds.map_batches(
            Summarizer,
            batch_size=1,
            compute=ActorPoolStrategy(size=pools.summarizers),
            fn_constructor_kwargs={**models, "write_here": shared},
            max_task_retries=RETRIES,
            **per_actor,
        )


@contextlib.contextmanager
def _data_context():
    """Ray Data settings for this run, restored afterwards (a caller may have its own)."""
    from ray.data import DataContext

    context = DataContext.get_current()
    names = ("target_max_block_size", "max_errored_blocks", "enable_progress_bars")
    saved = {name: getattr(context, name) for name in names}
    # One document per block between the stages, so summaries spread over every actor;
    # a block lost with its worker beyond the retries costs its documents, not the run.
    context.target_max_block_size = 1
    context.max_errored_blocks = -1
    context.enable_progress_bars = False
    try:
        yield context
    finally:
        for name, value in saved.items():
            setattr(context, name, value)
