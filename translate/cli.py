"""The command line: options in, library calls, messages and exit codes out."""

from __future__ import annotations

import json
import logging
import signal
import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from translate import __version__
from translate.config import (
    DEFAULT_BATCH_TOKENS,
    DEFAULT_MAX_INPUT_BYTES,
    ENV_DEVICE,
    ENV_MT_MODEL,
    ENV_SUMMARY_MODEL,
    GenerationSettings,
    ModelOptions,
    RunOptions,
)
from translate.errors import ConfigError, TranslateError
from translate.files import display_name, one_line

EXIT_FAILED, EXIT_USAGE, EXIT_SIGINT, EXIT_SIGTERM = 1, 2, 130, 143

app = typer.Typer(
    help="Turn German documents into English summaries (MarianMT + a news summarizer).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
models_app = typer.Typer(help="List the configured models, or download them for offline use.")
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


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so cleanup runs the same way."""


def _on_sigterm(signum, frame):
    raise Terminated()


MtModel = Annotated[
    str | None,
    typer.Option(
        "--mt-model", envvar=ENV_MT_MODEL, help="Translation model: hub id or local folder."
    ),
]
SummaryModel = Annotated[
    str | None,
    typer.Option(
        "--summary-model", envvar=ENV_SUMMARY_MODEL, help="Summary model: hub id or local folder."
    ),
]


@app.command()
def run(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files, or folders of documents: .txt .md .pdf .docx .odt .html .htm .epub "
            ".eml .rtf."
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
            help="int8: 8-bit weights (ctranslate2 on CPU always is). With --backend torch: "
            "dynamic int8, 2.4x the speed of fp32 on CPU, but more peak memory."
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
            help="In folders, take only files matching this glob (e.g. '*.pdf'); repeatable."
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="In folders, leave out files matching this glob; repeatable."),
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
        bool, typer.Option(help="Redo documents whose summary is up to date.")
    ] = False,
    keep_translation: Annotated[
        bool, typer.Option(help="Also write the full English translation as <stem>.en.md.")
    ] = False,
    output_dir: Annotated[
        Path | None, typer.Option(help="Write outputs under this folder (mirroring the inputs).")
    ] = None,
    source_lang: Annotated[
        str | None,
        typer.Option(help="Skip language detection: de translates anything, en only summarizes."),
    ] = None,
    beams: Annotated[
        int | None, typer.Option(help="Beam size for translation (default: the model's).")
    ] = None,
    batch_tokens: Annotated[
        int, typer.Option(help="Token budget of one translation batch (padding included).")
    ] = DEFAULT_BATCH_TOKENS,
    max_input_mb: Annotated[
        float, typer.Option(help="Refuse input files larger than this many MB.")
    ] = DEFAULT_MAX_INPUT_BYTES / 1e6,
    threads: Annotated[
        int | None, typer.Option(help="CPU threads (default: torch's choice).")
    ] = None,
    json_report: Annotated[
        bool,
        typer.Option("--json", help="Print a machine-readable report on stdout (no progress bar)."),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log details; tracebacks on errors.")
    ] = False,
) -> None:
    """Translate and summarize each document; write <stem>.summary.en.md beside it.

    Exit status: 0 when every document was written or skipped, 1 when any failed,
    2 for a usage error, 130 when interrupted (143 on SIGTERM).
    """
    _setup_logging(verbose)
    models = {k: v for k, v in (("mt_model", mt_model), ("summary_model", summary_model)) if v}
    options = RunOptions(
        models=ModelOptions(
            device=device, backend=backend, quantize=quantize, threads=threads, **models
        ),
        translation=GenerationSettings(max_length_ratio=2.0, num_beams=beams),
        force=force,
        keep_translation=keep_translation,
        recursive=recursive,
        follow_symlinks=follow_symlinks,
        include=tuple(include or ()),
        exclude=tuple(exclude or ()),
        ocr=ocr,
        output_dir=output_dir,
        source_lang=source_lang,
        max_input_bytes=int(max_input_mb * 1e6),
        batch_tokens=batch_tokens,
    )
    signal.signal(signal.SIGTERM, _on_sigterm)
    reporter = _Reporter(quiet=quiet or json_report, as_json=json_report)
    code = reporter.run(paths, options)
    raise typer.Exit(code)


class _Reporter:
    """Runs the library and shows what happens: progress, one line per problem, a summary."""

    def __init__(self, quiet: bool, as_json: bool):
        self.quiet = quiet
        self.as_json = as_json
        self.results = []

    def run(self, paths: list[Path], options: RunOptions) -> int:
        from translate.discovery import discover
        from translate.run import iter_results
        from translate.steps import from_dropped

        started = time.perf_counter()
        documents, dropped = discover(
            paths,
            options.recursive,
            options.output_dir,
            options.follow_symlinks,
            include=options.include,
            exclude=options.exclude,
        )
        for drop in dropped:
            self._show(from_dropped(drop))
        code = 0
        bar = self._progress(len(documents))
        try:
            for result in iter_results(documents, options):
                self._show(result, bar)
        except KeyboardInterrupt as exc:
            code = EXIT_SIGTERM if isinstance(exc, Terminated) else EXIT_SIGINT
            _error(
                "interrupted: finished documents are kept; "
                "run the same command again to do the rest"
            )
        except TranslateError as exc:  # a run-wide problem, e.g. a model that is not available
            _error(str(exc))
            code = EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED
        finally:
            if bar is not None:
                bar.close()
        self._summarize(time.perf_counter() - started, len(documents) + len(dropped))
        if code == 0 and any(r.status == "failed" for r in self.results):
            code = EXIT_FAILED
        return code

    def _progress(self, total: int):
        if self.quiet or not sys.stderr.isatty() or total < 2:
            return None
        from tqdm import tqdm

        return tqdm(total=total, unit="doc", desc="translating", file=sys.stderr, leave=False)

    def _show(self, result, bar=None) -> None:
        self.results.append(result)
        if bar is not None:
            bar.update(1)
        if result.status == "failed":
            _error(_named(result.path, result.reason), bar)
        elif not self.quiet:
            where = ", ".join(display_name(p.name) for p in result.outputs)
            detail = f"{result.seconds:.1f} s" if result.status == "written" else result.reason
            target = f" -> {where}" if where else ""
            _say(f"{result.status:8} {display_name(result.path)}{target} ({detail})", bar)

    def _summarize(self, seconds: float, total: int) -> None:
        counts = {
            s: sum(r.status == s for r in self.results) for s in ("written", "skipped", "failed")
        }
        left = total - len(self.results)
        if self.as_json:
            report = {
                "version": __version__,
                "seconds": round(seconds, 2),
                **counts,
                "not_done": left,
                "documents": [_as_json(r) for r in self.results],
            }
            text = json.dumps(report, ensure_ascii=False, indent=2)
            # Names with bytes that are not UTF-8 hold lone surrogates (Python's surrogate
            # escapes): written as the JSON escape \udcXX, the report stays valid UTF-8 and
            # json.loads + os.fsencode give back the exact bytes of the name.
            typer.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"))
        elif not self.quiet or counts["failed"] or left:
            tail = f", {left} not done" if left else ""
            _say(
                f"{counts['written']} written, {counts['skipped']} skipped, "
                f"{counts['failed']} failed{tail} in {seconds:.1f} s"
            )


def _as_json(result) -> dict:
    return {
        "path": str(result.path),
        "status": result.status,
        "outputs": [str(p) for p in result.outputs],
        "error": result.reason if result.status == "failed" else None,
        "reason": result.reason,
        "counts": result.counts,
        "seconds": round(result.seconds, 2),
    }


def _named(path: Path, reason: str) -> str:
    """A failure's reason with its file name shown escaped (names may hold anything)."""
    prefix = f"{path}: "
    if reason.startswith(prefix):
        return f"{display_name(path)}: {reason.removeprefix(prefix)}"
    return reason


def _say(message: str, bar=None) -> None:
    message = one_line(message)  # no name or library message may break or forge a line
    if bar is not None:
        bar.write(message, file=sys.stderr)
    else:
        typer.echo(message, err=True)


def _error(message: str, bar=None) -> None:
    _say(f"error: {message}", bar)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not verbose:  # transformers' advice and deprecation notes are not for our users
        logging.getLogger("transformers").setLevel(logging.ERROR)


@models_app.command("list")
def models_list(mt_model: MtModel = None, summary_model: SummaryModel = None) -> None:
    """Show the configured models and whether each is available offline (with its size)."""
    from translate.errors import ModelNotAvailableError
    from translate.models import folder_size, hub_cache_dir, locate

    defaults = ModelOptions()
    missing = False
    for role, name in (
        ("translation", mt_model or defaults.mt_model),
        ("summary", summary_model or defaults.summary_model),
    ):
        try:
            location = locate(name, local_only=True)
        except ModelNotAvailableError:
            typer.echo(f"{role:12} {name}  not downloaded")
            missing = True
            continue
        size = folder_size(location.path) / 1e6
        typer.echo(
            f"{role:12} {name}  available ({size:,.0f} MB, "
            f"revision {location.revision[:12]}) {location.path}"
        )
    typer.echo(f"cache: {hub_cache_dir()}")
    if missing:
        typer.echo("run `translate models download` to fetch what is missing")


@models_app.command("download")
def models_download(mt_model: MtModel = None, summary_model: SummaryModel = None) -> None:
    """Download the configured models into the Hugging Face cache for offline use."""
    from translate.models import folder_size, locate

    defaults = ModelOptions()
    _setup_logging(False)
    for name in (mt_model or defaults.mt_model, summary_model or defaults.summary_model):
        typer.echo(f"downloading {name} ...", err=True)
        try:
            location = locate(name, download=True)
        except TranslateError as exc:
            _error(str(exc))
            raise typer.Exit(EXIT_FAILED) from None
        typer.echo(f"{name}: {folder_size(location.path) / 1e6:,.0f} MB in {location.path}")


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
