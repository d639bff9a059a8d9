"""Web pages: the article only (trafilatura), and whole HTML bodies (markdownify) for
e-book chapters and e-mails, where everything in the body is the text."""

from __future__ import annotations

import re

from translate.errors import InputError
from translate.inputs.extract.common import Extracted, library, require

_DROPPED = ("script", "style", "noscript", "template", "head", "nav", "svg")
# Inline markup is noise for the translator: these become their plain text.
_PLAIN = ["a", "img", "b", "strong", "i", "em", "u", "mark", "small", "sup", "sub", "span"]
# trafilatura reads a <pre> without <code> as a quotation: give each one its <code>.
_BARE_PRE = re.compile(rb"(<pre\b[^>]*>)(?!\s*<code\b)", re.IGNORECASE)
_BARE_PRE_END = re.compile(rb"(?<!</code>)(\s*)</pre\s*>", re.IGNORECASE)


def extract(data: bytes, name: str) -> Extracted:
    """The main text of a saved web page, without menus, cookie banners, sidebars, footers."""
    trafilatura = require("trafilatura", "trafilatura", "web pages")
    article = trafilatura.extract(
        _code_in_pre(data),  # bytes: trafilatura reads the page's declared encoding
        output_format="html",  # headings, lists and tables kept, as body_markdown renders them
        include_tables=True,
        include_comments=False,
        include_formatting=True,
        include_links=False,
        include_images=False,
        deduplicate=False,
        with_metadata=False,
    )
    text = body_markdown(article) if article else ""
    if not text.strip():
        raise InputError(f"{name}: no article text found in the web page")
    return Extracted(
        text=text, metadata={"extractor": f"{library('trafilatura')} + {body_extractor()}"}
    )


def _code_in_pre(data: bytes) -> bytes:
    if not _BARE_PRE.search(data):
        return data
    return _BARE_PRE_END.sub(rb"\1</code></pre>", _BARE_PRE.sub(rb"\1<code>", data))


def _code_as_code(soup) -> None:
    """Code as trafilatura hands it over, made Markdown code again: a code block is a <pre>
    in a <pre> (one fence, not two), inline code a <pre> inside a paragraph (`code`)."""
    for pre in soup.find_all("pre"):
        if pre.find_parent(["p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"]):
            pre.name = "code"
        elif pre.parent is not None and pre.parent.name == "pre":
            for space in [c for c in pre.parent.contents if isinstance(c, str) and not c.strip()]:
                space.extract()  # the outer <pre>'s indentation, from trafilatura's layout
            pre.unwrap()


def body_markdown(html: str | bytes) -> str:
    """All the text of an HTML document's body as Markdown-ish blocks, links as their text."""
    bs4 = require("bs4", "beautifulsoup4", "HTML")
    markdownify = require("markdownify", "markdownify", "HTML")
    soup = bs4.BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    # An <?xml ...?> declaration, a doctype, a comment: markup, never text (with no <body>
    # to start from, the whole soup is converted).
    for node in soup.find_all(string=lambda s: isinstance(s, bs4.element.PreformattedString)):
        node.extract()
    _code_as_code(soup)
    converter = markdownify.MarkdownConverter(
        heading_style="ATX",
        bullets="-",
        strip=_PLAIN,
        escape_asterisks=False,
        escape_underscores=False,
        escape_misc=False,
    )
    return converter.convert_soup(soup.body or soup)


def body_extractor() -> str:
    return library("markdownify")
