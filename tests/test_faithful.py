"""No sentence lost: real tiny models that lose content as MarianMT sometimes does, the
completeness check that catches it, the retry in smaller pieces, and the flags a reader sees.

The models are built to copy their input (tests/checkpoints.py), so a faithful output is the
source itself; one is made to stop at the first full stop (the second sentence of a packed
chunk is lost), one never to write a digit (numbers are lost).
"""

import pytest
from typer.testing import CliRunner

from tests.checkpoints import build_copy_marian
from translate.cli import app
from translate.config import GenerationSettings
from translate.engines.models import load, locate
from translate.flow.pipeline import Passage, translate_passages
from translate.outputs.front_matter import read_front_matter

TWO_SENTENCES = "Der Rat tagte am Montag lange. Die Entscheidung fiel erst am Abend."


@pytest.fixture(scope="session")
def lossy(tmp_path_factory):
    root = tmp_path_factory.mktemp("lossy")
    return {
        "stops": build_copy_marian(root / "stops-at-full-stop", stop_at="."),
        "no digits": build_copy_marian(root / "no-digits", drop_digits=True),
    }


def run(tmp_path, text, mt_model, summary_model, *options):
    doc = tmp_path / "bericht.txt"
    doc.write_text(text, encoding="utf-8")
    args = ["run", str(doc), "--mt-model", str(mt_model), "--summary-model", str(summary_model)]
    result = CliRunner().invoke(app, [*args, *options], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return read_front_matter(tmp_path / "bericht.summary.en.md")


def body(path):
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


def test_a_lost_second_sentence_is_caught_and_translated_again_sentence_by_sentence(
    tmp_path, lossy, tiny_models
):
    packed = ("--keep-translation", "--chunk-tokens", "64")
    # The model stops at a full stop and drops it, and the check flags an English that stops
    # short of its source's final punctuation: the second sentence ends with "!", so the
    # text put together again ends as its source does.
    text = TWO_SENTENCES[:-1] + "!\n"
    front = run(tmp_path, text, lossy["stops"], tiny_models[1], *packed)
    assert front["translation_chunks"] == 1  # both sentences were packed into one input
    assert front["retranslated_chunks"] == 1
    assert front["suspect_chunks"] == 0
    translation = body(tmp_path / "bericht.en.md")
    assert "Der Rat tagte am Montag lange" in translation
    assert "Die Entscheidung fiel erst am Abend" in translation  # lost, then recovered
    assert "⚠" not in translation


def test_lost_numbers_are_retried_then_flagged_for_the_reader(tmp_path, lossy, tiny_models):
    text = (
        "Die Inflation lag im Oktober bei 2,4 Prozent. Im September waren es 1,9 Prozent.\n\n"
        "Der Rat tagte lange.\n"
    )
    options = ("--keep-translation", "--bilingual", "--chunk-tokens", "64")  # packed
    front = run(tmp_path, text, lossy["no digits"], tiny_models[1], *options)
    assert front["suspect_chunks"] == 1 and front["retranslated_chunks"] == 1
    translation = body(tmp_path / "bericht.en.md")
    assert translation.count("⚠") == 2  # the passage and its footnote
    assert "[^1]: ⚠ This passage may have lost content (missing numbers 2,4" in translation
    assert "„Die Inflation lag im Oktober bei 2,4 Prozent." in translation  # the source, quoted
    assert "\nDer Rat tagte lange" in translation  # the faithful paragraph is not flagged
    bilingual = body(tmp_path / "bericht.de-en.md")
    assert "Die Inflation lag im Oktober bei 2,4 Prozent." in bilingual
    assert "> ⚠ [1] may have lost content (missing numbers 2,4" in bilingual
    assert "Der Rat tagte lange.\n\n> Der Rat tagte lange" in bilingual
    summary = body(tmp_path / "bericht.summary.en.md")
    assert "1 passage(s) of the translation may have lost content" in summary


def test_by_default_each_sentence_is_checked_and_flagged_on_its_own(tmp_path, lossy, tiny_models):
    text = "Die Inflation lag im Oktober bei 2,4 Prozent. Im September waren es 1,9 Prozent.\n"
    front = run(tmp_path, text, lossy["no digits"], tiny_models[1], "--keep-translation")
    assert front["chunk_tokens"] == 1 and front["translation_chunks"] == 2  # a sentence each
    assert front["suspect_chunks"] == 2 and front["retranslated_chunks"] == 0  # nothing finer
    translation = body(tmp_path / "bericht.en.md")
    assert "(missing number 2,4); check it against the source: „Die Inflation" in translation
    assert "(missing number 1,9); check it against the source: „Im September" in translation


def test_a_translation_at_the_length_cap_is_a_cut_and_is_redone_in_smaller_pieces(tiny_models):
    first, second = TWO_SENTENCES.split(". ")
    short = GenerationSettings(max_new_tokens=24)
    for backend in ("torch", "ctranslate2"):
        model = load(locate(str(tiny_models[0])), "cpu", backend=backend)
        assert model.count_tokens(TWO_SENTENCES) > 24 > model.count_tokens(first + ".")
        (whole,) = model.generate_detailed([TWO_SENTENCES], short)
        assert not whole.finished and len(whole.text) < len(TWO_SENTENCES)
        assert model.generate_detailed([TWO_SENTENCES], GenerationSettings())[0].finished
        passage = Passage(TWO_SENTENCES, sentences=2, finer=(first + ".", second))
        (outcome,) = translate_passages(model, [passage], short, batch_tokens=256)
        assert outcome.retranslated and outcome.verdict.ok, backend
        assert outcome.text == TWO_SENTENCES
