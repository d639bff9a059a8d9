"""A document's translation: its chunks, one English output and one verdict for each."""

from __future__ import annotations

from dataclasses import dataclass

from translate.text.fidelity import Verdict
from translate.text.segment import Segmentation


@dataclass
class TranslationStats:
    chunks: int = 0
    recovered: int = 0  # chunks whose first translation was degenerate and was redone
    retranslated: int = 0  # chunks that failed the completeness check and were redone in pieces
    suspect: int = 0  # chunks that failed it even so: kept, and flagged for the reader
    from_store: int = 0  # chunks whose translation was taken from the translation store


@dataclass
class DocumentTranslation:
    """A document's chunks translated: one output and one verdict per chunk."""

    segmentation: Segmentation
    outputs: list[str]  # a kept chunk (an English block) holds its source text
    verdicts: list[Verdict | None]  # None for a kept chunk
    stats: TranslationStats

    @property
    def text(self) -> str:
        """The translation, laid out like the source."""
        return self.segmentation.reassemble(self.outputs)

    def flagged(self) -> list[int]:
        """Indices of the chunks whose translation may have lost content."""
        return [i for i, v in enumerate(self.verdicts) if v is not None and not v.ok]
