"""run.py's flow with fake models (no model is built): what each document's failure or skip
does to the others, which models are loaded, which phases a caller hears of, waves.
Mutation testing found these unpinned (docs/mutation.md)."""

import types

import pytest

import translate.flow.run as run_module
from tests.test_front_matter import Clock, TimedModels
from tests.test_model_revision import fake_model_folder
from translate.config import ModelOptions, RunOptions
from translate.errors import ModelNotAvailableError
from translate.flow.run import iter_results, plan_waves, run_all, wave_is_full
from translate.inputs.discovery import discover
from translate.outputs.writing import OutputLock

GERMAN = "Der erste Absatz ist hier und er ist deutsch.\n"
ENGLISH = "The report says that rents have risen sharply in the big cities this year.\n"


class Recorder:
    """A Progress that records what it hears."""

    def __init__(self):
        self.phases, self.advanced = [], 0

    def phase(self, kind, text, total=None, unit=""):
        self.phases.append((kind, text, total, unit))

    def advance(self, amount=1):
        self.advanced += amount


class CountingModels(TimedModels):
    def __init__(self, clock):
        super().__init__(clock)
        self.load_calls = []

    def load(self, translation=True):
        self.load_calls.append(translation)
        super().load(translation)


def write(folder, **texts):
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return discover([folder])[0]


def outcome(results):
    return [(r.path.name, r.status) for r in results]


def test_a_caller_hears_each_phase_with_its_totals(tmp_path):
    progress = Recorder()
    docs = write(tmp_path, **{"a.txt": GERMAN, "b.txt": GERMAN})
    results = list(iter_results(docs, RunOptions(), CountingModels(Clock()), progress))
    assert outcome(results) == [("a.txt", "written"), ("b.txt", "written")]
    kinds = [p[0] for p in progress.phases]
    assert progress.phases[0] == ("read", "reading the documents", 2, "documents")
    assert ("summarize", "summarizing", 2, "documents") in progress.phases
    assert kinds.index("read") < kinds.index("translate") < kinds.index("summarize")
    # 2 documents read, the translated tokens, 2 documents summarized.
    translate = next(p for p in progress.phases if p[0] == "translate")
    assert progress.advanced == 2 + translate[2] + 2


def test_only_english_documents_load_no_translator_once(tmp_path):
    models = CountingModels(Clock())
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": ENGLISH})
    assert outcome(iter_results(docs, RunOptions(), models)) == [
        ("a.txt", "written"),
        ("b.txt", "written"),
    ]
    assert models.load_calls == [False] and models.loads == ["summarizer"]


def test_a_german_document_among_english_ones_loads_the_translator(tmp_path):
    models = CountingModels(Clock())
    docs = write(tmp_path, **{"a.txt": ENGLISH, "b.txt": GERMAN})
    assert [r.status for r in iter_results(docs, RunOptions(), models)] == ["written"] * 2
    assert models.load_calls == [True] and sorted(models.loads) == ["summarizer", "translator"]


def test_documents_after_a_failed_or_busy_one_are_still_done(tmp_path, monkeypatch):
    docs = write(
        tmp_path,
        **{"a.txt": GERMAN, "b.txt": "", "c.txt": GERMAN, "d.txt": GERMAN, "e.txt": GERMAN},
    )
    models = CountingModels(Clock())
    count = models._models["translator"].count_tokens

    def count_or_fail(text):  # segmentation of c fails
        if "KAPUTT" in text:
            raise ValueError("cannot count this")
        return count(text)

    (tmp_path / "c.txt").write_text("KAPUTT " + GERMAN, encoding="utf-8")
    models._models["translator"].count_tokens = count_or_fail
    real_claim = run_module.claim

    def claim(job, options):  # d's output folder cannot be used
        if job.document.path.name == "d.txt":
            raise OSError("disk on fire")
        return real_claim(job, options)

    monkeypatch.setattr(run_module, "claim", claim)
    busy = OutputLock(tmp_path / "a.summary.en.md")
    assert busy.acquire()  # another run works on a
    try:
        results = {r.path.name: r for r in iter_results(docs, RunOptions(), models)}
    finally:
        busy.release()
    # b fails as it is read; a, c and d are said before e's wave is translated.
    assert [(n, r.status) for n, r in results.items()] == [
        ("b.txt", "failed"),
        ("a.txt", "skipped"),
        ("c.txt", "failed"),
        ("d.txt", "failed"),
        ("e.txt", "written"),
    ]
    path = {n: str(tmp_path / n) for n in results}
    assert results["a.txt"].reason.startswith("another translate run is working on it")
    assert results["b.txt"].reason == f"{path['b.txt']}: the file is empty"
    assert results["c.txt"].reason == f"{path['c.txt']}: ValueError: cannot count this"
    assert results["d.txt"].reason == f"{path['d.txt']}: OSError: disk on fire"
    assert sorted(p.name for p in tmp_path.glob(".*")) == []  # every lock freed
    assert models.load_calls == [True]  # loaded once, for all


def test_a_wave_is_full_at_exactly_its_chunk_count(monkeypatch):
    def job(chunks):
        return types.SimpleNamespace(segmentation=types.SimpleNamespace(chunks=[0] * chunks))

    english = types.SimpleNamespace(segmentation=None)
    assert wave_is_full([job(255), english, job(1)])
    assert not wave_is_full([job(254), english, job(1)])
    assert run_module.WAVE_CHUNKS == 256


def test_without_models_given_the_run_locates_its_own_and_reports_it(tmp_path):
    folders = [fake_model_folder(tmp_path / n) for n in ("mt", "sum")]
    options = RunOptions(
        models=ModelOptions(
            mt_model=str(folders[0]), summary_model=str(folders[1]), backend="torch"
        )
    )
    progress = Recorder()
    docs = write(tmp_path, **{"a.txt": GERMAN})
    with pytest.raises(ModelNotAvailableError, match="could not be loaded"):
        list(iter_results(docs, options, progress=progress))
    assert progress.phases[0] == ("locate", "locating the models", None, "")


def test_run_all_reports_what_discovery_left_out_then_the_documents(tmp_path):
    (tmp_path / "a.txt").write_text(GERMAN, encoding="utf-8")
    missing = tmp_path / "missing.txt"
    results = run_all([missing, tmp_path], RunOptions(), CountingModels(Clock()))
    assert outcome(results) == [("missing.txt", "failed"), ("a.txt", "written")]
    assert results[0].reason.startswith(f"{missing}: ")
    assert run_module.process_paths is run_all


def test_run_all_finds_documents_with_the_runs_own_discovery_options(tmp_path):
    inbox, out, outside = tmp_path / "inbox", tmp_path / "out", tmp_path / "outside"
    (inbox / "sub").mkdir(parents=True)
    outside.mkdir()
    (inbox / "sub" / "deep.txt").write_text(GERMAN, encoding="utf-8")
    (inbox / "keep.txt").write_text(GERMAN, encoding="utf-8")
    (inbox / "skip-me.txt").write_text(GERMAN, encoding="utf-8")
    (inbox / "notes.md").write_text(GERMAN, encoding="utf-8")  # not included
    (outside / "linked.txt").write_text(GERMAN, encoding="utf-8")
    (inbox / "link.txt").symlink_to(outside / "linked.txt")
    options = RunOptions(
        recursive=True,
        output_dir=out,
        follow_symlinks=True,
        include=("*.txt",),
        exclude=("skip-*",),
    )
    results = run_all([inbox], options, CountingModels(Clock()))
    assert sorted((r.path.name, r.status) for r in results) == [
        ("deep.txt", "written"),
        ("keep.txt", "written"),
        ("link.txt", "written"),
    ]
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.summary.en.md"))
    assert written == ["keep.summary.en.md", "link.summary.en.md", "sub/deep.summary.en.md"]


def test_every_wave_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "WAVE_CHUNKS", 1)  # a wave per document
    progress = Recorder()
    docs = write(tmp_path, **{"a.txt": GERMAN, "b.txt": GERMAN})
    results = list(iter_results(docs, RunOptions(), CountingModels(Clock()), progress))
    assert outcome(results) == [("a.txt", "written"), ("b.txt", "written")]
    summarizing = [p for p in progress.phases if p[0] == "summarize"]
    assert summarizing == [("summarize", "summarizing", 1, "documents")] * 2


def test_a_failed_joint_summary_is_logged_and_each_document_summarized_alone(tmp_path, caplog):
    models = CountingModels(Clock())
    summarizer = models._models["summarizer"]
    real = summarizer.generate

    def fails_together(texts, settings):  # a group fails; each document alone works
        if len(texts) > 1:
            raise RuntimeError("out of memory")
        return real(texts, settings)

    summarizer.generate = fails_together
    docs = write(tmp_path, **{"a.txt": GERMAN, "b.txt": GERMAN})
    with caplog.at_level("DEBUG", logger="translate.flow.run"):
        results = list(iter_results(docs, RunOptions(), models))
    assert outcome(results) == [("a.txt", "written"), ("b.txt", "written")]
    (record,) = [r for r in caplog.records if r.name == "translate.flow.run"]
    assert record.getMessage() == "summarizing documents together failed"
    assert record.levelname == "DEBUG" and record.exc_info[0] is RuntimeError  # for --verbose


def test_a_document_failing_after_the_last_wave_is_still_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "WAVE_CHUNKS", 1)  # a is a wave of its own at once
    models = CountingModels(Clock())
    count = models._models["translator"].count_tokens

    def count_or_fail(text):
        if "KAPUTT" in text:
            raise ValueError("cannot count this")
        return count(text)

    models._models["translator"].count_tokens = count_or_fail
    docs = write(tmp_path, **{"a.txt": GERMAN, "b.txt": "KAPUTT " + GERMAN})
    assert outcome(iter_results(docs, RunOptions(), models)) == [
        ("a.txt", "written"),
        ("b.txt", "failed"),
    ]


def test_waves_close_at_each_block_of_documents(monkeypatch):
    monkeypatch.setattr(run_module, "FIRST_WAVE_CHUNKS", run_module.WAVE_CHUNKS)  # no growing

    def job(name):
        return types.SimpleNamespace(name=name, segmentation=types.SimpleNamespace(chunks=[0]))

    jobs = [(i, job(i)) for i in range(run_module.WAVE_DOCUMENTS + 3) if i != 2]
    waves = [[j.name for j in wave] for wave in plan_waves(jobs)]
    block = run_module.WAVE_DOCUMENTS
    assert waves == [[i for i in range(block) if i != 2], list(range(block, block + 3))]


def test_each_blocks_waves_start_small_and_grow_to_full_size():
    def job(name):  # ten chunks each
        return types.SimpleNamespace(name=name, segmentation=types.SimpleNamespace(chunks=[0] * 10))

    jobs = [(i, job(i)) for i in range(run_module.WAVE_DOCUMENTS + 40)]
    sizes = [sum(len(j.segmentation.chunks) for j in w) for w in plan_waves(jobs)]
    # Full at 32, 64, 128, then 256 chunks: the first documents are written after a short
    # wave; the block's last wave is cut at its end, and the next block starts small again,
    # as a Ray run's (one block per task) does.
    assert sizes == [40, 70, 130, 260, 140, 40, 70, 130, 160]
    assert [run_module.wave_limit(n) for n in range(6)] == [32, 64, 128, 256, 256, 256]
