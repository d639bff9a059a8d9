"""steps.py with fake models (no model built): how jobs are segmented and counted, what is
translated and what kept, the translation store opened and closed, and each job's share of
the shared batches' time. Mutation testing found these unpinned (docs/mutation.md)."""

import types
from pathlib import Path

import pytest

from tests.test_pipeline import FakeModel
from translate.config import RunOptions
from translate.flow import steps
from translate.flow.job import Job
from translate.flow.pipeline import Summary
from translate.flow.steps import (
    _share,
    count_sentences,
    segment_job,
    summarize_jobs,
    translate_jobs,
)
from translate.flow.stored import store_for as real_store_for
from translate.inputs.discovery import Document
from translate.text.translated import TranslationStats


class Translator(FakeModel):
    """FakeModel with an output cap that leaves these sentences whole: a chunk each."""

    def describe(self, settings):
        return settings.merged_over({"max_new_tokens": 120})


class Models:
    """A ModelSet stand-in that records which models were asked for."""

    def __init__(self):
        self.asked = []
        self._translator = Translator(max_input_tokens=30)
        self._summarizer = FakeModel(mode="summarize", max_input_tokens=30)

    @property
    def translator(self):
        self.asked.append("translator")
        return self._translator

    @property
    def summarizer(self):
        self.asked.append("summarizer")
        return self._summarizer

    def recipe(self):
        return {"translation_model": "fake"}


def make_job(text, language="de", detected="de", name="a.txt", **changes):
    path = Path("/nowhere") / name
    fields = dict(
        document=Document(path=path, output_dir=path.parent),
        text=text,
        sha256="0" * 64,
        source_mode=0o644,
        source={},
        language=language,
        detected_language=detected,
        summary_path=path.with_suffix(".summary.en.md"),
        translation_path=None,
        fingerprint="fp",
    )
    fields.update(changes)
    return Job(**fields)


def ticking(monkeypatch, *times):
    seq = iter(times)
    monkeypatch.setattr(steps, "time", types.SimpleNamespace(perf_counter=lambda: next(seq)))


# "Mr." ends no sentence by the English rules, and one by the German ones.
MR = "Mr. Smith came home. He stayed."


def test_an_english_job_counts_its_sentences_by_the_language_it_is_written_in(monkeypatch):
    assert count_sentences(MR, "en") == 2
    assert count_sentences(MR, "de") == 3
    job = make_job(MR, language="en", detected="en")
    segment_job(job, None, 100)
    assert job.sentences == 2 and job.segmentation is None
    forced = make_job(MR, language="en", detected="de")  # --source-lang en on German
    segment_job(forced, None, 100)
    assert forced.sentences == 3
    unknown = make_job(MR, language="en", detected=None)
    segment_job(unknown, None, 100)
    assert unknown.sentences == 2


def test_sentences_are_counted_in_every_block():
    assert count_sentences("One. Two.\n\nThree.\n\n- Four. Five.", "en") == 5
    assert count_sentences("", "en") == 0


def test_a_german_job_is_cut_into_chunks_and_timed(monkeypatch):
    ticking(monkeypatch, 10.0, 10.5)
    text = "Der erste Satz ist hier. Der zweite Satz ist da.\n\nDer dritte Satz.\n"
    job = make_job(text, seconds=1.0)
    segment_job(job, Translator(max_input_tokens=30), 8)
    assert job.segmentation is not None
    assert job.sentences == job.segmentation.sentence_count == 3
    assert len(job.segmentation.chunks) == 3  # 8 tokens hold one sentence each
    assert job.seconds == 1.5


def segmented(text, **changes):
    job = make_job(text, **changes)
    seconds = job.seconds
    segment_job(job, Translator(max_input_tokens=30), 100)
    job.seconds = seconds  # the segmenting time left out: these tests time translation
    return job


def test_english_jobs_keep_their_text_and_load_no_translator():
    models = Models()
    job = make_job("An English text.", language="en", detected="en")
    translate_jobs([job], models, RunOptions())
    assert job.english == "An English text."
    assert job.stats is None and job.translation is None
    assert models.asked == []


def test_german_jobs_are_translated_together_and_english_ones_kept(monkeypatch):
    models = Models()
    a = segmented("Der erste Satz ist hier.\n\nDer zweite Satz ist da.\n", seconds=1.0)
    b = segmented("Ein dritter Satz.\n", seconds=2.0)
    english = make_job("Stays as it is.", language="en", detected="en", seconds=0.5)
    ticking(monkeypatch, 100.0, 106.0)
    translate_jobs([a, english, b], models, RunOptions(cache=False))
    assert models.asked == ["translator"]
    assert a.english == "DER ERSTE SATZ IST HIER.\n\nDER ZWEITE SATZ IST DA.\n"
    assert b.english == "EIN DRITTER SATZ.\n"
    assert english.english == "Stays as it is."
    assert a.stats == TranslationStats(chunks=2) and b.stats == TranslationStats(chunks=1)
    assert a.translation.text == a.english
    expected_settings = models._translator.describe(RunOptions().translation)
    assert a.translation_settings == b.translation_settings == expected_settings
    assert english.translation_settings is None
    # 6 s shared by the chunks translated: 2 of 3, and 1 of 3.
    assert (a.seconds, b.seconds, english.seconds) == pytest.approx((5.0, 4.0, 0.5))
    calls = models._translator.calls
    assert sorted(t for texts, _ in calls for t in texts) == [
        "Der erste Satz ist hier.",
        "Der zweite Satz ist da.",
        "Ein dritter Satz.",
    ]
    assert all(settings == RunOptions().translation for _, settings in calls)


def test_english_paragraphs_and_code_are_kept_not_translated():
    text = "Ein deutscher Satz.\n\nAn English paragraph.\n\n```\ncode here\n```\n"
    job = segmented(text, english_blocks=frozenset({1}))
    translate_jobs([job], Models(), RunOptions(cache=False))
    assert job.english == "EIN DEUTSCHER SATZ.\n\nAn English paragraph.\n\n```\ncode here\n```\n"


def test_progress_hears_of_the_translation():
    heard = []
    progress = types.SimpleNamespace(
        phase=lambda *args, **kwargs: heard.append(args[0]), advance=lambda n=1: None
    )
    job = segmented("Ein deutscher Satz.\n")
    translate_jobs([job], Models(), RunOptions(cache=False), progress=progress)
    assert "translate" in heard


class RecordingStore:
    """The run's real store, recording whether it was closed."""

    def __init__(self, store):
        self.store, self.closed = store, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def close(self):
        self.closed += 1
        self.store.close()


def test_the_store_gives_chunks_translated_before_and_is_closed(monkeypatch):
    opened = []
    real = steps.store_for

    def store_for(options):
        opened.append(RecordingStore(real(options)))
        return opened[-1]

    monkeypatch.setattr(steps, "store_for", store_for)
    first = segmented("Der erste Satz ist hier.\n")
    translate_jobs([first], Models(), RunOptions())
    assert len(opened) == 1 and opened[0].closed == 1
    assert first.stats == TranslationStats(chunks=1)
    again = segmented("Der erste Satz ist hier.\n\nNeu ist dieser.\n")
    models = Models()
    translate_jobs([again], models, RunOptions())
    assert len(opened) == 2 and opened[1].closed == 1
    assert again.stats == TranslationStats(chunks=2, from_store=1)
    assert models._translator.calls[0][0] == ["Neu ist dieser."]
    # Without the store: nothing taken from it, and none opened.
    fresh = segmented("Der erste Satz ist hier.\n")
    translate_jobs([fresh], Models(), RunOptions(cache=False))
    assert fresh.stats == TranslationStats(chunks=1) and len(opened) == 2


def test_a_store_given_by_the_caller_is_used_and_left_open(monkeypatch):
    monkeypatch.setattr(steps, "store_for", lambda options: pytest.fail("opened its own"))
    store = RecordingStore(real_store_for(RunOptions()))
    job = segmented("Der erste Satz ist hier.\n")
    translate_jobs([job], Models(), RunOptions(), store=store)
    assert store.closed == 0
    again = segmented("Der erste Satz ist hier.\n")
    translate_jobs([again], Models(), RunOptions(), store=store)
    assert again.stats == TranslationStats(chunks=1, from_store=1)
    store.close()


def test_the_store_is_closed_when_the_translator_fails(monkeypatch):
    opened = []
    real = steps.store_for

    def store_for(options):
        opened.append(RecordingStore(real(options)))
        return opened[-1]

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(steps, "store_for", store_for)
    monkeypatch.setattr(steps, "translate_segmentations", broken)
    with pytest.raises(RuntimeError, match="out of memory"):
        translate_jobs([segmented("Ein Satz.\n")], Models(), RunOptions())
    assert opened[0].closed == 1


def result(chunks, from_store=0):
    return types.SimpleNamespace(stats=TranslationStats(chunks=chunks, from_store=from_store))


def test_a_jobs_share_is_by_the_chunks_it_had_translated():
    a, b, c = result(3, 1), result(2), result(4, 4)
    assert [_share(r, [a, b, c]) for r in (a, b, c)] == [0.5, 0.5, 0.0]


def test_when_every_chunk_came_from_the_store_the_share_is_by_all_chunks():
    a, b = result(3, 3), result(1, 1)
    assert [_share(r, [a, b]) for r in (a, b)] == [0.75, 0.25]
    empty = result(0)
    assert _share(empty, [empty]) == 0.0


def test_no_jobs_to_summarize_loads_no_summarizer():
    models = Models()
    summarize_jobs([], models, RunOptions())
    assert models.asked == []


def test_jobs_are_summarized_together_and_share_the_time_by_size(monkeypatch):
    ticking(monkeypatch, 50.0, 62.0)
    models = Models()
    a = make_job("ignored", english="One two three four five six seven.", seconds=1.0)
    b = make_job("Eins zwei drei.", language="en", detected="en", seconds=0.0)
    empty = make_job("", language="en", detected="en", english="", seconds=0.0)
    summarize_jobs([a, b, empty], models, RunOptions())
    assert models.asked == ["summarizer"]
    assert a.summary == Summary("One two three four five", 1)
    assert b.summary == Summary("Eins zwei drei.", 0)
    sizes = [34, 15, 1]  # an empty text counts as 1
    assert (a.seconds, b.seconds, empty.seconds) == pytest.approx(
        (1.0 + 12.0 * 34 / 50, 12.0 * 15 / 50, 12.0 * 1 / 50)
    )
    assert sum(sizes) == 50


def test_the_summarizer_reads_prose_not_markdown_markers():
    models = Models()
    job = make_job("", english="# Title\n\n- one two three four five six seven eight\n")
    summarize_jobs([job], models, RunOptions())
    inputs = [t for texts, _ in models._summarizer.calls for t in texts]
    assert all(not t.startswith(("#", "-")) for t in inputs)
    assert job.summary.text == "Title one two three four"


def test_a_single_chunk_from_the_store_takes_all_the_time():
    only = result(1, 1)
    assert _share(only, [only]) == 1.0


def test_without_the_store_a_repeated_chunk_is_translated_each_time():
    models = Models()
    a = segmented("Der gleiche Satz ist hier.\n")
    b = segmented("Der gleiche Satz ist hier.\n")
    translate_jobs([a, b], models, RunOptions(cache=False))
    texts = [t for texts, _ in models._translator.calls for t in texts]
    assert texts == ["Der gleiche Satz ist hier.", "Der gleiche Satz ist hier."]
    models = Models()
    a, b = segmented("Der gleiche Satz ist hier.\n"), segmented("Der gleiche Satz ist hier.\n")
    translate_jobs([a, b], models, RunOptions())  # through the store: once
    assert [t for texts, _ in models._translator.calls for t in texts] == [
        "Der gleiche Satz ist hier."
    ]
