"""`format=html`: translate an HTML text's words and keep its markup, as LibreTranslate does.

Each text node is one input to the translator (the markup between nodes stays exactly where
it was); the text of scripts, styles and comments is not language and is left alone. A
sentence split by inline markup (`<b>`) is translated in its pieces, as LibreTranslate's
own HTML translation does too.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString
from bs4.element import CData, ProcessingInstruction

_NOT_TEXT = (Comment, Declaration, Doctype, CData, ProcessingInstruction)
_NO_WORDS_IN = frozenset({"script", "style", "template", "code", "pre", "noscript"})


class HtmlText:
    """An HTML text's words (`words`: one per text node, in order) and how to put their
    translations back (`render`), each node keeping the whitespace around its words."""

    def __init__(self, html: str):
        self._soup = BeautifulSoup(html, "html.parser")
        self._nodes = [
            node
            for node in self._soup.find_all(string=True)
            if not isinstance(node, _NOT_TEXT)
            and node.strip()
            and not any(parent.name in _NO_WORDS_IN for parent in node.parents)
        ]
        self.words = [node.strip() for node in self._nodes]

    def render(self, english: list[str]) -> str:
        for node, words in zip(self._nodes, english, strict=True):
            text = str(node)
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            node.replace_with(NavigableString(f"{lead}{words}{trail}"))
        return str(self._soup)
