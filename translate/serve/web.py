"""The web page at `/`: one HTML page and its two assets (translate/serve/static/), served by
the service itself (no CDN, no build step), each with a Content-Security-Policy that allows
only the service's own scripts and styles; and, with jobs, `GET /v1/jobs.zip?ids=A,B`: the
outputs of several finished jobs as one zip, built in memory.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from translate.serve.errors import ApiError

STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
# The only files served from STATIC, with their types: nothing else under it is reachable.
ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
ZIP_MAX_JOBS = 100


def web_router(jobs=None) -> APIRouter:
    router = APIRouter()

    @router.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                            headers=HEADERS)  # fmt: skip

    @router.get("/static/{name}", include_in_schema=False)
    def asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise ApiError(404, "Not Found", headers=HEADERS)
        return FileResponse(STATIC / name, media_type=ASSETS[name], headers=HEADERS)

    if jobs is not None:

        @router.get("/v1/jobs.zip", tags=["jobs"])
        async def jobs_zip(ids: str) -> Response:
            """The outputs of finished jobs (`ids`: comma-separated) as one zip, each under
            its download name; jobs that are not done are left out."""
            data = await run_in_threadpool(build_zip, jobs, ids)
            disposition = 'attachment; filename="translate-outputs.zip"'
            return Response(data, media_type="application/zip",
                            headers={"Content-Disposition": disposition})  # fmt: skip

    return router


def build_zip(jobs, ids: str) -> bytes:
    """The zip's bytes: each done job's outputs under the names its downloads have (made
    unique: two uploads of one name get `2/`, `3/` folders)."""
    from translate.serve.jobs.api import checked_id
    from translate.serve.jobs.folders import RESULTS
    from translate.serve.jobs.store import DONE

    wanted = [part for part in ids.split(",") if part][:ZIP_MAX_JOBS]
    if not wanted:
        raise ApiError(400, "Invalid request: ids: name at least one job")
    buffer, used = io.BytesIO(), set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for job_id in dict.fromkeys(wanted):
            job, _ = jobs.job(checked_id(job_id))
            if job.state != DONE:
                continue
            stem = (
                job.name[: -len(job.suffix)] if job.name.lower().endswith(job.suffix) else job.name
            )
            folder = _unique(stem, used)
            for kind, suffix in RESULTS.items():
                try:
                    path = jobs.result(job_id, kind)
                except ApiError:
                    continue  # not asked for
                archive.write(path, f"{folder}{stem}{suffix}")
    return buffer.getvalue()


def _unique(stem: str, used: set[str]) -> str:
    number = 1
    while (key := f"{number}/{stem}") in used:
        number += 1
    used.add(key)
    return "" if number == 1 else f"{number}/"
