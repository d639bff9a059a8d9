"""The Ray run's stages (translate/flow/distributed/stages.py) called as Ray Data calls them,
in this process, with fake models: no Ray is started and no model is built. Each stage gets
rows of pickled items and returns rows; what reaches the driver is compared with what a
plain run does with the same fake models. Mutation testing found these unpinned
(docs/mutation.md)."""

from __future__ import annotations

import logging
import pickle
import socket
from pathlib import Path

import numpy as np
import pytest

import translate.engines.models as models_module
from tests.test_front_matter import Clock, TimedModel, TimedModels
from translate.config import ModelOptions, RunOptions
from translate.errors import TranslateError
from translate.flow import run as run_module
from translate.flow.distributed import stages
from translate.flow.distributed.stages import (
    Finished,
    Source,
    Summarizer,
    Translator,
    Wave,
    busy_elsewhere,
    decode,
    encode,
    form_waves,
    prepare_block,
    prepare_one,
    write_claimed,
)
from translate.flow.job import DocumentResult, Job, prepare
from translate.inputs.discovery import discover
from translate.outputs.writing import OutputLock

GERMAN = "Der erste Absatz ist hier und er ist deutsch.\n\nDer zweite Absatz ist auch hier.\n"
ENGLISH = "The report says that rents have risen sharply in the big cities this year.\n"
# No translation store: both runs below would share it, and their counts would differ.
OPTIONS = RunOptions(cache=False)
RECIPE = TimedModels(Clock()).recipe()


class Models(TimedModels):
    """ModelSet's stand-in on a "node": made from the options, as ModelSet is."""

    made: list[Models] = []

    def __init__(self, options: RunOptions):
        super().__init__(Clock())
        self.options = options
        Models.made.append(self)


@pytest.fixture(autouse=True)
def fake_models(monkeypatch):
    """Every actor's ModelSet is a fake; the segmenting tasks count tokens as the fake
    translator does (the same counter a plain run segments with)."""
    Models.made = []
    located: list[tuple[str, str | None]] = []

    def locate(name, revision=None, **kwargs):
        located.append((name, revision))
        return name

    monkeypatch.setattr(stages, "ModelSet", Models)
    monkeypatch.setattr(models_module, "locate", locate)
    monkeypatch.setattr(
        models_module,
        "TokenCounter",
        lambda location: TimedModel(Clock(), 1.0, max_input_tokens=30),
    )
    clear = getattr(stages._token_counter, "cache_clear", None)
    if clear:
        clear()
    yield located
    if clear:
        clear()


def write(folder: Path, **texts: str):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return discover([folder])[0]


def rows(batch: dict) -> list[dict]:
    """A stage's output as Ray Data hands it on: one row (one item) per block."""
    return [{"item": np.array([data], dtype=object)} for data in batch["item"]]


def through_stages(documents, options=OPTIONS, write_here=True, recipe=RECIPE):
    """The Ray run's plan, stage by stage, as the driver receives it."""
    from translate.flow.distributed.runner import split_blocks

    blocks = split_blocks([(i, Source(d)) for i, d in enumerate(documents)])
    prepared = [row for b in blocks for row in rows(prepare_block(encode([b]), options, recipe))]
    translator = Translator(options, recipe)
    translated = [row for r in prepared for row in rows(translator(r))]
    summarizer = Summarizer(options, recipe, write_here=write_here)
    return [item for r in translated for item in decode(summarizer(r))]


def files(folder: Path) -> dict[str, str]:
    """The outputs' text, less the seconds (each run's fake clock differs)."""
    return {
        p.name: "".join(
            line
            for line in p.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.startswith("seconds: ")
        )
        for p in sorted(folder.glob("*.en.md"))
    }


def test_the_stages_write_the_files_a_plain_run_writes(tmp_path):
    texts = {"a.txt": GERMAN, "b.txt": ENGLISH, "c.txt": "", "d.txt": GERMAN + GERMAN}
    plain = list(
        run_module.iter_results(write(tmp_path / "plain", **texts), OPTIONS, TimedModels(Clock()))
    )
    docs = write(tmp_path / "ray", **texts)
    results = through_stages(docs)
    assert all(isinstance(r, DocumentResult) for r in results)
    got = {r.path.name: (r.status, r.reason) for r in results}
    assert got == {
        "a.txt": ("written", None),
        "b.txt": ("written", None),
        "c.txt": ("failed", f"{tmp_path / 'ray' / 'c.txt'}: the file is empty"),
        "d.txt": ("written", None),
    }
    assert {r.path.name: r.status for r in plain} == {n: s for n, (s, _) in got.items()}
    assert files(tmp_path / "ray") == files(tmp_path / "plain")
    assert len(files(tmp_path / "ray")) == 3
    # The failed document comes first: it never reached a wave.
    assert results[0].path.name == "c.txt"
    assert not list((tmp_path / "ray").glob(".*"))  # no lock left


def test_without_write_here_the_driver_writes_what_the_summarizer_made(tmp_path):
    docs = write(tmp_path / "ray", **{"a.txt": GERMAN, "b.txt": ENGLISH})
    results = through_stages(docs, write_here=False)
    assert [type(r) for r in results] == [Finished, Finished]
    assert not list((tmp_path / "ray").glob("*.en.md"))  # nothing written on the node
    written = [write_claimed(r.job, r.rendered, OPTIONS) for r in results]
    assert [(r.path.name, r.status) for r in written] == [
        ("a.txt", "written"),
        ("b.txt", "written"),
    ]
    plain = write(tmp_path / "plain", **{"a.txt": GERMAN, "b.txt": ENGLISH})
    list(run_module.iter_results(plain, OPTIONS, TimedModels(Clock())))
    assert files(tmp_path / "ray") == files(tmp_path / "plain")


def test_a_done_document_is_skipped_as_it_is_prepared(tmp_path):
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    assert [r.status for r in through_stages(docs)] == ["written"]
    (again,) = through_stages(docs)
    assert (again.status, again.reason) == ("skipped", "up to date")


def test_only_a_german_document_loads_a_token_counter_for_the_runs_model(tmp_path, fake_models):
    options = RunOptions(models=ModelOptions(mt_model="mt-x", mt_revision="r1"))
    docs = write(tmp_path, **{"a.txt": ENGLISH})
    (job,) = [prepare_one(Source(d), options, RECIPE) for d in docs]
    assert isinstance(job, Job) and job.segmentation is None and job.sentences == 1
    assert fake_models == []
    docs = write(tmp_path, **{"b.txt": GERMAN})
    job = prepare_one(Source(docs[1]), options, RECIPE)
    assert isinstance(job, Job) and len(job.segmentation.chunks) == 2 and job.sentences == 2
    assert fake_models == [("mt-x", "r1")]


def test_prepare_segments_a_job_the_driver_read(tmp_path):
    (doc,) = write(tmp_path, **{"a.txt": GERMAN})
    job = prepare(doc, OPTIONS, RECIPE)
    assert isinstance(job, Job) and job.segmentation is None
    assert prepare_one(job, OPTIONS, RECIPE) is job
    assert len(job.segmentation.chunks) == 2 and job.sentences == 2


def test_a_document_that_fails_as_it_is_segmented_fails_alone(tmp_path, monkeypatch):
    def broken(location):
        raise ValueError("no tokenizer")

    monkeypatch.setattr(models_module, "TokenCounter", broken)
    docs = write(tmp_path, **{"a.txt": GERMAN, "b.txt": ENGLISH})
    out = decode(prepare_block(encode([[(0, Source(docs[0])), (1, Source(docs[1]))]]), OPTIONS, {}))
    assert isinstance(out[0], DocumentResult) and isinstance(out[1], Wave) and len(out) == 2
    assert out[0].reason == f"{docs[0].path}: ValueError: no tokenizer"
    assert [j.document.path.name for j in out[1].jobs] == ["b.txt"]


def test_a_document_another_run_works_on_is_skipped_and_its_lock_left_alone(tmp_path):
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH})
    other = OutputLock(tmp_path / "a.summary.en.md")
    assert other.acquire()
    try:
        skipped = prepare_one(Source(docs[0]), OPTIONS, RECIPE)
        assert skipped.status == "skipped"
        assert skipped.reason.startswith("another translate run is working on it")
        assert other.path.exists()  # still the other run's
    finally:
        other.release()
    job = prepare_one(Source(docs[1]), OPTIONS, RECIPE)
    assert isinstance(job, Job) and job.lock is None  # checked, and let go again
    assert busy_elsewhere(job, OPTIONS) is None and job.lock is None
    assert not list(tmp_path.glob(".*.lock"))


def test_write_claimed_skips_a_busy_document_and_fails_one_that_cannot_be_written(tmp_path):
    docs = write(tmp_path / "ray", **{"a.txt": ENGLISH, "b.txt": ENGLISH})
    made = through_stages(docs, write_here=False)
    other = OutputLock(made[0].job.summary_path)
    assert other.acquire()
    try:
        busy = write_claimed(made[0].job, made[0].rendered, OPTIONS)
    finally:
        other.release()
    assert busy.status == "skipped" and "another translate run" in busy.reason
    assert made[0].job.lock is None
    bad = made[1].rendered
    bad.files[docs[0].path / "b.en.md"] = "text"  # inside a file: cannot be written
    broken = write_claimed(made[1].job, bad, OPTIONS)
    assert broken.status == "failed" and broken.reason.startswith(f"{docs[1].path}: ")
    assert ": cannot write output (" in broken.reason  # the writer's own words, not a type
    assert made[1].job.lock is None and not list((tmp_path / "ray").glob(".*.lock"))


def test_encoded_rows_carry_one_pickled_item_each():
    batch = encode([1, "two", (3,)])
    assert list(batch) == ["item"] and batch["item"].dtype == object
    assert [pickle.loads(b) for b in batch["item"]] == [1, "two", (3,)]
    assert batch["item"][0] == pickle.dumps(1, protocol=5)
    assert decode(batch) == [1, "two", (3,)]


def test_waves_hold_only_the_jobs_of_a_block(tmp_path):
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH})
    jobs = [prepare_one(Source(d), OPTIONS, RECIPE) for d in docs]
    failed = DocumentResult(path=Path("x"), status="failed")
    (wave,) = form_waves([(0, jobs[0]), (1, failed), (2, jobs[1])])
    assert wave.jobs == jobs


def test_the_translator_passes_other_items_on_and_splits_a_wave_into_summary_groups(tmp_path):
    count = run_module.SUMMARY_GROUP + 1
    docs = write(tmp_path, **{f"d{i}.txt": ENGLISH for i in range(count)})
    jobs = [prepare_one(Source(d), OPTIONS, RECIPE) for d in docs]
    other = DocumentResult(path=Path("x"), status="skipped")
    out = decode(Translator(OPTIONS, RECIPE)(encode([other, Wave(jobs)])))
    assert out[0] == other
    assert [len(w.jobs) for w in out[1:]] == [run_module.SUMMARY_GROUP, 1]
    passed = [j for w in out[1:] for j in w.jobs]
    assert [j.document for j in passed] == [j.document for j in jobs]
    assert all(j.english == ENGLISH for j in passed)  # English text is its own translation


def test_each_actor_loads_only_its_own_model_when_it_starts():
    options = RunOptions(models=ModelOptions(mt_model="m"))
    translator = Translator(options, RECIPE)
    assert translator.options is options and translator.error is None
    assert Models.made[-1].options is options and Models.made[-1].loads == ["translator"]
    assert translator.models is Models.made[-1]
    summarizer = Summarizer(options, RECIPE, write_here=False)
    assert Models.made[-1].loads == ["summarizer"] and summarizer.models is Models.made[-1]
    assert summarizer.write_here is False and summarizer.error is None


def test_a_model_that_fails_to_load_fails_the_documents_its_actor_gets(
    tmp_path, monkeypatch, caplog
):
    class Broken(Models):
        translator = property(lambda self: (_ for _ in ()).throw(RuntimeError("no weights")))

    monkeypatch.setattr(stages, "ModelSet", Broken)
    with caplog.at_level(logging.DEBUG, logger=stages.log.name):
        translator = Translator(OPTIONS, RECIPE)
    assert translator.models is None and str(translator.error) == "no weights"
    (record,) = caplog.records
    assert record.getMessage() == "the translator failed to load" and record.exc_info
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH})
    jobs = [prepare_one(Source(d), OPTIONS, RECIPE) for d in docs]
    other = DocumentResult(path=Path("x"), status="skipped")
    out = decode(translator(encode([Wave(jobs), other])))
    assert [(r.path, r.reason) for r in out[:2]] == [
        (d.path, f"{d.path}: RuntimeError: no weights") for d in docs
    ]
    assert out[2] == other and len(out) == 3


def test_a_summarizer_that_cannot_load_fails_each_document(tmp_path, monkeypatch):
    class Broken(Models):
        summarizer = property(lambda self: (_ for _ in ()).throw(RuntimeError("no weights")))

    monkeypatch.setattr(stages, "ModelSet", Broken)
    summarizer = Summarizer(OPTIONS, RECIPE, write_here=True)
    assert summarizer.models is None
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH})
    jobs = [prepare_one(Source(d), OPTIONS, RECIPE) for d in docs]
    other = DocumentResult(path=Path("x"), status="skipped")
    out = decode(summarizer(encode([other, Wave(jobs)])))
    assert out[0] == other
    assert [r.reason for r in out[1:]] == [f"{d.path}: RuntimeError: no weights" for d in docs]
    assert not list(tmp_path.glob("*.en.md"))


def test_a_translation_that_fails_fails_every_document_of_its_wave(tmp_path):
    docs = write(tmp_path, **{"a.txt": GERMAN, "b.txt": GERMAN})
    jobs = [prepare_one(Source(d), OPTIONS, RECIPE) for d in docs]
    translator = Translator(OPTIONS, RECIPE)

    def broken(texts, settings):
        raise RuntimeError("out of memory")

    translator.models._models["translator"].generate = broken
    out = decode(translator(encode([Wave(jobs)])))
    assert [(r.status, r.reason) for r in out] == [
        ("failed", f"{d.path}: RuntimeError: out of memory") for d in docs
    ]


def test_a_failed_joint_summary_is_logged_and_each_document_summarized_alone(tmp_path, caplog):
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH})
    jobs = [prepare_one(Source(d), OPTIONS, RECIPE) for d in docs]
    for job in jobs:
        job.english = job.text
    summarizer = Summarizer(OPTIONS, RECIPE, write_here=True)
    model = summarizer.models._models["summarizer"]
    real, sizes = model.generate, []

    def alone_only(texts, settings):
        sizes.append(len(texts))
        if len(texts) > 1:
            raise RuntimeError("out of memory")
        return real(texts, settings)

    model.generate = alone_only
    with caplog.at_level(logging.DEBUG, logger=stages.log.name):
        out = decode(summarizer(encode([Wave(jobs)])))
    assert [(r.path.name, r.status) for r in out] == [("a.txt", "written"), ("b.txt", "written")]
    assert sizes == [2, 1, 1]
    (record,) = [r for r in caplog.records if r.name == stages.log.name]
    assert record.getMessage() == "summarizing documents together failed"
    assert record.levelname == "DEBUG" and record.exc_info[0] is RuntimeError


def test_a_node_with_other_models_is_refused_with_what_differs(tmp_path):
    driver = {"b": "2", "a": "1", "c": "3"}
    stages._check_same_models({"a": "1", "b": "2", "c": "3", "extra": "x"}, driver)  # no error
    with pytest.raises(TranslateError) as caught:
        stages._check_same_models({"a": "1", "b": "9", "extra": "x"}, driver)
    assert str(caught.value) == (
        f"the models on node {socket.gethostname()} differ from the run's "
        "(b: '9' here, '2' expected; c: None here, '3' expected); "
        "give every node the same model files (a hub id with the same revision, or a "
        "folder copied with its timestamps, e.g. rsync -a)"
    )
    actor = Translator(OPTIONS, {**RECIPE, "summary_model": "other"})
    assert actor.models is None and "summary_model: 'fake' here, 'other' expected" in str(
        actor.error
    )
    assert Models.made[-1].loads == []  # refused before loading anything


def test_a_document_done_meanwhile_by_another_run_is_not_written_again(tmp_path):
    docs = write(tmp_path / "ray", **{"a.txt": ENGLISH})
    (made,) = through_stages(docs, write_here=False)
    (done,) = run_module.iter_results(docs, OPTIONS, TimedModels(Clock()))  # another run
    assert done.status == "written"
    before = made.job.summary_path.stat().st_mtime_ns
    result = write_claimed(made.job, made.rendered, OPTIONS)
    assert (result.status, result.reason) == ("skipped", "done meanwhile by another run")
    assert made.job.summary_path.stat().st_mtime_ns == before
    forced = write_claimed(made.job, made.rendered, RunOptions(cache=False, force=True))
    assert forced.status == "written"


def test_force_redoes_a_done_document_through_the_stages(tmp_path):
    docs = write(tmp_path / "ray", **{"a.txt": GERMAN, "b.txt": ENGLISH})
    assert [r.status for r in through_stages(docs)] == ["written", "written"]
    forced = RunOptions(cache=False, force=True)
    assert [(r.status, r.reason) for r in through_stages(docs, options=forced)] == [
        ("written", None),
        ("written", None),
    ]
