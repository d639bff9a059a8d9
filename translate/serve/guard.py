"""What every request meets before a route sees it, as plain ASGI middleware: a body over its
size limit is refused (413: by its Content-Length before a byte is read, else once the bytes
read pass the limit), a body that arrives too slowly is cut off (408), and an unexpected
error is answered 500 `{"error"}` without a traceback (the traceback goes to the log, shown
with --verbose).

A refused body may surface inside a route as any error (a form parser's, say); the guard
remembers why it refused, and its own answer replaces whatever the app answers then.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

from translate.serve.params import body_limit
from translate.units import human_size

log = logging.getLogger(__name__)

CLOSE = {"Connection": "close"}
INTERNAL_ERROR = "internal error: the service's log has the details (start it with --verbose)"


class _BodyRefused(Exception):
    """Raised into the app when its body is refused; the guard answers for it."""


class Guard:
    """Body limits, a deadline for the body to arrive, and 500s without tracebacks."""

    def __init__(self, app, max_upload_bytes: int, upload_timeout: float):
        self.app = app
        self.max_upload_bytes = max_upload_bytes
        self.upload_timeout = upload_timeout

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        limit = body_limit(self.max_upload_bytes, headers.get("content-type", ""))
        declared = headers.get("content-length", "").strip()
        if declared and not (declared.isascii() and declared.isdigit()):
            await send_error(send, 400, "Invalid request: a bad Content-Length header")
            return
        if declared and int(declared) > limit:
            await send_error(send, 413, _too_large(int(declared), limit), CLOSE)
            return
        deadline = asyncio.get_running_loop().time() + self.upload_timeout
        body = _Body(receive, limit, deadline)
        started = False

        async def guarded_send(message) -> None:
            nonlocal started
            if body.refusal is not None:  # the app's answer to a refused body is replaced
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, body.receive, guarded_send)
        except Exception as exc:
            if body.refusal is None:
                _log_failure(scope, exc)
                if not started:
                    await send_error(send, 500, INTERNAL_ERROR)
                return
        if body.refusal is not None and not started:  # the rest of the body is not read:
            await send_error(send, *body.refusal, CLOSE)  # the connection is closed


class _Body:
    """The request's body as the app receives it: counted, and due by a deadline."""

    def __init__(self, receive: Callable, limit: int, deadline: float):
        self._receive, self._limit, self._deadline = receive, limit, deadline
        self.size = 0
        self.complete = False
        self.refusal: tuple[int, str] | None = None

    async def receive(self):
        if self.complete or self.refusal is not None:
            return await self._receive()  # e.g. waiting for the client to disconnect
        left = max(0.0, self._deadline - asyncio.get_running_loop().time())
        try:
            message = await asyncio.wait_for(self._receive(), left)
        except asyncio.TimeoutError:
            self.refusal = (408, "Request timeout: the request body did not arrive in time")
            raise _BodyRefused from None
        if message["type"] == "http.request":
            self.size += len(message.get("body", b""))
            if self.size > self._limit:
                self.refusal = (413, _too_large(None, self._limit))
                raise _BodyRefused
            self.complete = not message.get("more_body", False)
        return message


def _too_large(size: int | None, limit: int) -> str:
    given = f" ({size:,} bytes)" if size is not None else ""
    limit_words = f"{limit:,} bytes ({human_size(limit)})"
    return f"Request too large: the body{given} is over the limit, {limit_words}"


def _log_failure(scope, exc: Exception) -> None:
    where = f"{scope.get('method', '?')} {scope.get('path', '?')}"
    log.error("internal error on %s: %s: %s", where, type(exc).__name__, exc)
    log.debug("the traceback of that error", exc_info=exc)


async def send_error(send, status: int, message: str, headers: dict[str, str] | None = None):
    """LibreTranslate's error answer, `{"error": message}`, straight over ASGI."""
    body = json.dumps({"error": message}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
