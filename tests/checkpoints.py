"""Build small MarianMT and BART checkpoints from scratch: random weights, tokenizers trained
on text this repo ships. Used by the tests (tiny configs) and the benchmark (the published
configurations), and saved with save_pretrained so they load like any downloaded model.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

DATA = Path(__file__).parent / "data"
CORPUS_DE = DATA / "corpus_de.txt"
CORPUS_EN = DATA / "corpus_en.txt"


def _train_sentencepiece(corpora: list[Path], prefix: Path, vocab_size: int) -> Path:
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        input=",".join(str(c) for c in corpora),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        character_coverage=1.0,
        eos_id=0,
        unk_id=1,
        bos_id=-1,
        pad_id=-1,
        byte_fallback=False,
        hard_vocab_limit=False,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def build_marian(
    out: Path,
    spm_vocab: int = 400,
    model_vocab: int | None = None,
    seed: int = 0,
    loop_on: str | None = None,
    **config,
) -> Path:
    """A MarianMT de→en checkpoint in `out`. `model_vocab` pads the vocabulary to a
    published size (the extra ids are never produced by the tokenizer). `loop_on` makes a
    model that degenerates as real Marian models sometimes do: it favours that one word
    so strongly that it repeats it to the length limit."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        spm_file = _train_sentencepiece([CORPUS_DE, CORPUS_EN], Path(tmp) / "spm", spm_vocab)
        import sentencepiece as spm

        sp = spm.SentencePieceProcessor(model_file=str(spm_file))
        vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
        target = (model_vocab or len(vocab) + 1) - 1
        for i in range(len(vocab), target):
            vocab[f"<extra_{i}>"] = i
        vocab["<pad>"] = len(vocab)
        (Path(tmp) / "vocab.json").write_text(json.dumps(vocab))
        positions = config.get("max_position_embeddings", 64)
        tokenizer = MarianTokenizer(
            str(spm_file), str(spm_file), str(Path(tmp) / "vocab.json"), model_max_length=positions
        )
        tokenizer.save_pretrained(out)
    pad = vocab["<pad>"]
    settings = dict(
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        num_beams=2,
        max_length=positions,
    )
    settings.update(config)
    model_config = MarianConfig(
        vocab_size=len(vocab),
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        **{k: v for k, v in settings.items() if k not in ("num_beams", "max_length")},
    )
    torch.manual_seed(seed)
    model = MarianMTModel(model_config)
    model.generation_config.num_beams = settings["num_beams"]
    model.generation_config.max_length = settings["max_length"]
    model.generation_config.bad_words_ids = [[pad]]
    if loop_on is not None:
        with torch.no_grad():
            model.final_logits_bias[0, vocab["▁" + loop_on]] = 50.0
    model.save_pretrained(out)
    return out


def build_bart(
    out: Path,
    bpe_vocab: int = 600,
    model_vocab: int | None = None,
    seed: int = 0,
    generation=None,
    **config,
) -> Path:
    """A BART summarizer checkpoint in `out`, with a byte-level BPE tokenizer."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, BartTokenizer

    out.mkdir(parents=True, exist_ok=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train([str(CORPUS_EN)], vocab_size=bpe_vocab, min_frequency=2, special_tokens=specials)
    vocab = bpe.get_vocab()
    target = (model_vocab or len(vocab) + 1) - 1
    for i in range(len(vocab), target):
        vocab[f"<extra_{i}>"] = i
    vocab["<mask>"] = len(vocab)
    with tempfile.TemporaryDirectory() as tmp:
        bpe.save_model(tmp)
        merges = Path(tmp) / "merges.txt"
        vocab_file = Path(tmp) / "vocab.json"
        vocab_file.write_text(json.dumps(vocab))
        positions = config.get("max_position_embeddings", 128)
        tokenizer = BartTokenizer(
            vocab=str(vocab_file), merges=str(merges), model_max_length=positions
        )
        tokenizer.save_pretrained(out)
    settings = dict(
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=128,
    )
    settings.update(config)
    model_config = BartConfig(
        vocab_size=len(vocab),
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_bos_token_id=0,
        forced_eos_token_id=2,
        **settings,
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(model_config)
    gen = {
        "num_beams": 2,
        "max_length": 24,
        "min_length": 8,
        "no_repeat_ngram_size": 3,
        "length_penalty": 2.0,
        "early_stopping": True,
    }
    gen.update(generation or {})
    for key, value in gen.items():
        setattr(model.generation_config, key, value)
    model.save_pretrained(out)
    return out
