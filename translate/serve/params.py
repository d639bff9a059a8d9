"""What a request says, read as LibreTranslate reads it: its parameters from a JSON body, a
form (urlencoded or multipart) or the query string, the API key among them, and an uploaded
document with a name that is safe to keep.

Parsed once per request and kept on `request.state`: the key check and the route both ask.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from translate.inputs.extract import PACKAGED_SIZE_FACTOR, max_file_bytes
from translate.serve.errors import ApiError
from translate.units import human_size

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A multipart body holds the document and a few short fields (source, target, api_key,
# options) with their boundaries: this much beside the largest document allowed.
MULTIPART_OVERHEAD = 64 * 1024
MAX_FORM_FIELDS = 50
MAX_NAME_CHARS = 120  # of a kept upload's name; the suffix is kept whole
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.\- ()+,@]+")


def body_limit(max_upload_bytes: int, content_type: str) -> int:
    """The most bytes a request body of this type may have: a multipart body carries a
    document (packaged formats may be PACKAGED_SIZE_FACTOR times the text limit, as `run`
    allows), any other body a text of at most the text limit."""
    if _media_type(content_type) == "multipart/form-data":
        return max_upload_bytes * PACKAGED_SIZE_FACTOR + MULTIPART_OVERHEAD
    return max_upload_bytes


async def request_params(request: Request) -> dict[str, Any]:
    """The request's parameters: the query string, then the body's fields over it.

    A JSON body gives its values as they are (`q` may be a list); a form gives strings, or
    a list where a field is repeated. Uploaded files are not among them (see `upload`).

    Raises:
        ApiError: 400 for a body that is not a JSON object or not a readable form.
    """
    cached = getattr(request.state, "params", None)
    if cached is not None:
        return cached
    params: dict[str, Any] = {}
    for key in request.query_params:
        params[key] = _one_or_list(request.query_params.getlist(key))
    kind = _media_type(request.headers.get("content-type", ""))
    if kind == "application/json":
        params.update(await _json_object(request))
    elif kind in FORM_TYPES:
        form = await request.form(max_files=MAX_FORM_FIELDS, max_fields=MAX_FORM_FIELDS)
        for key in form:
            values = [v for v in form.getlist(key) if isinstance(v, str)]
            if values:
                params[key] = _one_or_list(values)
    request.state.params = params
    return params


async def _json_object(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:
        raise ApiError(400, "Invalid request: the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "Invalid request: the JSON body must be an object")
    return data


def _one_or_list(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


@dataclass(frozen=True)
class Upload:
    """An uploaded document: a name safe to keep on disk (the suffix names its format) and
    its bytes, no more than `run` would read of a file of that format."""

    name: str
    data: bytes


async def upload(request: Request, max_text_bytes: int, field: str = "file") -> Upload:
    """The document uploaded in the multipart field `field`.

    Raises:
        ApiError: 400 when there is none; 413 when it is larger than `run` reads of a file
            of its format with --max-input-mb at `max_text_bytes`.
    """
    if _media_type(request.headers.get("content-type", "")) != "multipart/form-data":
        raise ApiError(400, f"Invalid request: send the document as multipart field {field!r}")
    await request_params(request)  # reads the form once (cached by Starlette)
    form = await request.form()
    found = [v for v in form.getlist(field) if isinstance(v, UploadFile)]
    if not found:
        raise ApiError(400, f"Invalid request: missing {field} parameter")
    name = safe_name(found[0].filename or "")
    limit = max_file_bytes(Path(name), max_text_bytes)
    data = await found[0].read(limit + 1)
    for extra in found:  # their spooled temporary files go now, not when collected
        await extra.close()
    if len(data) > limit:
        raise ApiError(413, f"{name}: over the {human_size(limit)} upload limit for this format")
    return Upload(name=name, data=data)


def safe_name(client_name: str) -> str:
    """A client's file name made safe to keep: its last part only (no folders), normalized,
    characters outside a plain set replaced, no leading dot, at most MAX_NAME_CHARS."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", client_name))[-1]
    base = _UNSAFE_NAME_CHARS.sub("_", base).strip(" .") or "document"
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem:
        stem, suffix = base, ""
    suffix = suffix[:16]
    room = MAX_NAME_CHARS - len(suffix) - 1
    return f"{stem[:room]}.{suffix}" if suffix else base[:MAX_NAME_CHARS]
