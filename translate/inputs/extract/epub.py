"""E-books (.epub): the chapters in reading order (the package's spine), each an HTML body.

An EPUB is a zip holding XHTML chapters and a package document that lists them; reading
it takes the standard library's zipfile and lxml, which python-docx and odfdo bring.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote

from translate.errors import InputError
from translate.inputs.extract.common import (
    Extracted,
    open_zip,
    read_member,
    require,
    text_over_limit,
)
from translate.inputs.extract.html import body_extractor, body_markdown

_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "enc": "http://www.w3.org/2001/04/xmlenc#",
}


def extract(data: bytes, name: str, max_text_bytes: int | None = None) -> Extracted:
    with open_zip(data, name, "EPUB") as archive:
        package_path = _package_path(_xml(archive, "META-INF/container.xml", name), name)
        package = _xml(archive, package_path, name)
        chapters = _spine(package, posixpath.dirname(package_path))
        _refuse_drm(archive, chapters, name)
        texts, size = [], 0
        for chapter in chapters:  # the text is counted as it comes, not once it is all here
            texts.append(body_markdown(read_member(archive, chapter, name, "EPUB")))
            size += len(texts[-1].encode())
            if max_text_bytes is not None and size > max_text_bytes:
                raise text_over_limit(name, size, max_text_bytes, "at least ")
    title = package.findtext(".//{http://purl.org/dc/elements/1.1/}title")
    metadata = {"extractor": f"zipfile + {body_extractor()}", "chapters": len(chapters)}
    if title:
        metadata["source_title"] = " ".join(title.split())
    return Extracted(text="\n\n".join(t.strip() for t in texts if t.strip()), metadata=metadata)


def _xml(archive, member: str, name: str):
    etree = require("lxml.etree", "lxml", "EPUB files")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        return etree.fromstring(read_member(archive, member, name, "EPUB"), parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: the EPUB file is corrupt ({member}: {exc})") from None


def _package_path(container, name: str) -> str:
    rootfile = container.find(".//c:rootfile", _NS)
    if rootfile is None or not rootfile.get("full-path"):
        raise InputError(f"{name}: the EPUB file names no package document (damaged?)")
    return rootfile.get("full-path")


def _spine(package, folder: str) -> list[str]:
    """The chapter files in reading order, leaving out the table of contents."""
    items = {item.get("id"): item for item in package.iterfind(".//opf:manifest/opf:item", _NS)}
    chapters = []
    for ref in package.iterfind(".//opf:spine/opf:itemref", _NS):
        item = items.get(ref.get("idref"))
        if item is None or ref.get("linear") == "no" or "nav" in (item.get("properties") or ""):
            continue
        chapters.append(posixpath.normpath(posixpath.join(folder, unquote(item.get("href")))))
    # Each chapter once: a spine naming one chapter 20,000 times is no book of 20,000 chapters.
    return list(dict.fromkeys(chapters))


def _refuse_drm(archive, chapters: list[str], name: str) -> None:
    """Encrypted chapters mean DRM (fonts alone are often obfuscated, which is harmless)."""
    if "META-INF/encryption.xml" not in archive.namelist():
        return
    encryption = _xml(archive, "META-INF/encryption.xml", name)
    encrypted = {
        unquote(ref.get("URI", "")) for ref in encryption.iterfind(".//enc:CipherReference", _NS)
    }
    if encrypted & set(chapters):
        raise InputError(f"{name}: the e-book is DRM-protected (its chapters are encrypted)")
