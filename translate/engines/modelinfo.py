"""`translate models`: what the configured models are, where they are, and fetching them.

Needs only huggingface_hub (through models.locate), never torch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from translate.engines.models import folder_size, hub_cache_dir, locate, missing_message
from translate.errors import ModelNotAvailableError
from translate.units import human_size

# (role, option, model): e.g. ("translation", "--mt-model", "Helsinki-NLP/opus-mt-de-en")
Chosen = list[tuple[str, str, str]]


def list_models(chosen: Chosen) -> tuple[list[str], bool]:
    """Lines of a table of the models (role, model, status, size, revision, path), then the
    reasons for any unusable folder and the cache's place; and whether any can be fetched."""
    rows = [("ROLE", "MODEL", "STATUS", "SIZE", "REVISION", "PATH")]
    notes = []
    fetchable = False
    for role, _, name in chosen:
        try:
            location = locate(name, local_only=True)
        except ModelNotAvailableError as exc:
            fetchable |= exc.fetchable
            rows.append(
                (role, name, "not downloaded" if exc.fetchable else "not usable", "", "", "")
            )
            if not exc.fetchable:
                notes.append(f"{role}: {exc}")
            continue
        local = location.revision.startswith("local-")
        rows.append(
            (
                role,
                name,
                "local folder" if local else "available",
                human_size(folder_size(location.path)),
                location.revision[:12],
                str(location.path),
            )
        )
    return [*table(rows), *notes, f"cache: {hub_cache_dir()}"], fetchable


def download_models(
    chosen: Chosen, say: Callable[[str], None], done: Callable[[str], None]
) -> str | None:
    """Fetch each hub model into the cache (a local folder is only checked); `say` hears what
    is being done, `done` where each model is. Returns the message for those that failed."""
    problems: list[tuple[str, ModelNotAvailableError]] = []
    for role, option, name in chosen:
        local = Path(name).expanduser().is_dir()
        say(f"using local folder {name}" if local else f"downloading {name} ...")
        try:
            location = locate(name, download=not local)
        except ModelNotAvailableError as exc:
            problems.append((option, exc))
            continue
        done(f"{role}: {name}: {human_size(folder_size(location.path))} in {location.path}")
    return missing_message(problems, download=False) if problems else None


def table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as lines of left-aligned columns, two spaces apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
