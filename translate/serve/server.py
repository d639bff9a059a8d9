"""Run the service: uvicorn on the configured address, one line on stderr once it listens,
and a graceful stop on SIGTERM or Ctrl-C: no new connections, the requests in progress
answered, the running jobs requeued (the application's lifespan), the engine stopped.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable

import uvicorn

from translate.serve.app import create_app
from translate.serve.settings import ServeSettings

log = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 5  # an idle connection is closed after this (uvicorn's default)
# How long a stop waits for requests in progress (a long /translate, an event stream)
# before it cancels them.
GRACEFUL_STOP_SECONDS = 30


class _Server(uvicorn.Server):
    """uvicorn's server, saying when it listens, and telling streams when it stops."""

    def __init__(self, config: uvicorn.Config, announce: Callable[[int], None]):
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        if self.started and self.servers:
            self._announce(self.servers[0].sockets[0].getsockname()[1])

    def handle_exit(self, sig, frame) -> None:
        self.config.app.state.stopping.set()  # event streams end instead of holding the stop
        super().handle_exit(sig, frame)


def serve(engine, settings: ServeSettings, jobs=None, verbose: bool = False) -> bool:
    """Serve until SIGTERM or Ctrl-C; True when it stopped as asked, False when it could
    not start (uvicorn has logged why: the port taken, the job service failing to start).
    Stops the engine in any case."""
    app = create_app(engine, settings, jobs)
    if verbose:  # a line per request (query strings included: keys there show too)
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    # A malformed upload is the client's error, answered 400; not a warning in our log.
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,  # uvicorn's records go through our logging, one line each
        access_log=verbose,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=GRACEFUL_STOP_SECONDS,
        server_header=False,
    )
    recipe = engine.recipe()

    def announce(port: int) -> None:
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        models = f"{recipe['translation_model']}, {recipe['summary_model']}"
        jobs_where = f"jobs in {settings.data_dir}" if jobs is not None else "no document jobs"
        print(
            f"translate serve: ready on http://{host}:{port} "
            f"(models loaded: {models}; {jobs_where})",
            file=sys.stderr,
            flush=True,
        )

    server = _Server(config, announce)
    # uvicorn re-raises the stopping signal once it has stopped; noted here, it ends the
    # process with status 0 instead of killing it.
    previous = {sig: signal.signal(sig, _noted) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    except SystemExit:  # uvicorn's way of saying it could not listen (it logged why)
        return False
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        engine.stop()
    return server.started


def _noted(signum, frame) -> None:
    log.debug("stopped by signal %d", signum)


def job_service(engine, settings: ServeSettings):
    """The document jobs' service over `engine` (refuses a data folder another service
    uses: a TranslateError, said before the service listens)."""
    from translate.serve.jobs.service import JobService

    return JobService(engine, settings)
