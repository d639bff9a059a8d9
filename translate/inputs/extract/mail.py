"""E-mail (.eml): the subject and the body (text/plain, else text/html); attachments are
listed by name, not read. The standard library's email package parses it."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

from translate.errors import InputError
from translate.inputs.extract.common import Extracted
from translate.inputs.extract.html import body_extractor, body_markdown
from translate.inputs.files import decode_document


def extract(data: bytes, name: str) -> Extracted:
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not message.keys() or message.defects and not message.get("From"):
        raise InputError(f"{name}: not an e-mail message (no mail headers found)")
    body = message.get_body(preferencelist=("plain", "html"))
    text = _content(body, name) if body is not None else ""
    extractor = "email (Python standard library)"
    if body is not None and body.get_content_subtype() == "html":
        text = body_markdown(text)
        extractor += f" + {body_extractor()}"
    subject = " ".join(str(message.get("Subject", "")).split())
    attachments = [
        part.get_filename() or part.get_content_type() for part in message.iter_attachments()
    ]
    if not text.strip() and not subject:
        raise InputError(f"{name}: the e-mail has no text body")
    metadata: dict = {"extractor": extractor}
    if attachments:
        metadata["attachments"] = attachments
    heading = f"# {subject}\n\n" if subject else ""
    return Extracted(text=heading + text.strip(), metadata=metadata)


def _content(part, name: str) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError):  # an unknown or wrong charset: guess like a text file
        payload = part.get_payload(decode=True) or b""
        return decode_document(payload, name).text if payload.strip() else ""
