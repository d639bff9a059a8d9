"""Errors whose messages are written for the person running the tool.

The library raises these; only the CLI turns them into a message and an exit code.
"""


class TranslateError(Exception):
    """Base class: the message is shown to the user as it is."""


class InputError(TranslateError):
    """A document cannot be used as input (empty, binary, undecodable, too large...)."""


class UnsupportedLanguageError(InputError):
    """The document is not German (nor English) and translation was not forced."""


class ModelNotAvailableError(TranslateError):
    """A model could not be found locally and could not be downloaded."""


class OutputError(TranslateError):
    """An output file could not be written."""


class ConfigError(TranslateError):
    """A setting (an option or environment variable) cannot be used as given."""


class FormatSupportMissing(InputError):
    """The library that reads this document's format is not installed (an optional extra)."""
