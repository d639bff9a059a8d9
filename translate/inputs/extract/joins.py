"""Wrapped lines joined into one: words hyphenated at a line end, and web and e-mail
addresses that a typesetter broke across lines (`…/debian-faq/-` + `contributing.de.html`).
Used for PDF rows and OCR'd lines alike."""

from __future__ import annotations

import re

from translate.inputs.extract.rows import HYPHEN_MARK

# A hyphen before these words is a suspended compound ("Ein- und Ausfahrt"): keep it.
_SUSPENDED = frozenset(["und", "oder", "bzw.", "bzw", "sowie", "bis", "beziehungsweise"])
# The last word of a line that is a web or e-mail address, perhaps broken.
_ADDRESS = re.compile(r"(?:(?:https?|ftp)://|www\.|mailto:)\S*$|[\w.+-]+@\S*$")
# Characters an address is broken after (a hyphen a typesetter adds after them is no part
# of the address) and that tell a line's first word goes on with an address.
_BREAKS = "/.:_@?=&#~%"
_INSIDE = re.compile(r"[/._@?=&#~%-]")


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: `Verkehrs-` + `minister` is one word, `Nord-Süd-` + `Verbindung`
    keeps its hyphen (the part after it is capitalised), `Ein-` + `und` too; an address
    broken at a line end is whole again."""
    text = ""
    for line in lines:
        line = line.strip()
        if not text:
            text = line
        elif (joined := _address(text, line)) is not None:
            text = joined
        elif text[-1] in "-" + HYPHEN_MARK and len(text) > 1 and text[-2].isalpha():
            stem, first = text[:-1], line.split(" ", 1)[0]
            if first.lower() in _SUSPENDED:
                text = f"{stem}- {line}"
            elif first[:1].islower():
                text = stem + line
            else:
                text = f"{stem}-{line}"
        else:
            text = f"{text} {line}"
    return text.replace(HYPHEN_MARK, "-")


def _address(head: str, line: str) -> str | None:
    """`head` and `line` joined without a space where the break falls inside a web or
    e-mail address; None where it does not."""
    match = _ADDRESS.search(head, head.rfind(" ") + 1)  # the last word only
    first = line.split(" ", 1)[0] if line else ""
    if match is None or not first or not first[0].isascii():
        return None
    if head[-1] in "-" + HYPHEN_MARK and len(head) > 1 and head[-2] in _BREAKS:
        return head[:-1] + line  # `…/debian-faq/-`: the hyphen marks the break only
    if first[0] in _BREAKS + "-" and first[1:2].isalnum():
        return head + line  # broken before a separator: `…/doc` + `/manuals`
    if head[-1] in _BREAKS + "-" + HYPHEN_MARK:
        inner = first.rstrip(".,;:!?)»“\"'")
        lower = inner.isascii() and inner.islower()
        if _INSIDE.search(inner) or (head[-1] in ".@" and lower):
            return head + line  # a hyphen after a letter may be the address's own: kept
    return None
