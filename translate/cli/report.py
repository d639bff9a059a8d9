"""A run as the CLI reports it: a line per document, progress on a terminal, a closing
summary (or a JSON report on stdout), and the exit status."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import time
from pathlib import Path

import typer

from translate.cli.logs import RayConsole
from translate.config import INPUT_SUFFIXES, VERSION, DigestOptions, RunOptions
from translate.display import display_name, one_line
from translate.errors import ConfigError, TranslateError

EXIT_FAILED, EXIT_USAGE, EXIT_SIGINT, EXIT_SIGTERM = 1, 2, 130, 143
NOTE_SHOWN = 120  # characters of a library's warning shown without --verbose
_INTERRUPTED = "interrupted: finished documents are kept; run the same command again to do the rest"

log = logging.getLogger("translate.cli")


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so cleanup runs the same way."""


_received: list[int] = []  # the signals `on_signal` handled during this run


def on_signal(signum, frame) -> None:
    """SIGINT and SIGTERM: raise as Python does, and remember the signal. Python drops an
    exception raised while a finalizer runs (a weakref callback, a __del__), so a signal
    landing there would be lost and the run would go on to the end; `Reporter.run` then
    stops at the next document instead."""
    _received.append(signum)
    raise _interruption(signum)


def _interruption(signum: int) -> KeyboardInterrupt:
    return Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


class Reporter:
    """Runs the library over `paths` and shows what happens."""

    def __init__(self, quiet: bool, as_json: bool):
        self.quiet = quiet or as_json  # with --json, stderr carries errors only
        self.as_json = as_json
        self.results = []
        self.warnings: list[str] = []
        self.digests: list[dict] = []  # each digest written: its path, and written or unchanged
        self.screen = None  # the progress display, while there is one
        self.ray = None  # RayOptions: run on a Ray cluster instead of this process

    def _iter_results(self, documents, options):
        if self.ray is None:
            from translate.flow.run import iter_results

            return iter_results(documents, options, progress=self.screen)
        from translate.flow.distributed import iter_results

        return iter_results(documents, options, self.ray)

    def run(
        self, paths: list[Path], options: RunOptions, digest: DigestOptions | None = None
    ) -> int:
        from translate.flow import digest as digests
        from translate.flow.job import from_dropped
        from translate.inputs.discovery import discover

        started, since = time.perf_counter(), time.time_ns()
        _received.clear()
        documents, dropped = discover(
            paths,
            options.recursive,
            options.output_dir,
            options.follow_symlinks,
            include=options.include,
            exclude=options.exclude,
        )
        digest = digest or DigestOptions(enabled=False)  # none unless a caller asks for one
        planned = digests.plan(paths, documents, options, digest)
        documents = digests.without_digests(documents, planned)
        for drop in dropped:
            self._show(from_dropped(drop))
        found = [d.path for d in documents]
        for warning in empty_folders(paths, found, options.recursive, options.include):
            self._warn(warning)
        code, error = 0, None
        self.screen = self._progress(len(documents))
        # Ray prints its workers' troubles on stdout: one warning line each, not raw.
        ray_notes = (
            contextlib.redirect_stdout(RayConsole(self._warn))
            if self.ray
            else contextlib.nullcontext()
        )
        try:
            # Closed here, not when collected: a Ray run stops its workers before we report.
            with ray_notes, contextlib.closing(self._iter_results(documents, options)) as results:
                for result in results:
                    self._show(result)
                    if _received:  # a signal whose exception a finalizer swallowed
                        raise _interruption(_received[-1])
        except KeyboardInterrupt as exc:
            code = EXIT_SIGTERM if isinstance(exc, Terminated) else EXIT_SIGINT
            error = {"message": _INTERRUPTED, "kind": "interrupted"}
            self._written_meanwhile(documents, options, since)
        except Exception as exc:  # a run-wide problem, e.g. a model that is not available
            log.debug("the run stopped", exc_info=exc)  # the traceback, with --verbose
            code = EXIT_USAGE if isinstance(exc, ConfigError) else EXIT_FAILED
            error = {"message": _run_error(exc), "kind": getattr(exc, "kind", "internal")}
        finally:
            if self.screen is not None:
                self.screen.close()
                self.screen = None
        if error is not None:
            self._say(f"error: {error['message']}")
        else:  # a run that ended: its digests, from what is on disk now
            written = digests.write_digests(planned, documents, dropped, self.results)
            self._digests(written)
        if code == 0 and any(r.status == "failed" for r in self.results):
            code = EXIT_FAILED
        total = len(documents) + len(dropped)
        self._summarize(time.perf_counter() - started, total, code, error)
        return code

    def _written_meanwhile(self, documents, options: RunOptions, since: int) -> None:
        """Count what is on disk when an interrupted run ends (its workers stopped by now):
        summaries written whose results had not come back yet."""
        from translate.flow.job import written_since

        reported = {r.path for r in self.results}
        unreported = [d for d in documents if d.path not in reported]
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: report what we have
            for result in written_since(unreported, options, since):
                self._show(result)

    def _digests(self, outcomes: list[tuple[Path, str]]) -> None:
        for path, outcome in outcomes:
            self.digests.append({"path": str(path), "outcome": outcome})
            if outcome.startswith("not written"):
                self._warn(f"digest {outcome}")
            elif not self.quiet:
                self._say(f"digest: {display_name(path)}" + " (unchanged)" * (outcome != "written"))

    def _progress(self, documents: int):
        if self.quiet or not documents or not sys.stderr.isatty():
            return None
        from translate.cli.terminal import TerminalProgress

        return TerminalProgress(documents)

    def _show(self, result) -> None:
        self.results.append(result)
        if self.screen is not None:
            self.screen.document_done(result.status == "written")
        if result.status == "failed":
            self._say(f"error: {_named(result.path, result.reason)}")
        elif not self.quiet:
            self._say(status_line(result))
        if result.warnings and not self.quiet:
            self._say(f"warning: {notes_line(result)}")
        for note in result.warnings:  # each in full, with --verbose
            log.debug("%s: %s", display_name(result.path), note)

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        if not self.quiet:
            self._say(f"warning: {message}")

    def _say(self, message: str) -> None:
        message = one_line(message)  # no name or library message may break or forge a line
        if self.screen is not None:
            self.screen.say(message)
        else:
            typer.echo(message, err=True)

    def _summarize(self, seconds: float, total: int, code: int, error: dict | None) -> None:
        counts = {
            s: sum(r.status == s for r in self.results)
            for s in ("written", "skipped", "failed", "ignored")
        }
        left = total - len(self.results)
        if self.as_json:
            report = {
                "version": VERSION,
                "exit_status": code,
                "error": error,
                "seconds": round(seconds, 2),
                **counts,
                "not_done": left,
                "warnings": self.warnings,
                "digests": self.digests,
                "documents": [_as_json(r) for r in self.results],
            }
            text = json.dumps(report, ensure_ascii=False, indent=2)
            # Names with bytes that are not UTF-8 hold lone surrogates (Python's surrogate
            # escapes): written as the JSON escape \udcXX, the report stays valid UTF-8 and
            # json.loads + os.fsencode give back the exact bytes of the name.
            typer.echo(text.encode("utf-8", "backslashreplace").decode("utf-8"))
        elif not self.quiet:
            tail = f", {left} not done" if left else ""
            # Documents the folder's owner said to leave (.translateignore) are not failures:
            # said apart, so a nightly run's last line tells known refusals from new ones.
            if counts["ignored"]:
                tail += f", {counts['ignored']} ignored (.translateignore)"
            self._say(
                f"{counts['written']} written, {counts['skipped']} skipped, "
                f"{counts['failed']} failed{tail} in {seconds:.1f} s"
            )


def status_line(result) -> str:
    """'written  in/a.txt -> a.summary.en.md (2.1 s)': outputs by name when they are beside
    the input, else by their path (e.g. under --output-dir)."""
    from translate.flow.job import UP_TO_DATE

    where = ", ".join(
        display_name(p.name if p.parent == result.path.parent else p) for p in result.outputs
    )
    if result.status == "written":
        detail = result.reason or f"{result.seconds:.1f} s"
        if result.counts.get("suspect_chunks"):
            detail += f", {result.counts['suspect_chunks']} passage(s) may have lost content"
    else:
        detail = (
            f"{UP_TO_DATE}; --force redoes it" if result.reason == UP_TO_DATE else result.reason
        )
    target = f" -> {where}" if where else ""
    return f"{result.status:8} {display_name(result.path)}{target} ({detail})"


def notes_line(result) -> str:
    """A document's library warnings in one line: the first, and how many more."""
    first, more = result.warnings[0], len(result.warnings) - 1
    shown = first if len(first) <= NOTE_SHOWN else first[: NOTE_SHOWN - 1] + "…"
    hint = f" (and {more} more; --verbose shows them)" if more else ""
    if not more and shown != first:
        hint = " (--verbose shows it whole)"
    return f"{display_name(result.path)}: {shown}{hint}"


def _named(path: Path, reason: str) -> str:
    """A failure's reason with its file name shown escaped (names may hold anything)."""
    prefix = f"{path}: "
    if reason.startswith(prefix):
        return f"{display_name(path)}: {reason.removeprefix(prefix)}"
    return reason


def empty_folders(
    paths: list[Path], found: list[Path], recursive: bool, include: tuple[str, ...] = ()
) -> list[str]:
    """A warning for each folder given in which no document was found."""
    patterns = list(include) or [f"*{suffix}" for suffix in INPUT_SUFFIXES]
    looked_for = (
        ", ".join(patterns[:-1]) + " and " + patterns[-1] if len(patterns) > 1 else patterns[0]
    )
    warnings = []
    for root in paths:
        if not root.is_dir() or any(path.is_relative_to(root) for path in found):
            continue
        if recursive:
            warnings.append(
                f"no documents found in {root} (looked for {looked_for} in it and its sub-folders)"
            )
            continue
        hint = "; use --recursive for sub-folders" if _has_subfolders(root) else ""
        warnings.append(f"no documents found in {root} (looked for {looked_for}{hint})")
    return warnings


def _has_subfolders(folder: Path) -> bool:
    try:
        return any(p.is_dir() and not p.name.startswith(".") for p in folder.iterdir())
    except OSError:
        return False


def _run_error(exc: Exception) -> str:
    if isinstance(exc, TranslateError):
        return str(exc)
    lines = str(exc).strip().splitlines()
    detail = f": {lines[0]}" if lines else ""
    return f"unexpected {type(exc).__name__}{detail} (--verbose shows where)"


def _as_json(result) -> dict:
    return {
        "path": str(result.path),
        "status": result.status,
        "outputs": [str(p) for p in result.outputs],
        "error": result.reason if result.status == "failed" else None,
        "reason": result.reason,
        "counts": result.counts,
        "seconds": round(result.seconds, 2),
        "warnings": list(result.warnings),
    }
