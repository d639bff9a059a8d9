"""The Typer app: its commands and where each lives, one-line usage errors, --version, main.

Every option's value is checked before anything is read or loaded: a bad one is a usage
error, one line on stderr naming the option and what it allows, exit status 2.
"""

from __future__ import annotations

import re
import sys
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from translate.cli.cache_command import cache_clear, cache_info
from translate.cli.models_command import models_download, models_list
from translate.cli.report import EXIT_FAILED, EXIT_SIGINT, EXIT_USAGE
from translate.cli.run_command import run
from translate.cli.serve_command import serve
from translate.config import VERSION


class _Group(TyperGroup):
    """Usage errors as one line ("error: ... (see 'translate run --help')"), exit status 2."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:
            typer.echo("aborted", err=True)
            sys.exit(EXIT_FAILED)
        except click_errors().NoArgsIsHelpError as exc:  # `translate` alone: its help
            exc.show()
            sys.exit(exc.exit_code)
        except click_errors().UsageError as exc:
            typer.echo(f"error: {usage_message(exc)}", err=True)
            sys.exit(EXIT_USAGE)
        except click_errors().ClickException as exc:
            typer.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        sys.exit(code or 0)


class _Command(TyperCommand):
    """Help that reads like a man page's: `run [OPTIONS] PATHS...`, no Python types."""

    def collect_usage_pieces(self, ctx) -> list[str]:
        return [re.sub(r"^\{(.*)\}", r"\1", piece) for piece in super().collect_usage_pieces(ctx)]

    def get_help(self, ctx) -> str:
        return re.sub(r"(?m)^(  [A-Z]+) <list\[\w+\]>", r"\1...", super().get_help(ctx))


def click_errors():
    from typer._click import exceptions  # typer's own copy of click (typer >= 0.26)

    return exceptions


def usage_message(exc) -> str:
    """Click's message on one line, without pydantic's "Value error, " and with the help hint."""
    message = exc.format_message().replace("Value error, ", "").replace("\n", " ").rstrip(".")
    message = message[:1].lower() + message[1:]
    command = exc.ctx.command_path if exc.ctx is not None else "translate"
    return f"{message} (see '{command} --help')"


app = typer.Typer(
    cls=_Group,
    help="Turn German documents into English summaries (MarianMT + a news summarizer).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(
    cls=_Group,
    help="List the configured models, or download them for offline use.",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")
cache_app = typer.Typer(cls=_Group, help="The translation store.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")
cache_app.command("info", cls=_Command, short_help="Where the store is, how big.")(cache_info)
cache_app.command("clear", cls=_Command, short_help="Remove every translation.")(cache_clear)
app.command("run", cls=_Command, short_help="Translate and summarize documents (start here).")(run)
app.command("serve", cls=_Command, short_help="Serve the models over HTTP (LibreTranslate's API).")(
    serve
)
models_app.command("list", cls=_Command, short_help="Show the models, where and how big.")(
    models_list
)
models_app.command("download", cls=_Command, short_help="Fetch the models for offline use.")(
    models_download
)


@app.callback(invoke_without_command=True)
def _version(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(f"translate {VERSION}")
        raise typer.Exit()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # Ctrl-C outside a run (e.g. while loading): no traceback
        sys.exit(EXIT_SIGINT)
