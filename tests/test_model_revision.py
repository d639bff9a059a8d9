"""A local model folder's revision follows its content (models._folder_revision)."""

import json
import os
from pathlib import Path

from translate.engines import models as models_module


def fake_model_folder(folder: Path, d_model: int = 16) -> Path:
    """Enough of a model folder to be located (nothing here loads it)."""
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"d_model": d_model, "vocab_size": 400}))
    (folder / "tokenizer_config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(bytes(range(256)) * 8)
    return folder


def test_a_local_model_folder_revision_follows_its_content(tmp_path, monkeypatch):
    folder = fake_model_folder(tmp_path / "model")
    revision = models_module._folder_revision
    first = revision(folder)
    assert first.startswith("local-") and revision(folder) == first

    def edit_keeping_size_and_time(path: Path, old: bytes, new: bytes) -> None:
        stat = path.stat()
        data = path.read_bytes()
        assert len(old) == len(new) and old in data
        path.write_bytes(data.replace(old, new, 1))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    config = folder / "config.json"
    edit_keeping_size_and_time(config, b'"d_model": 16', b'"d_model": 61')
    second = revision(folder)
    assert second != first  # a small file is known by its content, not its size and time
    (folder / ".cache").mkdir()
    (folder / ".cache" / "download.lock").write_text("x")
    (folder / ".notes").write_text("x")
    assert revision(folder) == second  # hidden files are not part of the model
    (folder / "sub").mkdir()
    (folder / "sub" / "extra.json").write_text("{}")
    third = revision(folder)
    assert third != second  # nor are files in sub-folders left out

    # Weights (here: anything from 1 kB on) are known by size and time, never read.
    monkeypatch.setattr(models_module, "_HASHED_BELOW_BYTES", 1000)
    weights = folder / "model.safetensors"
    by_stat = revision(folder)
    data = weights.read_bytes()
    edit_keeping_size_and_time(weights, data[-8:], bytes(8))
    assert revision(folder) == by_stat  # documented: same size and time go unnoticed
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 1))
    assert revision(folder) != by_stat
