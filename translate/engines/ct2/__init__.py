"""The CTranslate2 backend: the same models, converted once, run by a faster engine.

A Hugging Face checkpoint is converted on first use into the cache
(`default_cache_dir() / "ct2" / <model>-<revision>-<quantization>`) and reused afterwards.
Text goes in and out through the model's own Hugging Face tokenizer, so chunk sizes and
outputs mean the same as with the torch backend; generation settings come from the model's
generation_config.json exactly as `TorchSeq2Seq` reads them.

By job: convert.py (conversion and its cache), schedule.py (workers, sub-batches and the
memory bound), generator.py (`CT2Seq2Seq`). A setting read at run time, such as
schedule._STATE_BYTES, is patched in the module that reads it, not here.
"""

from translate.engines.ct2.convert import (
    INSTALL_HINT,
    cache_error,
    check_cache_dir,
    compute_type_for,
    converted_dir,
    ensure_converted,
)
from translate.engines.ct2.generator import CT2Seq2Seq
from translate.engines.ct2.schedule import default_threads

__all__ = [
    "INSTALL_HINT",
    "CT2Seq2Seq",
    "cache_error",
    "check_cache_dir",
    "compute_type_for",
    "converted_dir",
    "ensure_converted",
    "default_threads",
]
