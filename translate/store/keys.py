"""What a translated chunk is stored under: everything that decides its English.

The context is the model (name and revision), the engine and its precision and every applied
generation setting (the translator's own `describe`, which names backend and compute type),
and the chunking; the chunk is its exact source text, with the sentences it holds and the
finer pieces a failing translation is redone as (they decide the check and the retry).
"""

from __future__ import annotations

import hashlib
import json

# Bumped when what is stored for a chunk, or how it is used, changes: old entries then miss.
STORE_FORMAT = 1


def context_key(model: str, revision: str | None, settings: dict, chunk_tokens: int) -> str:
    """A digest of what, besides the source chunk, decides a chunk's translation."""
    payload = {
        "format": STORE_FORMAT,
        "model": model,
        "revision": revision,
        "settings": settings,
        "chunk_tokens": chunk_tokens,
    }
    return _digest(payload)


def chunk_key(context: str, source: str, sentences: int, finer: tuple[str, ...]) -> str:
    """The key of one chunk's translation under `context` (see `context_key`)."""
    return _digest({"context": context, "source": source, "sentences": sentences, "finer": finer})


def _digest(payload: dict) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
