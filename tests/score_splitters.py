"""Score German sentence splitters on the gold set (tests/data/sentences_de.txt) and on
outside text: sentences of two UD German treebanks (benchmarks/ud/, see its README).

    python -m tests.score_splitters   # this project's splitter, sentence-splitter, pysbd, SoMaJo

Boundaries are compared as offsets counted in non-space characters, so splitters that tidy
whitespace are scored fairly. Only boundaries inside paragraphs count: every splitter is
given the paragraphs (blank-line separated) one by one, so those boundaries come free. The
peers see each paragraph twice, as it is (line breaks and all) and with its line breaks as
spaces (how they are best used on wrapped text); both are reported. This project's splitter
gets the whole document, as `translate run` does (paragraphs, lines, then sentences).

On the treebanks a paragraph is a PUD document (its sentences, one after the other) or, in
GSD, whose test set keeps no paragraphs, a run of GSD_PARAGRAPH consecutive sentences; the
sentences of a paragraph are joined by one space, as in running text.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

GOLD = Path(__file__).parent / "data" / "sentences_de.txt"
TREEBANKS = Path(__file__).resolve().parent.parent / "benchmarks" / "ud"
GSD_PARAGRAPH = 5


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


def load_treebank(name: str) -> list[Document]:
    """One document per paragraph of a treebank's extract (benchmarks/ud/de_NAME.txt): its
    sentences joined by spaces, each a boundary but the first."""
    paragraphs: list[list[str]] = [[]]
    for raw in (TREEBANKS / f"de_{name}.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            paragraphs.append([])
        elif not raw.startswith("#"):
            paragraphs[-1].append(raw.split("\t", 1)[1].strip())
    if name == "gsd":  # no paragraphs kept: runs of consecutive sentences
        flat = [sentence for paragraph in paragraphs for sentence in paragraph]
        paragraphs = [flat[i : i + GSD_PARAGRAPH] for i in range(0, len(flat), GSD_PARAGRAPH)]
    documents = []
    for sentences in filter(None, paragraphs):
        doc = Document(name, " ".join(sentences) + "\n")
        doc.boundaries = starts_of(sentences)
        documents.append(doc)
    return documents


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


def _somajo():
    from somajo import SoMaJo

    tokenizer = SoMaJo("de_CMC", split_camel_case=False, character_offsets=True)

    def split(paragraph: str) -> list[str]:
        starts = [s[0].character_offset[0] for s in tokenizer.tokenize_text([paragraph]) if s]
        return [paragraph[a:b] for a, b in zip([0, *starts[1:]], [*starts[1:], len(paragraph)])]

    return split


def splitters() -> dict:
    """Name -> function(text) -> sentence starts."""
    import pysbd
    from sentence_splitter import SentenceSplitter

    koehn = SentenceSplitter(language="de").split
    sbd = pysbd.Segmenter(language="de", clean=False).segment
    somajo = _somajo()
    return {
        "translate (this project)": ours,
        "sentence-splitter 1.4": _by_paragraph(koehn, flatten=False),
        "sentence-splitter 1.4, wraps as spaces": _by_paragraph(koehn, flatten=True),
        "pysbd": _by_paragraph(sbd, flatten=False),
        "pysbd, wraps as spaces": _by_paragraph(sbd, flatten=True),
        "SoMaJo (de_CMC)": _by_paragraph(somajo, flatten=False),
        "SoMaJo (de_CMC), wraps as spaces": _by_paragraph(somajo, flatten=True),
    }


def score_all(
    documents: list[Document] | None = None, peers: dict | None = None
) -> dict[str, dict[str, Score]]:
    """Per splitter: the overall score ("all") and one per kind of document."""
    documents = documents or load_gold()
    results: dict[str, dict[str, Score]] = {}
    for name, split in (peers or splitters()).items():
        scores: dict[str, Score] = defaultdict(Score)
        for doc in documents:
            predicted = split(doc.text) - doc.paragraph_starts
            for key in ("all", doc.kind):
                scores[key].add(predicted, doc.boundaries)
        results[name] = dict(scores)
    return results


def score_sets() -> dict[str, dict[str, Score]]:
    """Per set (the gold set, UD German PUD, UD German GSD): each splitter's overall score."""
    peers = splitters()
    sets = {"gold set": load_gold(), "UD PUD": load_treebank("pud"), "UD GSD": load_treebank("gsd")}
    return {
        label: {name: scores["all"] for name, scores in score_all(docs, peers).items()}
        for label, docs in sets.items()
    }


def _print_sets() -> None:
    results = score_sets()
    labels = list(results)
    print("\nSentence-end F1 inside paragraphs, per set (P/R in brackets):")
    print(f"{'splitter':42} " + " ".join(f"{label:>20}" for label in labels))
    for name in results[labels[0]]:
        cells = [results[label][name] for label in labels]
        print(
            f"{name:42} "
            + " ".join(f"{s.f1:6.3f} ({s.precision:.3f}/{s.recall:.3f})" for s in cells)
        )


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
    _print_sets()


if __name__ == "__main__":
    sys.exit(main())
