"""The baseline: what most people write first with transformers.

Load both models with AutoModelForSeq2SeqLM; for each document translate sentence by
sentence with generate() (batch 1, the model's default beam settings), then summarize with
one generate() call on the first 1,024 tokens of the translation. Lengths are forced as in
every variant (see benchmarks/common.py), so random weights cost what the real models cost.

    python -m benchmarks.naive MT_DIR SUMMARY_DIR DOC...    (the runner calls it)
    python -m benchmarks.naive --count MT_DIR DOC...        (sentences and source tokens)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from benchmarks.common import (
    SUMMARY_TOKENS,
    SUMMARY_WINDOW,
    TRANSLATION_LENGTH_RATIO,
    EnglishStandIn,
    Stage,
    emit,
)


def sentences_of(text: str, splitter) -> list[str]:
    """The document's sentences, paragraph by paragraph, as a user would split them."""
    return [
        s
        for paragraph in text.split("\n\n")
        for s in splitter.split(paragraph.replace("\n", " "))
        if s.strip()
    ]


def count(mt_dir: str, documents: list[str]) -> None:
    """Per document: sentences, and the source tokens the translator reads for them (one
    end token per sentence). The same work measure for every variant's tokens/s."""
    from sentence_splitter import SentenceSplitter
    from transformers import AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    tokenizer = AutoTokenizer.from_pretrained(mt_dir)
    splitter = SentenceSplitter(language="de")
    counts = {}
    for document in documents:
        sentences = sentences_of(Path(document).read_text(encoding="utf-8"), splitter)
        tokens = sum(len(tokenizer(s).input_ids) for s in sentences)
        counts[document] = {"sentences": len(sentences), "tokens": tokens}
    print("RESULT " + json.dumps(counts), flush=True)


def main(mt_dir: str, summary_dir: str, documents: list[str]) -> None:
    started = time.perf_counter()
    import torch
    from sentence_splitter import SentenceSplitter
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    mt_tokenizer = AutoTokenizer.from_pretrained(mt_dir)
    mt_model = AutoModelForSeq2SeqLM.from_pretrained(mt_dir)
    summary_tokenizer = AutoTokenizer.from_pretrained(summary_dir)
    summary_model = AutoModelForSeq2SeqLM.from_pretrained(summary_dir)
    splitter = SentenceSplitter(language="de")
    load_seconds = time.perf_counter() - started

    translation, summary = Stage(), Stage()
    stand_in = EnglishStandIn(summary_tokenizer)
    sentences_total = 0
    run_started = time.perf_counter()
    for document in documents:
        text = Path(document).read_text(encoding="utf-8")
        english = []
        sentences = sentences_of(text, splitter)
        for sentence in sentences:
            inputs = mt_tokenizer(sentence, return_tensors="pt")
            n = max(1, round(inputs.input_ids.shape[1] * TRANSLATION_LENGTH_RATIO))
            translation.timed(mt_model.generate, **inputs, min_new_tokens=n, max_new_tokens=n)
            translation.tokens += inputs.input_ids.shape[1]
            translation.items += 1
            english.append(stand_in.for_source(sentence))  # what a real model would write
        sentences_total += len(sentences)
        inputs = summary_tokenizer(
            " ".join(english), return_tensors="pt", truncation=True, max_length=SUMMARY_WINDOW
        )
        summary.timed(
            summary_model.generate,
            **inputs,
            min_new_tokens=SUMMARY_TOKENS,
            max_new_tokens=SUMMARY_TOKENS,
        )
        summary.tokens += inputs.input_ids.shape[1]
        summary.items += 1
    emit(
        {
            "variant": "naive",
            "documents": len(documents),
            "written": len(documents),
            "failed": 0,
            "sentences": sentences_total,
            "load_seconds": load_seconds,
            "run_seconds": time.perf_counter() - run_started,
            "translation": translation.as_dict(),
            "summary": summary.as_dict(),
            "threads": torch.get_num_threads(),
            "num_beams": mt_model.generation_config.num_beams,
        }
    )


if __name__ == "__main__":
    if sys.argv[1] == "--count":
        count(sys.argv[2], sys.argv[3:])
    else:
        main(sys.argv[1], sys.argv[2], sys.argv[3:])
