"""Errors whose messages are written for the person running the tool.

The library raises these; only the CLI turns them into a message and an exit code. Each
class has a `kind`, a stable word for machine-readable reports (`--json`).
"""


class TranslateError(Exception):
    """Base class: the message is shown to the user as it is."""

    kind = "error"


class InputError(TranslateError):
    """A document cannot be used as input (empty, binary, undecodable, too large...)."""

    kind = "input"


class UnsupportedLanguageError(InputError):
    """The document is not German (nor English) and translation was not forced."""

    kind = "language"


class ModelNotAvailableError(TranslateError):
    """A model could not be found locally and could not be downloaded, or cannot be loaded."""

    kind = "model_not_available"

    def __init__(self, message: str, fetchable: bool = False):
        super().__init__(message)
        self.fetchable = fetchable  # a hub model: downloading it (elsewhere) is a way out


class DeviceNotAvailableError(TranslateError):
    """The device asked for (a GPU) is not there."""

    kind = "device_not_available"


class OutputError(TranslateError):
    """An output file could not be written."""

    kind = "output"


class ConfigError(TranslateError):
    """A setting (an option or environment variable) cannot be used as given."""

    kind = "usage"


class FormatSupportMissing(InputError):
    """The library that reads this document's format is not installed (an optional extra)."""

    kind = "format_support_missing"


class MissingExtraError(TranslateError):
    """An optional feature was asked for whose extra is not installed."""

    kind = "usage"
