"""`translate run`: its own options (which files, what to write, Ray, the report), then one
call into the library through the Reporter, whose outcome is the exit status."""

from __future__ import annotations

import re
import signal
from enum import Enum
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
    Quiet,
    SummaryModel,
    Threads,
    Verbose,
    model_options,
    run_options,
    whole_number,
)
from translate.cli.report import EXIT_FAILED, Reporter, on_signal
from translate.config import (
    DEFAULT_BATCH_TOKENS,
    DEFAULT_CACHE_MAX_MB,
    DEFAULT_CHUNK_TOKENS,
    DigestOptions,
)
from translate.errors import TranslateError

MAX_RAY_ACTORS = 10_000
# --ray besides auto and local: host:port or ray://host[:port] (host: a name or [IPv6]).
RAY_ADDRESS = re.compile(
    r"(?P<client>ray://)?(\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+)(:(?P<port>\d{1,5}))?"
)


class RayIO(str, Enum):
    auto = "auto"
    shared = "shared"
    driver = "driver"


class SourceLang(str, Enum):
    de = "de"
    en = "en"


class DigestForm(str, Enum):
    md = "md"
    html = "html"
    jsonl = "jsonl"
    csv = "csv"


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


Paths = Annotated[
    list[Path],
    typer.Argument(
        metavar="PATHS",
        help="Files, or folders of documents: .txt .md .pdf .docx .odt .html .htm .epub .eml .rtf.",
    ),
]
Recursive = Annotated[bool, typer.Option("--recursive", "-r", help="Descend into sub-folders.")]
FollowSymlinks = Annotated[
    bool,
    typer.Option(
        "--follow-symlinks/--no-follow-symlinks",
        help="In folders, also read symlinks that lead outside the folders given "
        "(default: skip them and say so). Files named here are always read.",
    ),
]
Include = Annotated[
    list[str] | None,
    typer.Option(
        "--include",
        metavar="GLOB",
        help="In folders, take only files matching this glob (e.g. '*.pdf'); repeatable.",
    ),
]
Exclude = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        metavar="GLOB",
        help="In folders, leave out files matching this glob; repeatable.",
    ),
]
Ocr = Annotated[
    bool,
    typer.Option(
        "--ocr",
        help="Read scanned PDF pages (no text layer) with Tesseract OCR; needs "
        "tesseract-ocr and tesseract-ocr-deu installed.",
    ),
]
Force = Annotated[
    bool,
    typer.Option(
        "--force/--no-force",
        help="Redo documents whose summary is up to date (exact translations are still "
        "taken from the translation store; --no-cache bypasses it).",
        show_default=False,
    ),
]
KeepTranslation = Annotated[
    bool,
    typer.Option(
        "--keep-translation/--no-keep-translation",
        help="Also write the full English translation as <stem>.en.md (passages that may "
        "have lost content are marked).",
        show_default=False,
    ),
]
Bilingual = Annotated[
    bool,
    typer.Option(
        "--bilingual/--no-bilingual",
        help="Also write <stem>.de-en.md: each German paragraph, then its translation, "
        "chunk by chunk, doubtful passages marked.",
        show_default=False,
    ),
]
OutputDir = Annotated[
    Path | None,
    typer.Option(
        "--output-dir",
        metavar="DIR",
        help="Write outputs under this folder (mirroring the inputs).",
    ),
]
SourceLangOption = Annotated[
    SourceLang | None,
    typer.Option(
        "--source-lang",
        help="Skip language detection: de translates anything, en only summarizes.",
    ),
]
DigestPath = Annotated[
    Path | None,
    typer.Option(
        "--digest",
        metavar="PATH",
        help="Write one digest of the whole run (every document, its summary and flags) "
        "to PATH (default: translate-digest.en.md in each folder given).",
    ),
]
NoDigest = Annotated[bool, typer.Option("--no-digest", help="Write no digest.")]
DigestFormOption = Annotated[
    DigestForm,
    typer.Option(
        "--digest-format",
        help="The digest's form: md (Markdown), html (one self-contained page), jsonl or "
        "csv (for a spreadsheet).",
    ),
]
JsonReport = Annotated[
    bool,
    typer.Option("--json", help="Print a machine-readable report on stdout (no progress bar)."),
]
RayAddress = Annotated[
    str | None,
    typer.Option(
        "--ray",
        metavar="ADDRESS",
        callback=_ray_address,
        help="Run on a Ray cluster: auto (the one `ray start` joined), host:port, "
        "ray://host:port, or local (start one here to try it). Needs the [ray] extra.",
    ),
]
RayTranslators = Annotated[
    int | None,
    typer.Option(
        "--ray-translators",
        metavar="N",
        callback=whole_number(1, MAX_RAY_ACTORS),
        help=f"With --ray: translator actors, 1 to {MAX_RAY_ACTORS:,} (default: one per "
        "CPU/GPU of the cluster).",
    ),
]
RaySummarizers = Annotated[
    int | None,
    typer.Option(
        "--ray-summarizers",
        metavar="N",
        callback=whole_number(1, MAX_RAY_ACTORS),
        help=f"With --ray: summarizer actors, 1 to {MAX_RAY_ACTORS:,} (default: one per "
        "CPU/GPU of the cluster).",
    ),
]
RayIOOption = Annotated[
    RayIO | None,
    typer.Option(
        "--ray-io",
        help="With --ray: shared: workers read inputs and write outputs (every node sees "
        "the files); driver: this process reads and writes, workers get the text; "
        "auto (default): shared if a probe file shows every node sees the folders.",
        show_default=False,
    ),
]


def run(
    paths: Paths,
    mt_model: MtModel = None,
    summary_model: SummaryModel = None,
    device: DeviceOption = Device.auto,
    backend: BackendOption = Backend.auto,
    quantize: QuantizeOption = Quantize.none,
    recursive: Recursive = False,
    follow_symlinks: FollowSymlinks = False,
    include: Include = None,
    exclude: Exclude = None,
    ocr: Ocr = False,
    force: Force = False,
    keep_translation: KeepTranslation = False,
    bilingual: Bilingual = False,
    output_dir: OutputDir = None,
    source_lang: SourceLangOption = None,
    digest: DigestPath = None,
    no_digest: NoDigest = False,
    digest_format: DigestFormOption = DigestForm.md,
    beams: Beams = None,
    batch_tokens: BatchTokens = DEFAULT_BATCH_TOKENS,
    chunk_tokens: ChunkTokens = DEFAULT_CHUNK_TOKENS,
    max_input_mb: MaxInputMb = DEFAULT_MAX_INPUT_MB,
    no_cache: NoCache = False,
    cache_max_mb: CacheMaxMb = DEFAULT_CACHE_MAX_MB,
    threads: Threads = None,
    json_report: JsonReport = False,
    ray: RayAddress = None,
    ray_translators: RayTranslators = None,
    ray_summarizers: RaySummarizers = None,
    ray_io: RayIOOption = None,
    quiet: Quiet = False,
    verbose: Verbose = False,
) -> None:
    """Translate and summarize each document; write <stem>.summary.en.md beside it.

    Exit status: 0 when every document was written or skipped (a folder without documents
    is a warning), 1 when any failed or the run could not start (a model or device missing),
    2 for a usage error, 130 when interrupted (143 on SIGTERM).
    """
    _ray_only(ray, ray_translators=ray_translators, ray_summarizers=ray_summarizers, ray_io=ray_io)
    setup_logging(verbose, quiet)
    if output_dir is not None and output_dir.exists() and not output_dir.is_dir():
        raise typer.BadParameter(f"{output_dir} is not a folder", param_hint="'--output-dir'")
    digest_options = _digest_options(digest, no_digest, digest_format)
    options = run_options(
        model_options(mt_model, summary_model, device, backend, quantize, threads),
        beams=beams,
        batch_tokens=batch_tokens,
        chunk_tokens=chunk_tokens,
        max_input_mb=max_input_mb,
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
        cache=not no_cache,
        cache_max_mb=cache_max_mb,
    )
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    reporter = Reporter(quiet=quiet, as_json=json_report)
    if ray is not None:
        reporter.ray = _ray_options(ray, ray_translators, ray_summarizers, ray_io, verbose)
    raise typer.Exit(reporter.run(paths, options, digest_options))


def _digest_options(path: Path | None, off: bool, form: DigestForm) -> DigestOptions:
    if off and path is not None:
        raise typer.BadParameter("--digest and --no-digest contradict each other")
    if path is not None and path.is_dir():
        why = f"{path} is a folder; name the digest's file"
        raise typer.BadParameter(why, param_hint="'--digest'")
    return DigestOptions(enabled=not off, path=path, form=form.value)


def _ray_only(ray: str | None, **given) -> None:
    """The --ray-* options mean nothing without --ray: refuse them rather than ignore them."""
    if ray is None:
        for name, value in given.items():
            if value is not None:
                option = "--" + name.replace("_", "-")
                raise typer.BadParameter(
                    f"{option} works only with --ray ADDRESS", param_hint=f"'{option}'"
                )


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
