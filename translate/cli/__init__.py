"""The command line: options in, a run's report out (`translate run`, `translate models`)."""

from translate.cli.app import app, main

__all__ = ["app", "main"]
