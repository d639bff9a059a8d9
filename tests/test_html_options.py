"""The web-page reader names every option it relies on, with exactly the value meant.

A library's defaults move between versions (trafilatura's include_comments is True by
default, its include_formatting None; markdownify has changed its escaping defaults), and
a page's text must not move with them. So the calls are pinned here, not only their output
on today's versions."""

from __future__ import annotations

import pytest

pytest.importorskip("trafilatura")
pytest.importorskip("markdownify")

from translate.inputs.extract import html  # noqa: E402

PAGE = (
    "<html><head><title>T</title></head><body><article><h1>Der Rat</h1>"
    "<p>Der Rat hat heute <b>lange</b> getagt und den Haushalt beschlossen.</p>"
    "<p>Die Stadt plant einen neuen Park am Fluss, der im Mai eröffnet wird.</p>"
    "</article></body></html>"
).encode()


def test_trafilatura_gets_every_option_the_reader_relies_on(monkeypatch):
    import trafilatura

    calls = []
    real = trafilatura.extract

    def recording(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "extract", recording)
    html.extract(PAGE, "seite.html")
    [given] = calls
    assert given == {
        "output_format": "html",
        "include_tables": True,
        "include_comments": False,
        "include_formatting": True,
        "include_links": False,
        "include_images": False,
        "deduplicate": False,
        "with_metadata": False,
    }
    # booleans as booleans: None reads as "the library decides" in some of these
    assert all(type(v) is bool for k, v in given.items() if k != "output_format")


def test_markdownify_gets_every_option_the_reader_relies_on(monkeypatch):
    import markdownify

    calls = []
    real = markdownify.MarkdownConverter

    class Recording(real):
        def __init__(self, **options):
            calls.append(options)
            super().__init__(**options)

    monkeypatch.setattr(markdownify, "MarkdownConverter", Recording)
    assert "Der Rat" in html.body_markdown("<body><h2>Der Rat</h2><p>Text.</p></body>")
    [given] = calls
    assert given == {
        "heading_style": "ATX",
        "bullets": "-",
        "strip": html._PLAIN,
        "escape_asterisks": False,
        "escape_underscores": False,
        "escape_misc": False,
    }
    assert all(type(given[k]) is bool for k in given if k.startswith("escape_"))


def test_a_pre_inside_a_paragraph_becomes_a_code_tag_by_its_exact_name():
    import bs4

    soup = bs4.BeautifulSoup("<p>Rufen Sie <pre>make</pre> auf.</p>", "html.parser")
    html._code_as_code(soup)
    assert [tag.name for tag in soup.find_all(True)] == ["p", "code"]
