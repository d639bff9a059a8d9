"""The command line: options in, library calls, messages and exit codes out.

Every option's value is checked here, before anything is read or loaded: a bad one is a
usage error, one line on stderr naming the option and what it allows, exit status 2.
"""

from __future__ import annotations

import logging
import math
import os
import re
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand, TyperGroup

from translate import __version__
from translate.cli.report import EXIT_FAILED, EXIT_SIGINT, EXIT_USAGE, Reporter, on_signal
from translate.config import (
    DEFAULT_BATCH_TOKENS,
    DEFAULT_CHUNK_TOKENS,
    DEFAULT_MAX_INPUT_BYTES,
    ENV_DEVICE,
    ENV_MT_MODEL,
    ENV_SUMMARY_MODEL,
    GenerationSettings,
    ModelOptions,
    RunOptions,
)
from translate.errors import TranslateError

MAX_BEAMS = 32
MAX_BATCH_TOKENS = 65_536
MAX_CHUNK_TOKENS = 4_096  # above any MarianMT input limit: the model's own limit wins
MAX_RAY_ACTORS = 10_000
# --ray besides auto and local: host:port or ray://host[:port] (host: a name or [IPv6]).
RAY_ADDRESS = re.compile(
    r"(?P<client>ray://)?(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+)(:(?P<port>\d{1,5}))?"
)


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


class Device(str, Enum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"
    mps = "mps"


class Backend(str, Enum):
    auto = "auto"
    torch = "torch"
    ctranslate2 = "ctranslate2"


class Quantize(str, Enum):
    none = "none"
    int8 = "int8"


class RayIO(str, Enum):
    auto = "auto"
    shared = "shared"
    driver = "driver"


class SourceLang(str, Enum):
    de = "de"
    en = "en"


def _whole_number(low: int, high: int | None, meaning: str = ""):
    """A typer callback that refuses a number outside low..high, naming the range."""

    def check(value: int | None) -> int | None:
        if value is not None and not (low <= value and (high is None or value <= high)):
            allowed = f"{low} to {high:,}" if high is not None else f"{low} or more"
            raise typer.BadParameter(f"{value} is out of range (allowed: {allowed}{meaning})")
        return value

    return check


def _megabytes(value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise typer.BadParameter(f"{value} is not allowed (a number of MB above 0, e.g. 10)")
    return value


def _ray_address(value: str | None) -> str | None:
    if value is None or value in ("auto", "local"):
        return value
    match = RAY_ADDRESS.fullmatch(value)
    port = int(match["port"]) if match and match["port"] is not None else None
    missing = port is None and not (match and match["client"])  # host:port needs its port
    if match is None or missing or (port is not None and not 1 <= port <= 65_535):
        raise typer.BadParameter(
            f"{value!r} is not a Ray address (allowed: auto, local, host:port, ray://host:port)"
        )
    return value


def _ray_only(ray: str | None, **given) -> None:
    """The --ray-* options mean nothing without --ray: refuse them rather than ignore them."""
    if ray is None:
        for name, value in given.items():
            if value is not None:
                option = "--" + name.replace("_", "-")
                raise typer.BadParameter(
                    f"{option} works only with --ray ADDRESS", param_hint=f"'{option}'"
                )


MtModel = Annotated[
    str | None,
    typer.Option(
        "--mt-model",
        envvar=ENV_MT_MODEL,
        metavar="MODEL",
        help="Translation model: hub id or local folder.",
    ),
]
SummaryModel = Annotated[
    str | None,
    typer.Option(
        "--summary-model",
        envvar=ENV_SUMMARY_MODEL,
        metavar="MODEL",
        help="Summary model: hub id or local folder.",
    ),
]


@app.command(cls=_Command, short_help="Translate and summarize documents (start here).")
def run(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATHS",
            help="Files, or folders of documents: .txt .md .pdf .docx .odt .html .htm .epub "
            ".eml .rtf.",
        ),
    ],
    mt_model: MtModel = None,
    summary_model: SummaryModel = None,
    device: Annotated[
        Device,
        typer.Option(
            envvar=ENV_DEVICE, help="Where to run the models (auto: a GPU if there is one)."
        ),
    ] = Device.auto,
    backend: Annotated[
        Backend,
        typer.Option(
            help="Inference engine. auto: ctranslate2 (int8 on CPU, float16 on CUDA; measured "
            "2.8x the speed of torch fp32 on CPU in under half its memory) where it can run, "
            "else torch."
        ),
    ] = Backend.auto,
    quantize: Annotated[
        Quantize,
        typer.Option(
            help="none: the engine's own precision (ctranslate2: int8 on CPU, float16 on "
            "CUDA; torch: float32). int8: 8-bit weights; with --backend torch dynamic int8, "
            "2.4x the speed of fp32 on CPU, but more peak memory."
        ),
    ] = Quantize.none,
    recursive: Annotated[
        bool, typer.Option("--recursive", "-r", help="Descend into sub-folders.")
    ] = False,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            help="In folders, also read symlinks that lead outside the folders given "
            "(default: skip them and say so). Files named here are always read."
        ),
    ] = False,
    include: Annotated[
        list[str] | None,
        typer.Option(
            metavar="GLOB",
            help="In folders, take only files matching this glob (e.g. '*.pdf'); repeatable.",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            metavar="GLOB", help="In folders, leave out files matching this glob; repeatable."
        ),
    ] = None,
    ocr: Annotated[
        bool,
        typer.Option(
            "--ocr",
            help="Read scanned PDF pages (no text layer) with Tesseract OCR; needs "
            "tesseract-ocr and tesseract-ocr-deu installed.",
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option(help="Redo documents whose summary is up to date.", show_default=False)
    ] = False,
    keep_translation: Annotated[
        bool,
        typer.Option(
            help="Also write the full English translation as <stem>.en.md (passages that may "
            "have lost content are marked).",
            show_default=False,
        ),
    ] = False,
    bilingual: Annotated[
        bool,
        typer.Option(
            help="Also write <stem>.de-en.md: each German paragraph, then its translation, "
            "chunk by chunk, doubtful passages marked.",
            show_default=False,
        ),
    ] = False,
    output_dir: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Write outputs under this folder (mirroring the inputs)."),
    ] = None,
    source_lang: Annotated[
        SourceLang | None,
        typer.Option(help="Skip language detection: de translates anything, en only summarizes."),
    ] = None,
    beams: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            callback=_whole_number(1, MAX_BEAMS),
            help=f"Beam size for translation, 1 to {MAX_BEAMS} (default: the model's).",
        ),
    ] = None,
    batch_tokens: Annotated[
        int,
        typer.Option(
            metavar="N",
            callback=_whole_number(1, MAX_BATCH_TOKENS),
            help="Token budget of one batch of translation or summary inputs (padding included), "
            f"1 to {MAX_BATCH_TOKENS:,}.",
        ),
    ] = DEFAULT_BATCH_TOKENS,
    chunk_tokens: Annotated[
        int,
        typer.Option(
            metavar="N",
            callback=_whole_number(1, MAX_CHUNK_TOKENS),
            help="Pack consecutive sentences into one translator input of up to N tokens; "
            "1 sends each sentence alone (measured fastest, and how the model was trained).",
        ),
    ] = DEFAULT_CHUNK_TOKENS,
    max_input_mb: Annotated[
        float,
        typer.Option(
            metavar="MB", callback=_megabytes, help="Refuse input files larger than this."
        ),
    ] = DEFAULT_MAX_INPUT_BYTES / 1e6,
    threads: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            callback=_whole_number(1, os.cpu_count() or 1, ", the CPUs of this machine"),
            help="CPU threads (default: one per physical core; torch: torch's choice).",
        ),
    ] = None,
    json_report: Annotated[
        bool,
        typer.Option("--json", help="Print a machine-readable report on stdout (no progress bar)."),
    ] = False,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            metavar="ADDRESS",
            callback=_ray_address,
            help="Run on a Ray cluster: auto (the one `ray start` joined), host:port, "
            "ray://host:port, or local (start one here to try it). Needs the [ray] extra.",
        ),
    ] = None,
    ray_translators: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            callback=_whole_number(1, MAX_RAY_ACTORS),
            help=f"With --ray: translator actors, 1 to {MAX_RAY_ACTORS:,} (default: one per "
            "CPU/GPU of the cluster).",
        ),
    ] = None,
    ray_summarizers: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            callback=_whole_number(1, MAX_RAY_ACTORS),
            help=f"With --ray: summarizer actors, 1 to {MAX_RAY_ACTORS:,} (default: one per "
            "CPU/GPU of the cluster).",
        ),
    ] = None,
    ray_io: Annotated[
        RayIO | None,
        typer.Option(
            help="With --ray: shared: workers read inputs and write outputs (every node sees "
            "the files); driver: this process reads and writes, workers get the text; "
            "auto (default): shared if a probe file shows every node sees the folders.",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log details; tracebacks on errors.")
    ] = False,
) -> None:
    """Translate and summarize each document; write <stem>.summary.en.md beside it.

    Exit status: 0 when every document was written or skipped (a folder without documents
    is a warning), 1 when any failed or the run could not start (a model or device missing),
    2 for a usage error, 130 when interrupted (143 on SIGTERM).
    """
    _ray_only(ray, ray_translators=ray_translators, ray_summarizers=ray_summarizers, ray_io=ray_io)
    _setup_logging(verbose, quiet)
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        raise typer.BadParameter(f"{output_dir} is not a folder", param_hint="'--output-dir'")
    models = {k: v for k, v in (("mt_model", mt_model), ("summary_model", summary_model)) if v}
    options = RunOptions(
        models=ModelOptions(
            device=device.value,
            backend=backend.value,
            quantize=quantize.value,
            threads=threads,
            **models,
        ),
        translation=GenerationSettings(max_length_ratio=2.0, num_beams=beams),
        force=force,
        keep_translation=keep_translation,
        bilingual=bilingual,
        recursive=recursive,
        follow_symlinks=follow_symlinks,
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        ocr=ocr,
        output_dir=output_dir,
        source_lang=source_lang.value if source_lang else None,
        max_input_bytes=int(max_input_mb * 1e6),
        batch_tokens=batch_tokens,
        chunk_tokens=chunk_tokens,
    )
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    reporter = Reporter(quiet=quiet, as_json=json_report)
    if ray is not None:
        reporter.ray = _ray_options(ray, ray_translators, ray_summarizers, ray_io, verbose)
    raise typer.Exit(reporter.run(paths, options))


def _ray_options(address, translators, summarizers, io, verbose):
    from translate.flow.distributed import RayOptions
    from translate.flow.distributed.cluster import import_ray

    try:
        import_ray()  # before any work: say at once what to install
    except TranslateError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED) from None
    return RayOptions(
        address=address,
        translators=translators,
        summarizers=summarizers,
        io=(io or RayIO.auto).value,
        verbose=verbose,
    )


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time, so log lines scroll above progress."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _setup_logging(verbose: bool, quiet: bool = False) -> None:
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Libraries say only what is wrong; --verbose adds our own details, not their DEBUG chatter.
    root.setLevel(logging.ERROR if quiet else logging.WARNING)
    logging.getLogger("translate").setLevel(logging.DEBUG if verbose else logging.NOTSET)
    if not verbose:  # transformers' advice and deprecation notes are not for our users
        logging.getLogger("transformers").setLevel(logging.ERROR)


@models_app.command("list", cls=_Command, short_help="Show the models, where and how big.")
def models_list(mt_model: MtModel = None, summary_model: SummaryModel = None) -> None:
    """Show the configured models and whether each is available offline (with its size)."""
    from translate.engines.modelinfo import list_models

    _setup_logging(False)
    lines, missing = list_models(_chosen(mt_model, summary_model))
    for line in lines:
        typer.echo(line)
    if missing:
        typer.echo("run `translate models download` to fetch what is missing")


@models_app.command("download", cls=_Command, short_help="Fetch the models for offline use.")
def models_download(mt_model: MtModel = None, summary_model: SummaryModel = None) -> None:
    """Download the configured models into the Hugging Face cache for offline use."""
    from translate.engines.modelinfo import download_models

    _setup_logging(False)
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


@app.callback(invoke_without_command=True)
def _version(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        typer.echo(f"translate {__version__}")
        raise typer.Exit()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:  # Ctrl-C outside a run (e.g. while loading): no traceback
        sys.exit(EXIT_SIGINT)
