"""Make the completeness check's test set: German-English pairs translated by people.

The source is Debian's `gnome-user-docs` package (the GNOME desktop's help, CC BY-SA 3.0,
GNOME Documentation Project): English pages under /usr/share/help/C/ and their German
translations, made by people, under /usr/share/help/de/, same names. A page's `<p>`,
`<title>` and `<desc>` elements are paired in order where both pages have the same sequence
of them (in 43.0-2 all 348 pages do: 4,039 pairs); pairs whose German is the English are
dropped (names, commands: the check's own cases cover those), and so are editors'
`<comment>`s. Pairs are paragraph-level (a `<p>` is one to four sentences, a title or desc a
phrase): the two sides of a paragraph do not always have as many sentences.
A fixed sample (by a hash of the English, so the same package gives the same set) of up to
1,200 pairs of 3 to 400 characters is written to benchmarks/de_en_pairs.tsv:
`kind<TAB>german<TAB>english`, one pair a line.

    apt-get download gnome-user-docs
    python -m benchmarks.fidelity_data gnome-user-docs_43.0-2_all.deb

(43.0-2 is Debian bookworm's, which made the shipped file.) See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "de_en_pairs.tsv"
GUIDES = ("gnome-help", "system-admin-guide")
KINDS = ("p", "title", "desc")
_NS = "{http://projectmallard.org/1.0/}"
SIZE = 1200
MIN_CHARS, MAX_CHARS = 3, 400


def _text(element: ElementTree.Element) -> str:
    """The element's text as a reader sees it; the keys of a key sequence joined by "+"."""
    tag = element.tag.replace(_NS, "")
    if tag == "keyseq":
        return "+".join(_text(child) for child in element)
    parts = [element.text or ""]
    for child in element:
        parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def elements(page: Path) -> list[tuple[str, str]]:
    """(kind, text) of every paragraph, title and desc of a Mallard page, in order."""
    found: list[tuple[str, str]] = []

    def walk(element: ElementTree.Element) -> None:
        tag = element.tag.replace(_NS, "")
        if tag == "comment":
            return  # editors' notes, not the page
        if tag in KINDS:
            found.append((tag, " ".join(_text(element).split())))
            return
        for child in element:
            walk(child)

    walk(ElementTree.parse(page).getroot())
    return found


def pairs(help_root: Path) -> list[tuple[str, str, str]]:
    """(kind, German, English) of every page whose two versions have the same elements."""
    found = []
    for guide in GUIDES:
        for english_page in sorted((help_root / "C" / guide).glob("*.page")):
            german_page = help_root / "de" / guide / english_page.name
            if not german_page.is_file():
                continue
            english, german = elements(english_page), elements(german_page)
            if [k for k, _ in english] != [k for k, _ in german]:
                continue  # the translation is of another version of the page
            for (kind, en), (_, de) in zip(english, german):
                if en and de and en != de and "\t" not in en + de:
                    found.append((kind, de, en))
    return found


def sample(found: list[tuple[str, str, str]], size: int = SIZE) -> list[tuple[str, str, str]]:
    """A fixed choice of `size` distinct pairs of a usable length."""
    usable = {
        (kind, de, en)
        for kind, de, en in found
        if MIN_CHARS <= len(de) <= MAX_CHARS and MIN_CHARS <= len(en) <= MAX_CHARS
    }
    ordered = sorted(usable, key=lambda p: hashlib.sha256("\t".join(p).encode()).hexdigest())
    return ordered[:size]


def from_deb(deb: Path) -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["dpkg", "-x", str(deb), tmp], check=True)
        return pairs(Path(tmp) / "usr" / "share" / "help")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("deb", type=Path, help="gnome-user-docs_*.deb (or an unpacked help/)")
    parser.add_argument("--out", type=Path, default=PAIRS)
    parser.add_argument("--size", type=int, default=SIZE)
    args = parser.parse_args(argv)
    found = pairs(args.deb) if args.deb.is_dir() else from_deb(args.deb)
    chosen = sample(found, args.size)
    args.out.write_text("".join("\t".join(p) + "\n" for p in chosen), encoding="utf-8")
    print(f"{len(found)} pairs, {len(chosen)} written to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
