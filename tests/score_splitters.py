"""Score German sentence splitters on the gold set (tests/data/sentences_de.txt).

    python -m tests.score_splitters          # this project's splitter, sentence-splitter, pysbd

Boundaries are compared as offsets counted in non-space characters, so splitters that tidy
whitespace are scored fairly. Only boundaries inside paragraphs count: every splitter is
given the paragraphs (blank-line separated) one by one, so those boundaries come free. The
peers see each paragraph twice, as it is (line breaks and all) and with its line breaks as
spaces (how they are best used on wrapped text); both are reported. This project's splitter
gets the whole document, as `translate run` does (paragraphs, lines, then sentences).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

GOLD = Path(__file__).parent / "data" / "sentences_de.txt"


@dataclass
class Document:
    kind: str
    text: str = ""
    boundaries: set[int] = field(default_factory=set)  # sentence starts, in non-space chars
    paragraph_starts: set[int] = field(default_factory=set)


@dataclass
class Score:
    true_positives: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, predicted: set[int], gold: set[int]) -> None:
        self.true_positives += len(predicted & gold)
        self.predicted += len(predicted)
        self.gold += len(gold)

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_gold(path: Path = GOLD) -> list[Document]:
    """The gold documents: their text and where their sentences start."""
    documents: list[Document] = []
    kind, lines = "", []
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if raw.startswith("# kind:"):
            kind = raw.split(":", 1)[1].strip()
        elif raw.startswith("#"):
            continue
        elif raw.strip():
            lines.append(raw.strip())
        elif lines:
            documents.append(_document(kind, lines))
            lines = []
    return documents


def _document(kind: str, lines: list[str]) -> Document:
    doc = Document(kind)
    paragraph_start = True
    for index, line in enumerate(lines):
        separator = "\n" if index == len(lines) - 1 else " "
        if line.endswith("¶"):
            line, separator = line[:-1], "\n\n"
        elif line.endswith("↵"):
            line, separator = line[:-1], "\n"
        offset = _chars(doc.text)
        (doc.paragraph_starts if paragraph_start else doc.boundaries).add(offset)
        doc.text += line.replace("↵", "\n") + separator
        paragraph_start = separator == "\n\n"
    doc.boundaries -= {0}
    return doc


def _chars(text: str) -> int:
    return len("".join(text.split()))


def starts_of(sentences: list[str]) -> set[int]:
    """Sentence starts (after the first), in non-space characters, of a list of sentences."""
    starts, offset = set(), 0
    for sentence in sentences:
        if sentence.strip():
            starts.add(offset)
            offset += _chars(sentence)
    return starts - {0}


def ours(text: str) -> set[int]:
    from translate.text.segment import split_blocks, split_sentences

    # Offsets in the text itself: blocks leave Markdown list markers ("- ") out of sentences.
    starts = set()
    for start, end in split_blocks(text):
        line_start = text.rfind("\n", 0, start) + 1
        if not any(ch.isalnum() for ch in text[line_start:start]):
            start_of_line = line_start  # a marker's block starts its line
        else:
            start_of_line = start
        for index, (s, _) in enumerate(split_sentences(text[start:end], "de")):
            starts.add(_chars(text[: start_of_line if index == 0 else start + s]))
    return starts - {0}


def _by_paragraph(split, flatten: bool):
    def run(text: str) -> set[int]:
        sentences = []
        for paragraph in text.split("\n\n"):
            if paragraph.strip():
                sentences += split(paragraph.replace("\n", " ") if flatten else paragraph)
        return starts_of(sentences)

    return run


def splitters() -> dict:
    """Name -> function(text) -> sentence starts."""
    import pysbd
    from sentence_splitter import SentenceSplitter

    koehn = SentenceSplitter(language="de").split
    sbd = pysbd.Segmenter(language="de", clean=False).segment
    return {
        "translate (this project)": ours,
        "sentence-splitter 1.4": _by_paragraph(koehn, flatten=False),
        "sentence-splitter 1.4, wraps as spaces": _by_paragraph(koehn, flatten=True),
        "pysbd": _by_paragraph(sbd, flatten=False),
        "pysbd, wraps as spaces": _by_paragraph(sbd, flatten=True),
    }


def score_all(documents: list[Document] | None = None) -> dict[str, dict[str, Score]]:
    """Per splitter: the overall score ("all") and one per kind of document."""
    documents = documents or load_gold()
    results: dict[str, dict[str, Score]] = {}
    for name, split in splitters().items():
        scores: dict[str, Score] = defaultdict(Score)
        for doc in documents:
            predicted = split(doc.text) - doc.paragraph_starts
            for key in ("all", doc.kind):
                scores[key].add(predicted, doc.boundaries)
        results[name] = dict(scores)
    return results


def main() -> None:
    documents = load_gold()
    results = score_all(documents)
    total = sum(len(d.boundaries) for d in documents)
    print(f"{len(documents)} documents, {total} boundaries inside paragraphs ({GOLD.name})\n")
    print(f"{'splitter':42} {'P':>6} {'R':>6} {'F1':>6}")
    for name, scores in results.items():
        s = scores["all"]
        print(f"{name:42} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f}")
    kinds = sorted({d.kind for d in documents})
    print(f"\nF1 by kind of text: {' | '.join(kinds)}")
    for name, scores in results.items():
        print(f"{name:42} " + " ".join(f"{scores[k].f1:6.3f}" for k in kinds))


if __name__ == "__main__":
    sys.exit(main())
