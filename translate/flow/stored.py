"""Translation through the store: chunks translated before are taken from it, the others are
translated (each distinct chunk once) and put in as each batch is decoded, so an interrupted
run keeps what it finished.

What is stored for a chunk is its final outcome (English, check verdict, whether it was
redone), so a chunk from the store is exactly the chunk a run without the store would make.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import replace
from functools import cache
from pathlib import Path

from translate.config import VERSION, GenerationSettings, RunOptions
from translate.engines.common import TextGenerator
from translate.flow import batches, generations, pipeline
from translate.flow.pipeline import Outcome, Passage, translate_passages
from translate.progress import Progress
from translate.store import TranslationStore, chunk_key, context_key, open_store
from translate.text import fidelity, markup, numbers, untranslated
from translate.text.fidelity import Verdict

log = logging.getLogger(__name__)


@cache
def rules() -> str:
    """The version, and a digest of the code that turns generations into a chunk's outcome
    (the check, the retries): a translation kept by other rules is not taken as this one's."""
    modules = (pipeline, batches, generations, fidelity, numbers, untranslated, markup)
    code = b"".join(Path(m.__file__).read_bytes() for m in modules)
    # The untranslated-German rule can be off (fidelity.ENV_CHECK_UNTRANSLATED): its
    # verdicts are then other verdicts.
    switch = os.environ.get(fidelity.ENV_CHECK_UNTRANSLATED, "")
    return f"{VERSION}+{hashlib.sha256(code + switch.encode()).hexdigest()[:16]}"


def store_for(options: RunOptions) -> TranslationStore | None:
    """The run's store (None with --no-cache, or when it cannot be opened: a warning says so)."""
    if not options.cache:
        return None
    return open_store(int(options.cache_max_mb * 1_000_000))


class StoredTranslation:
    """Translates passages through `store` under one context (model, engine, settings)."""

    def __init__(self, store: TranslationStore | None, context: str):
        self.store = store
        self.context = context

    @classmethod
    def of(
        cls, store: TranslationStore | None, translator: TextGenerator, recipe: dict, options
    ) -> StoredTranslation:
        """For `translator` (the model the run's `recipe` names) with the run's settings."""
        context = context_key(
            recipe.get("translation_model", ""),
            recipe.get("translation_model_revision"),
            {**translator.describe(options.translation), "rules": rules()},
            options.chunk_tokens,
        )
        return cls(store, context)

    def translate(
        self,
        translator: TextGenerator,
        passages: list[Passage],
        settings: GenerationSettings,
        batch_tokens: int,
        progress: Progress | None = None,
    ) -> tuple[list[Outcome], list[bool]]:
        """Each passage's outcome, and whether it came from the store. A passage that occurs
        more than once is translated once."""
        keys = [chunk_key(self.context, p.source, p.sentences, p.finer) for p in passages]
        found = self.store.get_many(keys) if self.store is not None else {}
        first: dict[str, int] = {}  # key -> index in `todo`
        todo: list[int] = []
        for index, key in enumerate(keys):
            if key not in found and key not in first:
                first[key] = len(todo)
                todo.append(index)

        def keep(indices: list[int], outcomes: list[Outcome]) -> None:
            self.store.put_many(
                (keys[todo[j]], o.text, _meta(o)) for j, o in zip(indices, outcomes)
            )

        translated = translate_passages(
            translator,
            [passages[i] for i in todo],
            settings,
            batch_tokens,
            progress,
            on_final=keep if self.store is not None else None,
        )
        outcomes = [
            _outcome(*found[key]) if key in found else replace(translated[first[key]])
            for key in keys
        ]
        return outcomes, [key in found for key in keys]


def _meta(outcome: Outcome) -> str:
    return json.dumps(
        {
            "finished": outcome.finished,
            "problems": list(outcome.verdict.problems),
            "recovered": outcome.recovered,
            "retranslated": outcome.retranslated,
        },
        ensure_ascii=False,
    )


def _outcome(english: str, meta: str) -> Outcome:
    data = json.loads(meta)
    return Outcome(
        english,
        data["finished"],
        Verdict(tuple(data["problems"])),
        recovered=data["recovered"],
        retranslated=data["retranslated"],
    )
