"""The two models of a run: located up front (cheap), loaded once on first use."""

from __future__ import annotations

from translate.config import RunOptions
from translate.engine import ModelLocation, TextGenerator
from translate.models import load, locate, pick_device


class ModelSet:
    """The translation and summary models of a run, and the recipe they make outputs with."""

    def __init__(self, options: RunOptions):
        self.options = options
        m = options.models
        self.mt_location: ModelLocation = locate(m.mt_model, m.mt_revision)
        self.summary_location: ModelLocation = locate(m.summary_model, m.summary_revision)
        # A GPU asked for but missing is a run-wide error, raised before any document is read;
        # "auto" and "cpu" need no check, so a run with nothing to do never imports torch.
        self._device: str | None = None if m.device in ("auto", "cpu") else pick_device(m.device)
        if m.backend != "torch":  # CTranslate2 may have to convert the models into the cache
            from translate.ct2 import check_cache_dir

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
            self._translator = self._load(self.mt_location)
        return self._translator

    @property
    def summarizer(self) -> TextGenerator:
        if self._summarizer is None:
            self._summarizer = self._load(self.summary_location)
        return self._summarizer

    def _load(self, location: ModelLocation) -> TextGenerator:
        if location.name in self._failed:  # don't retry a broken model for every document
            raise self._failed[location.name]
        m = self.options.models
        if m.threads:
            import torch

            torch.set_num_threads(m.threads)
        try:
            return load(
                location, self.device, backend=m.backend, quantize=m.quantize, threads=m.threads
            )
        except Exception as exc:
            self._failed[location.name] = exc
            raise

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


def _settings_dict(settings) -> dict:
    return {k: v for k, v in settings.__dict__.items() if v is not None}
