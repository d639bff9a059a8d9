"""The summary file: Markdown with a front-matter block that records how it was made.

The front matter doubles as the record that lets a re-run skip documents already done.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from translate.files import read_head

FINGERPRINT_KEY = "fingerprint"
# Front matter is a few hundred bytes; an old output is never read further than this.
FRONT_MATTER_MAX_BYTES = 64 * 1024


def fingerprint(source_sha256: str, recipe: dict) -> str:
    """A digest of everything that determines an output: the source and how it is processed."""
    payload = json.dumps({"source": source_sha256, **recipe}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def render(front: dict, title: str, body: str) -> str:
    """Markdown: `front` as a YAML block (each value as JSON, which YAML reads), then the body."""
    lines = [
        "---",
        *(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()),
    ]
    return "\n".join([*lines, "---", "", f"# {title}", "", body.strip(), ""])


def read_front_matter(path: Path) -> dict | None:
    """The front matter of an earlier output, or None if there is none to trust.

    Reads at most FRONT_MATTER_MAX_BYTES, from a regular file only: whatever sits at an
    output's path (a FIFO, a link to /dev/zero, a huge file) costs no more than that.
    """
    head = read_head(path, FRONT_MATTER_MAX_BYTES)
    if head is None:
        return None
    lines = head.split(b"\n")
    if lines[0] != b"---":
        return None
    front = {}
    for raw in lines[1:-1]:  # the last piece may be cut off at the cap: never trusted
        try:
            line = raw.decode("utf-8")
            if line == "---":
                return front
            key, sep, value = line.partition(": ")
            if not sep:
                return None
            front[key] = json.loads(value)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
    return None


def is_up_to_date(path: Path, expected_fingerprint: str) -> bool:
    front = read_front_matter(path)
    return front is not None and front.get(FINGERPRINT_KEY) == expected_fingerprint
