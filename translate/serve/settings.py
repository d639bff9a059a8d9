"""What `translate serve` was started with, beyond the models: where it listens, who may
use it, where jobs are kept, and the limits every request meets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from translate.config import DEFAULT_MAX_INPUT_BYTES

# LibreTranslate's own default for --char-limit is unlimited; 5,000 characters is what
# public instances commonly set, and what one interactive request should be.
DEFAULT_CHAR_LIMIT = 5_000


@dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 5000  # LibreTranslate's default port, so its clients' defaults reach us
    api_keys: frozenset[str] = field(default_factory=frozenset)  # empty: no key asked for
    data_dir: Path = Path("translate-data")
    keep_days: float = 7.0  # finished jobs' results are deleted after this many days
    max_upload_bytes: int = DEFAULT_MAX_INPUT_BYTES  # `run`'s --max-input-mb default
    char_limit: int = DEFAULT_CHAR_LIMIT  # characters of one /translate request
    max_queue: int = 64  # jobs waiting or running; more is answered 429 with Retry-After
    max_waiting_requests: int = 256  # /translate requests waiting for the models
    upload_timeout: float = 60.0  # seconds an upload may take to arrive
    summarize_timeout: float = 300.0  # seconds /v1/summarize waits for its job's summary
