"""The small format readers pinned exactly (issue 32): plain text and Markdown (text.py),
RTF (rtf.py), the Markdown blocks every structured format is given as (structure.py).
Each answer here was worked out by hand; no model is built."""

from __future__ import annotations

import sys

import pytest

from translate.errors import FormatSupportMissing, InputError
from translate.inputs.extract import rtf
from translate.inputs.extract import text as plain
from translate.inputs.extract.structure import Block, join_blocks, table_rows

# ---------------------------------------------------------------- text.py


def test_a_text_file_records_its_encoding_and_nothing_else():
    assert plain.extract("Grüße aus Köln.\n".encode(), "a.txt").metadata == {"encoding": "utf-8"}


def test_legacy_lines_in_a_utf8_text_are_counted():
    data = "Grüße aus Köln.\n".encode() + "Straße am Fluß.\n".encode("cp1252") * 2
    extracted = plain.extract(data, "a.txt")
    assert extracted.text == "Grüße aus Köln.\nStraße am Fluß.\nStraße am Fluß.\n"
    assert extracted.metadata == {"encoding": "utf-8+cp1252", "legacy_lines": 2}


def test_a_text_refused_by_the_decoder_is_named():
    with pytest.raises(InputError, match=r"^leer\.txt: has no text"):
        plain.extract(b"... --- !!!\n", "leer.txt")


def test_markdown_front_matter_is_cut_off_counted_and_gives_the_title():
    data = b"---\ntitle: 'Der Titel'\nauthor: Rat\n---\nText hier.\n"
    extracted = plain.extract(data, "notiz.md")
    assert extracted.text == "Text hier.\n"
    assert extracted.metadata == {
        "encoding": "utf-8",
        "front_matter_lines": 4,
        "source_title": "Der Titel",
    }


def test_the_md_suffix_is_recognised_in_any_case():
    data = b'---\ntitle: "Xanten"\n---\nText.\n'
    for name in ("A.MD", "a.Md", "a.md"):
        extracted = plain.extract(data, name)
        assert extracted.text == "Text.\n"
        # the quotes, and only the quotes, are stripped off the title
        assert extracted.metadata["source_title"] == "Xanten"


def test_a_txt_file_keeps_its_front_matter_as_text():
    data = b"---\ntitle: X\n---\nText.\n"
    assert plain.extract(data, "a.txt").text == data.decode()
    assert plain.extract(data, "a.md.txt").metadata == {"encoding": "utf-8"}


def test_an_empty_front_matter_is_cut_off_with_no_title():
    extracted = plain.extract(b"---\n---\nText.\n", "a.md")
    assert extracted.text == "Text.\n"
    assert extracted.metadata == {"encoding": "utf-8", "front_matter_lines": 2}


def test_front_matter_without_a_title_gives_none():
    extracted = plain.extract(b"---\nauthor: Rat\n...\nText.\n", "a.md")
    assert extracted.text == "Text.\n"
    assert extracted.metadata == {"encoding": "utf-8", "front_matter_lines": 3}


@pytest.mark.parametrize(
    "data",
    [
        b"---\nDas ist Prosa.\n---\nText.\n",
        b"---\ntitle: X\nDas ist Prosa.\n---\nText.\n",  # any line that is not YAML
    ],
)
def test_a_rule_over_prose_is_not_front_matter(data):
    extracted = plain.extract(data, "a.md")
    assert extracted.text == data.decode()
    assert extracted.metadata == {"encoding": "utf-8"}


def test_every_yaml_line_form_is_accepted_in_front_matter():
    data = b"---\ntags:\n  - rat\n- b\n# comment\n\nx.y-z: 1\n---\nText.\n"
    extracted = plain.extract(data, "a.md")
    assert extracted.text == "Text.\n" and extracted.metadata["front_matter_lines"] == 8


# ---------------------------------------------------------------- rtf.py


def test_rtf_escapes_are_read_in_cp1252_and_unknown_bytes_replaced():
    data = rb"{\rtf1\ansi Preis: 5 \'80, \'93Zitat\'94 \'81.\par}"
    extracted = rtf.extract(data, "a.rtf")
    assert extracted.text == "Preis: 5 €, “Zitat” \ufffd."
    assert extracted.metadata["extractor"].startswith("striprtf ")
    assert list(extracted.metadata) == ["extractor"]


def test_rtf_paragraphs_are_apart_by_blank_lines_and_other_line_breaks_kept():
    data = rb"{\rtf1\ansi Erste  \par\par  Zeile\line zwei\u8232?drei\par}"
    assert rtf.extract(data, "a.rtf").text == "Erste\n\nZeile\n\nzwei\ndrei"


def test_an_rtf_file_striprtf_cannot_read_is_corrupt_in_one_line():
    with pytest.raises(InputError) as caught:
        rtf.extract(rb"{\rtf1 a\u99999999? b}", "kaputt.rtf")
    assert str(caught.value) == "kaputt.rtf: the RTF file is corrupt (ValueError)"


def test_rtf_without_striprtf_names_the_package_and_the_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "striprtf.striprtf", None)
    with pytest.raises(FormatSupportMissing) as caught:
        rtf.extract(rb"{\rtf1 a}", "a.rtf")
    assert str(caught.value) == (
        "reading RTF files needs striprtf, which is not installed: "
        "pip install 'translate-digest[formats]'"
    )


# ---------------------------------------------------------------- structure.py


def test_rows_and_items_stay_on_consecutive_lines_and_other_blocks_apart():
    blocks = [
        Block("| a |", "row"),
        Block("| b |", "row"),
        Block("x", "paragraph"),
        Block("y", "paragraph"),
        Block("- i", "item"),
        Block("- j", "item"),
        Block("| c |", "row"),
        Block("# H", "heading"),
        Block("# G", "heading"),
    ]
    assert join_blocks(blocks) == "| a |\n| b |\n\nx\n\ny\n\n- i\n- j\n\n| c |\n\n# H\n\n# G"
    assert join_blocks([]) == ""


def test_a_table_is_padded_to_its_widest_row_and_empty_rows_dropped():
    assert table_rows([["a", "b", "c"], ["d"], ["", ""], ["e", "f"]]) == [
        "| a | b | c |",
        "| --- | --- | --- |",
        "| d |  |  |",
        "| e | f |  |",
    ]
    assert table_rows([["", ""], []]) == []
