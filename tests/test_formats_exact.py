"""Each document format's reader pinned to its exact output and refusals (issue 32): Word,
OpenDocument, EPUB, web pages, e-mail, and the entry point that picks the reader. Every
document is built here, small, with the libraries the formats are written with."""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests import documents
from translate.display import display_name
from translate.errors import InputError
from translate.inputs.extract import extract, format_of, max_file_bytes
from translate.inputs.extract.common import Extracted
from translate.inputs.extract.html import _code_in_pre, body_markdown
from translate.inputs.extract.notes import NOTE_CHARS, library_notes, note

# ---------------------------------------------------------------- the entry point


def test_a_format_is_named_by_its_suffix_in_any_case():
    assert format_of(Path("a.DOCX")) == "docx" and format_of(Path("b.Htm")) == "html"
    assert format_of(Path("c.xlsx")) is None and format_of(Path("README")) is None


@pytest.mark.parametrize("name", ["a.txt", "a.md", "a.html", "a.eml", "a.rtf"])
def test_a_text_format_file_may_be_as_large_as_its_text(name):
    assert max_file_bytes(Path(name), 1000) == 1000


@pytest.mark.parametrize("name", ["a.pdf", "a.docx", "a.odt", "a.epub", "a.xlsx"])
def test_a_packaged_file_may_be_fifty_times_its_text(name):
    assert max_file_bytes(Path(name), 1000) == 50_000


def test_a_file_without_a_suffix_is_refused_with_the_formats_listed(tmp_path):
    with pytest.raises(InputError) as caught:
        extract(tmp_path / "README", b"Text")
    assert str(caught.value) == (
        f"{tmp_path / 'README'}: files without a suffix is not a format this tool reads "
        "(.txt, .md, .pdf, .docx, .odt, .html, .htm, .xhtml, .epub, .eml, .rtf)"
    )


def test_an_empty_file_and_a_blank_one_are_refused_apart(tmp_path):
    with pytest.raises(InputError) as caught:
        extract(tmp_path / "leer.txt", b"")
    assert str(caught.value) == f"{tmp_path / 'leer.txt'}: the file is empty"
    import docx as python_docx

    python_docx.Document().save(str(tmp_path / "leer.docx"))
    with pytest.raises(InputError) as caught:
        extract(tmp_path / "leer.docx", (tmp_path / "leer.docx").read_bytes())
    assert str(caught.value) == f"{tmp_path / 'leer.docx'}: no text found in the docx file"


def test_the_text_limit_is_exact_to_the_byte(tmp_path):
    text = "Ein Satz über Bäume.\n"  # 23 bytes of UTF-8
    assert extract(tmp_path / "a.txt", text.encode(), max_text_bytes=23).text == text
    with pytest.raises(InputError, match="over the"):
        extract(tmp_path / "a.txt", text.encode(), max_text_bytes=22)


def test_the_text_is_normalized_and_its_format_recorded(tmp_path):
    result = extract(tmp_path / "a.md", "Die ﬁnale\u00a0Zeile\r\n".encode())
    assert result.text == "Die finale Zeile\n"
    assert result.metadata["format"] == "markdown" and result.notes == ()


class _Stand:
    """A stand-in reader: warns as a library does, then hands back or refuses."""

    def __init__(self, refuse: bool):
        self.refuse = refuse

    def extract(self, data, name, **options):
        warnings.warn("odd markup", UserWarning, stacklevel=1)
        logging.getLogger("somelib").warning("discarding data")
        if self.refuse:
            raise InputError(f"{name}: refused")
        return Extracted(
            "Text\n", {"extractor": "stand"}, ("python: UserWarning: odd markup", "own note")
        )


def test_library_notes_are_the_document_s_once_each_and_said_at_debug_on_a_refusal(
    tmp_path, monkeypatch, caplog
):
    import importlib

    real = importlib.import_module
    stand = _Stand(refuse=False)
    monkeypatch.setattr(
        "translate.inputs.extract.importlib.import_module",
        lambda name: stand if name == "translate.inputs.extract.mail" else real(name),
    )
    data = documents.eml(tmp_path / "a.eml").read_bytes()
    result = extract(tmp_path / "a.eml", data)
    assert result.notes == ("python: UserWarning: odd markup", "somelib: discarding data",
                            "own note")  # fmt: skip
    assert result.metadata == {"format": "email", "extractor": "stand"}
    stand.refuse = True
    with (
        caplog.at_level(logging.DEBUG, logger="translate.inputs.extract"),
        pytest.raises(InputError, match="refused"),
    ):
        extract(tmp_path / "a.eml", data)
    said = [r.getMessage() for r in caplog.records if r.name == "translate.inputs.extract"]
    shown = display_name(tmp_path / "a.eml")
    assert said == [
        f"{shown}: python: UserWarning: odd markup",
        f"{shown}: somelib: discarding data",
    ]
    assert all(
        r.levelno == logging.DEBUG for r in caplog.records if r.name == "translate.inputs.extract"
    )


def test_an_epub_is_stopped_at_the_text_limit(tmp_path):
    path = documents.epub(tmp_path / "b.epub")
    with pytest.raises(InputError, match="at least"):
        extract(path, path.read_bytes(), max_text_bytes=100)
    assert extract(path, path.read_bytes(), max_text_bytes=10_000).metadata["chapters"] == 2


# ---------------------------------------------------------------- Word


def _docx(tmp_path, build) -> str:
    import docx as python_docx

    document = python_docx.Document()
    build(document)
    path = tmp_path / "a.docx"
    document.save(str(path))
    return extract(path, path.read_bytes()).text


def test_word_headings_take_their_level_title_one_and_at_most_six(tmp_path):
    from docx.enum.style import WD_STYLE_TYPE

    def build(document):
        document.add_paragraph("Titel", style="Title")
        for level in (1, 2, 9):
            document.add_heading(f"Ebene {level}", level=level)
        document.styles.add_style("Heading Extra", WD_STYLE_TYPE.PARAGRAPH)
        document.add_paragraph("Sonder", style="Heading Extra")
        document.add_paragraph("Liste", style="List Number")
        document.add_paragraph("   ")
        document.add_paragraph("  Ein   Absatz \t hier ")

    assert _docx(tmp_path, build) == (
        "# Titel\n\n# Ebene 1\n\n## Ebene 2\n\n###### Ebene 9\n\n# Sonder\n\n- Liste\n\n"
        "Ein Absatz hier\n"
    )


def test_a_merged_word_cell_is_one_cell(tmp_path):
    def build(document):
        table = document.add_table(rows=2, cols=3)
        table.cell(0, 0).merge(table.cell(0, 1)).text = "Bereich  gesamt"
        table.cell(0, 2).text = "Jahr"
        for column, text in enumerate(["a", "b", "c"]):
            table.cell(1, column).text = text

    assert (
        _docx(tmp_path, build)
        == "| Bereich gesamt | Jahr |  |\n| --- | --- | --- |\n| a | b | c |\n"
    )


def test_a_damaged_word_package_is_refused_as_corrupt(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(InputError) as caught:
        extract(tmp_path / "k.docx", buffer.getvalue())
    assert str(caught.value).startswith(f"{tmp_path / 'k.docx'}: the Word file is corrupt (")
    assert str(caught.value).endswith("Error)")


# ---------------------------------------------------------------- OpenDocument


def test_a_damaged_opendocument_is_refused_as_corrupt(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
        archive.writestr("content.xml", "<nicht geschlossen")
    with pytest.raises(
        InputError, match=r"k\.odt: the OpenDocument file is corrupt \(XMLSyntaxError\)$"
    ):
        extract(tmp_path / "k.odt", buffer.getvalue())


def test_opendocument_list_items_lose_their_indent_and_extra_spaces(tmp_path):
    text = extract(tmp_path / "r.odt", documents.odt(tmp_path / "r.odt").read_bytes()).text
    assert "\n- Ein neues Schwimmbad\n- Längere Öffnungszeiten der Bibliothek\n" in text
    assert " -  " not in text
    assert (
        extract(tmp_path / "r.odt", (tmp_path / "r.odt").read_bytes())
        .metadata["extractor"]
        .startswith("odfdo ")
    )


# ---------------------------------------------------------------- EPUB

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>{}</rootfiles></container>'
)


def _book(tmp_path, files: dict[str, str], container: str | None = None, title: str = "") -> Path:
    metadata = f'<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">{title}</metadata>'
    path = tmp_path / "b.epub"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr(
            "META-INF/container.xml",
            container or CONTAINER.format('<rootfile full-path="OPS/book/content.opf"/>'),
        )
        for name, text in files.items():
            archive.writestr(name, text.replace("METADATA", metadata))
    return path


def _opf(manifest: str, spine: str) -> str:
    return (
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0">METADATA'
        f"<manifest>{manifest}</manifest><spine>{spine}</spine></package>"
    )


def _chapter(text: str) -> str:
    return f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{text}</p></body></html>'


def test_an_epub_reads_its_spine_once_each_leaving_out_the_nav_and_non_linear_parts(tmp_path):
    manifest = (
        '<item id="a" href="../Text/erstes%20kapitel.xhtml"/><item id="nav" href="nav.xhtml" '
        'properties="nav"/><item id="n" href="anmerkung.xhtml"/><item id="b" href="zwei.xhtml"/>'
    )
    spine = (
        '<itemref idref="nav"/><itemref idref="a"/><itemref idref="fehlt"/><itemref idref="n" '
        'linear="no"/><itemref idref="b"/><itemref idref="a"/><itemref idref="b" linear="yes"/>'
    )
    files = {
        "OPS/book/content.opf": _opf(manifest, spine),
        "OPS/Text/erstes kapitel.xhtml": _chapter("Eins."),
        "OPS/book/nav.xhtml": _chapter("Inhalt."),
        "OPS/book/anmerkung.xhtml": _chapter("Anmerkung."),
        "OPS/book/zwei.xhtml": _chapter("Zwei."),
    }
    result = extract(_book(tmp_path, files), _book(tmp_path, files).read_bytes())
    assert result.text == "Eins.\n\nZwei.\n"
    assert result.metadata["chapters"] == 2 and "source_title" not in result.metadata
    assert result.metadata["extractor"].startswith("zipfile + markdownify ")


def test_an_epub_title_is_one_line_and_an_empty_chapter_adds_no_blank_block(tmp_path):
    files = {
        "OPS/book/content.opf": _opf(
            '<item id="a" href="a.xhtml"/><item id="e" href="e.xhtml"/>'
            '<item id="b" href="b.xhtml"/>',
            '<itemref idref="a"/><itemref idref="e"/><itemref idref="b"/>',
        ),
        "OPS/book/a.xhtml": _chapter("Eins."),
        "OPS/book/e.xhtml": _chapter(" "),
        "OPS/book/b.xhtml": _chapter("Zwei."),
    }
    path = _book(tmp_path, files, title="<dc:title>Die\n  Reisende </dc:title>")
    result = extract(path, path.read_bytes())
    assert result.text == "Eins.\n\nZwei.\n"
    assert result.metadata["source_title"] == "Die Reisende" and result.metadata["chapters"] == 3


@pytest.mark.parametrize(
    "rootfiles", ["", '<rootfile media-type="x"/>', '<rootfile full-path=""/>']
)
def test_an_epub_that_names_no_package_is_refused(tmp_path, rootfiles):
    path = _book(tmp_path, {}, container=CONTAINER.format(rootfiles))
    with pytest.raises(InputError) as caught:
        extract(path, path.read_bytes())
    assert str(caught.value) == f"{path}: the EPUB file names no package document (damaged?)"


def test_an_epub_with_broken_xml_is_refused_naming_the_member(tmp_path):
    path = _book(tmp_path, {"OPS/book/content.opf": "<package"})
    with pytest.raises(
        InputError, match=r"b\.epub: the EPUB file is corrupt \(OPS/book/content\.opf: "
    ):
        extract(path, path.read_bytes())


def test_an_epub_with_only_its_fonts_encrypted_is_read(tmp_path):
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
        '<enc:CipherReference URI="{}"/></enc:CipherData></enc:EncryptedData></encryption>'
    )
    files = {
        "OPS/book/content.opf": _opf('<item id="a" href="a%20b.xhtml"/>', '<itemref idref="a"/>'),
        "OPS/book/a b.xhtml": _chapter("Eins."),
        "META-INF/encryption.xml": encryption.format("OPS/fonts/schrift.otf"),
    }
    path = _book(tmp_path, files)
    assert extract(path, path.read_bytes()).text == "Eins.\n"
    files["META-INF/encryption.xml"] = encryption.format("OPS/book/a%20b.xhtml")
    path = _book(tmp_path, files)
    with pytest.raises(InputError, match="DRM-protected"):
        extract(path, path.read_bytes())


def test_an_epub_text_limit_counts_the_chapters_read_so_far(tmp_path):
    from translate.inputs.extract import epub

    files = {
        "OPS/book/content.opf": _opf(
            '<item id="a" href="a.xhtml"/><item id="b" href="b.xhtml"/>',
            '<itemref idref="a"/><itemref idref="b"/>',
        ),
        "OPS/book/a.xhtml": _chapter("Eins."),  # `\n\nEins.\n\n`: 9 bytes
        "OPS/book/b.xhtml": _chapter("Zwei."),
    }
    data = _book(tmp_path, files).read_bytes()
    assert epub.extract(data, "b.epub", max_text_bytes=18).text == "Eins.\n\nZwei."
    with pytest.raises(InputError) as caught:
        epub.extract(data, "b.epub", max_text_bytes=17)
    assert "its text, at least 0.0 MB" in str(caught.value)


# ---------------------------------------------------------------- web pages and HTML


def test_a_bare_pre_gets_a_code_element_and_one_with_code_is_left_alone():
    assert (
        _code_in_pre(b"<PRE class='x'>a = 1\n</pre >")
        == b"<PRE class='x'><code>a = 1\n</code></pre>"
    )
    kept = b"<pre> <code>a = 1</code>\n</pre>"
    assert _code_in_pre(kept) == kept
    assert _code_in_pre(b"<p>kein Code</p>") == b"<p>kein Code</p>"


def test_html_bodies_keep_headings_lists_and_text_and_drop_markup():
    html = (
        "<?xml version='1.0'?><!DOCTYPE html><html><head><title>T</title><style>p{}</style>"
        "</head><body><!-- Kommentar --><nav>Menü</nav><script>x()</script><noscript>n</noscript>"
        "<template>t</template><svg><text>s</text></svg>"
        "<h2>Über *uns*</h2><p>Ein <a href='x'>Link</a>, <b>fett</b> und <em>snake_case</em> "
        "<span>1*2</span>.</p><ul><li>eins</li><li>zwei</li></ul></body></html>"
    )
    assert body_markdown(html).strip() == (
        "## Über *uns*\n\nEin Link, fett und snake_case 1*2.\n\n- eins\n- zwei"
    )


def test_html_without_a_body_is_converted_whole():
    assert body_markdown("<?xml version='1.0'?><brief><p>Hallo</p></brief>").strip() == "Hallo"


def test_code_from_a_web_page_is_one_fence_and_inline_code_is_backticked():
    html = (
        "<body><pre>\n  <pre>a = 1\nb = 2</pre>\n</pre>"
        "<p>Rufe <pre>run()</pre> auf.</p><ul><li><pre>x</pre></li></ul></body>"
    )
    text = body_markdown(html)
    assert "```\na = 1\nb = 2\n```" in text and text.count("```") == 2
    assert "Rufe `run()` auf." in text and "- `x`" in text


def test_a_web_page_without_an_article_is_refused(tmp_path):
    pytest.importorskip("trafilatura", reason="web pages need the [formats] extra")
    with pytest.raises(InputError) as caught:
        extract(
            tmp_path / "leer.html", b"<html><body><script>var a = 1;</script><p> </p></body></html>"
        )
    assert str(caught.value) == f"{tmp_path / 'leer.html'}: no article text found in the web page"


def test_a_web_page_s_code_block_stays_code(tmp_path):
    pytest.importorskip("trafilatura", reason="web pages need the [formats] extra")
    page = (
        "<html><body><article><h1>Anleitung für Einsteiger</h1><p>"
        + "So startet man das Programm auf dem Rechner im Büro. " * 4
        + "</p><pre>make install\nmake test</pre><p>"
        + "Danach läuft es ohne weitere Schritte auf jedem Rechner. " * 4
        + "</p></article></body></html>"
    )
    result = extract(tmp_path / "a.html", page.encode())
    assert "```\nmake install\nmake test\n```" in result.text
    assert result.metadata["extractor"].startswith("trafilatura ")
    assert " + markdownify " in result.metadata["extractor"]


# ---------------------------------------------------------------- e-mail


def _mail(tmp_path, build) -> Path:
    message = EmailMessage()
    build(message)
    path = tmp_path / "m.eml"
    path.write_bytes(bytes(message))
    return path


def test_the_plain_body_is_preferred_and_the_subject_is_one_line(tmp_path):
    def build(message):
        message["From"] = "a@b.example"
        message["Subject"] = "Sitzung   am\t Montag"
        message.set_content("Der Text.\n")
        message.add_alternative("<p>Der HTML-Text.</p>", subtype="html")

    result = extract(_mail(tmp_path, build), _mail(tmp_path, build).read_bytes())
    assert result.text == "# Sitzung am Montag\n\nDer Text.\n"
    assert result.metadata == {"format": "email", "extractor": "email (Python standard library)"}


def test_an_html_mail_is_read_as_markdown(tmp_path):
    def build(message):
        message["From"] = "a@b.example"
        message.set_content("<h2>Teil</h2><p>Der <b>Text</b>.</p>", subtype="html")
        message.add_attachment(b"x", maintype="application", subtype="octet-stream")

    path = _mail(tmp_path, build)
    result = extract(path, path.read_bytes())
    assert result.text == "## Teil\n\nDer Text.\n"
    assert result.metadata["extractor"].startswith("email (Python standard library) + markdownify ")
    assert result.metadata["attachments"] == ["application/octet-stream"]


def test_a_mail_with_a_subject_only_is_its_subject(tmp_path):
    def build(message):
        message["From"] = "a@b.example"
        message["Subject"] = "Nur der Betreff"

    path = _mail(tmp_path, build)
    assert extract(path, path.read_bytes()).text == "# Nur der Betreff\n"


def test_a_mail_with_no_subject_and_no_text_is_refused(tmp_path):
    def build(message):
        message["From"] = "a@b.example"
        message.set_content("  \n")

    path = _mail(tmp_path, build)
    with pytest.raises(InputError) as caught:
        extract(path, path.read_bytes())
    assert str(caught.value) == f"{path}: the e-mail has no text body"


def test_a_mail_with_only_an_attachment_has_no_text_body(tmp_path):
    def build(message):
        message["From"] = "a@b.example"
        message.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="a.pdf")

    path = _mail(tmp_path, build)
    with pytest.raises(InputError, match="the e-mail has no text body"):
        extract(path, path.read_bytes())


def test_a_mail_in_an_unknown_charset_is_decoded_as_a_text_file_would_be(tmp_path):
    data = (
        b"From: a@b.example\nSubject: Test\nContent-Type: text/plain; charset=x-unbekannt\n\n"
        + "Grüße aus Köln, die Straße ist gesperrt.\n".encode("cp1252")
    )
    assert extract(tmp_path / "m.eml", data).text == (
        "# Test\n\nGrüße aus Köln, die Straße ist gesperrt.\n"
    )
    blank = (
        b"From: a@b.example\nSubject: Test\nContent-Type: text/plain; charset=x-unbekannt\n\n \n"
    )
    assert extract(tmp_path / "m.eml", blank).text == "# Test\n"


def test_a_damaged_header_block_is_a_mail_when_it_names_a_sender(tmp_path):
    damaged = b" Subject: Test\nFrom: a@b.example\n\nDer Text.\n"  # a continuation line first
    assert extract(tmp_path / "m.eml", damaged).text.endswith("Der Text.\n")
    unnamed = b" Subject: Test\nTo: a@b.example\n\nDer Text.\n"
    with pytest.raises(InputError) as caught:
        extract(tmp_path / "m.eml", unnamed)
    assert (
        str(caught.value) == f"{tmp_path / 'm.eml'}: not an e-mail message (no mail headers found)"
    )


# ---------------------------------------------------------------- notes


def test_a_long_note_is_cut_to_its_limit_with_an_ellipsis():
    assert note("lib", "x" * NOTE_CHARS) == "lib: " + "x" * NOTE_CHARS
    assert note("lib", "x" * (NOTE_CHARS + 1)) == "lib: " + "x" * (NOTE_CHARS - 1) + "…"
    assert note("lib", "a\n  b\tc") == "lib: a b c"


def test_only_warnings_and_worse_of_other_libraries_are_notes():
    with library_notes() as notes:
        logging.getLogger("somelib").info("just so")
        logging.getLogger("somelib.deep").error("broken %s", "page")
        logging.getLogger("translate").warning("ours")
        logging.getLogger("translatex").warning("not ours")
        warnings.warn("careful", DeprecationWarning, stacklevel=1)
        warnings.warn("bs4 said", pytest.PytestWarning, stacklevel=1)
    assert notes == [
        "python: DeprecationWarning: careful",
        "pytest: PytestWarning: bs4 said",
        "somelib: broken page",
        "translatex: not ours",
    ]


def test_other_handlers_see_only_what_is_not_caught(caplog):
    with caplog.at_level(logging.INFO):
        with library_notes() as notes:
            logging.getLogger("somelib").warning("caught")
            logging.getLogger("somelib").info("shown")
            logging.getLogger("translate.x").warning("ours, shown")
        logging.getLogger("somelib").warning("after, shown")
    assert notes == ["somelib: caught"]
    assert [r.getMessage() for r in caplog.records] == ["shown", "ours, shown", "after, shown"]


def test_a_library_that_does_not_propagate_is_caught_where_it_logs():
    bs4 = logging.getLogger("bs4")
    before = bs4.propagate
    bs4.propagate = False
    try:
        with library_notes() as notes:
            bs4.warning("markup resembles a file name")
        assert notes == ["bs4: markup resembles a file name"]
        assert not any(type(h).__name__ == "_Catch" for h in bs4.handlers)
    finally:
        bs4.propagate = before


# ---------------------------------------------------------------- each format's own words

KINDS = {".docx": "Word", ".odt": "OpenDocument", ".epub": "EPUB"}


@pytest.mark.parametrize("suffix", [".docx", ".odt", ".epub"])
def test_a_truncated_package_is_refused_naming_its_kind(tmp_path, suffix):
    builders = {".docx": documents.docx, ".odt": documents.odt, ".epub": documents.epub}
    data = builders[suffix](tmp_path / f"a{suffix}").read_bytes()
    path = tmp_path / f"halb{suffix}"
    with pytest.raises(InputError) as caught:
        extract(path, data[: len(data) // 2])
    assert str(caught.value) == (
        f"{path}: the {KINDS[suffix]} file is corrupt or truncated (not a readable zip archive)"
    )


def _zip(path: Path, members: dict[str, str]) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path.read_bytes()


def test_an_opendocument_without_a_manifest_is_refused_as_damaged(tmp_path):
    path = tmp_path / "k.odt"
    data = _zip(
        path, {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<x/>"}
    )
    with pytest.raises(InputError) as caught:
        extract(path, data)
    assert (
        str(caught.value)
        == f"{path}: the OpenDocument file has no META-INF/manifest.xml (damaged?)"
    )


def test_a_password_protected_opendocument_is_refused_in_words(tmp_path):
    path = documents.encrypted_odt(tmp_path / "geheim.odt")
    with pytest.raises(InputError) as caught:
        extract(path, path.read_bytes())
    assert str(caught.value) == (
        f"{path}: the OpenDocument file is password-protected; save a copy without a password "
        "to translate it"
    )


def test_an_epub_without_its_container_or_a_chapter_is_refused_as_damaged(tmp_path):
    path = tmp_path / "k.epub"
    data = _zip(path, {"mimetype": "application/epub+zip", "OPS/a.xhtml": "<html/>"})
    with pytest.raises(InputError) as caught:
        extract(path, data)
    assert str(caught.value) == f"{path}: the EPUB file has no META-INF/container.xml (damaged?)"
    files = {"OPS/book/content.opf": _opf('<item id="a" href="a.xhtml"/>', '<itemref idref="a"/>')}
    book = _book(tmp_path, files)
    with pytest.raises(InputError) as caught:
        extract(book, book.read_bytes())
    assert str(caught.value) == f"{book}: the EPUB file has no OPS/book/a.xhtml (damaged?)"


def test_each_reader_records_its_library_and_version(tmp_path):
    from importlib.metadata import version

    word = documents.docx(tmp_path / "a.docx")
    assert extract(word, word.read_bytes()).metadata["extractor"] == (
        f"python-docx {version('python-docx')}"
    )
    text = documents.odt(tmp_path / "a.odt")
    assert extract(text, text.read_bytes()).metadata["extractor"] == f"odfdo {version('odfdo')}"
    book = documents.epub(tmp_path / "a.epub")
    assert extract(book, book.read_bytes()).metadata["extractor"] == (
        f"zipfile + markdownify {version('markdownify')}"
    )


@pytest.mark.parametrize(
    ("suffix", "module", "words"),
    [
        (".docx", "docx", "reading Word files needs python-docx, which"),
        (".odt", "odfdo", "reading OpenDocument files needs odfdo, which"),
        (".epub", "lxml.etree", "reading EPUB files needs lxml, which"),
        (".epub", "bs4", "reading HTML needs beautifulsoup4, which"),
        (".epub", "markdownify", "reading HTML needs markdownify, which"),
        (".html", "trafilatura", "reading web pages needs trafilatura, which"),
    ],
)
def test_a_missing_library_is_named_with_what_it_reads(
    tmp_path, monkeypatch, suffix, module, words
):
    import sys

    from translate.errors import FormatSupportMissing

    builders = {
        ".docx": documents.docx,
        ".odt": documents.odt,
        ".epub": documents.epub,
        ".html": documents.html_page,
    }
    path = builders[suffix](tmp_path / f"a{suffix}")
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    with pytest.raises(FormatSupportMissing) as caught:
        extract(path, path.read_bytes())
    assert str(caught.value) == f"{words} is not installed: pip install 'translate-digest[formats]'"


def test_a_warning_is_named_by_the_top_package_of_its_category():
    class Parser(UserWarning):
        pass

    Parser.__module__ = "somelib.parser"

    class Nameless(UserWarning):
        pass

    Nameless.__module__ = None

    class Empty(UserWarning):
        pass

    Empty.__module__ = ""
    with library_notes() as notes:
        warnings.warn("deep", Parser, stacklevel=1)
        warnings.warn("none", Nameless, stacklevel=1)
        warnings.warn("empty", Empty, stacklevel=1)
        warnings.warn("plain", UserWarning, stacklevel=1)
    assert notes == ["somelib: Parser: deep", "python: Nameless: none", "python: Empty: empty",
                     "python: UserWarning: plain"]  # fmt: skip


def test_a_library_record_that_cannot_be_formatted_is_no_note_and_no_error():
    with library_notes() as notes:
        logging.getLogger("somelib").warning("%d pages", "many")  # a broken format
        logging.getLogger("somelib").warning("fine")
    assert notes == ["somelib: fine"]


def test_a_word_document_without_a_default_style_is_read_as_paragraphs(tmp_path):
    from docx.oxml.ns import qn

    def build(document):
        for style in document.styles.element.findall(qn("w:style")):
            style.attrib.pop(qn("w:default"), None)  # no default paragraph style
        document.add_paragraph("Erster Absatz.")
        document.add_paragraph("Zweiter Absatz.")

    assert _docx(tmp_path, build) == "Erster Absatz.\n\nZweiter Absatz.\n"


def test_a_word_style_named_heading_alone_is_a_first_level_heading(tmp_path):
    from docx.enum.style import WD_STYLE_TYPE

    def build(document):
        document.styles.add_style("Heading", WD_STYLE_TYPE.PARAGRAPH)
        document.styles.add_style("Heading Extra 3", WD_STYLE_TYPE.PARAGRAPH)
        document.add_paragraph("Kopf", style="Heading")
        document.add_paragraph("Drei", style="Heading Extra 3")
        document.add_paragraph("Text.")

    assert _docx(tmp_path, build) == "# Kopf\n\n### Drei\n\nText.\n"


def test_an_epub_s_broken_container_or_encryption_list_is_refused_naming_it(tmp_path):
    path = _book(tmp_path, {}, container="<container")
    with pytest.raises(InputError) as caught:
        extract(path, path.read_bytes())
    assert str(caught.value).startswith(
        f"{path}: the EPUB file is corrupt (META-INF/container.xml: "
    )
    files = {
        "OPS/book/content.opf": _opf('<item id="a" href="a.xhtml"/>', '<itemref idref="a"/>'),
        "OPS/book/a.xhtml": _chapter("Eins."),
        "META-INF/encryption.xml": "<encryption",
    }
    path = _book(tmp_path, files)
    with pytest.raises(InputError) as caught:
        extract(path, path.read_bytes())
    assert str(caught.value).startswith(
        f"{path}: the EPUB file is corrupt (META-INF/encryption.xml: "
    )


def test_a_drm_refusal_names_the_book_and_a_reference_without_uri_is_no_chapter(tmp_path):
    encryption = (
        '<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
        "{}</enc:CipherData></enc:EncryptedData></encryption>"
    )
    files = {
        "OPS/book/content.opf": _opf('<item id="a" href="a.xhtml"/>', '<itemref idref="a"/>'),
        "OPS/book/a.xhtml": _chapter("Eins."),
        "META-INF/encryption.xml": encryption.format("<enc:CipherReference/>"),
    }
    path = _book(tmp_path, files)
    assert extract(path, path.read_bytes()).text == "Eins.\n"
    files["META-INF/encryption.xml"] = encryption.format(
        '<enc:CipherReference URI="OPS/book/a.xhtml"/>'
    )
    path = _book(tmp_path, files)
    with pytest.raises(InputError) as caught:
        extract(path, path.read_bytes())
    assert str(caught.value) == f"{path}: the e-book is DRM-protected (its chapters are encrypted)"


def test_an_epub_over_the_limit_is_refused_in_words(tmp_path):
    from translate.inputs.extract import epub

    files = {
        "OPS/book/content.opf": _opf('<item id="a" href="a.xhtml"/>', '<itemref idref="a"/>'),
        "OPS/book/a.xhtml": _chapter("Eins."),
    }
    with pytest.raises(InputError) as caught:
        epub.extract(_book(tmp_path, files).read_bytes(), "b.epub", max_text_bytes=8)
    assert str(caught.value) == (
        "b.epub: its text, at least 0.0 MB, is over the 0.0 MB input limit "
        "(raise it with --max-input-mb)"
    )


def test_an_entity_in_an_epub_package_is_not_expanded(tmp_path):
    package = '<?xml version="1.0"?><!DOCTYPE package [<!ENTITY t "Geheim">]>' + _opf(
        '<item id="a" href="a.xhtml"/>', '<itemref idref="a"/>'
    )
    files = {"OPS/book/content.opf": package, "OPS/book/a.xhtml": _chapter("Eins.")}
    path = _book(tmp_path, files, title="<dc:title>Die &t; Reise</dc:title>")
    assert extract(path, path.read_bytes()).metadata["source_title"] == "Die"


def test_inline_markup_becomes_its_plain_text():
    html = (
        "<body><p>Ein <i>kursives</i>, <strong>starkes</strong> Wort<img src='b.png' alt='Bild'>"
        " und <b>fett</b>, <em>betont</em>, <a href='h'>verlinkt</a>.</p>"
        "<style>p { color: red }</style></body>"
    )
    assert body_markdown(html).strip() == "Ein kursives, starkes Wort und fett, betont, verlinkt."


def test_markdown_characters_in_html_text_are_not_escaped():
    html = "<p>a + b = c &gt; d (#3) [z] _a_</p><p># kein</p><p>+ plus</p><p>1. eins</p>"
    assert (
        body_markdown(html).strip() == "a + b = c > d (#3) [z] _a_\n\n# kein\n\n+ plus\n\n1. eins"
    )


@pytest.mark.parametrize("tag", ["p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"])
def test_a_pre_inside_a_text_block_is_inline_code(tag):
    inner = f"<{tag}>Rufe <pre>run()</pre> auf</{tag}>"
    if tag in ("td", "th"):
        inner = f"<table><tr>{inner}</tr></table>"
    if tag == "li":
        inner = f"<ul>{inner}</ul>"
    text = body_markdown(f"<body>{inner}</body>")
    assert "Rufe `run()` auf" in text and "```" not in text


def test_a_pdf_is_stopped_at_the_text_limit_as_it_is_read(tmp_path):
    from tests.test_pdf_structure import lines_pdf

    path = lines_pdf(tmp_path / "a.pdf", [(0, "Ein Satz über die Brücke im Ort.")])
    with pytest.raises(InputError, match="its text, at least 0.0 MB, is over the 0.0 MB"):
        extract(path, path.read_bytes(), max_text_bytes=10)


def test_a_web_page_keeps_its_tables_and_reads_the_same_every_time(tmp_path):
    pytest.importorskip("trafilatura", reason="web pages need the [formats] extra")
    words = "So startet man das Programm auf dem Rechner im Büro ohne Mühe. " * 3
    page = (
        f"<html><body><article><h1>Anleitung für Einsteiger</h1><p>{words}</p>"
        "<table><tr><th>Name</th><th>Wert</th></tr><tr><td>Anna</td><td>12</td></tr></table>"
        f"<p>Ein Absatz, der zweimal auf der Seite steht, mit Text genug.</p><p>{words}</p>"
        "<p>Ein Absatz, der zweimal auf der Seite steht, mit Text genug.</p>"
        "</article></body></html>"
    ).encode()
    texts = [extract(tmp_path / "a.html", page).text for _ in range(5)]
    assert "| Name | Wert |\n| --- | --- |\n| Anna | 12 |" in texts[0]
    assert texts[0].count("Ein Absatz, der zweimal") == 2
    assert texts == [texts[0]] * 5  # no paragraph is dropped as seen before


def test_notes_are_kept_once_each_and_at_most_twenty_warnings_first():
    from translate.inputs.extract.notes import MAX_NOTES

    assert MAX_NOTES == 20
    with library_notes() as notes:
        for n in range(30):
            logging.getLogger("somelib").warning("page %d", n % 25)
        warnings.warn("twice", UserWarning, stacklevel=1)
        warnings.warn("twice", UserWarning, stacklevel=1)
    assert notes == ["python: UserWarning: twice"] + [f"somelib: page {n}" for n in range(19)]


def test_a_mail_body_that_cannot_be_decoded_is_refused_naming_the_file(tmp_path):
    import base64

    data = (
        b"From: a@b.example\nSubject: Test\nContent-Type: text/plain; charset=x-unbekannt\n"
        b"Content-Transfer-Encoding: base64\n\n" + base64.b64encode(b"\xff\xfeA\x00B") + b"\n"
    )
    with pytest.raises(InputError) as caught:
        extract(tmp_path / "m.eml", data)
    assert (
        str(caught.value) == f"{tmp_path / 'm.eml'}: cannot be decoded as utf-16 (truncated data)"
    )


def test_the_text_limit_refusal_names_the_file_and_both_sizes(tmp_path):
    with pytest.raises(InputError) as caught:
        extract(tmp_path / "a.txt", ("Ein Satz. " * 20_000).encode(), max_text_bytes=150_000)
    assert str(caught.value) == (
        f"{tmp_path / 'a.txt'}: its text, 0.2 MB, is over the 0.1 MB input limit "
        "(raise it with --max-input-mb)"
    )
