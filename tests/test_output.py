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


def test_front_lines_escape_what_yaml_forbids_and_nothing_else():
    from translate.outputs.front_matter import front_lines

    value = "ü\x7f\x80\x85\x9f\ud800-\udfff\ufffe\uffff\x9f!"  # lone surrogates, apart
    (line,) = front_lines({"title": value})
    assert line == (
        'title: "ü\\u007f\\u0080\\u0085\\u009f\\ud800-\\udfff\\ufffe\\uffff\\u009f!"'
    )  # ü stays as it is; each forbidden character is a \u escape, four hex digits
    assert json.loads(line.split(": ", 1)[1]) == value  # the same text read back
    assert front_lines({"a": [1, None], "b": "x"}) == ['a: [1, null]', 'b: "x"']


def test_front_matter_of_reads_a_text_read_whole():
    from translate.outputs.front_matter import front_matter_of

    text = render({"generator": "translate 1", "n": 2}, "T", "body")
    assert front_matter_of(text) == read_front_matter_text(text)
    assert front_matter_of(text)["n"] == 2
    assert front_matter_of("no front matter\n") is None
    assert front_matter_of("---\nkey: [unclosed\n---\n") is None


def read_front_matter_text(text: str) -> dict:
    head = text.split("\n---\n", 1)[0].removeprefix("---\n")
    return {k: json.loads(v) for k, v in (line.split(": ", 1) for line in head.splitlines())}


def test_read_intact_gives_the_text_as_written_within_its_bound(tmp_path, monkeypatch):
    from translate.outputs import front_matter
    from translate.outputs.front_matter import read_intact

    path = tmp_path / "x.summary.en.md"
    path.write_text(render({"fingerprint": "f"}, "Summary of x", "Ein Text."), encoding="utf-8")
    size = path.stat().st_size
    front, body = read_intact(path)
    assert front["fingerprint"] == "f" and body == "\n# Summary of x\n\nEin Text.\n"
    assert read_intact(path, max_bytes=size) == (front, body)  # the bound is inclusive
    assert read_intact(path, max_bytes=size - 1) is None
    real = front_matter.read_head
    calls = []

    def swapped(target, limit):  # the file replaced by a FIFO between the two reads
        calls.append(limit)
        return real(target, limit) if len(calls) == 1 else None

    monkeypatch.setattr(front_matter, "read_head", swapped)
    assert read_intact(path) is None and len(calls) == 2
