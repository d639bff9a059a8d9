"""The benchmark's workload: German documents of realistic, varied lengths.

Documents are put together, deterministically, from the German news paragraphs in
benchmarks/german_paragraphs.txt (one paragraph a line). Their lengths follow a log-normal
spread from a single paragraph to ~5,000 words, as a folder of news items, letters and
reports would have them: most short (median ~200 words, a quarter over ~400; the seed
document has ~440), a few long.

    python -m benchmarks.workload            # writes benchmarks/workload/ (30 documents)
    python -m benchmarks.workload FOLDER --documents 4 --limit-words 150   # elsewhere, smaller
"""

from __future__ import annotations

import math
import random
import shutil
import sys
from pathlib import Path
from statistics import NormalDist

HERE = Path(__file__).resolve().parent
PARAGRAPHS = HERE / "german_paragraphs.txt"
WORKLOAD = HERE / "workload"

DOCUMENTS = 30
MEDIAN_WORDS = 200
SIGMA = 1.0  # log-normal spread: the middle half of documents is ~100-400 words
MAX_WORDS = 5000
SEED = 20240601

TITLES = ["Bericht", "Meldungen", "Protokoll", "Mitteilung", "Zusammenfassung", "Dossier"]


def target_lengths(count: int = DOCUMENTS) -> list[int]:
    """Word counts at evenly spaced quantiles of the spread; the extremes are pinned to one
    paragraph (0: meaning 'one paragraph') and to MAX_WORDS."""
    normal = NormalDist()
    lengths = [
        round(MEDIAN_WORDS * math.exp(SIGMA * normal.inv_cdf((i + 0.5) / count)))
        for i in range(count)
    ]
    lengths = [min(MAX_WORDS, n) for n in lengths]
    lengths[0] = 0
    lengths[-1] = MAX_WORDS
    return lengths


def read_paragraphs() -> list[str]:
    if not PARAGRAPHS.is_file():
        raise SystemExit(
            f"{PARAGRAPHS} is missing: it holds the German text the workload is made of"
        )
    paragraphs = [line.strip() for line in PARAGRAPHS.read_text(encoding="utf-8").splitlines()]
    return [p for p in paragraphs if p]


def compose(paragraphs: list[str], words: int, rng: random.Random, index: int) -> str:
    """A document of about `words` words (one paragraph when 0): a title, then paragraphs in
    blank-line-separated blocks, none repeated until all were used."""
    pool: list[str] = []
    body: list[str] = []
    count = 0
    while not body or count < words:
        if not pool:
            pool = paragraphs[:]
            rng.shuffle(pool)
        body.append(pool.pop())
        count += len(body[-1].split())
    title = f"{rng.choice(TITLES)} {index:02d}"
    return title + "\n\n" + "\n\n".join(body) + "\n"


def generate(
    folder: Path = WORKLOAD, count: int = DOCUMENTS, limit_words: int | None = None
) -> list[Path]:
    """Write the workload into `folder` (replacing what is there); return the files, shortest first.

    `limit_words` caps every document (the --quick smoke run)."""
    paragraphs = read_paragraphs()
    rng = random.Random(SEED)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    files = []
    for index, words in enumerate(target_lengths(count), start=1):
        if limit_words is not None:
            words = min(words, limit_words)
        text = compose(paragraphs, words, rng, index)
        path = folder / f"doc{index:02d}_{len(text.split()):04d}w.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def words_in(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").split())


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "folder", nargs="?", type=Path, default=WORKLOAD, help="written anew (default: %(default)s)"
    )
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--limit-words", type=int, help="cap every document")
    arguments = parser.parse_args()
    files = generate(arguments.folder, arguments.documents, arguments.limit_words)
    sizes = [words_in(f) for f in files]
    print(
        f"{len(files)} documents in {arguments.folder}: {sum(sizes):,} words, "
        f"{min(sizes)} to {max(sizes)} words each (median {sorted(sizes)[len(sizes) // 2]})"
    )
    sys.exit(0)
