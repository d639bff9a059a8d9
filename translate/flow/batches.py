"""Token batches: inputs grouped by length under a padded-token budget, and generated batch by
batch (or queued all at once for an engine that schedules its own workers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from translate.config import GenerationSettings
from translate.engines.common import Generation, TextGenerator


def token_batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Group indices, longest first, so each batch's padded size (count x longest) fits budget."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    for index in order:
        if batches and (len(batches[-1]) + 1) * lengths[batches[-1][0]] <= budget:
            batches[-1].append(index)
        else:
            batches.append([index])
    return batches


def generate_in_batches(
    model: TextGenerator,
    texts: list[str],
    batches: list[list[int]],
    settings: GenerationSettings,
    one_call: Callable[[list[str], GenerationSettings], list[Generation]] | None = None,
) -> Iterator[tuple[list[int], list[Generation]]]:
    """Each batch (indices into `texts`) with its generations, batch by batch. A model that
    queues batches for its workers (CTranslate2: `generate_batches`) gets them all in one
    call, so that no worker waits at the end of a batch for the others; any other model,
    one call per batch (`one_call`, else its `generate_detailed`)."""
    groups = [[texts[i] for i in batch] for batch in batches]
    queued = getattr(model, "generate_batches", None)
    if queued is not None:
        yield from zip(batches, queued(groups, settings))
    else:
        for batch, group in zip(batches, groups):
            yield batch, (one_call or model.generate_detailed)(group, settings)
