"""The two models of a run: located up front (cheap), loaded once before the first use."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable

from translate.config import RunOptions
from translate.engines.common import ModelLocation, TextGenerator
from translate.engines.models import load, locate, missing_message, pick_device, resolve_backend
from translate.errors import ModelNotAvailableError, TranslateError
from translate.progress import NoProgress, Progress

log = logging.getLogger(__name__)


class ModelSet:
    """The translation and summary models of a run, and the recipe they make outputs with."""

    def __init__(self, options: RunOptions, progress: Progress | None = None):
        self.options = options
        self.progress = progress or NoProgress()
        self.progress.phase("locate", "locating the models")
        self.mt_location, self.summary_location = _locate_both(options)
        m = options.models
        # A GPU asked for but missing is a run-wide error, raised before any document is read;
        # "auto" and "cpu" need no check, so a run with nothing to do never imports torch.
        self._device: str | None = None if m.device in ("auto", "cpu") else pick_device(m.device)
        if m.backend != "torch":  # CTranslate2 may have to convert the models into the cache
            from translate.engines.ct2.convert import check_cache_dir

            check_cache_dir()
        self._failed: dict[str, Exception] = {}
        self._translator: TextGenerator | None = None
        self._summarizer: TextGenerator | None = None

    @property
    def device(self) -> str:
        """The device, resolved when first needed: no torch import for runs with nothing to do."""
        if self._device is None:
            self._device = pick_device(self.options.models.device)
        return self._device

    @property
    def translator(self) -> TextGenerator:
        if self._translator is None:
            self._translator = self._load(self.mt_location, "translation")
        return self._translator

    @property
    def summarizer(self) -> TextGenerator:
        if self._summarizer is None:
            self._summarizer = self._load(self.summary_location, "summary")
        return self._summarizer

    def load(self, translation: bool = True) -> None:
        """Load the models a run needs now, so a broken one stops it once, up front.

        Raises:
            TranslateError: a model cannot be loaded (the message names it and why).
        """
        if translation:
            self.translator  # noqa: B018 (loads it)
        self.summarizer  # noqa: B018

    def wrapped(self, wrap: Callable[[TextGenerator], TextGenerator]) -> ModelSet:
        """This set with both models, loaded now, seen through `wrap` (e.g. a gate that
        orders their calls); it shares the loaded models, not a copy of them."""
        other = copy.copy(self)
        other._translator, other._summarizer = wrap(self.translator), wrap(self.summarizer)
        return other

    def _load(self, location: ModelLocation, role: str) -> TextGenerator:
        if location.name in self._failed:  # don't retry a broken model for every document
            raise self._failed[location.name]
        self.progress.phase("load", f"loading the {role} model {location.name}")
        m = self.options.models
        try:
            if m.threads and resolve_backend(m.backend, self.device) == "torch":
                import torch

                torch.set_num_threads(m.threads)
            return load(
                location,
                self.device,
                backend=m.backend,
                quantize=m.quantize,
                threads=m.threads,
                progress=self.progress,
            )
        except TranslateError as exc:
            self._failed[location.name] = exc
            raise
        except Exception as exc:  # a library's own error: one line, the traceback with -v
            log.debug("loading %s failed", location.name, exc_info=True)
            error = ModelNotAvailableError(
                f"model {location.name!r} at {location.path} could not be loaded: "
                f"{type(exc).__name__}: {_first_line(exc)}"
            )
            self._failed[location.name] = error
            raise error from None

    def recipe(self) -> dict:
        """What, besides the source, decides the output: models, versions, settings."""
        o = self.options
        return {
            "translation_model": self.mt_location.name,
            "translation_model_revision": self.mt_location.revision,
            "summary_model": self.summary_location.name,
            "summary_model_revision": self.summary_location.revision,
            "backend": o.models.backend,
            "quantize": o.models.quantize,
            "translation_settings": _settings_dict(o.translation),
            "summary_settings": _settings_dict(o.summary),
            "chunk_tokens": o.chunk_tokens,
            "source_lang": o.source_lang,
            # Only when on, so outputs made without it stay up to date for runs without it.
            **({"ocr": "tesseract deu"} if o.ocr else {}),
        }


def _locate_both(options: RunOptions) -> tuple[ModelLocation, ModelLocation]:
    """Both models' locations; when either is missing, one error that reports both."""
    m = options.models
    found: list[ModelLocation] = []
    problems: list[tuple[str, ModelNotAvailableError]] = []
    for option, name, revision in (
        ("--mt-model", m.mt_model, m.mt_revision),
        ("--summary-model", m.summary_model, m.summary_revision),
    ):
        try:
            found.append(locate(name, revision))
        except ModelNotAvailableError as exc:
            problems.append((option, exc))
    if problems:
        raise ModelNotAvailableError(missing_message(problems, download=True))
    return found[0], found[1]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "(no message)"


def _settings_dict(settings) -> dict:
    return {k: v for k, v in settings.__dict__.items() if v is not None}
