"""render.py's outputs on jobs built by hand (no model, no reading): the exact front matter,
the notes to the reader, which files are made and written, and the counts they carry.
Mutation testing found these unpinned (docs/mutation.md)."""

import os
import stat
import types
from pathlib import Path

import pytest

from tests.test_front_matter import Clock
from translate.config import VERSION, RunOptions
from translate.errors import OutputError, TranslateError
from translate.flow import render
from translate.flow.job import Job
from translate.flow.pipeline import Summary
from translate.flow.render import Rendered, render_outputs, write_outputs
from translate.inputs.discovery import Document
from translate.outputs.front_matter import read_front_matter
from translate.outputs.review import bilingual, marked_translation
from translate.text.fidelity import Verdict
from translate.text.segment import segment
from translate.text.translated import DocumentTranslation, TranslationStats

GERMAN = "# Der Bericht\n\nDer erste Absatz ist hier.\n"


class Summarizer:
    backend = "fake-backend"

    def describe(self, settings):
        return {"summary": "settings", "beams": settings.num_beams}


class Models:
    """What render.py asks of a ModelSet: the recipe, the summarizer's backend and settings,
    the device."""

    device = "cpu:test"

    def __init__(self):
        self.summarizer = Summarizer()

    def recipe(self):
        return {
            "translation_model": "mt",
            "quantize": "int8",
            "summary_model": "sum",
            "translation_settings": {"hidden": 1},
            "chunk_tokens": 7,
        }


def make_job(tmp_path: Path, **changes) -> Job:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    document = Document(path=folder / "bericht.txt", output_dir=folder, stem="bericht")
    fields = dict(
        document=document,
        text=GERMAN,
        sha256="ab" * 32,
        source_mode=0o640,
        source={"format": "text", "encoding": "utf-8", "extractor": "plain"},
        language="de",
        detected_language="de",
        summary_path=folder / "bericht.summary.en.md",
        translation_path=None,
        fingerprint="fp-1",
        seconds=3.0,
        summary=Summary("The summary.", 1),
    )
    fields.update(changes)
    return Job(**fields)


def notes(job, summary=None):
    return render._notes(job, summary or job.summary)


def test_the_front_matter_has_exactly_these_keys_in_this_order(tmp_path):
    job = make_job(
        tmp_path,
        source={
            "format": "text",
            "encoding": "utf-8+cp1252",
            "legacy_lines": 2,
            "extractor": "plain 1.0",
            "pages": 3,
        },
        english_blocks=frozenset({1, 4}),
        translation_settings={"beams": 4},
        segmentation=object(),
    )
    front = render._front_matter(job, Models(), RunOptions(), {"words": 9, "sentences": 2}, 1.234)
    assert front == {
        "source": "bericht.txt",
        "source_sha256": "ab" * 32,
        "source_encoding": "utf-8+cp1252",
        "source_format": "text",
        "title": "Der Bericht",
        "extractor": "plain 1.0",
        "pages": 3,
        "source_language": "de",
        "detected_language": "de",
        "translated": True,
        "english_paragraphs_kept": 2,
        "translation_model": "mt",
        "summary_model": "sum",
        "chunk_tokens": 7,
        "backend": "fake-backend",
        "device": "cpu:test",
        "translation_settings": {"beams": 4},
        "summary_settings": {"summary": "settings", "beams": RunOptions().summary.num_beams},
        "seconds": 1.23,
        "words": 9,
        "sentences": 2,
        "generator": f"translate {VERSION}",
        "fingerprint": "fp-1",
    }
    assert list(front) == [
        "source", "source_sha256", "source_encoding", "source_format", "title", "extractor",
        "pages", "source_language", "detected_language", "translated",
        "english_paragraphs_kept", "translation_model", "summary_model", "chunk_tokens",
        "backend", "device", "translation_settings", "summary_settings", "seconds", "words",
        "sentences", "generator", "fingerprint",
    ]  # fmt: skip
    assert "legacy_lines" not in job.source or job.source["legacy_lines"] == 2  # not changed
    assert job.source["encoding"] == "utf-8+cp1252"


def test_a_source_without_an_encoding_has_no_encoding_entry_and_its_own_title_wins(tmp_path):
    job = make_job(
        tmp_path,
        source={"format": "epub", "source_title": "The Book's Own Title"},
        language="en",
        detected_language=None,
    )
    front = render._front_matter(job, Models(), RunOptions(), {}, 0.005)
    assert "source_encoding" not in front
    assert front["source_format"] == "epub"
    assert front["title"] == "The Book's Own Title"
    assert "source_title" not in front
    assert front["translated"] is False
    assert front["english_paragraphs_kept"] == 0
    assert front["detected_language"] is None
    assert front["source_language"] == "en"
    assert front["seconds"] == 0.01
    assert front["translation_settings"] is None


def test_a_source_without_a_format_or_heading_has_them_as_none(tmp_path):
    job = make_job(tmp_path, text="No heading here.\n", source={})
    front = render._front_matter(job, Models(), RunOptions(), {}, 0.0)
    assert front["source_format"] is None
    assert front["title"] is None
    assert "source_encoding" not in front


def test_the_source_is_named_from_the_outputs_folder(tmp_path):
    job = make_job(tmp_path, summary_path=tmp_path / "out" / "deep" / "bericht.summary.en.md")
    front = render._front_matter(job, Models(), RunOptions(), {}, 0.0)
    assert front["source"] == "../../in/bericht.txt"
    assert render._source_from(tmp_path / "in", tmp_path / "in" / "a b.txt") == "a b.txt"


def test_a_source_on_another_drive_is_named_by_its_absolute_path(tmp_path, monkeypatch):
    def no_relative_path(path, start):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(render.os.path, "relpath", no_relative_path)
    source = tmp_path / "in" / "bericht.txt"
    assert render._source_from(tmp_path / "out", source) == source.absolute().as_posix()


def test_an_ordinary_translated_document_has_no_notes(tmp_path):
    job = make_job(tmp_path, segmentation=object(), stats=TranslationStats(chunks=3))
    assert notes(job) == ""


def test_an_english_source_is_said_to_be_summarized_without_translation(tmp_path):
    job = make_job(tmp_path, english_blocks=frozenset({2}))  # no segmentation: English
    assert notes(job) == "_The source is in English: it was summarized without translation._\n\n"


def test_kept_english_paragraphs_are_counted(tmp_path):
    job = make_job(tmp_path, segmentation=object(), english_blocks=frozenset({0, 3, 5}))
    assert notes(job) == "_3 paragraph(s) already in English were kept as they are._\n\n"


def test_legacy_lines_name_the_legacy_encoding_they_were_read_as(tmp_path):
    source = {"encoding": "utf-8+cp1252", "legacy_lines": 4}
    job = make_job(tmp_path, segmentation=object(), source=source)
    assert notes(job) == ("_4 line(s) of the source were not UTF-8 and were read as cp1252._\n\n")
    job = make_job(
        tmp_path, segmentation=object(), source={"encoding": "latin_1", "legacy_lines": 1}
    )
    assert notes(job) == "_1 line(s) of the source were not UTF-8 and were read as latin_1._\n\n"
    job = make_job(
        tmp_path, segmentation=object(), source={"encoding": "cp1252", "legacy_lines": 0}
    )
    assert notes(job) == ""


def test_suspect_passages_are_counted_and_the_reader_told_how_to_check_them(tmp_path):
    job = make_job(tmp_path, segmentation=object(), stats=TranslationStats(chunks=5, suspect=2))
    assert notes(job) == (
        "_2 passage(s) of the translation may have lost content (a number, a sentence, or its "
        "end is missing even when translated sentence by sentence); --keep-translation and "
        "--bilingual mark them for checking against the source._\n\n"
    )


def test_a_summary_of_no_passes_is_said_to_be_the_full_text(tmp_path):
    job = make_job(tmp_path, segmentation=object(), summary=Summary("Short.", 0))
    assert notes(job) == "_The document is no longer than a summary: this is its full text._\n\n"


def test_pages_without_text_are_listed(tmp_path):
    source = {"pages_without_text": [2, 5, 11]}
    job = make_job(tmp_path, segmentation=object(), source=source)
    assert notes(job) == (
        "_Page(s) 2, 5, 11 have no text layer (scanned?) and were not read (--ocr reads them)._\n\n"
    )
    job = make_job(tmp_path, segmentation=object(), source={"pages_without_text": []})
    assert notes(job) == ""


def test_attachments_are_listed_as_markdown_that_shows_their_names(tmp_path):
    source = {"attachments": ["a_b.pdf", "*x*.doc"]}
    job = make_job(tmp_path, segmentation=object(), source=source)
    assert notes(job) == "_Attachments, not translated: a\\_b.pdf, \\*x\\*.doc._\n\n"


def test_every_note_at_once_comes_in_a_fixed_order(tmp_path):
    source = {
        "encoding": "utf-8+cp1252",
        "legacy_lines": 1,
        "pages_without_text": [1],
        "attachments": ["x.pdf"],
    }
    job = make_job(
        tmp_path,
        segmentation=object(),
        english_blocks=frozenset({0}),
        source=source,
        stats=TranslationStats(chunks=2, suspect=1),
        summary=Summary("S.", 0),
    )
    found = notes(job).split("\n\n")
    assert found[-1] == ""
    assert [note[:12] for note in found[:-1]] == [
        "_1 paragraph",
        "_1 line(s) o",
        "_1 passage(s",
        "_The documen",
        "_Page(s) 1 h",
        "_Attachments",
    ]


def test_outputs_are_made_with_their_titles_bodies_and_counts(tmp_path, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(render, "time", types.SimpleNamespace(perf_counter=clock.perf_counter))
    folder = tmp_path / "in"
    job = make_job(
        tmp_path,
        text="Ein  Text\nmit fünf Wörtern.",
        language="en",
        english="The English text.",
        sentences=2,
        translation_path=folder / "bericht.en.md",
        bilingual_path=folder / "bericht.de-en.md",
        summary=Summary("The summary.", 2),
        document=Document(path=folder / "a_b.txt", output_dir=folder, stem="bericht"),
    )
    rendered = render_outputs(job, Models(), RunOptions())
    assert list(rendered.files) == [job.translation_path, job.bilingual_path, job.summary_path]
    assert rendered.counts == {
        "words": 5,
        "sentences": 2,
        "translation_chunks": 0,
        "recovered_chunks": 0,
        "retranslated_chunks": 0,
        "suspect_chunks": 0,
        "chunks_from_store": 0,
        "summary_passes": 2,
    }
    assert rendered.seconds == 3.0
    translation = rendered.files[job.translation_path]
    assert translation.endswith("\n# English translation of a\\_b.txt\n\nThe English text.\n")
    bilingual = rendered.files[job.bilingual_path]
    assert bilingual.endswith(
        "\n# German and English: a\\_b.txt\n\n"
        "_The source is in English: nothing was translated._\n\nEin  Text\nmit fünf Wörtern.\n"
    )
    summary = rendered.files[job.summary_path]
    assert summary.endswith(
        "\n# Summary of a\\_b.txt\n\n"
        "_The source is in English: it was summarized without translation._\n\nThe summary.\n"
    )
    assert "\nsummary_passes: 2\n" in summary and "\nseconds: 3.0\n" in summary
    assert "\nwords: 5\n" in translation and "\nwords: 5\n" in bilingual  # the same front


def test_an_english_job_without_its_english_set_uses_its_text(tmp_path):
    job = make_job(
        tmp_path,
        text="Only the source text.",
        language="en",
        translation_path=tmp_path / "in" / "bericht.en.md",
    )
    rendered = render_outputs(job, Models(), RunOptions())
    assert rendered.files[job.translation_path].endswith("\n\nOnly the source text.\n")


def test_a_translated_jobs_counts_come_from_its_stats(tmp_path):
    stats = TranslationStats(chunks=9, recovered=1, retranslated=2, suspect=3, from_store=4)
    job = make_job(tmp_path, segmentation=object(), english="E.", stats=stats)
    counts = render_outputs(job, Models(), RunOptions()).counts
    assert counts == {
        "words": 8,
        "sentences": 0,
        "translation_chunks": 9,
        "recovered_chunks": 1,
        "retranslated_chunks": 2,
        "suspect_chunks": 3,
        "chunks_from_store": 4,
        "summary_passes": 1,
    }


def test_the_seconds_add_the_rendering_time_to_the_jobs_own(tmp_path, monkeypatch):
    times = iter([10.0, 12.5])
    monkeypatch.setattr(render, "time", types.SimpleNamespace(perf_counter=lambda: next(times)))
    job = make_job(tmp_path, seconds=1.25)
    rendered = render_outputs(job, Models(), RunOptions())
    assert rendered.seconds == 3.75
    assert "\nseconds: 3.75\n" in rendered.files[job.summary_path]


def test_a_job_not_yet_summarized_is_summarized_first(tmp_path, monkeypatch):
    calls = []

    def summarize_jobs(jobs, models, options):
        calls.append(jobs)
        for job in jobs:
            job.summary = Summary("Made now.", 1)

    monkeypatch.setattr(render, "summarize_jobs", summarize_jobs)
    job = make_job(tmp_path, summary=None)
    rendered = render_outputs(job, Models(), RunOptions())
    assert calls == [[job]]
    assert rendered.files[job.summary_path].endswith("\n\nMade now.\n")
    summarized = make_job(tmp_path)
    render_outputs(summarized, Models(), RunOptions())
    assert calls == [[job]]  # not again for a job that has its summary


def test_a_failed_summary_is_raised_not_written(tmp_path):
    error = OutputError("the summary came out empty")
    job = make_job(tmp_path, summary=error)
    with pytest.raises(TranslateError) as raised:
        render_outputs(job, Models(), RunOptions())
    assert raised.value is error


def test_outputs_are_written_with_the_sources_mode_and_reported(tmp_path):
    folder = tmp_path / "in"
    job = make_job(
        tmp_path,
        translation_path=folder / "bericht.en.md",
        notes=("a library warned",),
    )
    rendered = Rendered(
        files={job.translation_path: "translation\n", job.summary_path: "summary\n"},
        counts={"words": 1},
        seconds=2.5,
    )
    result = write_outputs(job, rendered)
    assert result.path == job.document.path
    assert result.status == "written"
    assert result.outputs == (job.translation_path, job.summary_path)
    assert result.counts == {"words": 1}
    assert result.seconds == 2.5
    assert result.warnings == ("a library warned",)
    assert result.reason is None
    assert job.summary_path.read_text(encoding="utf-8") == "summary\n"
    assert job.translation_path.read_text(encoding="utf-8") == "translation\n"
    assert stat.S_IMODE(os.stat(job.summary_path).st_mode) == 0o640


def test_written_outputs_read_back_as_this_documents_front_matter(tmp_path):
    job = make_job(tmp_path)
    result = write_outputs(job, render_outputs(job, Models(), RunOptions()))
    front = read_front_matter(result.outputs[-1])
    assert front["fingerprint"] == "fp-1"
    assert front["source"] == "bericht.txt"


def translated_job(tmp_path):
    """A German job of two paragraphs translated, the second flagged by the check."""
    text = "Der erste Satz ist hier.\n\nDer zweite hat 3 Zahlen.\n"
    segmentation = segment(text, lambda t: len(t.split()), 100, lang="de")
    outputs = ["The first sentence is here.", "The second has numbers."]
    verdicts = [Verdict(), Verdict(("the number 3 is missing",))]
    translation = DocumentTranslation(
        segmentation, outputs, verdicts, TranslationStats(chunks=2, suspect=1)
    )
    folder = tmp_path / "in"
    return make_job(
        tmp_path,
        text=text,
        segmentation=segmentation,
        translation=translation,
        english=translation.text,
        stats=translation.stats,
        translation_path=folder / "bericht.en.md",
        bilingual_path=folder / "bericht.de-en.md",
    )


def test_a_translation_shows_its_flagged_passages_in_both_views(tmp_path):
    job = translated_job(tmp_path)
    files = render_outputs(job, Models(), RunOptions()).files
    marked = marked_translation(job.translation)
    assert "[^1]" in marked and marked != job.english.strip()
    assert files[job.translation_path].endswith(
        f"\n# English translation of bericht.txt\n\n{marked}\n"
    )
    both = bilingual(job.translation)
    assert "Der zweite hat 3 Zahlen." in both and "The second has numbers." in both
    assert files[job.bilingual_path].endswith(f"\n# German and English: bericht.txt\n\n{both}\n")
