"""Structure in text documents (issue 27, items 5 and 6): code kept verbatim, a Markdown
file's YAML front matter left out, e-mail quotes and signatures kept but not summarized."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest
from typer.testing import CliRunner

from translate.cli import app
from translate.inputs.extract import extract
from translate.inputs.extract.common import normalize_text
from translate.text.fidelity import check
from translate.text.markup import restore_inline_code
from translate.text.roles import block_roles, kept_verbatim, summary_text
from translate.text.segment import segment, split_blocks

pytestmark = pytest.mark.timeout(120)

MAIL = normalize_text(
    """Hallo Anna,

ich komme am Montag. Bitte bring die Unterlagen zum Haushalt mit.

Viele Grüße
Hans

--\x20
Hans Müller
Tel. 030 123456

Am 3. Mai 2024 um 10:00 schrieb Anna Schmidt <anna@example.de>:
> Hallo Hans,
> kommst du am Montag zum Treffen? Wir besprechen
> den Haushalt.
>
> Anna
"""
)


def roles_of(text: str) -> list[tuple[str, str | None]]:
    return [(text[s:e], role) for (s, e), role in zip(split_blocks(text), block_roles(text))]


def test_a_reply_its_signature_and_the_quoted_message_each_have_their_role():
    roles = roles_of(MAIL)
    assert roles == [
        ("Hallo Anna,", None),
        ("ich komme am Montag. Bitte bring die Unterlagen zum Haushalt mit.", None),
        ("Viele Grüße\nHans", None),
        ("--\nHans Müller\nTel. 030 123456", "signature"),
        ("Am 3. Mai 2024 um 10:00 schrieb Anna Schmidt <anna@example.de>:", "quoted"),
        (
            "Hallo Hans,\n> kommst du am Montag zum Treffen? Wir besprechen\n> den Haushalt.",
            "quoted",
        ),
        ("Anna", "quoted"),
    ]
    # The summary reads what this message says, without the quote or the signature.
    assert summary_text(MAIL) == (
        "Hallo Anna,\n\nich komme am Montag. Bitte bring die Unterlagen zum Haushalt mit."
        "\n\nViele Grüße\nHans"
    )
    assert kept_verbatim(MAIL) == {3}  # the signature: names and numbers, as they are


def test_an_outlook_reply_quotes_everything_after_its_original_message_line():
    text = (
        "Danke, das passt so.\n\n-----Ursprüngliche Nachricht-----\nVon: Anna\n"
        "Gesendet: Montag\n\nKönnen wir uns am Montag treffen und den Plan besprechen?"
    )
    assert [role for _, role in roles_of(text)] == [None, "quoted", "quoted"]


def test_a_forward_that_is_all_quote_is_summarized_whole():
    text = (
        "> Der Rat hat am Montag den Haushalt für das kommende Jahr beschlossen.\n> Er gilt ab Mai."
    )
    assert "Haushalt" in summary_text(text) and "Mai" in summary_text(text)


def test_a_quoted_paragraph_is_one_block_read_without_its_markers():
    seg = segment(MAIL, lambda s: len(s.split()) + 1, limit=60, target=2)
    quote = [c for c in seg.chunks if c.block == 5]
    assert [c.clean for c in quote] == [
        "Hallo Hans, kommst du am Montag zum Treffen?",
        "Wir besprechen den Haushalt.",
    ]
    assert seg.reassemble() == MAIL


def test_a_fenced_code_block_is_one_block_blank_lines_and_all_and_kept_verbatim():
    text = (
        "Bauen Sie so:\n```sh\nmake   all\n\n# 2 Schritte: 3,5 s\nmake install\n```\nFertig ist es."
    )
    roles = roles_of(text)
    assert roles == [
        ("Bauen Sie so:", None),
        ("```sh\nmake   all\n\n# 2 Schritte: 3,5 s\nmake install\n```", "code"),
        ("Fertig ist es.", None),
    ]
    assert kept_verbatim(text) == {1}
    assert "make" not in summary_text(text)


def test_a_contents_list_is_left_out_of_the_summary():
    text = "# Inhalt\n\n- Einleitung\n- Haushalt 2024\n\n# Einleitung\n\n" + "Der Rat tagt. " * 5
    assert [role for _, role in roles_of(text)] == ["contents", "contents", "contents", None, None]
    assert summary_text(text) == "Einleitung\n\n" + ("Der Rat tagt. " * 5).strip()


def test_inline_code_comes_back_as_the_source_has_it_and_its_numbers_are_not_checked():
    source = "Starten Sie `run --jobs 4` und warten Sie 10 Minuten."
    assert restore_inline_code(source, "Start `run - jobs 4` and wait 10 minutes.") == (
        "Start `run --jobs 4` and wait 10 minutes."
    )
    assert restore_inline_code(source, "Start run and wait 10 minutes.") is None
    assert check(source, "Start `run --jobs` and wait 10 minutes.").ok  # 4 is the code's
    assert not check(source, "Start run --jobs 4 and wait ten minutes or so.").ok


FRONT = "---\nTitle: Gesetz über die Abfallentsorgung\njurabk: AbfAEV\nlayout: default\n\n---\n"


def test_a_markdown_files_yaml_front_matter_is_left_out_and_gives_its_title(tmp_path):
    extracted = extract(Path("gesetz.md"), (FRONT + "# § 1\n\nDer Text gilt.\n").encode())
    assert "jurabk" not in extracted.text and extracted.text.strip().startswith("# § 1")
    assert extracted.metadata["source_title"] == "Gesetz über die Abfallentsorgung"
    # A rule over prose is no front matter; a .txt file has none.
    prose = "---\n\nDas ist ein Absatz.\n\n---\nmehr\n"
    assert extract(Path("a.md"), prose.encode()).text.startswith("---")
    assert extract(Path("a.txt"), FRONT.encode() + b"Text.").text.startswith("---")


def test_web_page_code_comes_out_as_markdown_code():
    pytest.importorskip("trafilatura")
    html = (
        "<html><body><article><h1>Paket bauen</h1><p>Installieren Sie das Paket mit "
        "<code>apt-get install paket</code> und starten Sie neu, wie es die Anleitung sagt.</p>"
        "<pre><code>dpkg-buildpackage -us -uc\nls ../*.deb</code></pre>"
        "<p>Danach ist das Paket fertig und kann an alle verteilt werden.</p>"
        "<pre>make install\nmake check</pre></article></body></html>"
    )
    text = extract(Path("seite.html"), html.encode()).text
    assert "mit `apt-get install paket` und" in text
    assert "```\ndpkg-buildpackage -us -uc\nls ../*.deb\n```" in text
    assert "```\nmake install\nmake check\n```" in text
    assert "``` ```" not in text and "> make" not in text


@pytest.mark.slow  # builds and runs the tiny models
def test_end_to_end_code_stays_verbatim_and_quotes_stay_marked(tmp_path, model_args):
    (tmp_path / "anleitung.md").write_text(
        FRONT + "# Anleitung\n\nBauen Sie das Paket so:\n\n```\nmake   all  # 3 Schritte\n```\n\n"
        "Danach ist es fertig und kann verteilt werden.\n",
        encoding="utf-8",
    )
    message = EmailMessage()
    message["From"], message["Subject"] = "hans@example.de", "Treffen"
    message.set_content(MAIL)
    (tmp_path / "antwort.eml").write_bytes(bytes(message))
    result = CliRunner().invoke(app, ["run", str(tmp_path), *model_args, "--keep-translation"])
    assert result.exit_code == 0, result.output
    guide = (tmp_path / "anleitung.en.md").read_text(encoding="utf-8")
    assert "```\nmake   all  # 3 Schritte\n```" in guide
    assert "jurabk" not in guide and "layout: default" not in guide
    assert 'title: "Gesetz über die Abfallentsorgung"' in guide or (
        "title: Gesetz über die Abfallentsorgung" in guide
    )
    reply = (tmp_path / "antwort.en.md").read_text(encoding="utf-8")
    assert "--\nHans Müller\nTel. 030 123456" in reply  # the signature as it is
    assert "\n> " in reply  # the quote, translated, still marked as quoted


@pytest.mark.slow  # builds and runs the tiny models
def test_translateignore_leaves_known_refusals_alone_and_says_them_apart(tmp_path, model_args):
    (tmp_path / "brief.txt").write_text("Der Rat hat am Montag getagt.", encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\nnot really\n%%EOF\n")  # refused: corrupt
    (tmp_path / "latein").mkdir()
    (tmp_path / "latein" / "epistula.txt").write_text("Gallia est omnis divisa in partes tres.")
    (tmp_path / "latein" / "wichtig.txt").write_text("Der Rat tagt wieder am Montag.")
    runner = CliRunner()
    before = runner.invoke(app, ["run", str(tmp_path), "--recursive", *model_args])
    assert before.exit_code == 1  # two refusals (the two others written): every rerun fails
    (tmp_path / ".translateignore").write_text("*.pdf\nlatein/*\n!latein/wichtig.txt\n")
    after = runner.invoke(app, ["run", str(tmp_path), "--recursive", *model_args, "--json"])
    assert after.exit_code == 0, after.output
    import json

    report = json.loads(after.stdout)
    assert (report["written"], report["skipped"], report["failed"], report["ignored"]) == (
        0,
        2,
        0,
        2,
    )
    ignored = {Path(d["path"]).name: d for d in report["documents"] if d["status"] == "ignored"}
    assert set(ignored) == {"scan.pdf", "epistula.txt"}
    assert str(tmp_path / ".translateignore") in ignored["scan.pdf"]["reason"]
    assert not list(tmp_path.glob("scan*.md")) and not list((tmp_path / "latein").glob("epi*.md"))
    # The last line says them apart; a file named on the command line is always read.
    again = runner.invoke(app, ["run", str(tmp_path), "--recursive", *model_args])
    assert (
        again.output.strip()
        .splitlines()[-1]
        .startswith("0 written, 2 skipped, 0 failed, 2 ignored")
    )
    named = runner.invoke(app, ["run", str(tmp_path / "scan.pdf"), *model_args])
    assert named.exit_code == 1


@pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning")
def test_markup_that_is_not_text_never_reaches_it():
    from translate.inputs.extract.html import body_markdown

    html = '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html><!-- Notiz --><p>Hallo Welt</p>'
    assert body_markdown(html).strip() == "Hallo Welt"


def test_a_contents_page_marked_by_the_pdf_reader_is_left_out_of_the_summary():
    from translate.text import contents

    own = "Der Rat hat den Haushalt beschlossen und tagt wieder im Mai."
    text = f"{contents.OPEN}\n- Einleitung\n- Haushalt\n{contents.CLOSE}\n\n{own}"
    assert [role for _, role in roles_of(text)] == ["contents", "contents", None]
    assert summary_text(text) == own


def test_footnote_marks_a_translation_lost_come_back_at_the_end_of_their_sentence():
    from translate.text.markup import restore_marks

    source = "Für die Quellpakete[^1] gilt das[^2]."
    assert restore_marks(source, "This applies to the source packages[^1][^2].") == (
        "This applies to the source packages[^1][^2]."
    )
    assert restore_marks(source, "This applies to the source packages.") == (
        "This applies to the source packages[^1][^2]."
    )
    assert check(source, "This applies to the source packages.").ok  # 1 and 2 are marks
