"""EasyNMT's approach, rebuilt: the batch translator many scripts use.

EasyNMT 2.0.2 pins transformers < 5 (it would downgrade this project's transformers), so
its `EasyNMT.translate(documents, source_lang="de", target_lang="en")` path is rebuilt
step by step from its source (EasyNMT.py, models/OpusMT.py):

- documents split into paragraphs at "\\n", paragraphs into sentences; the sentences of
  ALL documents pooled into one list;
- sorted by length in characters, longest first (`np.argsort([-len(s) ...])`);
- translated in batches of 16 (its `translate()` default) with MarianMTModel in fp32:
  `tokenizer(batch, truncation=True, padding=True, return_tensors="pt")`, then
  `model.generate(**inputs, num_beams=...)` under `torch.no_grad()`; original order restored.

Differences, both on purpose: beams are 4 like every other variant (EasyNMT's default of 5
would make it slower), and sentences are split with sentence-splitter (as the baseline does)
instead of NLTK's punkt, which EasyNMT downloads at run time. Lengths are forced as
everywhere (benchmarks/common.py): each batch decodes as many tokens as its longest input.

    python -m benchmarks.easynmt MT_DIR BEAMS THREADS DOC...    (the runner calls it)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from benchmarks.common import TRANSLATION_LENGTH_RATIO, Stage, emit

BATCH_SIZE = 16  # EasyNMT.translate(batch_size=16)


def main(mt_dir: str, beams: int, threads: int, documents: list[str]) -> None:
    started = time.perf_counter()
    import torch
    from sentence_splitter import SentenceSplitter
    from transformers import MarianMTModel, MarianTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    torch.set_num_threads(threads)
    tokenizer = MarianTokenizer.from_pretrained(mt_dir)
    model = MarianMTModel.from_pretrained(mt_dir)
    model.eval()
    splitter = SentenceSplitter(language="de")
    load_seconds = time.perf_counter() - started

    stage = Stage()
    run_started = time.perf_counter()
    sentences: list[str] = []
    for document in documents:  # EasyNMT: paragraph_split="\n", then sentences, all pooled
        for paragraph in Path(document).read_text(encoding="utf-8").split("\n"):
            for sentence in splitter.split(paragraph.strip()):
                if sentence.strip():
                    sentences.append(sentence.strip())
    order = sorted(range(len(sentences)), key=lambda i: -len(sentences[i]))
    outputs: list[str] = [""] * len(sentences)
    for start in range(0, len(order), BATCH_SIZE):
        batch = order[start : start + BATCH_SIZE]
        inputs = tokenizer(
            [sentences[i] for i in batch], truncation=True, padding=True, return_tensors="pt"
        )
        n = max(1, round(inputs.input_ids.shape[1] * TRANSLATION_LENGTH_RATIO))
        with torch.no_grad():
            generated = stage.timed(
                model.generate, **inputs, num_beams=beams, min_new_tokens=n, max_new_tokens=n
            )
        for index, ids in zip(batch, generated):
            outputs[index] = tokenizer.decode(ids, skip_special_tokens=True)
        stage.items += len(batch)
        stage.tokens += int(inputs.attention_mask.sum())
    run_seconds = time.perf_counter() - run_started
    emit(
        {
            "variant": "easynmt",
            "documents": len(documents),
            "sentences": len(sentences),
            "load_seconds": load_seconds,
            "run_seconds": run_seconds,  # splitting, sorting, tokenizing, generating, decoding
            "translation": stage.as_dict(),  # generate() calls only
            "num_beams": beams,
            "threads": torch.get_num_threads(),
            "batch_size": BATCH_SIZE,
        }
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
