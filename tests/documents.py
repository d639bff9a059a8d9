"""Build real documents at test time: PDF, DOCX, ODT, HTML, EPUB, e-mail, RTF, and bad ones.

Each builder writes a file the way the usual tools do (fpdf2, python-docx, odfpy, the
standard library's zipfile and email) and returns its path, so tests assert on what the
extractors make of genuine files, never on fixtures nobody can regenerate. The benchmark
(benchmarks/extraction.py) uses `layout_pdf` for its 100-page document.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core
FONT_BOLD = FONT.with_name("DejaVuSans-Bold.ttf")
A5 = (420.0, 595.0)  # points


# ---------------------------------------------------------------- PDF


@dataclass
class PdfLayout:
    """How `layout_pdf` sets its text: page size in points, columns, running lines."""

    page: tuple[float, float] = A5
    columns: int = 2
    font_size: float = 9.0
    leading: float = 11.5
    margin: float = 40.0
    gutter: float = 18.0
    header: str | None = "Stadtwerke Musterstadt · Jahresbericht 2024"
    page_numbers: bool = True
    title: str | None = None
    max_pages: int | None = None  # stop there, leaving the rest of the text out


def layout_pdf(
    path: Path, paragraphs: list[str | list[str]], layout: PdfLayout | None = None
) -> int:
    """Set `paragraphs` in columns, hyphenating words at line ends as a typesetter would.

    Words are split at a line end only before a lowercase letter (`Verkehrs-` / `minister`)
    or after a hyphen they already have (`Nord-Süd-` / `Verbindung`). A paragraph given as
    a list is set in exactly those lines. Paragraphs are set apart by half a line. Returns
    the number of pages.
    """
    from fpdf import FPDF

    lay = layout or PdfLayout()
    pdf = FPDF(unit="pt", format=lay.page)
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    width, height = lay.page
    column_width = (width - 2 * lay.margin - (lay.columns - 1) * lay.gutter) / lay.columns
    top, bottom = lay.margin + 2 * lay.leading, height - lay.margin - lay.leading
    pdf.set_font("DejaVu", size=lay.font_size)
    lines = []
    for paragraph in paragraphs:
        lines.extend(
            paragraph if isinstance(paragraph, list) else _wrap(pdf, paragraph, column_width)
        )
        lines.append(None)  # paragraph gap
    page_count = 0
    while lines and page_count != lay.max_pages:
        page_count += 1
        pdf.add_page()
        _running_lines(pdf, lay, page_count)
        y_start = top
        if lay.title and page_count == 1:
            pdf.set_font("DejaVu", "B", size=lay.font_size * 1.6)
            pdf.text(lay.margin, top, lay.title)
            pdf.set_font("DejaVu", size=lay.font_size)
            y_start = top + 2.5 * lay.leading
        for column in range(lay.columns):
            x = lay.margin + column * (column_width + lay.gutter)
            y = y_start
            while lines and y <= bottom:
                line = lines.pop(0)
                if line is None:
                    y += lay.leading / 2
                    continue
                pdf.text(x, y, line)
                y += lay.leading
    pdf.output(str(path))
    return page_count


def _running_lines(pdf, lay: PdfLayout, page: int) -> None:
    width, height = lay.page
    pdf.set_font("DejaVu", size=lay.font_size - 1)
    if lay.header:
        pdf.text(lay.margin, lay.margin, lay.header)
    if lay.page_numbers:
        label = str(page)
        pdf.text((width - pdf.get_string_width(label)) / 2, height - lay.margin / 2, label)
    pdf.set_font("DejaVu", size=lay.font_size)


def _wrap(pdf, paragraph: str, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in paragraph.split():
        candidate = f"{line} {word}" if line else word
        if pdf.get_string_width(candidate) <= width:
            line = candidate
            continue
        head, tail = _hyphenate(pdf, word, width - pdf.get_string_width(line + " "))
        if head:
            lines.append(f"{line} {head}" if line else head)
            line = tail
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def _hyphenate(pdf, word: str, room: float) -> tuple[str, str]:
    """The longest head of `word` (with its hyphen) that fits in `room`, and the rest."""
    for cut in range(len(word) - 3, 2, -1):
        head, rest = word[:cut], word[cut:]
        if head.endswith("-"):
            piece = head
        elif head[-1].isalpha() and rest[0].islower() and rest[:1].isalpha():
            piece = head + "-"
        else:
            continue
        if pdf.get_string_width(piece) <= room:
            return piece, rest
    return "", word


def scanned_pdf(path: Path, lines: list[str] | None = None) -> Path:
    """A page that is only a picture (as a scanner makes it): no text layer at all. With
    `lines`, the picture shows them, set in DejaVu Sans at about 12 pt and 200 dpi."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.new("L", (1100, 80 + 60 * len(lines or [])) if lines else (600, 300), 255)
    draw = ImageDraw.Draw(picture)
    if lines:
        font = ImageFont.truetype(str(FONT), 34)
        for number, line in enumerate(lines):
            draw.text((40, 40 + 60 * number), line, font=font, fill=0)
    else:
        for row in range(20, 280, 24):  # lines of "text" as a scanner sees it: pixels only
            draw.rectangle([30, row, 570, row + 10], fill=40)
    pdf = FPDF(unit="pt", format=A5)
    pdf.add_page()
    pdf.image(picture, x=20, y=40, w=380)
    pdf.output(str(path))
    return path


def encrypted_pdf(path: Path) -> Path:
    """A PDF that opens only with a password."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format=A5)
    pdf.set_encryption(owner_password="eigentümer", user_password="geheim")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.text(40, 80, "Vertraulich: Der Haushalt wird morgen vorgestellt.")
    pdf.output(str(path))
    return path


# ---------------------------------------------------------------- Office


def docx(path: Path) -> Path:
    """A Word file with a title, headings, a list and a table between paragraphs."""
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading("Haushalt 2025", level=1)
    document.add_paragraph("Der Stadtrat hat den Haushalt am Montag beschlossen.")
    document.add_heading("Die wichtigsten Punkte", level=2)
    for item in ("Mehr Geld für Schulen", "Neue Radwege in der Altstadt"):
        document.add_paragraph(item, style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Bereich", "Betrag"), ("Schulen", "4 Mio. Euro"))):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph("Die Opposition stimmte dagegen.")
    document.save(str(path))
    return path


def encrypted_docx(path: Path) -> Path:
    """`docx` saved with a password, as Word does it (an OLE file holding the package)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = docx(path.with_name(path.stem + "-plain.docx"))
    encrypted = io.BytesIO()
    with plain.open("rb") as handle:
        OOXMLFile(handle).encrypt("geheim", encrypted)
    plain.unlink()
    path.write_bytes(encrypted.getvalue())
    return path


def odt(path: Path) -> Path:
    """An OpenDocument text with a heading, a list and a table between paragraphs."""
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    body = document.text
    body.addElement(H(outlinelevel=1, text="Bericht aus dem Rathaus"))
    body.addElement(P(text="Der Bürgermeister stellte am Dienstag den Plan vor."))
    items = List()
    for text in ("Ein neues Schwimmbad", "Längere Öffnungszeiten der Bibliothek"):
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    body.addElement(items)
    table = Table(name="Kosten")
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    for cells in (("Vorhaben", "Kosten"), ("Schwimmbad", "12 Mio. Euro")):
        row = TableRow()
        for text in cells:
            cell = TableCell()
            cell.addElement(P(text=text))
            row.addElement(cell)
        table.addElement(row)
    body.addElement(table)
    body.addElement(P(text="Die Bürger können bis Ende März Einwände erheben."))
    document.save(str(path))
    return path


def encrypted_odt(path: Path) -> Path:
    """What LibreOffice writes for a password-protected text: the manifest names the
    encryption of content.xml, whose bytes are ciphertext."""
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.3">\n'
        ' <manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.text"/>\n'
        ' <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"'
        ' manifest:size="2048">\n'
        '  <manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:'
        'xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA">\n'
        '   <manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#'
        'aes256-cbc" manifest:initialisation-vector="AAAA"/>\n'
        '   <manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32"'
        ' manifest:iteration-count="100000" manifest:salt="AAAA"/>\n'
        "  </manifest:encryption-data>\n"
        " </manifest:file-entry>\n"
        "</manifest:manifest>\n"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", bytes(range(256)) * 8, zipfile.ZIP_DEFLATED)
    return path


_SKELETONS = {  # the members each format's readers look for first; the last one inflates
    ".docx": {"[Content_Types].xml": "<Types/>", "word/document.xml": None},
    ".odt": {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": None},
    ".epub": {
        "mimetype": "application/epub+zip",
        "META-INF/container.xml": "<container/>",
        "OEBPS/kapitel1.xhtml": None,
    },
}


def zip_bomb(path: Path, megabytes: int = 20) -> Path:
    """A small zip (tens of KB) shaped like `path`'s format, one member of which inflates
    to `megabytes` MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member, text in _SKELETONS[path.suffix].items():
            archive.writestr(member, text or b"<" + b" " * (megabytes * 1_000_000) + b"/>")
    return path


# ---------------------------------------------------------------- web, e-book, e-mail

ARTICLE_PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Neue Brücke eröffnet – Lokalzeitung</title>
<script>var tracking = "Diese Zeile ist ein Skript";</script></head>
<body>
<div id="cookie-banner" class="cookie-consent">Wir verwenden Cookies, um Ihnen das beste
Erlebnis zu bieten. <button>Alle akzeptieren</button> <button>Einstellungen</button></div>
<nav class="menu"><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/kontakt">Kontakt</a></li></ul></nav>
<main><article>
<h1>Neue Brücke über die Elbe eröffnet</h1>
<p>Nach vier Jahren Bauzeit ist die neue Brücke über die Elbe am Samstag für den Verkehr
freigegeben worden. Tausende Menschen kamen zur Eröffnung.</p>
<h2>Was sich für Pendler ändert</h2>
<p>Die Fahrzeit zwischen den beiden Stadtteilen verkürzt sich nach Angaben der Stadt um
bis zu zwanzig Minuten. Busse fahren ab Montag im Zehn-Minuten-Takt.</p>
<ul><li>Die Fähre stellt ihren Betrieb Ende des Monats ein.</li>
<li>Radfahrer erhalten einen eigenen, breiten Fahrstreifen.</li></ul>
<p>Die Baukosten lagen mit 85 Millionen Euro deutlich über der ersten Schätzung.</p>
</article></main>
<aside class="sidebar"><h3>Meistgelesen</h3><ul><li><a href="/a">Unwetter im Harz</a></li>
<li><a href="/b">Stadtfest abgesagt</a></li></ul></aside>
<footer><p>© 2024 Lokalzeitung GmbH · Impressum · Datenschutz · Kontakt</p></footer>
</body></html>
"""


def html_page(path: Path) -> Path:
    path.write_text(ARTICLE_PAGE, encoding="utf-8")
    return path


CHAPTERS = (
    (
        "Erstes Kapitel: Die Ankunft",
        [
            "Am Abend erreichte der Zug die kleine Stadt am Fluss.",
            "Niemand wartete am Bahnsteig auf die Reisende.",
        ],
    ),
    (
        "Zweites Kapitel: Der Brief",
        ["Am nächsten Morgen lag ein Brief vor ihrer Tür.", "Er trug keinen Absender."],
    ),
)


def epub(path: Path, chapters=CHAPTERS, drm: bool = False) -> Path:
    """An EPUB 3 book as the specification lays it out: mimetype first and stored, the
    container pointing at the package, whose spine orders the chapters. With `drm`, the
    container says the first chapter is encrypted, as DRM schemes do."""
    manifest, spine, files = [], [], {}
    for number, (title, paragraphs) in enumerate(chapters, 1):
        name = f"kapitel{number}.xhtml"
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        files[f"OEBPS/{name}"] = (
            '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            f"<head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
        )
        manifest.append(f'<item id="c{number}" href="{name}" media-type="application/xhtml+xml"/>')
        spine.append(f'<itemref idref="c{number}"/>')
    files["OEBPS/content.opf"] = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">test</dc:'
        "identifier><dc:title>Die Reisende</dc:title><dc:language>de</dc:language></metadata>"
        f"<manifest>{''.join(manifest)}</manifest><spine>{''.join(spine)}</spine></package>"
    )
    container = (
        '<?xml version="1.0"?>\n<container version="1.0" '
        'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
        "</rootfiles></container>"
    )
    if drm:
        files["META-INF/encryption.xml"] = (
            '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
            'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>'
            '<enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
            '<enc:CipherData><enc:CipherReference URI="OEBPS/kapitel1.xhtml"/></enc:CipherData>'
            "</enc:EncryptedData></encryption>"
        )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", container, zipfile.ZIP_DEFLATED)
        for name, text in files.items():
            archive.writestr(name, text, zipfile.ZIP_DEFLATED)
    return path


def eml(path: Path, html: bool = False) -> Path:
    """An e-mail with a German body (plain text, or HTML only) and a PDF attachment."""
    message = EmailMessage()
    message["From"] = "Pressestelle <presse@stadt.example>"
    message["To"] = "redaktion@zeitung.example"
    message["Subject"] = "Einladung zur Pressekonferenz am Freitag"
    message["Date"] = "Mon, 04 Mar 2024 09:30:00 +0100"
    text = (
        "Sehr geehrte Damen und Herren,\n\nder Oberbürgermeister lädt Sie herzlich zur "
        "Pressekonferenz am Freitag um 10 Uhr ein.\nThema ist der neue Haushalt der Stadt.\n\n"
        "Mit freundlichen Grüßen\nIhre Pressestelle\n"
    )
    if html:
        paragraphs = "".join(f"<p>{p.replace(chr(10), ' ')}</p>" for p in text.split("\n\n"))
        message.set_content(f"<html><body>{paragraphs}</body></html>", subtype="html")
    else:
        message.set_content(text)
    message.add_attachment(
        b"%PDF-1.4 not really", maintype="application", subtype="pdf", filename="Programm.pdf"
    )
    path.write_bytes(bytes(message))
    return path


RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Times New Roman;}}"
    r"\f0\fs24 Die Gemeinde Gr\'fcnwald plant einen neuen Kindergarten.\par"
    "\n"
    r"Der Bau soll im Fr\'fchjahr beginnen und kostet rund zwei Millionen Euro.\par}"
)


def rtf(path: Path) -> Path:
    path.write_text(RTF, encoding="ascii")
    return path
