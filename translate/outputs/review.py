"""What a reader checks a translation with: flagged passages marked in the translation, and
the bilingual view (each source paragraph followed by its translation, chunk by chunk).

A passage is flagged when its translation failed the completeness check (fidelity.py) even
after it was translated again sentence by sentence and clause by clause.
"""

from __future__ import annotations

import re
from itertools import groupby

from translate.text.translated import DocumentTranslation

FLAG = "⚠"


def marked_translation(translation: DocumentTranslation) -> str:
    """The translation laid out like its source, each flagged passage marked by a warning
    sign and a footnote that says what is wrong and quotes the source."""
    outputs = list(translation.outputs)
    notes = []
    chunks = translation.segmentation.chunks
    # Numbered after the document's own footnotes (`[^1]` in a PDF), never one of theirs.
    own = re.findall(r"\[\^(\d{1,4})\]", translation.segmentation.reassemble(outputs))
    first = max(map(int, own), default=0) + 1
    for number, index in enumerate(translation.flagged(), start=first):
        outputs[index] = f"{FLAG} {outputs[index].strip()}[^{number}]"
        notes.append(
            f"[^{number}]: {FLAG} This passage {_doubt(translation, index)}; "
            f"check it against the source: „{chunks[index].clean}“"
        )
    text = translation.segmentation.reassemble(outputs).strip()
    return text + ("\n\n" + "\n".join(notes) if notes else "")


def bilingual(translation: DocumentTranslation) -> str:
    """Each source block (paragraph, heading, list item) followed by its translation as a
    quote; numbered chunks ([1], [2] ...) align the two sides, and each flagged one is marked
    and explained under its paragraph."""
    chunks = translation.segmentation.chunks
    flagged = set(translation.flagged())
    sections = []
    for _, members in groupby(range(len(chunks)), key=lambda i: chunks[i].block):
        indices = list(members)
        numbered = len(indices) > 1 or bool(flagged.intersection(indices))
        source = " ".join(_label(i, numbered) + chunks[i].clean for i in indices)
        if all(translation.verdicts[i] is None for i in indices):
            sections.append(f"{source}\n\n> _(already in English: kept as it is)_")
            continue
        english = " ".join(
            _label(i, numbered)
            + (f"{FLAG} " if i in flagged else "")
            + " ".join(translation.outputs[i].split())
            for i in indices
        )
        doubts = [
            f">\n> {FLAG} [{i + 1}] {_doubt(translation, i)}." for i in indices if i in flagged
        ]
        sections.append("\n".join([source, "", f"> {english}", *doubts]))
    return "\n\n".join(sections)


def _label(index: int, numbered: bool) -> str:
    return f"**[{index + 1}]** " if numbered else ""


def _doubt(translation: DocumentTranslation, index: int) -> str:
    return f"may have lost content ({translation.verdicts[index]})"
