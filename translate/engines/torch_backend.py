"""The torch backend: a transformers encoder-decoder model with its tokenizer."""

from __future__ import annotations

import logging

from translate.config import GenerationSettings
from translate.engines.common import (
    Generation,
    ModelLocation,
    describe,
    generate_kwargs,
    generation_defaults,
    input_limit,
    load_error,
)
from translate.errors import TranslateError

log = logging.getLogger(__name__)


class TorchSeq2Seq:
    """A transformers encoder-decoder model with its tokenizer, ready to generate."""

    backend = "torch"

    def __init__(self, location: ModelLocation, device: str = "cpu", quantize: str = "none"):
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        if quantize == "int8" and device != "cpu":
            raise TranslateError("--quantize int8 (torch dynamic int8) runs on the CPU only")
        hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI's output
        if not log.isEnabledFor(logging.DEBUG):
            # e.g. "sequence longer than the maximum": we count tokens of long texts on purpose.
            hf_logging.set_verbosity_error()
        self.location = location
        self.device = device
        self.quantize = quantize
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(location.path)
            model = AutoModelForSeq2SeqLM.from_pretrained(location.path, dtype=torch.float32)
        except (OSError, ValueError) as exc:
            raise load_error(location, exc) from None
        model.eval()
        if quantize == "int8":
            model = _quantize_int8(model)
        self.model = model.to(device)
        self.max_input_tokens = input_limit(self.tokenizer, model.config)

    def count_tokens(self, text: str) -> int:
        # verbose=False: counting a text longer than the model's input is not a mistake here
        # (it is split before the model sees it), so transformers must not warn about it.
        return len(self.tokenizer(text, verbose=False).input_ids)

    def generation_defaults(self) -> dict:
        return generation_defaults(self.model.generation_config, self.max_input_tokens)

    def describe(self, settings: GenerationSettings) -> dict:
        compute_type = "int8" if self.quantize == "int8" else "float32"
        return describe(settings, self.generation_defaults(), self.backend, compute_type)

    def generate(self, texts: list[str], settings: GenerationSettings) -> list[str]:
        return [g.text for g in self.generate_detailed(texts, settings)]

    def generate_detailed(self, texts: list[str], settings: GenerationSettings) -> list[Generation]:
        import torch

        if not texts:
            return []
        batch = self.tokenizer(texts, return_tensors="pt", padding=True).to(self.device)
        kwargs = generate_kwargs(
            settings.merged_over(self.generation_defaults()), batch.input_ids.shape[1]
        )
        kwargs["max_length"] = min(kwargs["max_length"], self._max_output_tokens())
        with torch.inference_mode():
            output = self.model.generate(**batch, **kwargs)
        decoded = self.tokenizer.batch_decode(output, skip_special_tokens=True)
        cap = kwargs["max_length"]
        forced = getattr(self.model.generation_config, "forced_eos_token_id", None) is not None
        return [
            Generation(
                text=text, finished=_ended_before(row.tolist(), self._eos_ids(), cap, forced)
            )
            for text, row in zip(decoded, output)
        ]

    def _eos_ids(self) -> set[int]:
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.model.config.eos_token_id
        return set(eos) if isinstance(eos, list) else {eos}

    def _max_output_tokens(self) -> int:
        return getattr(self.model.config, "max_position_embeddings", 1024)


def _ended_before(row: list[int], eos_ids: set[int], cap: int, forced: bool = True) -> bool:
    """True when `row` (decoder start token first) has an end token the model chose: with a
    `forced` end token (forced_eos_token_id, as both published models set), transformers
    writes one in the cap's last position, so one there counts as cut; without, any end
    token is the model's own."""
    for position, token in enumerate(row[1:], start=1):
        if token in eos_ids:
            return position + 1 < cap or not forced
    return False


def _quantize_int8(model):
    import torch

    quantize_dynamic = getattr(getattr(torch, "ao", None), "quantization", None)
    quantize_dynamic = getattr(quantize_dynamic, "quantize_dynamic", None)
    if quantize_dynamic is None:
        raise TranslateError(
            "--quantize int8 needs torch.ao.quantization.quantize_dynamic, which this torch "
            f"({torch.__version__}) no longer has; use --backend ctranslate2 for int8"
        )
    import warnings

    with warnings.catch_warnings():  # torch announces the API's future removal on each call
        warnings.simplefilter("ignore")
        # In place: a copy would hold the fp32 and int8 weights at once (+1.2 GB measured
        # for distilBART), and the freed copy stays in the process's heap.
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
