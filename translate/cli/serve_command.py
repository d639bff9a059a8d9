"""`translate serve`: the models of `run` behind an HTTP service (LibreTranslate's API and
document jobs); its own options say where it listens, who may use it and its limits."""

from __future__ import annotations

import ipaddress
import math
from pathlib import Path
from typing import Annotated

import typer

from translate.cli.logs import setup_logging
from translate.cli.options import (
    DEFAULT_MAX_INPUT_MB,
    Backend,
    BackendOption,
    BatchTokens,
    Beams,
    CacheMaxMb,
    ChunkTokens,
    Device,
    DeviceOption,
    MaxInputMb,
    MtModel,
    NoCache,
    Quantize,
    QuantizeOption,
    SummaryModel,
    Threads,
    Verbose,
    model_options,
    run_options,
    whole_number,
)
from translate.cli.report import EXIT_FAILED, EXIT_USAGE
from translate.config import DEFAULT_BATCH_TOKENS, DEFAULT_CACHE_MAX_MB, DEFAULT_CHUNK_TOKENS
from translate.errors import TranslateError
from translate.serve.settings import ServeSettings

INSTALL_SERVE = "pip install 'translate-digest[serve]'"
# The [serve] extra's packages, by the names they are imported as.
SERVE_MODULES = ("fastapi", "starlette", "uvicorn", "python_multipart", "platformdirs")
MAX_CHAR_LIMIT = 1_000_000
MAX_QUEUE = 100_000
DEFAULTS = ServeSettings()


def _above_zero(unit: str, example: str):
    """A typer callback that refuses a number that is not finite and above 0."""

    def check(value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise typer.BadParameter(
                f"{value} is not allowed (a number of {unit} above 0, e.g. {example})"
            )
        return value

    return check


Host = Annotated[
    str,
    typer.Option(
        "--host",
        metavar="ADDRESS",
        help="Address to listen on. Anything but loopback (127.0.0.1, ::1, localhost) "
        "needs --api-key/--api-keys, or --no-auth.",
    ),
]
Port = Annotated[
    int,
    typer.Option(
        "--port",
        metavar="N",
        callback=whole_number(0, 65_535, "; 0 picks a free port"),
        help="Port to listen on (LibreTranslate's default; 0: any free port, named when ready).",
    ),
]
ApiKey = Annotated[
    list[str] | None,
    typer.Option("--api-key", metavar="KEY", help="A key clients must send; repeatable."),
]
ApiKeysFile = Annotated[
    Path | None,
    typer.Option(
        "--api-keys",
        metavar="FILE",
        help="A file of keys clients may send, one a line (# starts a comment).",
    ),
]
NoAuth = Annotated[
    bool,
    typer.Option("--no-auth", help="Serve a non-loopback address without keys (on purpose)."),
]
DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DIR",
        help="Where jobs and translated files are kept (default: the user's data folder).",
    ),
]
KeepDays = Annotated[
    float,
    typer.Option(
        "--keep-days",
        metavar="DAYS",
        callback=_above_zero("days", "7"),
        help="Delete finished jobs' results and translated files after this many days.",
    ),
]
CharLimit = Annotated[
    int,
    typer.Option(
        "--char-limit",
        metavar="N",
        callback=whole_number(1, MAX_CHAR_LIMIT),
        help="Most characters of one /translate request (all its texts together).",
    ),
]
UploadTimeout = Annotated[
    float,
    typer.Option(
        "--upload-timeout",
        metavar="SECONDS",
        callback=_above_zero("seconds", "60"),
        help="Most seconds a request's body may take to arrive; slower ones get 408.",
    ),
]
MaxQueue = Annotated[
    int,
    typer.Option(
        "--max-queue",
        metavar="N",
        callback=whole_number(1, MAX_QUEUE),
        help="Most document jobs waiting or running; more are answered 429 (try later).",
    ),
]


def serve(
    mt_model: MtModel = None,
    summary_model: SummaryModel = None,
    device: DeviceOption = Device.auto,
    backend: BackendOption = Backend.auto,
    quantize: QuantizeOption = Quantize.none,
    threads: Threads = None,
    beams: Beams = None,
    batch_tokens: BatchTokens = DEFAULT_BATCH_TOKENS,
    chunk_tokens: ChunkTokens = DEFAULT_CHUNK_TOKENS,
    max_input_mb: MaxInputMb = DEFAULT_MAX_INPUT_MB,
    host: Host = DEFAULTS.host,
    port: Port = DEFAULTS.port,
    api_key: ApiKey = None,
    api_keys: ApiKeysFile = None,
    no_auth: NoAuth = False,
    data_dir: DataDir = None,
    keep_days: KeepDays = DEFAULTS.keep_days,
    char_limit: CharLimit = DEFAULTS.char_limit,
    max_queue: MaxQueue = DEFAULTS.max_queue,
    upload_timeout: UploadTimeout = DEFAULTS.upload_timeout,
    no_cache: NoCache = False,
    cache_max_mb: CacheMaxMb = DEFAULT_CACHE_MAX_MB,
    verbose: Verbose = False,
) -> None:
    """Serve the models over HTTP: LibreTranslate's API (/translate, /detect, /languages,
    /translate_file) and document jobs under /v1/ (docs/api.md).

    Loads both models once, then listens (127.0.0.1:5000 by default) until SIGTERM or
    Ctrl-C, which let requests in progress finish and requeue running jobs. Exit status: 0
    when stopped so, 1 when it could not start (a model missing, the port taken), 2 for a
    usage error or without the [serve] extra.
    """
    keys = _keys(api_key or [], api_keys)
    _check_exposure(host, keys, no_auth)
    _check_extra()
    setup_logging(verbose)
    settings = ServeSettings(
        host=host,
        port=port,
        api_keys=frozenset(keys),
        data_dir=_data_dir(data_dir),
        keep_days=keep_days,
        max_upload_bytes=int(max_input_mb * 1e6),
        char_limit=char_limit,
        max_queue=max_queue,
        upload_timeout=upload_timeout,
    )
    options = run_options(
        model_options(mt_model, summary_model, device, backend, quantize, threads),
        beams=beams,
        batch_tokens=batch_tokens,
        chunk_tokens=chunk_tokens,
        max_input_mb=max_input_mb,
        cache=not no_cache,  # the translation store: document jobs take and keep translations
        cache_max_mb=cache_max_mb,
    )
    raise typer.Exit(_run(options, settings, verbose))


def _run(options, settings, verbose: bool) -> int:
    from translate.serve.engine import Engine
    from translate.serve.server import job_service, serve

    typer.echo("translate serve: loading the models", err=True)
    try:
        engine = Engine(options)
    except TranslateError as exc:
        typer.echo(f"error: {exc}", err=True)
        return EXIT_FAILED
    try:
        jobs = job_service(engine, settings)
    except TranslateError as exc:  # e.g. another service keeps its jobs in that folder
        engine.stop()
        typer.echo(f"error: {exc}", err=True)
        return EXIT_FAILED
    if serve(engine, settings, jobs, verbose):
        return 0
    typer.echo(f"error: the service did not start on {settings.host}:{settings.port}", err=True)
    return EXIT_FAILED


def _keys(given: list[str], path: Path | None) -> list[str]:
    keys = [key.strip() for key in given]
    if any(not key for key in keys):
        raise typer.BadParameter("a key cannot be empty", param_hint="'--api-key'")
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or exc
            raise typer.BadParameter(
                f"{path}: cannot be read ({why})", param_hint="'--api-keys'"
            ) from None
        found = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        if not found:
            raise typer.BadParameter(f"{path} holds no keys", param_hint="'--api-keys'")
        keys += found
    return keys


def _check_exposure(host: str, keys: list[str], no_auth: bool) -> None:
    """Loopback by default; any other address only with keys, or --no-auth said aloud."""
    if no_auth and keys:
        raise typer.BadParameter("--no-auth and API keys contradict each other")
    if not (keys or no_auth or _is_loopback(host)):
        raise typer.BadParameter(
            f"{host} is reachable from other machines: give --api-key KEY (or --api-keys "
            "FILE), or --no-auth to serve it to anyone who can reach it",
            param_hint="'--host'",
        )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def _check_extra() -> None:
    import importlib

    for module in SERVE_MODULES:
        try:
            importlib.import_module(module)
        except ImportError:
            typer.echo(
                f"error: translate serve needs the [serve] extra ({module} is missing): "
                f"{INSTALL_SERVE}",
                err=True,
            )
            raise typer.Exit(EXIT_USAGE) from None


def _data_dir(given: Path | None) -> Path:
    if given is None:
        from platformdirs import user_data_dir

        given = Path(user_data_dir("translate"))
    if given.exists() and not given.is_dir():
        raise typer.BadParameter(f"{given} is not a folder", param_hint="'--data-dir'")
    return given
