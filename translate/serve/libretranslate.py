"""LibreTranslate's API, as its clients use it: /translate, /detect, /languages,
/translate_file (and the /download_file its answer points to), /frontend/settings.

One pair is offered, German to English; `source=auto` is accepted when the text is German.
Parameters come from a JSON body, a form or the query string (params.py). The routes find
the engine and the settings on `app.state` (app.py puts them there). docs/api.md says what
is left out of LibreTranslate's API.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from translate.config import INPUT_SUFFIXES, TRANSLATION_SUFFIX
from translate.errors import InputError, TranslateError
from translate.flow.pipeline import segment_for_translation, translate_segmentations
from translate.inputs.extract import extract
from translate.serve import downloads
from translate.serve.errors import ApiError
from translate.serve.markup import HtmlText
from translate.serve.params import Upload, request_params, upload
from translate.text.language import detect, language_name, likely_languages

router = APIRouter()

LANGUAGES = [
    {"code": "de", "name": "German", "targets": ["en"]},
    # A target only, listed as LibreTranslate lists the target of its one installed pair.
    {"code": "en", "name": "English", "targets": []},
]
RETRY_AFTER_SECONDS = 2
FRONTEND_TIMEOUT_MS = 500  # LibreTranslate's default --frontend-timeout
SURE = 0.5  # a text identified as another language at least this surely is refused


@router.post("/translate")
async def translate(request: Request) -> dict[str, Any]:
    """Translate `q` (a text or a list of texts) from German to English."""
    params = await request_params(request)
    texts, as_list = _texts(params.get("q"))
    source = _check_pair(params)
    form = params.get("format") or "text"
    if form not in ("text", "html"):
        raise ApiError(400, f"{form} format is not supported (text or html)")
    limit, size = request.app.state.settings.char_limit, sum(map(len, texts))
    if size > limit:
        raise ApiError(400, f"Invalid request: request ({size}) exceeds text limit ({limit})")
    detected = _german(texts) if source == "auto" else None
    english = await _translated(request, texts, html=form == "html")
    result: dict[str, Any] = {"translatedText": english if as_list else english[0]}
    if detected is not None:  # for a list, LibreTranslate repeats the one it found
        result["detectedLanguage"] = [detected] * len(texts) if as_list else detected
    if _alternatives(params):  # none are made; the key is there for clients that read it
        result["alternatives"] = [[] for _ in texts] if as_list else []
    return result


@router.post("/detect")
async def detect_language(request: Request) -> list[dict[str, Any]]:
    """The languages `q` is most likely in, confidence in percent, most likely first."""
    texts, _ = _texts((await request_params(request)).get("q"))
    ranked = likely_languages("\n".join(texts))
    # Too little text to tell: LibreTranslate answers its default language, 0 % sure.
    found = [
        {"confidence": round(p * 100, 1), "language": lang}
        for i, (lang, p) in enumerate(ranked)
        if i == 0 or p >= 0.01  # the unlikely ones say nothing
    ]
    return found or [{"confidence": 0.0, "language": "de"}]


@router.get("/languages")
async def languages() -> list[dict[str, Any]]:
    return LANGUAGES


@router.get("/frontend/settings")
async def frontend_settings(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "charLimit": settings.char_limit,
        "frontendTimeout": FRONTEND_TIMEOUT_MS,
        "apiKeys": bool(settings.api_keys),
        "keyRequired": bool(settings.api_keys),
        "suggestions": False,
        "filesTranslation": True,
        "supportedFilesFormat": list(INPUT_SUFFIXES),
        "language": {
            "source": {"code": "de", "name": "German"},
            "target": {"code": "en", "name": "English"},
        },
    }


@router.post("/translate_file")
async def translate_file(request: Request) -> dict[str, str]:
    """Translate an uploaded document (any format `translate run` reads) into English
    Markdown; answers the URL it can be downloaded from.

    A document is translated at a document job's priority, not a request's: between its
    batches it lets waiting /translate requests through, so a long one never holds them up.
    """
    settings, state = request.app.state.settings, request.app.state
    source = _check_pair(await request_params(request))
    document = await upload(request, settings.max_upload_bytes)
    text = await run_in_threadpool(_text_of, document, settings.max_upload_bytes)
    keep = frozenset()
    if source == "auto":
        keep = await run_in_threadpool(_german_document, document.name, text)
    documents = getattr(state, "documents_in_progress", 0)
    if documents >= settings.max_queue:
        raise ApiError(
            429,
            f"Slowdown: {documents} documents are being translated; try again shortly",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    state.documents_in_progress = documents + 1
    try:
        english = await run_in_threadpool(_translate_document, state.engine, text, keep)
    finally:
        state.documents_in_progress -= 1
    name = Path(document.name).stem + TRANSLATION_SUFFIX
    file_id, name = await run_in_threadpool(
        downloads.save, settings.data_dir, name, english, settings.keep_days
    )
    url = request.url_for("download_file", file_id=file_id, name=quote(name, safe=""))
    return {"translatedFileUrl": str(url)}


@router.get("/download_file/{file_id}/{name}", name="download_file")
async def download_file(request: Request, file_id: str, name: str) -> Response:
    """A translated document (no key needed: its random id is the secret, as in LibreTranslate)."""
    data = downloads.read(request.app.state.settings.data_dir, file_id, name)
    fallback = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        data,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


def _texts(q: Any) -> tuple[list[str], bool]:
    """The texts of `q`, and whether it was a list."""
    if q is None or q == "" or q == []:
        raise ApiError(400, "Invalid request: missing q parameter")
    if isinstance(q, str):
        return [q], False
    if isinstance(q, list) and all(isinstance(text, str) for text in q):
        return list(q), True
    raise ApiError(400, "Invalid request: q must be a text or a list of texts")


def _check_pair(params: dict[str, Any]) -> str:
    """The source asked for (de or auto), once the pair is known to be German to English."""
    asked = {}
    for name in ("source", "target"):
        value = params.get(name)
        if not value:
            raise ApiError(400, f"Invalid request: missing {name} parameter")
        if not isinstance(value, str):
            raise ApiError(400, f"Invalid request: {name} must be a language code")
        asked[name] = value.strip().lower()
    source, target = asked["source"], asked["target"]
    if source not in ("de", "auto") or target != "en":
        raise ApiError(
            400, f"only German (de) to English (en) is offered; asked for {source}→{target}"
        )
    return source


def _alternatives(params: dict[str, Any]) -> int:
    try:
        return max(0, int(params.get("alternatives") or 0))
    except (TypeError, ValueError):
        raise ApiError(400, "Invalid request: alternatives parameter is not a number") from None


def _german(texts: list[str]) -> dict[str, Any]:
    """`source=auto`: the detected language (German), or a refusal naming what was seen.
    Too little text to tell, or no language sure enough, counts as German, the one source."""
    ranked = likely_languages("\n".join(texts))
    top, chance = ranked[0] if ranked else ("de", 0.0)
    if top != "de" and chance >= SURE:
        raise ApiError(400, _not_german("the text", top))
    german = next((p for lang, p in ranked if lang == "de"), 0.0)
    return {"confidence": round(german * 100, 1), "language": "de"}


def _german_document(name: str, text: str) -> frozenset[int]:
    """`source=auto` for a document, identified as `translate run` identifies it: its
    blocks in English (copied, not translated), or a refusal naming its language."""
    report = detect(text)
    if report.language not in (None, "de"):
        raise ApiError(400, _not_german(name, report.language))
    return report.english_blocks


def _not_german(what: str, language: str) -> str:
    return (
        f"{what} looks like {language_name(language)} ({language}), not German; only German "
        "(de) to English (en) is offered (send source=de to translate it anyway)"
    )


def _text_of(document: Upload, max_text_bytes: int) -> str:
    """The document's text, extracted exactly as `translate run` reads it."""
    try:
        return extract(Path(document.name), document.data, max_text_bytes).text
    except InputError as exc:
        raise ApiError(400, str(exc)) from None


async def _translated(request: Request, texts: list[str], html: bool) -> list[str]:
    """The texts in English, translated by the engine with the other waiting requests;
    429 (with Retry-After) when too many already wait."""
    engine, settings = request.app.state.engine, request.app.state.settings
    waiting = engine.queued_requests
    if waiting >= settings.max_waiting_requests:
        raise ApiError(
            429,
            f"Slowdown: {waiting} requests are waiting for the models; try again shortly",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    pages = [HtmlText(text) for text in texts] if html else None
    words = [w for page in pages for w in page.words] if pages is not None else texts
    to_translate = [w for w in words if w.strip()]
    done = await _engine_translate(engine, to_translate) if to_translate else []
    english = iter(done)
    out = [next(english) if w.strip() else w for w in words]
    if pages is None:
        return out
    rendered, start = [], 0
    for page in pages:
        rendered.append(page.render(out[start : start + len(page.words)]))
        start += len(page.words)
    return rendered


async def _engine_translate(engine, texts: list[str]) -> list[str]:
    try:
        future = engine.submit(texts)
    except RuntimeError as exc:  # the engine has stopped: the service is shutting down
        raise ApiError(503, f"Service unavailable: {exc}") from None
    try:
        # Shielded: a client that hangs up must not cancel the engine's future under it
        # (the engine sets every future of its round); the translation is just not read.
        return await asyncio.shield(asyncio.wrap_future(future))
    except TranslateError as exc:
        raise ApiError(500, f"Cannot translate text: {exc}") from None


def _translate_document(engine, text: str, keep: frozenset[int]) -> str:
    """A document's English, through the models as document jobs use them (engine.py)."""
    translator, o = engine.job_models().translator, engine.options
    try:
        segmentation = segment_for_translation(translator, text, o.chunk_tokens)
        (result,) = translate_segmentations(
            translator, [segmentation], o.translation, o.batch_tokens, keep_blocks=[keep]
        )
    except TranslateError as exc:
        raise ApiError(500, f"Cannot translate the document: {exc}") from None
    return result.text
