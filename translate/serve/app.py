"""The HTTP application: LibreTranslate's API (libretranslate.py), the document jobs under
/v1/ (jobs/, when a job service is given), /health, the key check and the error answers.

Every answer other than success is LibreTranslate's `{"error": "..."}` with its status: a
route's ApiError, a request FastAPI cannot validate (400), an unknown path (404), and an
unexpected error (500, without a traceback: see guard.py).
"""

from __future__ import annotations

import hmac
import threading
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from translate.config import VERSION
from translate.serve import downloads, libretranslate, web
from translate.serve.errors import ApiError
from translate.serve.guard import Guard
from translate.serve.params import request_params
from translate.serve.settings import ServeSettings

# Open to anyone who can reach the service, key or not: what a client reads before it
# knows it needs a key (as LibreTranslate leaves them open), the web page, and downloads,
# whose random ids are their keys. /openapi.json and /docs are not routes the check sees.
OPEN_PATHS = frozenset({"/", "/health", "/languages", "/frontend/settings"})
OPEN_PREFIXES = ("/download_file/", "/static/")
NO_KEY = "an API key is required: send it as api_key (ask the service's operator for one)"


def create_app(engine, settings: ServeSettings, jobs=None) -> FastAPI:
    """The service's application over a loaded `Engine` (engine.py); with a `JobService`
    (jobs/service.py) also the document jobs, started and stopped with the application."""
    app = FastAPI(
        title="translate",
        version=VERSION,
        summary="German documents into English: LibreTranslate's API and document jobs.",
        lifespan=_lifespan(jobs),
        dependencies=[Depends(require_key)],
        redoc_url=None,
    )
    app.state.engine, app.state.settings, app.state.jobs = engine, settings, jobs
    app.state.stopping = threading.Event()  # set when shutdown begins: streams should end
    app.add_middleware(
        Guard, max_upload_bytes=settings.max_upload_bytes, upload_timeout=settings.upload_timeout
    )
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_api_route("/health", health, methods=["GET"])
    app.include_router(libretranslate.router)
    if jobs is not None:
        from translate.serve.jobs.api import jobs_router

        app.include_router(jobs_router(jobs))
    app.include_router(web.web_router(jobs))  # the page at / and /v1/jobs.zip
    return app


def _lifespan(jobs):
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        settings = app.state.settings
        await run_in_threadpool(downloads.remove_expired, settings.data_dir, settings.keep_days)
        if jobs is not None:
            await run_in_threadpool(jobs.start)
        try:
            yield
        finally:
            app.state.stopping.set()
            if jobs is not None:  # requeues what runs; resumed at the next start
                await run_in_threadpool(jobs.stop)

    return lifespan


async def health(request: Request) -> dict[str, Any]:
    """Whether the service is up: its models, what waits for them, its version."""
    engine, jobs = request.app.state.engine, request.app.state.jobs
    recipe = engine.recipe()
    return {
        "status": "ok",
        "models": {"translation": recipe["translation_model"], "summary": recipe["summary_model"]},
        "queue": {"requests": engine.queued_requests, "jobs": jobs.queue_length if jobs else 0},
        "version": VERSION,
    }


async def require_key(request: Request) -> None:
    """With keys configured, every route but the open ones needs one of them as `api_key`
    (JSON body, form field or query string, as LibreTranslate takes it): 403 otherwise."""
    keys = request.app.state.settings.api_keys
    path = request.url.path
    if not keys or path in OPEN_PATHS or path.startswith(OPEN_PREFIXES):
        return
    key = request.query_params.get("api_key") or (await request_params(request)).get("api_key")
    if not key:
        raise ApiError(403, NO_KEY)
    given = key.encode() if isinstance(key, str) else b""
    if not any(hmac.compare_digest(given, known.encode()) for known in keys):
        raise ApiError(403, "Invalid API key")


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse({"error": exc.message}, exc.status, headers=exc.headers)


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse({"error": str(exc.detail)}, exc.status_code, headers=exc.headers)


async def _invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [
        f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '?')}"
        for error in exc.errors()[:3]
    ]
    return JSONResponse({"error": f"Invalid request: {'; '.join(problems)}"}, 400)
