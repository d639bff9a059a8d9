"""Did a translation keep its source's content? Cheap checks on text, no model needed.

A translation fails when it stopped at its length cap instead of ending by itself, when it is
much shorter than its source, when a number of the source is missing from it, or when it has
fewer sentences than the source had. Machine translation sometimes drops a sentence or a
clause and still reads fluently; these checks are how the pipeline notices (pipeline.py
retranslates what fails, sentence by sentence, then clause by clause).

Length is measured in characters (not counting spaces), which needs no tokenizer. The floor is
calibrated per language pair: over 137 German sentences of tests/data/corpus_de.txt and their
English versions in corpus_en.txt (`python -m tests.calibrate_length`), English had 0.88x the
characters (median; 5th percentile 0.68, lowest 0.55, and the lowest are abridged
translations). A chunk of two sentences that loses one has ~0.45x. Below MIN_CHECKED_CHARS
the ratio says little ("Herzlichen Glückwunsch!" is "Congratulations!") and is not checked.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from translate.text.markup import restore_inline_code, without_inline_code

# Output characters / source characters below which a translation has lost content.
MIN_LENGTH_RATIO = {("de", "en"): 0.5}
DEFAULT_MIN_LENGTH_RATIO = 0.4  # an uncalibrated pair: only gross losses
MIN_CHECKED_CHARS = 40

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_GERMAN_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_ENGLISH_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_DECIMAL_POINT = re.compile(r"\d+\.\d+")
_CLOCK = re.compile(r"\s*(?:Uhr|h\b)")
_SCALES = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_SCALE = re.compile(r"\s*(thousand|million|m|billion|bn|trillion)\b", re.IGNORECASE)
_WORDS = "zero one two three four five six seven eight nine ten eleven twelve"
_ORDINALS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "januar", "jan", "jänner"),
            ("february", "februar", "feb"),
            ("march", "märz", "mar"),
            ("april", "apr"),
            ("may", "mai"),
            ("june", "juni", "jun"),
            ("july", "juli", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oktober", "oct", "okt"),
            ("november", "nov"),
            ("december", "dezember", "dec", "dez"),
        ],
        start=1,
    )
    for name in names
}
_WORD = re.compile(r"[^\W\d_]+")


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
    if _chars(source) >= MIN_CHECKED_CHARS and ratio < MIN_LENGTH_RATIO.get(
        pair, DEFAULT_MIN_LENGTH_RATIO
    ):
        problems.append(f"{ratio:.0%} of the source's length")
    if restore_inline_code(source, output) is None:
        problems.append("inline code not kept as it is")
    # Numbers inside inline code are the code's, kept verbatim (pipeline.translate_passages).
    missing = missing_numbers(without_inline_code(source), without_inline_code(output))
    if missing:
        problems.append("missing number" + ("s " if len(missing) > 1 else " ") + ", ".join(missing))
    if sentences > 1:
        from translate.text.segment import split_sentences

        found = len(split_sentences(output, pair[1]))
        if found < sentences:
            problems.append(f"{found} sentence(s) for the source's {sentences}")
    return Verdict(tuple(problems))


def length_ratio(source: str, output: str) -> float:
    """Characters of the output per character of the source, spaces not counted."""
    return _chars(output) / max(1, _chars(source))


def _chars(text: str) -> int:
    return len("".join(text.split()))


def missing_numbers(source: str, output: str) -> list[str]:
    """The numbers of `source` (German formats) that `output` lacks, in any usual format.

    `3,50` is found as `3.50` or `3,50`, `1.000.000` as `1,000,000` or `1 million`,
    `5. Dezember 1994` as `5 December 1994` or `December 5th, 1994`, `05.12.1994` as
    `5 December 1994`, `19.30 Uhr` as `7.30 pm`, a small number as its English word.
    Each occurrence counts: a number written twice must be found twice.
    """
    available = _output_values(output)
    missing = []
    needed = sorted(_source_numbers(source), key=lambda need: len(need[1]))
    for text, choices in needed:
        found = next((v for v in choices if available[v] > 0), None)
        if found is None:
            missing.append(text)
        else:
            available[found] -= 1
    return missing


def _source_numbers(text: str) -> list[tuple[str, tuple[float, ...]]]:
    """(as written, acceptable values) for every number a German text states."""
    needed = []
    for match in _NUMBER.finditer(text):
        token = match.group()
        clock = _CLOCK.match(text, match.end()) is not None
        for index, value in enumerate(_german_values(token)):  # a date, a time: part by part
            if clock and index > 0 and value == 0:
                continue  # 20.00 Uhr may well be "8 pm"
            hour = clock and index == 0 and 12 < value <= 24
            needed.append((token, (value, value - 12) if hour else (value,)))
    return needed


def _german_values(token: str) -> list[float]:
    if _GERMAN_THOUSANDS.fullmatch(token):
        return [_value(token.replace(".", "").replace(",", "."))]
    if _DECIMAL_COMMA.fullmatch(token):
        return [_value(token.replace(",", "."))]
    return [_value(part) for part in re.split(r"[.,]", token)]


def _output_values(text: str) -> Counter:
    """Every value the output can be read to state, under English and German conventions."""
    values: Counter = Counter()
    for match in _NUMBER.finditer(text):
        token = match.group()
        readings = set(_german_values(token))
        readings.update(_value(part) for part in re.split(r"[.,]", token))
        if _ENGLISH_THOUSANDS.fullmatch(token):
            readings.add(_value(token.replace(",", "")))
        if _DECIMAL_POINT.fullmatch(token):
            readings.add(_value(token))
        scale = _SCALE.match(text, match.end())
        if scale:
            factor = _SCALES[scale.group(1).lower()]
            readings.update(_value(str(r * factor)) for r in list(readings))
        values.update(readings)
    for word in _WORD.findall(text.lower()):
        for table in (_WORDS, _ORDINALS):
            if word in table.split():
                values[float(table.split().index(word))] += 1
        if word in _MONTHS:
            values[float(_MONTHS[word])] += 1
    return values


def _value(text: str) -> float:
    return round(float(text), 6)
