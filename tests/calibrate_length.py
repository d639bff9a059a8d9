"""How long is English against its German source? The data behind fidelity's length floor.

    python -m tests.calibrate_length

tests/data/corpus_en.txt translates some lines of corpus_de.txt, in order, with lines left
out. Pairs are found by a monotonic alignment that rewards shared numbers and names; pairs
that share enough of them (score >= 3) are kept, and their character ratios (spaces not
counted) are summarized. Some English lines are abridged: they sit at the bottom.
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

DATA = Path(__file__).parent / "data"


def _features(line: str) -> tuple[set[str], set[str]]:
    numbers = {re.sub(r"[.,]", "", n) for n in re.findall(r"\d[\d.,]*\d|\d", line)}
    names = set(re.findall(r"\b[A-ZÄÖÜ][\wäöüß-]{3,}", line))
    return numbers, names


def aligned_pairs() -> list[tuple[str, str]]:
    german = (DATA / "corpus_de.txt").read_text(encoding="utf-8").splitlines()
    english = (DATA / "corpus_en.txt").read_text(encoding="utf-8").splitlines()
    de, en = [_features(s) for s in german], [_features(s) for s in english]

    def score(i: int, j: int) -> int:
        shared = 3 * len(de[i][0] & en[j][0]) + 2 * len(de[i][1] & en[j][1])
        plausible = 0.6 < len(english[j]) / max(1, len(german[i])) < 1.4
        return shared - 2 * len(de[i][0] ^ en[j][0]) + (1 if plausible else -2)

    n, m = len(german), len(english)
    best = [[0.0] * (m + 1)] + [[0.0] + [-1e9] * m for _ in range(n)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best[i][j] = max(best[i - 1][j], best[i - 1][j - 1] + score(i - 1, j - 1))
    pairs, i, j = [], n, m
    while i and j:
        if best[i][j] == best[i - 1][j - 1] + score(i - 1, j - 1):
            if score(i - 1, j - 1) >= 3:
                pairs.append((german[i - 1], english[j - 1]))
            i, j = i - 1, j - 1
        else:
            i -= 1
    return pairs[::-1]


def main() -> None:
    from translate.text.fidelity import length_ratio

    ratios = sorted(length_ratio(de, en) for de, en in aligned_pairs())
    print(
        f"{len(ratios)} pairs: median {statistics.median(ratios):.2f}, "
        f"mean {statistics.mean(ratios):.2f}, 5th percentile {ratios[len(ratios) // 20]:.2f}, "
        f"lowest {ratios[0]:.2f}, highest {ratios[-1]:.2f}"
    )


if __name__ == "__main__":
    main()
