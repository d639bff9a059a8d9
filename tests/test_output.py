"""The output format: front matter written for people, read back strictly."""

import hashlib
import json

from translate.outputs.front_matter import content_intact, fingerprint, read_front_matter, render


def test_front_matter_is_readable_text_not_escapes():
    text = render({"source": "Bericht über Öl.txt"}, "Summary of Bericht über Öl.txt", "Süß.")
    assert 'source: "Bericht über Öl.txt"\n' in text
    assert "\\u" not in text


def test_the_fingerprint_is_a_stable_digest_of_source_and_recipe():
    # The format is fixed: outputs written by an earlier version must stay up to date.
    expected = hashlib.sha256(b'{"model": "m", "source": "abc", "zeta": 1}').hexdigest()
    assert fingerprint("abc", {"zeta": 1, "model": "m"}) == expected
    assert fingerprint("abc", {"model": "m", "zeta": 1}) == expected  # key order is irrelevant


def test_a_front_matter_only_file_is_read(tmp_path):
    path = tmp_path / "x.md"
    path.write_text('---\ngenerator: "translate 0"\n---\n')
    assert read_front_matter(path) == {"generator": "translate 0"}


def test_content_intact_is_false_not_an_error_for_anything_but_our_output(tmp_path):
    path = tmp_path / "x.md"
    assert not content_intact(path)  # missing
    path.write_text("no front matter\n")
    assert not content_intact(path)
    path.write_text('---\ngenerator: "translate 0"\n---\n\n# T\n')  # no recorded size
    assert not content_intact(path)
    path.write_text('---\ncontent_bytes: "5"\n---\n\n# T\n')  # a size that is not a number
    assert not content_intact(path)
    made = render({"generator": "translate 0"}, "T", "Body.")
    path.write_text(made)
    assert content_intact(path)
    front = read_front_matter(path)
    assert front["content_bytes"] == len(b"\n# T\n\nBody.\n")
    assert front["content_sha256"] == hashlib.sha256(b"\n# T\n\nBody.\n").hexdigest()
    path.write_text(made + "x")
    assert not content_intact(path)
    assert json.loads(json.dumps(front)) == front
