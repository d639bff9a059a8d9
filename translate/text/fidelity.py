"""Did a translation keep its source's content? Cheap checks on text, no model needed.

A translation fails when it stopped at its length cap instead of ending by itself, when it is
much shorter than its source, when it stops short of its source's final punctuation or on a
word no English phrase ends on (a cut: "...for the"), when it left a sentence in German (the
model copied its input: untranslated.py), when a number or month of the source is missing
from it or a German number format was left in it (numbers.py), or when it has fewer sentences
than the source had and is shorter too. Machine translation sometimes drops a sentence or a
clause and still reads fluently; these checks are how the pipeline notices (pipeline.py
retranslates what fails, sentence by sentence, then clause by clause). The figures, on
1,200 pairs of the GNOME help translated by people and corruptions of their English:
docs/fidelity.md (`python -m benchmarks.fidelity`).

Length is measured in characters (not counting spaces), which needs no tokenizer. The floor is
calibrated per language pair: over 137 German sentences of tests/data/corpus_de.txt and their
English versions in corpus_en.txt (`python -m tests.calibrate_length`), English had 0.88x the
characters (median; 5th percentile 0.68, lowest 0.55, and the lowest are abridged
translations). A chunk of two sentences that loses one has ~0.45x. Below MIN_CHECKED_CHARS
the ratio says little ("Herzlichen Glückwunsch!" is "Congratulations!") and is not checked.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from translate.text.markup import restore_inline_code, without_inline_code
from translate.text.numbers import german_notation, missing_months, missing_numbers
from translate.text.untranslated import GERMAN_WORDS, german_sentences

__all__ = ["Verdict", "check", "length_ratio", "missing_numbers"]

# Output characters / source characters below which a translation has lost content.
MIN_LENGTH_RATIO = {("de", "en"): 0.5}
DEFAULT_MIN_LENGTH_RATIO = 0.4  # an uncalibrated pair: only gross losses
MIN_CHECKED_CHARS = 40
# Below this many characters a sentence's translation varies more ("Den Bildschirm abdunkeln,
# wenn der Benutzer untätig ist" is "Dim screen when user is idle", 0.48x): the floor drops.
SHORT_SOURCE_CHARS = 80
SHORT_MIN_LENGTH_RATIO = 0.4

# German left in the English (a sentence, a German "1.234") is flagged unless this is "0":
# the test models copy their input (tests/checkpoints.py), and the test suite sets it.
ENV_CHECK_UNTRANSLATED = "TRANSLATE_CHECK_UNTRANSLATED"
# Final punctuation: a source that ends a sentence against an output that does not.
_SENTENCE_END = ".!?"  # not "…": a menu's "Eigenschaften …" may end as "Properties… button"
_CLOSERS = "\"'“”„«»‹›’‘)]*_ \t\n"
# Words an English sentence, title or list item does not end on (a preposition may: "the
# network to connect to").
_NO_LAST_WORD = frozenset(["the", "a", "an", "of", "and", "or", "your", "my", "their", "our"])
_NO_LAST_WORD |= frozenset(["its", "than", "whose"])
_ORDINAL_END = re.compile(r"\d\.$")
_ENGLISH_ORDINAL_END = re.compile(r"(?:\d|st|nd|rd|th)$")
# The typical ratio of English to German characters, for the sentence-count rule.
TYPICAL_LENGTH_RATIO = {("de", "en"): 0.88}
# A source's sentences joined into fewer: a problem only when the output is also shorter
# than typical by this share of the source's shortest sentence (GNOME help pairs,
# benchmarks/fidelity.py: 0.75 catches 98 % of dropped sentences, 0.5 all of them with half
# again as many false alarms on translators' joined sentences).
JOINED_SHARE = 0.75


@dataclass(frozen=True)
class Verdict:
    """What a check found wrong with one translation; nothing when it passed."""

    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        return "; ".join(self.problems)


def check(
    source: str,
    output: str,
    finished: bool = True,
    sentences: int = 1,
    pair: tuple[str, str] = ("de", "en"),
) -> Verdict:
    """Check one translation of `source` (which has `sentences` sentences).

    Args:
        finished: whether the model ended the output itself (False: cut at the length cap).
        pair: source and target language, for the length floor and the sentence rules.
    """
    problems = []
    if not finished:
        problems.append("cut off at the length limit")
    ratio = length_ratio(source, output)
    floor = MIN_LENGTH_RATIO.get(pair, DEFAULT_MIN_LENGTH_RATIO)
    if sentences <= 1 and _chars(source) < SHORT_SOURCE_CHARS:
        floor = min(floor, SHORT_MIN_LENGTH_RATIO)
    if _chars(source) and not _chars(output):  # a short source's too, below the floor's reach
        problems.append("nothing came out")
    elif _chars(source) >= MIN_CHECKED_CHARS and ratio < floor:
        problems.append(f"{ratio:.0%} of the source's length")
    if restore_inline_code(source, output) is None:
        problems.append("inline code not kept as it is")
    if _german_left_checked(pair):
        german = german_sentences(without_inline_code(source), without_inline_code(output))
        if german:
            problems.append(f"left in German: „{_shown(german[0])}“")
    if finished and _lost_end(source, output, pair):
        problems.append("ends without the source's final punctuation")
    problems += _number_problems(source, output, pair)
    if sentences > 1:
        problems += _sentence_problem(source, output, sentences, ratio, pair)
    return Verdict(tuple(problems))


def _number_problems(source: str, output: str, pair: tuple[str, str]) -> list[str]:
    # Numbers inside inline code are the code's, kept verbatim (pipeline.translate_passages).
    source, output = without_inline_code(source), without_inline_code(output)
    problems = []
    missing = missing_numbers(source, output)
    if missing:
        problems.append("missing number" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
    if pair[0] != "de":
        return problems
    months = missing_months(source, output)
    if months:
        problems.append("month not found: " + ", ".join(months))
    if _german_left_checked(pair) and (kept := german_notation(source, output)):
        problems.append("German number format left: " + ", ".join(kept))
    return problems


def _sentence_problem(
    source: str, output: str, sentences: int, ratio: float, pair: tuple[str, str]
) -> list[str]:
    """Fewer sentences than the source's, and shorter than the translation would be had it
    kept the source's shortest sentence: a translator may join two sentences into one, but
    then keeps their length."""
    from translate.text.segment import split_sentences

    found = len(split_sentences(output, pair[1]))
    if found >= sentences:
        return []
    typical = TYPICAL_LENGTH_RATIO.get(pair)
    if typical is not None:
        lengths = [_chars(source[s:e]) for s, e in split_sentences(source, pair[0])]
        if len(lengths) > 1 and ratio >= typical * (1 - JOINED_SHARE * min(lengths) / sum(lengths)):
            return []
    return [f"{found} sentence(s) for the source's {sentences}"]


def _lost_end(source: str, output: str, pair: tuple[str, str]) -> bool:
    """Whether the output stops short: its source ends a sentence and it does not, or it ends
    on a word no English phrase ends on ("the", "of", "your"). A translation cut short keeps
    its words but not its full stop. (Not a source's ":": a title may drop it.)"""
    source, output = source.rstrip(_CLOSERS), output.rstrip(_CLOSERS)
    if not source or not output:
        return False
    if pair[1] == "en" and output.rsplit(None, 1)[-1].lower() in _NO_LAST_WORD:
        return source.rsplit(None, 1)[-1].lower() not in GERMAN_WORDS  # "..., oder" + a list
    if source[-1] not in _SENTENCE_END or output[-1] in _SENTENCE_END + "…;:":
        return False
    if re.search(r"[/@]\S*$", output):
        return False  # a URL or an address at the end: its full stop may be left off
    # "am 5." (an ordinal) may end as "on the 5th".
    return not (_ORDINAL_END.search(source) and _ENGLISH_ORDINAL_END.search(output))


def _german_left_checked(pair: tuple[str, str]) -> bool:
    return pair == ("de", "en") and os.environ.get(ENV_CHECK_UNTRANSLATED) != "0"


def _shown(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def length_ratio(source: str, output: str) -> float:
    """Characters of the output per character of the source, spaces not counted."""
    return _chars(output) / max(1, _chars(source))


def _chars(text: str) -> int:
    return len("".join(text.split()))
