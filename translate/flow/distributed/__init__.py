"""The same run spread over a Ray cluster (`translate run --ray ADDRESS`).

Documents flow through a Ray Data pipeline: read/decode/segment as CPU tasks, translation
and summarization as actor pools that load each model once per actor, writes where the
output folders are. Every stage calls the per-document steps of a single-machine run
(`translate.flow.job`, `.steps`, `.render`), so both write the same files.

Importing this package does not import Ray: `iter_results` does, and says what to install
when it is missing.
"""

from translate.flow.distributed.cluster import INSTALL_HINT, RayOptions
from translate.flow.distributed.runner import iter_results

__all__ = ["INSTALL_HINT", "RayOptions", "iter_results"]
