"""The scaling plot: seconds and peak memory of the default run against words.

matplotlib is a benchmark-only dependency (`pip install matplotlib`); without it the
benchmark says so and writes no plot.
"""

from __future__ import annotations

from pathlib import Path


def scaling_plot(rows: list[dict], out: Path, title: str) -> str | None:
    """Write the PNG; return None, or why it was not written."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, no display
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install matplotlib): no plot"
    words = [r["words"] for r in rows]
    seconds = [r["seconds"] for r in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(words, seconds, "o-", label="measured")
    per_word = sum(seconds) / sum(words)  # a line through the origin at the mean rate
    left.plot([0, max(words)], [0, per_word * max(words)], "--", color="grey",
              label=f"linear: {1000 * per_word:.1f} s per 1,000 words")  # fmt: skip
    for r in rows:
        left.annotate(f"{r['documents']} docs", (r["words"], r["seconds"]),
                      textcoords="offset points", xytext=(4, -12), fontsize=8)  # fmt: skip
    left.set_xlabel("words in the workload")
    left.set_ylabel("seconds (whole run, models loaded)")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    right.plot([r["documents"] for r in rows], [r["peak_rss_mb"] for r in rows], "o-")
    right.set_xscale("log")
    right.set_ylim(0, max(1300, 1.1 * max(r["peak_rss_mb"] for r in rows)))
    right.axhline(1200, color="red", linestyle=":", label="target: 1.2 GB")
    right.set_xlabel("documents (log scale)")
    right.set_ylabel("peak RSS, MB")
    right.legend(fontsize=8)
    right.grid(alpha=0.3)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=100)
    plt.close(figure)
    return None
