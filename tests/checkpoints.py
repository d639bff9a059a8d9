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


def _marian_tokenizer(out: Path, spm_vocab: int, model_vocab: int | None, positions: int) -> dict:
    """Train a SentencePiece model on the shipped corpora, save a MarianTokenizer into `out`,
    and return its vocabulary (piece -> id, `<pad>` last)."""
    from transformers import MarianTokenizer

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
        tokenizer = MarianTokenizer(
            str(spm_file), str(spm_file), str(Path(tmp) / "vocab.json"), model_max_length=positions
        )
        tokenizer.save_pretrained(out)
    return vocab


# The widths and depths of every tiny test model (and of benchmarks/build.py --tiny).
TINY_SIZES = dict(
    d_model=16,
    encoder_layers=1,
    decoder_layers=1,
    encoder_attention_heads=2,
    decoder_attention_heads=2,
    encoder_ffn_dim=32,
    decoder_ffn_dim=32,
)


def _marian_config(vocab: dict, **settings):
    from transformers import MarianConfig

    pad = vocab["<pad>"]
    return MarianConfig(
        vocab_size=len(vocab),
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        **{"forced_eos_token_id": 0, **settings},  # as opus-mt-de-en's config, unless told
    )


def _save_marian(model, out: Path, vocab: dict, num_beams: int, max_length: int) -> None:
    model.generation_config.num_beams = num_beams
    model.generation_config.max_length = max_length
    model.generation_config.bad_words_ids = [[vocab["<pad>"]]]
    model.save_pretrained(out)


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
    from transformers import MarianMTModel

    out.mkdir(parents=True, exist_ok=True)
    positions = config.get("max_position_embeddings", 64)
    vocab = _marian_tokenizer(out, spm_vocab, model_vocab, positions)
    settings = dict(
        **TINY_SIZES,
        max_position_embeddings=64,
        num_beams=2,
        max_length=positions,
    )
    settings.update(config)
    model_config = _marian_config(
        vocab, **{k: v for k, v in settings.items() if k not in ("num_beams", "max_length")}
    )
    torch.manual_seed(seed)
    model = MarianMTModel(model_config)
    if loop_on is not None:
        with torch.no_grad():
            model.final_logits_bias[0, vocab["▁" + loop_on]] = 50.0
    _save_marian(model, out, vocab, settings["num_beams"], settings["max_length"])
    return out


# The copying model's layout of its 256 dimensions. Marian adds sinusoidal positions to the
# token embeddings: dims k and 128+k carry sin and cos of position x 10000^(-k/128).
_COPY_DIM = 256
_COPY_POSITION_FREQS = 40  # k < 40: fast enough to tell neighbouring positions apart
_COPY_TOKEN_FREQS = range(100, 127)  # near-constant over 64 positions: room for token identity
_COPY_PROBE = 127  # kept empty: LayerNorm's shift of every dim, read off to undo it


def build_copy_marian(
    out: Path,
    stop_at: str | None = None,
    drop_digits: bool = False,
    seed: int = 0,
    forced_eos: bool = True,
) -> Path:
    """A MarianMT checkpoint whose weights are set by hand so that it copies its input.

    A faithful 'translator' for tests: its output has its source's length, numbers and
    sentences, and it ends with its end token, so the pipeline's completeness check passes
    unless the model is made to lose content like real models sometimes do:
    `stop_at="."` ends the output at the first full stop (the second sentence of a packed
    chunk is lost); `drop_digits` never writes a digit (numbers are lost). Without
    `forced_eos`, nothing forces an end token in the last position the cap allows.

    How: cross-attention of decoder position t peaks at source position t (queries and keys
    are the position dims only), its values carry the token dims, and the output layer (the
    tied embeddings) reads the token back; self-attention and feed-forward layers are zero.
    """
    import math

    import torch
    from transformers import MarianMTModel

    out.mkdir(parents=True, exist_ok=True)
    vocab = _marian_tokenizer(out, 400, None, 64)
    dim, half = _COPY_DIM, _COPY_DIM // 2
    config = _marian_config(
        vocab,
        d_model=dim,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=1,
        decoder_attention_heads=1,
        encoder_ffn_dim=8,
        decoder_ffn_dim=8,
        max_position_embeddings=64,
        scale_embedding=False,
        forced_eos_token_id=0 if forced_eos else None,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    position_dims = torch.tensor(
        [*range(_COPY_POSITION_FREQS), *range(half, half + _COPY_POSITION_FREQS)]
    )
    token_dims = [*_COPY_TOKEN_FREQS, *(half + k for k in _COPY_TOKEN_FREQS)]
    with torch.no_grad():
        # Token vectors sum to zero over the sin dims and over the cos dims, so they are
        # orthogonal to what the positions add there (~0 and ~1) and keep LayerNorm's mean.
        raw = torch.randn(len(vocab), len(token_dims))
        n = len(_COPY_TOKEN_FREQS)
        raw[:, :n] -= raw[:, :n].mean(dim=1, keepdim=True)
        raw[:, n:] -= raw[:, n:].mean(dim=1, keepdim=True)
        # Norm ~ the positions' (11.3): int8 engines quantize activations per vector.
        embeddings = torch.zeros(len(vocab), dim)
        embeddings[:, token_dims] = raw / raw.norm(dim=1, keepdim=True) * 12.0
        if stop_at is not None:
            embeddings[vocab[stop_at]] = embeddings[0]  # reads as the end token
        model.model.shared.weight.copy_(embeddings)
        model.final_logits_bias.zero_()
        model.final_logits_bias[0, 0] = 1.0  # the end token wins the tie with `stop_at`
        if drop_digits:
            for piece, index in vocab.items():
                if any(ch.isdigit() for ch in piece):
                    model.final_logits_bias[0, index] = -1e4
        _zero_but_cross_attention(model)
        norm = math.sqrt((12.0**2 + half) / dim)  # LayerNorm's divisor
        sharp = math.sqrt(16 * norm**2 * math.sqrt(dim))  # attention logits: 16 x kernel
        positions = torch.zeros(dim, dim)
        positions[position_dims, position_dims] = sharp
        positions[position_dims, _COPY_PROBE] = -sharp
        tokens = torch.zeros(dim, dim)
        tokens[token_dims, token_dims] = 1.0
        attention = model.model.decoder.layers[0].encoder_attn
        for projection, weight in (
            (attention.q_proj, positions),
            (attention.k_proj, positions),
            (attention.v_proj, tokens),
            (attention.out_proj, 10 * tokens),  # the source token outweighs the previous one
        ):
            projection.weight.copy_(weight)
            projection.bias.zero_()
    _save_marian(model, out, vocab, num_beams=2, max_length=64)
    return out


def _zero_but_cross_attention(model) -> None:
    layers = [*model.model.encoder.layers, *model.model.decoder.layers]
    for layer in layers:
        for linear in (layer.self_attn.out_proj, layer.fc2):
            linear.weight.zero_()
            linear.bias.zero_()
        norms = [layer.self_attn_layer_norm, layer.final_layer_norm]
        norms += [layer.encoder_attn_layer_norm] if hasattr(layer, "encoder_attn") else []
        for norm in norms:
            norm.weight.fill_(1.0)
            norm.bias.zero_()


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
        **TINY_SIZES,
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
