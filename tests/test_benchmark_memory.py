"""The benchmark reports each variant's own peak memory, not its parent's.

On Linux a child started by fork/vfork + exec inherits its parent's `ru_maxrss` high-water
mark, so a 1 GB variant started by a 2 GB runner used to report 2 GB. The benchmark's
`peak_rss_mb` reads the process's own peak (VmHWM); these tests compare it with
`/usr/bin/time -f %M` on a child that allocates a known amount, started by a big parent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIME = Path("/usr/bin/time")
CHILD_MB = 150  # what the measured child allocates (and writes to, so it is resident)
PARENT_MB = 400  # what its parent holds when it starts the child

CHILD = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from benchmarks.common import inherited_rss_mb, peak_rss_mb
block = b"x" * ({CHILD_MB} * 1024 * 1024)
print(json.dumps({{"own": peak_rss_mb(), "ru_maxrss": inherited_rss_mb()}}))
"""

BIG_PARENT = f"""
import subprocess, sys
ballast = b"y" * ({PARENT_MB} * 1024 * 1024)
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, check=True)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
"""

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="Linux only (VmHWM)"),
    pytest.mark.skipif(not TIME.is_file(), reason="needs GNU time at /usr/bin/time"),
]


def _run(command: list[str]) -> tuple[dict, str]:
    done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


def test_peak_is_the_childs_own_even_when_a_big_parent_starts_it():
    # GNU time reports its child's maximum resident set size in KiB on its last stderr line.
    timed = [str(TIME), "-f", "%M", sys.executable, "-c", CHILD]
    alone, stderr = _run(timed)
    by_time_mib = int(stderr.strip().splitlines()[-1]) / 1024
    from_big, _ = _run([sys.executable, "-c", BIG_PARENT, sys.executable, "-c", CHILD])

    assert by_time_mib >= CHILD_MB
    assert alone["own"] == pytest.approx(by_time_mib, abs=8)
    # Started by a parent holding PARENT_MB, ru_maxrss says the parent's figure ...
    assert from_big["ru_maxrss"] >= PARENT_MB
    # ... while the benchmark's figure is still the child's own, as /usr/bin/time measures it.
    assert from_big["own"] == pytest.approx(by_time_mib, abs=8)
    assert from_big["own"] < PARENT_MB


def test_a_rerun_keeps_what_a_person_wrote_above_the_run_even_when_it_quotes_the_heading():
    from benchmarks.run import kept_intro

    previous = (
        "# Speed\n\nEverything above \"## Benchmark run\" is kept.\n\n## Reading\n\nFast.\n\n"
        "## Benchmark run 2026-11-29T11:56:27+00:00 (quick)\n\n| old | table |\n"
    )
    intro = kept_intro(previous)
    assert intro == previous.split("## Benchmark run 2026")[0]
    assert intro.endswith("Fast.\n\n") and "old" not in intro
    assert kept_intro("# A file without a run\n") == ""


def test_the_scaling_plot_is_a_png_of_the_measured_rows(tmp_path):
    pytest.importorskip("matplotlib", reason="the [bench] extra (matplotlib) is not installed")
    from benchmarks.plot import scaling_plot

    rows = [
        {"documents": n, "words": 250 * n, "seconds": 4.0 * n, "peak_rss_mb": 1100 + n}
        for n in (10, 30, 100)
    ]
    out = tmp_path / "scaling.png"
    assert scaling_plot(rows, out, "test") is None
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 5_000
