"""`translate cache info` and `translate cache clear`: the translation store (docs/store.md)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from translate.cli.logs import setup_logging
from translate.cli.report import EXIT_FAILED
from translate.store import TranslationStore, store_path
from translate.units import human_size

JsonInfo = Annotated[bool, typer.Option("--json", help="Print the figures as one JSON object.")]


def cache_info(json_report: JsonInfo = False) -> None:
    """Show where the translation store is, how many translations it holds, its size on
    disk, and how often runs took translations from it (TRANSLATE_CACHE moves it)."""
    setup_logging(False)
    path = store_path()
    if not path.exists():
        info = {"path": str(path), "entries": 0, "bytes": 0, "hits": 0, "misses": 0, "stored": 0}
    else:
        with TranslationStore(path) as store:
            if not store.usable:
                raise typer.Exit(EXIT_FAILED)  # the warning said why
            info = store.info()
            info.pop("max_bytes")  # a run's --cache-max-mb, not the store's own
    if json_report:
        typer.echo(json.dumps(info))
        return
    looked_up = info["hits"] + info["misses"]
    share = f" ({info['hits'] / looked_up:.0%} of {looked_up:,} looked up)" if looked_up else ""
    typer.echo(f"translation store: {info['path']}")
    typer.echo(f"  {info['entries']:,} translated chunks, {human_size(info['bytes'])} on disk")
    typer.echo(f"  {info['hits']:,} taken from it{share}, {info['stored']:,} put in")


def cache_clear() -> None:
    """Remove every translation from the store (runs then translate everything again)."""
    setup_logging(False)
    path = store_path()
    if not path.exists():
        typer.echo(f"the translation store {path} is empty already")
        return
    with TranslationStore(path) as store:
        if not store.usable:
            raise typer.Exit(EXIT_FAILED)
        removed = store.clear()
    typer.echo(f"removed {removed:,} translations from {path}")
