"""The output files: Markdown with a front-matter block that records how each was made.

The front matter doubles as the record that lets a re-run skip documents already done: the
fingerprint says what the output was made from, and the size and hash of the text after the
front matter say whether the file is still what was written (an edited or cut output is
made again).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from translate.safe_open import read_head

_YAML_UNSAFE = re.compile("[\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
FINGERPRINT_KEY = "fingerprint"
CONTENT_BYTES_KEY = "content_bytes"
CONTENT_KEY = "content_sha256"
# Front matter is a few hundred bytes; an old output is never read further than this.
FRONT_MATTER_MAX_BYTES = 64 * 1024


def fingerprint(source_sha256: str, recipe: dict) -> str:
    """A digest of everything that determines an output: the source and how it is processed."""
    payload = json.dumps({"source": source_sha256, **recipe}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def render(front: dict, title: str, body: str) -> str:
    """Markdown: `front` as a YAML block (each value as JSON, which YAML reads), then the body.

    The block ends with the size and hash of the UTF-8 text after it.
    """
    content = f"\n# {title}\n\n{body.strip()}\n".encode()
    front = {**front, CONTENT_BYTES_KEY: len(content), CONTENT_KEY: _digest(content)}
    return "\n".join(["---", *front_lines(front), "---", ""]) + content.decode()


def front_lines(front: dict) -> list[str]:
    """`key: value` lines, each value as JSON that YAML reads too: JSON leaves DEL, the C1
    controls, lone surrogates and U+FFFE/U+FFFF raw, which YAML forbids, so they are escaped
    (json.loads gives back the same text)."""
    lines = []
    for key, value in front.items():
        text = json.dumps(value, ensure_ascii=False)
        lines.append(f"{key}: {_YAML_UNSAFE.sub(_escape, text)}")
    return lines


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def read_front_matter(path: Path) -> dict | None:
    """The front matter of an earlier output, or None if there is none to trust.

    Reads at most FRONT_MATTER_MAX_BYTES, from a regular file only: whatever sits at an
    output's path (a FIFO, a link to /dev/zero, a huge file) costs no more than that.
    """
    head = read_head(path, FRONT_MATTER_MAX_BYTES)
    parsed = _parse_front_matter(head) if head is not None else None
    return parsed[0] if parsed is not None else None


def content_intact(path: Path) -> bool:
    """True if the text after `path`'s front matter is exactly what was written: the size
    and hash it records. Reads no more than the front matter and that size (and one byte)."""
    return read_intact(path) is not None


def read_intact(path: Path, max_bytes: int | None = None) -> tuple[dict, str] | None:
    """The front matter and the text after it of an output that is exactly as written (see
    `content_intact`), or None; also None when the file is over `max_bytes`."""
    head = read_head(path, FRONT_MATTER_MAX_BYTES)
    parsed = _parse_front_matter(head) if head is not None else None
    if parsed is None or not isinstance(parsed[0].get(CONTENT_BYTES_KEY), int):
        return None
    front, start = parsed
    end = start + front[CONTENT_BYTES_KEY]
    if max_bytes is not None and end > max_bytes:
        return None
    data = read_head(path, end + 1)
    if data is None or len(data) != end or _digest(data[start:]) != front.get(CONTENT_KEY):
        return None
    return front, data[start:].decode("utf-8")


def front_matter_of(text: str) -> dict | None:
    """The front matter at the start of `text` (a file read whole and decoded), or None."""
    parsed = _parse_front_matter(text.encode())
    return parsed[0] if parsed is not None else None


def _parse_front_matter(head: bytes) -> tuple[dict, int] | None:
    """The front matter at the start of `head`, and the offset where the text after it starts."""
    lines = head.split(b"\n")
    if lines[0] != b"---":
        return None
    front = {}
    offset = len(lines[0]) + 1
    for raw in lines[1:-1]:  # the last piece may be cut off at the cap: never trusted
        offset += len(raw) + 1
        try:
            line = raw.decode("utf-8")
            if line == "---":
                return front, offset
            key, sep, value = line.partition(": ")
            if not sep:
                return None
            front[key] = json.loads(value)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
    return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
