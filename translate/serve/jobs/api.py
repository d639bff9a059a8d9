"""The jobs' HTTP face, under /v1/: upload a document, follow its job (as JSON or as
server-sent events), download its results, list and delete jobs; and /v1/summarize for a
text in and its summary out, run as a job like any other.

Every error is an ApiError (`{"error": "..."}`). Job ids are checked against the form
`store.new_job_id` makes before anything else looks them up.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from translate.outputs.front_matter import read_front_matter, read_intact
from translate.serve.errors import ApiError
from translate.serve.jobs.folders import RESULTS
from translate.serve.jobs.service import JobService
from translate.serve.jobs.store import DONE, FINAL, REFUSED, DocumentOptions, JobRecord
from translate.serve.params import request_params, upload

PREFIX = "/v1"
_JOB_ID = re.compile(r"[A-Za-z0-9_-]{16}")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")
MARKDOWN = "text/markdown; charset=utf-8"
EVENT_POLL_S = 0.25  # how often an event stream looks for news (the worker runs in-process)
STREAM_MAX_S = 300.0  # then a stream ends; an EventSource reconnects by itself
HEARTBEAT_S = 15.0  # a comment line, so proxies keep a quiet stream open
SUMMARIZE_POLL_S = 0.1
LIST_LIMIT = 1000


# The bodies the routes read themselves (request_params, upload), described for /openapi.json.
_FLAG = {"type": "boolean", "default": False}
_SOURCE_LANG = {"type": "string", "enum": ["de", "en", "auto"], "default": "auto"}
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "keep_translation": _FLAG,
                        "bilingual": _FLAG,
                        "source_lang": _SOURCE_LANG,
                    },
                }
            }
        },
    }
}
_TEXT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}, "source_lang": _SOURCE_LANG},
                }
            }
        },
    }
}


def jobs_router(service: JobService) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["jobs"])

    @router.post("/jobs", status_code=202, openapi_extra=_UPLOAD_BODY)
    async def create_job(request: Request) -> JSONResponse:
        """Upload a document (multipart `file`) with `run`'s document options
        (keep_translation, bilingual, source_lang); answers 202 and the job's id."""
        params = await request_params(request)
        document = await upload(request, service.settings.max_upload_bytes)
        options = document_options(params)
        job = await run_in_threadpool(service.submit, document.name, document.data, options)
        url = job_url(job.id)
        body = {"id": job.id, "state": job.state, "url": url}
        return JSONResponse(body, status_code=202, headers={"Location": url})

    @router.get("/jobs")
    def list_jobs(limit: int = 100) -> dict:
        """The newest jobs first, at most `limit` (1 to 1,000)."""
        jobs = service.jobs(max(1, min(limit, LIST_LIMIT)))
        return {"jobs": [job_view(job, service.live(job.id)) for job in jobs]}

    @router.get("/jobs/{job_id}")
    def get_job(job_id: str) -> dict:
        """A job's state, its round's phase and counts while it runs, its error, its results."""
        return job_view(*service.job(checked_id(job_id)))

    @router.delete("/jobs/{job_id}", status_code=204)
    def delete_job(job_id: str) -> Response:
        """Delete a job and its files; a running job stops (see docs/api.md)."""
        service.delete(checked_id(job_id))
        return Response(status_code=204)

    @router.get("/jobs/{job_id}/events")
    async def job_events(job_id: str, request: Request) -> StreamingResponse:
        """Server-sent events: the job as GET shows it, each time it changes, until it ends."""
        service.job(checked_id(job_id))  # 404 before the stream starts
        return StreamingResponse(
            events(service, job_id, lambda: stopping(service, request)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @router.get("/jobs/{job_id}/summary")
    def summary(job_id: str) -> FileResponse:
        """The summary, Markdown with front matter, as `translate run` writes it."""
        return download(service, checked_id(job_id), "summary")

    @router.get("/jobs/{job_id}/translation")
    def translation(job_id: str) -> FileResponse:
        """The English translation (asked for with keep_translation)."""
        return download(service, checked_id(job_id), "translation")

    @router.get("/jobs/{job_id}/bilingual")
    def bilingual(job_id: str) -> FileResponse:
        """The bilingual view (asked for with bilingual)."""
        return download(service, checked_id(job_id), "bilingual")

    @router.get("/jobs/{job_id}/front-matter")
    def front_matter(job_id: str) -> dict:
        """The summary's front matter as JSON."""
        front = read_front_matter(service.result(checked_id(job_id), "summary"))
        if front is None:
            raise ApiError(500, f"job {job_id}: its summary has no readable front matter")
        return front

    @router.post("/summarize", openapi_extra=_TEXT_BODY)
    async def summarize(request: Request) -> dict:
        """JSON `{"text", "source_lang"?}`: the text's summary (Markdown) and front matter,
        made as a document's are; waits for it (see docs/api.md for the bound)."""
        params = await request_params(request)
        return await summarize_text(service, params, lambda: stopping(service, request))

    return router


def stopping(service: JobService, request: Request) -> bool:
    """The server is shutting down (it waits for open responses: streams must end)."""
    server_stopping = getattr(request.app.state, "stopping", None)
    return service.closing.is_set() or bool(server_stopping and server_stopping.is_set())


def checked_id(job_id: str) -> str:
    if not _JOB_ID.fullmatch(job_id):
        raise ApiError(404, "no such job")
    return job_id


def job_url(job_id: str) -> str:
    return f"{PREFIX}/jobs/{job_id}"


def document_options(params: dict) -> DocumentOptions:
    """`run`'s document options from form fields or JSON; 400 for a value that is not one."""
    return DocumentOptions(
        keep_translation=_flag(params, "keep_translation"),
        bilingual=_flag(params, "bilingual"),
        source_lang=_source_lang(params.get("source_lang")),
    )


def _flag(params: dict, name: str) -> bool:
    value = params.get(name, "")
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in _TRUE + _FALSE:
        raise ApiError(400, f"Invalid request: {name} must be true or false, not {value!r}")
    return text in _TRUE


def _source_lang(value) -> str | None:
    if value in (None, "", "auto"):
        return None
    if value not in ("de", "en"):
        raise ApiError(
            400,
            f"Invalid request: source_lang {value!r}: de (translate), en (summarize "
            "only) or auto (detect)",
        )
    return value


def job_view(job: JobRecord, live: dict | None) -> dict:
    url = job_url(job.id)
    progress = live
    if progress is None and job.state == "running" and job.phase:
        progress = {
            "phase": job.phase,
            "text": job.phase_text,
            "done": job.done,
            "total": job.total,
            "unit": job.unit,
        }
    view = {
        "id": job.id,
        "state": job.state,
        "name": job.name,
        "options": {
            "keep_translation": job.keep_translation,
            "bilingual": job.bilingual,
            "source_lang": job.source_lang,
        },
        "progress": progress,
        "error": job.error,
        "created": _when(job.created),
        "started": _when(job.started),
        "finished": _when(job.finished),
        "reused_from": job.reused_from,
        "url": url,
    }
    if job.state == DONE:
        view["results"] = {"summary": f"{url}/summary", "front_matter": f"{url}/front-matter"}
        if job.keep_translation:
            view["results"]["translation"] = f"{url}/translation"
        if job.bilingual:
            view["results"]["bilingual"] = f"{url}/bilingual"
    return view


def _when(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")


def download(service: JobService, job_id: str, kind: str) -> FileResponse:
    path = service.result(job_id, kind)
    job, _ = service.job(job_id)
    stem = job.name[: -len(job.suffix)] if job.name.lower().endswith(job.suffix) else job.name
    return FileResponse(path, media_type=MARKDOWN, filename=f"{stem}{RESULTS[kind]}")


async def events(service: JobService, job_id: str, stopping: Callable[[], bool]):
    """The job's view as an event each time it changes; ends when the job does, when it is
    deleted, when the service stops, or after STREAM_MAX_S (the client reconnects)."""
    started = last_sent = time.monotonic()
    previous, number = None, 0
    while time.monotonic() - started < STREAM_MAX_S and not stopping():
        try:
            view = job_view(*service.job(job_id))
        except ApiError:
            yield f"event: deleted\ndata: {json.dumps({'id': job_id, 'state': 'deleted'})}\n\n"
            return
        if view != previous:
            number += 1
            yield f"id: {number}\ndata: {json.dumps(view, ensure_ascii=False)}\n\n"
            previous, last_sent = view, time.monotonic()
            if view["state"] in FINAL:
                return
        elif time.monotonic() - last_sent >= HEARTBEAT_S:
            yield ": still working\n\n"
            last_sent = time.monotonic()
        await asyncio.sleep(EVENT_POLL_S)


async def summarize_text(service: JobService, params: dict, stopping: Callable[[], bool]) -> dict:
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, "Invalid request: missing text parameter")
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > service.settings.max_upload_bytes:
        limit = service.settings.max_upload_bytes
        raise ApiError(413, f"the text is over the {limit:,}-byte limit ({len(data):,} bytes)")
    options = DocumentOptions(source_lang=_source_lang(params.get("source_lang")))
    job = await run_in_threadpool(service.submit, "text.txt", data, options)
    deadline = time.monotonic() + service.settings.summarize_timeout
    while job.state not in FINAL:
        if time.monotonic() > deadline or stopping():
            raise ApiError(
                504,
                f"no summary within {service.settings.summarize_timeout:g} s; the job "
                f"goes on: {job_url(job.id)}",
            )
        await asyncio.sleep(SUMMARIZE_POLL_S)
        job, _ = service.job(job.id)
    if job.state != DONE:
        raise ApiError(400 if job.state == REFUSED else 500, job.error or job.state)
    intact = read_intact(service.result(job.id, "summary"))
    if intact is None:
        raise ApiError(500, f"job {job.id}: its summary is damaged")
    front, content = intact
    body = content.removeprefix("\n# ").partition("\n\n")[2].strip()
    return {"summary": body, "front_matter": front, "id": job.id}
