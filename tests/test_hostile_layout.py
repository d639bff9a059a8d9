"""PDF layout on pages nobody laid out for reading (issue 29): geometry only, words built by
hand as in tests/test_extract.py."""

from __future__ import annotations

from tests.test_extract import _line
from translate.inputs.extract.layout import page_text


def test_a_line_that_is_the_whole_of_its_page_is_not_a_running_header():
    # 10,000 pages of one line each, alike but for the number: every line is the text.
    pages = [_line(f"Zeile {n} des Protokolls", 50, 700) for n in range(1, 10_001)]
    text = page_text(pages)
    assert text.count("des Protokolls") == 10_000
    assert " ".join(text.split()[:8]) == "Zeile 1 des Protokolls Zeile 2 des Protokolls"


def test_a_page_number_alone_on_a_page_is_still_dropped():
    bodies = ["Der Rat tagt am Montag im Rathaus.", "Die Sitzung ist öffentlich und beginnt früh."]
    pages = [_line(body, 50, 700) + _line(str(n), 300, 40) for n, body in enumerate(bodies, 1)]
    pages.append(_line("3", 300, 40))  # an empty page: only its number
    assert page_text(pages).split() == " ".join(bodies).split()
