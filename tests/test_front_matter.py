"""The front matter's values, pinned on fixtures whose answers are known by hand."""

import hashlib
import json
import types
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_pipeline import FakeModel
from translate.cli import app
from translate.config import RunOptions
from translate.engines.models import locate
from translate.flow import job, render, steps
from translate.flow.job import decide_language
from translate.flow.run import iter_results
from translate.inputs.discovery import discover
from translate.outputs.front_matter import read_front_matter

# Four sentences ("Dr." and "z. B." end none) in three paragraphs: four chunks by default
# (a sentence each); with --chunk-tokens 64 the second paragraph's two short sentences are
# packed into one chunk: three.
GERMAN = (
    "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n\n"
    "Dr. Müller kam z. B. um fünf Uhr. Er blieb.\n\n"
    "Das ist der dritte Absatz.\n"
)
# Passed through untranslated with --source-lang en: a text with the letters each legacy
# encoding has (cp1252 has the euro sign and curly quotes, latin-1 neither).
LEGACY = {
    "cp1252": "Müller’s “Café” costs 5 € – naïve, süß.\n",
    "latin_1": "Müller's Café costs 5 EUR, naïve, süß, 20 °C.\n",
    "utf_16": "Müller’s “Café” costs 5 € – naïve, süß.\n",
    "utf_8_sig": "Müller’s “Café” costs 5 € – naïve, süß.\n",
}
SHORT_EN = "A short note."
ONE_WINDOW_EN = (
    "The government said on Monday that it would act soon on housing. Rents have risen "
    "sharply in the big cities over the last ten years, the report says."
)


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def body(path: Path) -> str:
    """The text after the title line."""
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[1].split("\n\n", 1)[1]


@pytest.mark.slow
def test_counts_of_a_german_document_known_by_hand(tmp_path, model_args):
    doc = tmp_path / "bericht.txt"
    doc.write_text(GERMAN, encoding="utf-8")
    assert invoke("run", str(doc), *model_args, "--keep-translation").exit_code == 0
    front = read_front_matter(tmp_path / "bericht.summary.en.md")
    assert front["sentences"] == 4
    assert front["translation_chunks"] == 4
    assert 0 <= front["recovered_chunks"] <= 4
    assert front["source_sha256"] == hashlib.sha256(GERMAN.encode()).hexdigest()
    assert (front["source_language"], front["detected_language"]) == ("de", "de")
    assert front["source_lang"] is None and front["translated"] is True
    assert read_front_matter(tmp_path / "bericht.en.md")["translation_chunks"] == 4
    packed = ("run", str(doc), *model_args, "--keep-translation", "--chunk-tokens", "64")
    assert invoke(*packed).exit_code == 0  # another setting: redone
    front = read_front_matter(tmp_path / "bericht.summary.en.md")
    assert (front["sentences"], front["translation_chunks"]) == (4, 3)


@pytest.mark.slow
def test_legacy_encodings_hash_the_bytes_and_pass_the_decoded_text_through(tmp_path, model_args):
    raw = {}
    for encoding, text in LEGACY.items():
        raw[encoding] = text.replace("\n", "\r\n").encode(encoding)
        (tmp_path / f"{encoding}.txt").write_bytes(raw[encoding])
    args = ("run", str(tmp_path), *model_args, "--source-lang", "en", "--keep-translation")
    assert invoke(*args).exit_code == 0
    for encoding, text in LEGACY.items():
        front = read_front_matter(tmp_path / f"{encoding}.summary.en.md")
        assert front["source_sha256"] == hashlib.sha256(raw[encoding]).hexdigest(), encoding
        assert front["source_sha256"] != hashlib.sha256(text.encode()).hexdigest()
        assert body(tmp_path / f"{encoding}.en.md") == text, encoding  # decoded, LF line ends
        assert front["translated"] is False and front["translation_chunks"] == 0
        assert front["sentences"] == 1


@pytest.mark.slow
def test_summary_passes_and_sentences_of_english_sources(tmp_path, model_args, tiny_models):
    from translate.engines.torch_backend import TorchSeq2Seq

    bart = TorchSeq2Seq(locate(str(tiny_models[1])))
    window, longest_summary = bart.max_input_tokens, 23  # max_length 24, less the start token
    long_en = " ".join([ONE_WINDOW_EN] * 5)
    # The premises, measured: each text is in the range its number of passes needs.
    assert bart.count_tokens(SHORT_EN) <= longest_summary
    assert longest_summary < bart.count_tokens(ONE_WINDOW_EN) <= window
    assert window < bart.count_tokens(long_en) <= 3 * window  # 3 parts: 3 x 23 fit a window
    for name, text in (("short", SHORT_EN), ("one", ONE_WINDOW_EN), ("long", long_en)):
        (tmp_path / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    # Too short to identify its language: processed as English only when told so.
    short = str(tmp_path / "short.txt")
    assert invoke("run", short, *model_args, "--source-lang", "en").exit_code == 0
    others = [str(tmp_path / "one.txt"), str(tmp_path / "long.txt")]
    assert invoke("run", *others, *model_args).exit_code == 0
    fronts = {
        n: read_front_matter(tmp_path / f"{n}.summary.en.md") for n in ("short", "one", "long")
    }
    assert {n: f["summary_passes"] for n, f in fronts.items()} == {"short": 0, "one": 1, "long": 2}
    assert {n: f["sentences"] for n, f in fronts.items()} == {"short": 1, "one": 2, "long": 10}
    assert {n: (f["source_language"], f["detected_language"]) for n, f in fronts.items()} == {
        "short": ("en", None),
        "one": ("en", "en"),
        "long": ("en", "en"),
    }
    assert body(tmp_path / "short.summary.en.md").endswith(SHORT_EN + "\n")


@pytest.mark.slow
def test_source_language_records_the_detected_and_the_forced_language(tmp_path, model_args):
    doc = tmp_path / "bericht.txt"
    doc.write_text(GERMAN, encoding="utf-8")
    assert invoke("run", str(doc), *model_args, "--source-lang", "en").exit_code == 0
    front = read_front_matter(tmp_path / "bericht.summary.en.md")
    assert front["source_language"] == "en" and front["source_lang"] == "en"  # forced
    assert front["detected_language"] == "de"
    assert front["sentences"] == 4 and front["translated"] is False


class Clock:
    """A fake perf_counter the fake models move on: every second is accounted for by hand."""

    def __init__(self):
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now


class TimedModel(FakeModel):
    def __init__(self, clock: Clock, per_text: float, **kwargs):
        super().__init__(**kwargs)
        self.clock, self.per_text = clock, per_text

    def describe(self, settings):
        if self.mode == "summarize":  # summaries of 5 words: these texts need one pass
            return super().describe(settings)
        # A translator's output cap that never cuts these sentences: one chunk each.
        return settings.merged_over({"max_new_tokens": 4 * self.max_input_tokens})

    def generate(self, texts, settings):
        self.clock.now += self.per_text * len(texts)
        return super().generate(texts, settings)


class TimedModels:
    """A ModelSet stand-in whose models cost 100 s to load, the first time each is used."""

    def __init__(self, clock: Clock):
        self.clock, self.device, self.loads = clock, "cpu", []
        self._models = {
            "translator": TimedModel(clock, 1.0, max_input_tokens=30),
            "summarizer": TimedModel(clock, 10.0, mode="summarize", max_input_tokens=30),
        }
        for model in self._models.values():
            model.backend = "fake"

    def _get(self, role):
        if role not in self.loads:
            self.loads.append(role)
            self.clock.now += 100.0
        return self._models[role]

    translator = property(lambda self: self._get("translator"))
    summarizer = property(lambda self: self._get("summarizer"))

    def load(self, translation: bool = True) -> None:  # as ModelSet.load
        if translation:
            self.translator  # noqa: B018
        self.summarizer  # noqa: B018

    def recipe(self) -> dict:
        return {"translation_model": "fake", "summary_model": "fake"}


def test_seconds_are_the_documents_own_work_and_share_of_batches_not_loading(tmp_path, monkeypatch):
    clock = Clock()
    fake_time = types.SimpleNamespace(perf_counter=clock.perf_counter)
    for module in (job, steps, render):  # every step that times its work
        monkeypatch.setattr(module, "time", fake_time)
    # Two chunks (two paragraphs) and one chunk; every summary is one call (10 s).
    texts = {
        "a.txt": "Der erste Absatz ist hier und er ist deutsch.\n\n"
        "Der zweite Absatz ist auch hier und deutsch.\n",
        "b.txt": "Ein einziger Absatz auf Deutsch, der hier steht und lang genug ist.\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    documents, _ = discover([tmp_path])
    models = TimedModels(clock)
    results = {r.path.name: r for r in iter_results(documents, RunOptions(), models)}
    # One shared translation batch of 3 chunks (3 s): a gets 2 s of it, b 1 s. The two
    # summaries (10 s each) are shared by the texts' sizes (the translation keeps the size).
    # The 200 s of loading are nobody's: they are the run's.
    assert sorted(models.loads) == ["summarizer", "translator"]
    total = sum(len(t) for t in texts.values())
    expected = {"a.txt": 2 + 20 * len(texts["a.txt"]) / total}
    expected["b.txt"] = 1 + 20 * len(texts["b.txt"]) / total
    assert {n: r.seconds for n, r in results.items()} == pytest.approx(expected)
    front = read_front_matter(tmp_path / "a.summary.en.md")
    assert front["seconds"] == round(expected["a.txt"], 2)


@pytest.mark.slow
def test_seconds_add_up_to_no_more_than_the_runs_wall_time(tmp_path, model_args):
    for i in range(3):
        (tmp_path / f"d{i}.txt").write_text(GERMAN * (i + 1), encoding="utf-8")
    # Without the store: d1 and d2 repeat d0's sentences, which the store would give them
    # for (next to) nothing (tests/test_store.py).
    result = invoke("run", str(tmp_path), *model_args, "--json", "--no-cache")
    report = json.loads(result.stdout)
    seconds = [d["seconds"] for d in report["documents"]]
    assert all(s > 0 for s in seconds)
    assert sum(seconds) <= report["seconds"]  # the run also loads the models: not in these


@pytest.mark.parametrize("forced", ["fr", "xx"])
def test_an_unsupported_forced_language_is_refused(forced):
    with pytest.raises(Exception, match=f"--source-lang {forced}: only de"):
        decide_language(Path("x.txt"), GERMAN, forced)
