"""`translate models list` and `translate models download`."""

from __future__ import annotations

import typer

from translate.cli.logs import setup_logging
from translate.cli.options import MtModel, SummaryModel
from translate.cli.report import EXIT_FAILED
from translate.config import ModelOptions


def models_list(mt_model: MtModel = None, summary_model: SummaryModel = None) -> None:
    """Show the configured models and whether each is available offline (with its size)."""
    from translate.engines.modelinfo import list_models

    setup_logging(False)
    lines, missing = list_models(_chosen(mt_model, summary_model))
    for line in lines:
        typer.echo(line)
    if missing:
        typer.echo("run `translate models download` to fetch what is missing")


def models_download(mt_model: MtModel = None, summary_model: SummaryModel = None) -> None:
    """Download the configured models into the Hugging Face cache for offline use."""
    from translate.engines.modelinfo import download_models

    setup_logging(False)
    failed = download_models(
        _chosen(mt_model, summary_model),
        say=lambda line: typer.echo(line, err=True),
        done=typer.echo,
    )
    if failed:
        typer.echo(f"error: {failed}", err=True)
        raise typer.Exit(EXIT_FAILED)


def _chosen(mt_model: str | None, summary_model: str | None) -> list[tuple[str, str, str]]:
    """(role, option, model) for both models: the one given, else the configured one."""
    defaults = ModelOptions()
    return [
        ("translation", "--mt-model", mt_model or defaults.mt_model),
        ("summary", "--summary-model", summary_model or defaults.summary_model),
    ]
