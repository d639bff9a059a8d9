"""What the completeness check (translate/text/fidelity.py) catches, and what it flags wrongly.

On 1,200 German-English pairs translated by people (benchmarks/de_en_pairs.tsv: the GNOME
help, CC BY-SA 3.0; benchmarks/fidelity_data.py makes it, benchmarks/README.md says how) and
on corruptions of their English made here, each seeded, as MarianMT corrupts its output:

- untranslated: the output is the German source, whole; or one sentence of a paragraph's
  English is left in German (paragraphs whose two sides have the same number of sentences);
- truncated: the English cut at a word boundary after 80-95 % of its characters (pairs of
  six words or more);
- dropped clause: one comma-delimited clause of the English left out;
- correct: the English as it is (a flag here is a false alarm). Each pair is checked as one
  passage with the German's number of sentences, as the pipeline checks a packed chunk.

Then the hand-made cases, each printed with its verdict: text that rightly stays as it is
(names, URLs, code, short titles), wrong numbers (each kind must be caught) and right numbers
in other formats (each must pass).

    python -m benchmarks.fidelity               # all pairs, the figures and the targets
    python -m benchmarks.fidelity --limit 50    # a quick look
"""

from __future__ import annotations

import argparse
import os
import random
import re
from collections import Counter
from pathlib import Path

from translate.text.fidelity import ENV_CHECK_UNTRANSLATED, check
from translate.text.segment import split_sentences

HERE = Path(__file__).resolve().parent
PAIRS = HERE / "de_en_pairs.tsv"
SEED = 28
TARGETS = {"untranslated": 0.95, "untranslated sentence": 0.95, "truncated": 0.80}
SHORT_WORDS = 4  # a title, or a paragraph of fewer words: "Fotos", "Strg+V", "Deutsche Bahn"
MAX_FALSE_ALARMS = 0.005

# Output that rightly is its source: (source, output).
KEPT = [
    ("GNOME Software", "GNOME Software"),
    ("Firefox", "Firefox"),
    ("LibreOffice Writer", "LibreOffice Writer"),
    ("Frankfurter Allgemeine Zeitung", "Frankfurter Allgemeine Zeitung"),
    ("Deutsche Bahn", "Deutsche Bahn"),
    ("Der Spiegel", "Der Spiegel"),
    ("Johann Wolfgang von Goethe", "Johann Wolfgang von Goethe"),
    ("Bundesliga", "Bundesliga"),
    (
        "https://www.bundesregierung.de/breg-de/aktuelles",
        "https://www.bundesregierung.de/breg-de/aktuelles",
    ),
    ("Siehe https://de.wikipedia.org/wiki/Berlin.", "See https://de.wikipedia.org/wiki/Berlin."),
    ("info@beispiel.de", "info@beispiel.de"),
    ("sudo apt install gnome-user-docs", "sudo apt install gnome-user-docs"),
    ("ls -la /home/benutzer/Dokumente", "ls -la /home/benutzer/Dokumente"),
    (
        "def berechne_summe(werte): return sum(werte)",
        "def berechne_summe(werte): return sum(werte)",
    ),
    ("Geben Sie `git status` ein.", "Type `git status`."),
    ("README.md", "README.md"),
    ("Wi-Fi", "Wi-Fi"),
    ("OK", "OK"),
    ("Kindergarten", "Kindergarten"),
    ("Zeitgeist", "Zeitgeist"),
    ("Ubuntu 22.04 LTS", "Ubuntu 22.04 LTS"),
    ("Bluetooth", "Bluetooth"),
    ("PDF-Dokumente", "PDF documents"),
    ("Die Linke", "Die Linke"),
]

# Wrong numbers, one per kind the issue names: (kind, source, output); each must be flagged.
WRONG_NUMBERS = [
    ("scale: Mrd. as million", "Das kostet 2,5 Mrd. Euro.", "It costs 2.5 million euros."),
    ("scale: Mio. as billion", "Es waren 15 Mio. Besucher.", "There were 15 billion visitors."),
    (
        "scale: Milliarden as million",
        "Es fehlen 3 Milliarden Euro.",
        "3 million euros are missing.",
    ),
    ("wrong month", "Am 5. Dezember kam er.", "He came on May 5."),
    ("day and month swapped", "Am 05.12.1994 war es.", "It was on May 12, 1994."),
    ("German number word", "Sie hatte zwei Kinder.", "She had three children."),
    ("German number word, ordinal", "Er wurde Dritter.", "He came second."),
    ("German notation left", "Es kostet 1.234 Euro.", "It costs 1.234 euros."),
    ("German decimal left", "Es kostet 1.234,50 Euro.", "It costs 1.234,50 euros."),
]

# Right numbers in other formats: each must pass.
RIGHT_NUMBERS = [
    ("word above twelve", "Sie war 15 Jahre alt.", "She was fifteen years old."),
    ("compound word", "Er wurde 39 Jahre alt.", "He lived to be thirty-nine."),
    ("ordinal word", "Zum 60. Geburtstag kam sie.", "She came for the sixtieth birthday."),
    ("decade as 1970s", "In den 70er Jahren war das anders.", "In the 1970s that was different."),
    (
        "decade as word",
        "In den 70er Jahren war das anders.",
        "In the seventies that was different.",
    ),
    ("clock 14:30 Uhr", "Um 14:30 Uhr beginnt es.", "It starts at 2:30 p.m."),
    ("noon", "Um 12 Uhr essen wir.", "We eat at noon."),
    ("midnight", "Um 0 Uhr endet es.", "It ends at midnight."),
    ("one million", "1 Million Menschen kamen.", "One million people came."),
    ("a million", "Eine Million Menschen kamen.", "A million people came."),
    ("1,5 Mio. in full", "Es waren 1,5 Mio. Euro.", "It was 1,500,000 euros."),
    ("range 1990-95", "Von 1990 bis 1995 lebte er dort.", "He lived there 1990-95."),
    ("phone number", "Rufen Sie +49 (0)30 123 45 67 an.", "Call +49 30 1234567."),
    ("Mrd. as billion", "Das kostet 2,5 Mrd. Euro.", "It costs 2.5 billion euros."),
    ("German number word", "Sie hatte zwei Kinder.", "She had two children."),
]


def load_pairs(path: Path = PAIRS, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(kind, German, English) of the test set."""
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    return [(k, de, en) for k, de, en in rows][:limit]


def sentences(text: str, lang: str) -> list[str]:
    return [text[s:e].strip() for s, e in split_sentences(text, lang)]


def untranslated_sentence(de: str, en: str, rng: random.Random) -> str | None:
    """The English with one of its sentences left in German; None for a single sentence."""
    german, english = sentences(de, "de"), sentences(en, "en")
    if len(english) < 2 or len(german) != len(english):
        return None
    k = rng.randrange(len(english))
    return " ".join(german[k] if i == k else s for i, s in enumerate(english))


def dropped_sentence(de: str, en: str, rng: random.Random) -> str | None:
    """The English without one of its sentences (of a paragraph of two or more)."""
    german, english = sentences(de, "de"), sentences(en, "en")
    if len(english) < 2 or len(german) != len(english):
        return None
    k = rng.randrange(len(english))
    return " ".join(s for i, s in enumerate(english) if i != k)


def truncated(en: str, rng: random.Random) -> str | None:
    """The English cut at a word boundary after 80-95 % of its characters."""
    words = en.split()
    if len(words) < 6:
        return None
    total = len("".join(words))
    keep = rng.uniform(0.80, 0.95) * total
    kept, chars = [], 0
    for word in words:
        if chars + len(word) > keep:
            break
        kept.append(word)
        chars += len(word)
    if chars < 0.8 * total or len(kept) == len(words):
        return None
    return " ".join(kept).rstrip(",;:")


def dropped_clause(en: str, rng: random.Random) -> str | None:
    """The English without one of its comma-delimited clauses."""
    body, end = (en[:-1], en[-1]) if en[-1:] in ".!?" else (en, "")
    parts = body.split(", ")
    if len(parts) < 2:
        return None
    k = rng.randrange(1, len(parts))
    return ", ".join(p for i, p in enumerate(parts) if i != k) + end


def corrupted(pairs: list[tuple[str, str, str]]) -> dict[str, list[tuple[str, str]]]:
    """(source, output) of each corruption, seeded."""
    rng = random.Random(SEED)
    made: dict[str, list[tuple[str, str]]] = {
        "untranslated": [],
        "untranslated: short title or phrase": [],
        "untranslated sentence": [],
        "dropped sentence": [],
        "truncated": [],
        "dropped clause": [],
    }
    for _kind, de, en in pairs:
        short = _kind == "title" or len(de.split()) < SHORT_WORDS
        made["untranslated: short title or phrase" if short else "untranslated"].append((de, de))
        for name, output in (
            ("untranslated sentence", untranslated_sentence(de, en, rng)),
            ("dropped sentence", dropped_sentence(de, en, rng)),
            ("truncated", truncated(en, rng)),
            ("dropped clause", dropped_clause(en, rng)),
        ):
            if output is not None:
                made[name].append((de, output))
    return made


def flagged(source: str, output: str) -> tuple[str, ...]:
    return check(source, output, sentences=max(1, len(split_sentences(source, "de")))).problems


def rule(problem: str) -> str:
    """A problem's rule: its text without what varies (numbers, the words quoted)."""
    if problem.startswith("missing number"):
        return "missing number(s)"
    return re.sub(r"\d+%?", "N", problem.split(":")[0])


def report(pairs: list[tuple[str, str, str]]) -> list[str]:
    """The figures, one line each, and whether each target is met."""
    lines = [f"{len(pairs)} pairs ({PAIRS.name}), paragraph-level"]
    correct = [(de, en, flagged(de, en)) for _k, de, en in pairs]
    single = [p for de, _en, p in correct if len(split_sentences(de, "de")) <= 1]
    wrong = sum(bool(p) for p in single)
    share = wrong / max(1, len(single))
    verdict = "met" if share <= MAX_FALSE_ALARMS else "NOT met"
    lines.append(
        f"false alarms on correct one-sentence pairs: {wrong}/{len(single)} = {share:.2%}"
        f" (target <= {MAX_FALSE_ALARMS:.1%}: {verdict})"
    )
    alarms = [p for _de, _en, p in correct if p]
    lines.append(
        f"false alarms on all correct pairs, checked as packed chunks: {len(alarms)}/"
        f"{len(correct)} = {len(alarms) / max(1, len(correct)):.2%}, by rule:"
    )
    by_rule = Counter(rule(p) for problems in alarms for p in problems)
    lines += [f"    {count:4d}  {name}" for name, count in by_rule.most_common()]
    for name, cases in corrupted(pairs).items():
        caught = sum(bool(flagged(de, out)) for de, out in cases)
        rate = caught / max(1, len(cases))
        target = TARGETS.get(name)
        line = f"{name} caught: {caught}/{len(cases)} = {rate:.1%}"
        if target:
            line += f" (target >= {target:.0%}: {'met' if rate >= target else 'NOT met'})"
        lines.append(line)
    lines += _cases("kept as it is (must pass)", [("", s, o) for s, o in KEPT], want=False)
    lines += _cases("wrong numbers (must be caught)", WRONG_NUMBERS, want=True)
    lines += _cases("right numbers (must pass)", RIGHT_NUMBERS, want=False)
    return lines


def _cases(title: str, cases: list[tuple[str, str, str]], want: bool) -> list[str]:
    results = [(kind, s, o, check(s, o).problems) for kind, s, o in cases]
    right = sum(bool(p) == want for *_, p in results)
    lines = [f"{title}: {right}/{len(cases)} right"]
    for kind, s, o, problems in results:
        mark = "ok " if bool(problems) == want else "XX "
        said = "; ".join(problems) or "passes"
        lines.append(f"    {mark}{kind + ': ' if kind else ''}{s!r} -> {o!r}: {said}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--limit", type=int, help="only the first LIMIT pairs")
    parser.add_argument("--show", type=int, default=0, help="print up to SHOW false alarms")
    args = parser.parse_args(argv)
    os.environ[ENV_CHECK_UNTRANSLATED] = "1"  # every rule, whatever the environment says
    pairs = load_pairs(limit=args.limit)
    for line in report(pairs):
        print(line)
    if args.show:
        shown = [(de, en, p) for _k, de, en in pairs if (p := flagged(de, en))][: args.show]
        for de, en, problems in shown:
            print(f"\n{'; '.join(problems)}\n  de: {de}\n  en: {en}")


if __name__ == "__main__":
    main()
