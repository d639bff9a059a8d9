"""Convert the benchmark's checkpoints for CTranslate2 ahead of the measured run.

The conversion is a one-time cost (its copy is cached in TRANSLATE_CACHE), so it is done
in its own process and reported apart, not counted in the ctranslate2 variant's figures.

    python -m benchmarks.convert MODEL_DIR...
"""

from __future__ import annotations

import sys
import time

from benchmarks.common import emit


def main(paths: list[str]) -> None:
    from translate.engines.ct2.convert import converted_dir, ensure_converted
    from translate.engines.models import locate

    started = time.perf_counter()
    locations = [locate(p) for p in paths]
    cached = all(converted_dir(loc, "int8").is_dir() for loc in locations)
    folders = [str(ensure_converted(location, "int8")) for location in locations]
    emit({"seconds": time.perf_counter() - started, "cached": cached, "folders": folders})


if __name__ == "__main__":
    main(sys.argv[1:])
