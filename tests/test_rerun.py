"""Re-runs: what makes an output out of date, and what each kind of skip says.

Unit level (no model runs) except the last tests, which go through the CLI once each.
"""

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_model_revision import fake_model_folder
from translate.cli import app
from translate.config import GenerationSettings, ModelOptions, RunOptions
from translate.engines import models as models_module
from translate.engines.modelset import ModelSet
from translate.flow.job import UP_TO_DATE, DocumentResult, Job, claim, prepare, release
from translate.inputs.discovery import Document
from translate.outputs.front_matter import content_intact, fingerprint, read_front_matter, render
from translate.outputs.writing import OutputLock

GERMAN = "Der Präsident sagte am Montag in Berlin, dass die Regierung bald handeln werde.\n"
RECIPE = {
    "translation_model": "org/mt",
    "translation_model_revision": "r1",
    "summary_model": "org/sum",
    "summary_model_revision": "r2",
    "backend": "auto",
    "quantize": "none",
    "translation_settings": {"max_length_ratio": 2.0},
    "summary_settings": {},
    "chunk_tokens": 64,
    "source_lang": None,
}
COMMITS = ("1" * 40, "2" * 40)


def source(tmp_path: Path, text: str = GERMAN) -> tuple[Document, str]:
    path = tmp_path / "brief.txt"
    path.write_text(text, encoding="utf-8")
    return Document(path=path, output_dir=tmp_path), hashlib.sha256(path.read_bytes()).hexdigest()


def finish(path: Path, fp: str) -> None:
    """An output as a finished earlier run leaves it."""
    path.write_text(render({"generator": "translate 0", "fingerprint": fp}, "T", "Text."))


def test_an_ordinary_rerun_is_skipped_before_any_lock_with_its_own_reason(tmp_path):
    document, sha = source(tmp_path)
    finish(tmp_path / "brief.summary.en.md", fingerprint(sha, RECIPE))
    holder = OutputLock(tmp_path / "brief.summary.en.md")
    assert holder.acquire()  # another run holds the lock: an up-to-date skip needs none
    try:
        result = prepare(document, RunOptions(), RECIPE)
    finally:
        holder.release()
    assert isinstance(result, DocumentResult)
    assert (result.status, result.reason) == ("skipped", UP_TO_DATE)
    assert result.outputs == (tmp_path / "brief.summary.en.md",)
    assert isinstance(prepare(document, RunOptions(force=True), RECIPE), Job)


def test_a_document_locked_by_another_run_is_skipped_and_says_so(tmp_path):
    document, _ = source(tmp_path)
    job = prepare(document, RunOptions(), RECIPE)
    holder = OutputLock(tmp_path / "brief.summary.en.md")
    assert holder.acquire()
    try:
        result = claim(job, RunOptions())
    finally:
        holder.release()
    assert result.status == "skipped"
    assert result.reason == "another translate run is working on it (.brief.summary.en.md.lock)"
    assert job.lock is None


def test_a_document_finished_by_another_run_meanwhile_is_skipped_under_the_lock(tmp_path):
    document, sha = source(tmp_path)
    job = prepare(document, RunOptions(), RECIPE)
    assert isinstance(job, Job)
    finish(tmp_path / "brief.summary.en.md", job.fingerprint)  # the other run, in between
    result = claim(job, RunOptions())
    assert (result.status, result.reason) == ("skipped", "done meanwhile by another run")
    assert OutputLock(tmp_path / "brief.summary.en.md").acquire()  # the lock was let go
    forced = prepare(document, RunOptions(force=True), RECIPE)
    assert claim(forced, RunOptions(force=True)) is None and forced.lock is not None
    release(forced)


@pytest.mark.parametrize("key", sorted(RECIPE))
def test_every_part_of_the_recipe_is_in_the_fingerprint(tmp_path, key):
    document, sha = source(tmp_path)
    finish(tmp_path / "brief.summary.en.md", fingerprint(sha, RECIPE))
    changed = {**RECIPE, key: "something else"}
    assert isinstance(prepare(document, RunOptions(), changed), Job)
    assert fingerprint(hashlib.sha256(b"other bytes").hexdigest(), RECIPE) != fingerprint(
        sha, RECIPE
    )


def put_in_hub_cache(folder: Path, repo_id: str, commit: str) -> None:
    repo = models_module.hub_cache_dir() / f"models--{repo_id.replace('/', '--')}"
    shutil.copytree(folder, repo / "snapshots" / commit, dirs_exist_ok=True)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(commit)


def test_the_recipe_names_each_model_its_revision_and_every_setting(tmp_path):
    marian, bart = fake_model_folder(tmp_path / "marian"), fake_model_folder(tmp_path / "bart", 8)
    for commit in COMMITS:
        put_in_hub_cache(marian, "rerun-org/mt", commit)
    options = RunOptions(
        models=ModelOptions(mt_model="rerun-org/mt", summary_model=str(bart), device="cpu")
    )
    recipe = ModelSet(options).recipe()
    assert recipe["translation_model"] == "rerun-org/mt"
    assert recipe["translation_model_revision"] == COMMITS[1]  # what refs/main names
    assert recipe["summary_model"] == str(bart)
    assert recipe["summary_model_revision"] == models_module.locate(str(bart)).revision
    variants = {
        "mt revision": options.with_models(mt_revision=COMMITS[0]),
        "mt model": options.with_models(mt_model=str(marian)),
        "summary model": options.with_models(summary_model=str(marian)),
        "backend": options.with_models(backend="torch"),
        "quantize": options.with_models(quantize="int8"),
        "beams": RunOptions(models=options.models, translation=GenerationSettings(num_beams=1)),
        "summary": RunOptions(models=options.models, summary=GenerationSettings(num_beams=1)),
        "chunks": RunOptions(models=options.models, chunk_tokens=32),
        "language": RunOptions(models=options.models, source_lang="de"),
    }
    fingerprints = {fingerprint("s", recipe)}
    for name, variant in variants.items():
        fingerprints.add(fingerprint("s", ModelSet(variant).recipe()))
        assert len(fingerprints) == 2 + list(variants).index(name), name
    assert ModelSet(variants["mt revision"]).recipe()["translation_model_revision"] == COMMITS[0]
    for commit in COMMITS:
        put_in_hub_cache(bart, "rerun-org/sum", commit)
    pinned = options.with_models(summary_model="rerun-org/sum", summary_revision=COMMITS[0])
    assert ModelSet(pinned).recipe()["summary_model_revision"] == COMMITS[0]


def test_a_missing_or_edited_translation_makes_the_document_redone(tmp_path):
    document, sha = source(tmp_path)
    options = RunOptions(keep_translation=True)
    summary, translation = tmp_path / "brief.summary.en.md", tmp_path / "brief.en.md"
    finish(summary, fingerprint(sha, RECIPE))
    assert isinstance(prepare(document, options, RECIPE), Job)  # the translation is missing
    finish(translation, fingerprint(sha, RECIPE))
    assert prepare(document, options, RECIPE).reason == UP_TO_DATE
    for edit in (
        lambda text: text + "A line added by hand.\n",
        lambda text: text[:-3] + "\n",  # cut short
        lambda text: text.replace("Text.", "Txet."),  # same size
        lambda text: text.replace("# T\n\n", "# T\r\n\r\n"),  # an editor's line ends
    ):
        original = translation.read_text(encoding="utf-8")
        translation.write_bytes(edit(original).encode("utf-8"))
        assert not content_intact(translation)
        assert isinstance(prepare(document, options, RECIPE), Job)
        translation.write_text(original, encoding="utf-8")
    assert content_intact(translation)
    finish(summary, fingerprint(sha, RECIPE))
    summary.write_text(summary.read_text() + "edited\n")
    assert isinstance(prepare(document, RunOptions(), RECIPE), Job)


def test_front_matter_without_its_closing_fence_is_not_trusted(tmp_path):
    path = tmp_path / "x.summary.en.md"
    text = render({"generator": "translate 0", "fingerprint": "f"}, "T", "Body.")
    path.write_text(text)
    assert read_front_matter(path)["fingerprint"] == "f"
    head = text.split("\n---\n")[0] + "\n"
    for broken in (head, head + "# T\n", "\n" + text, text.replace(': "f"', ' "f"')):
        path.write_text(broken)
        assert read_front_matter(path) is None, broken
    path.write_text(text.replace('"f"', '"f'))  # a value that is not JSON
    assert read_front_matter(path) is None


def without_timing(output: bytes) -> bytes:
    """The output but its time and how many chunks the store gave (a rerun takes them all)."""
    drop = (b"seconds:", b"chunks_from_store:")
    return b"\n".join(line for line in output.split(b"\n") if not line.startswith(drop))


def invoke(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def statuses(*args: str) -> dict[str, str]:
    result = invoke(*args, "--json")
    return {
        Path(d["path"]).name: (d["status"], d["reason"])
        for d in json.loads(result.stdout)["documents"]
    }


@pytest.mark.slow
def test_keep_translation_rewrites_a_deleted_or_edited_translation(tmp_path, model_args):
    doc = tmp_path / "brief.txt"
    doc.write_text(GERMAN, encoding="utf-8")
    args = ("run", str(doc), *model_args, "--keep-translation")
    assert invoke(*args).exit_code == 0
    translation = tmp_path / "brief.en.md"
    made = translation.read_bytes()
    assert statuses(*args) == {"brief.txt": ("skipped", UP_TO_DATE)}
    translation.unlink()
    assert statuses(*args) == {"brief.txt": ("written", None)}
    assert without_timing(translation.read_bytes()) == without_timing(made)  # same models
    translation.write_bytes(made + b"Mein Kommentar.\n")
    assert statuses(*args) == {"brief.txt": ("written", None)}
    assert without_timing(translation.read_bytes()) == without_timing(made)


@pytest.mark.slow
def test_a_changed_local_model_redoes_the_document(tmp_path, tiny_models):
    doc = tmp_path / "brief.txt"
    doc.write_text(GERMAN, encoding="utf-8")
    summarizer = tmp_path / "bart"
    shutil.copytree(tiny_models[1], summarizer)
    args = ("run", str(doc), "--mt-model", str(tiny_models[0]), "--summary-model", str(summarizer))
    assert invoke(*args).exit_code == 0
    assert statuses(*args) == {"brief.txt": ("skipped", UP_TO_DATE)}
    config = json.loads((summarizer / "generation_config.json").read_text())
    config["num_beams"] = 1
    (summarizer / "generation_config.json").write_text(json.dumps(config))
    assert statuses(*args) == {"brief.txt": ("written", None)}
    front = read_front_matter(tmp_path / "brief.summary.en.md")
    assert front["summary_model_revision"] == models_module.locate(str(summarizer)).revision
