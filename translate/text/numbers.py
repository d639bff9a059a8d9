"""The numbers a German text states, and whether an English text states them all.

Part of the completeness check (fidelity.py). A German number is found in the English in
any usual format: `3,50` as `3.50`, `1.000.000` as `1,000,000` or `1 million`, `19.30 Uhr`
as `7.30 pm`, `12 Uhr` as `noon`, `zwei` or `2` as `two`, `15` as `fifteen`, `70er` as
`1970s` or `seventies`, `1990 bis 1995` as `1990-95`, `+49 (0)30 123 45 67` as
`+49 30 1234567`. What must match exactly: a scale (`2,5 Mrd.` is 2.5 billion, never 2.5
million), a month (`5. Dezember` and `05.12.1994` are December, never May), and a German
thousands separator (`1.234` left as it is in English reads as one point two three four).
"""

from __future__ import annotations

import re
from collections import Counter

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_GERMAN_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_ENGLISH_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d+")
_DECIMAL_POINT = re.compile(r"\d+\.\d+")
_CLOCK = re.compile(r"(?::\d{2})?\s*(?:Uhr|h\b)")
_SCALES = {"thousand": 1e3, "million": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_SCALE = re.compile(r"\s*(thousand|million|m|billion|bn|trillion)\b", re.IGNORECASE)
# German scale words after a number: the English must state the scaled value.
_GERMAN_SCALE = re.compile(
    r"\s*(Tsd\.?|Tausend|Mio\.?|Millionen|Million|Mrd\.?|Milliarden|Milliarde|Billionen|Billion)"
    r"(?![^\W\d_])"
)
_ONE_SCALED = re.compile(r"\bein(?:e[mr]?)?\s+(Million|Milliarde|Billion)\b", re.IGNORECASE)
_ONE_SCALED_EN = re.compile(r"\b(?:a|one)\s+(million|billion|trillion|thousand)\b", re.I)
_PHONE = re.compile(r"\+\d[\d ()/-]{6,}\d")
_RANGE_EN = re.compile(r"\b(\d\d)(\d\d)\s*[-–]\s*(\d\d)\b")
_DECADE_EN = re.compile(r"\b(?:\d\d)?(\d0)'?s\b")
_GERMAN_NOTATION = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{3}){1,2}(?:,\d+)?(?![\d.]*\d)")
_VERSION = re.compile(r"(?:version|v)\s*$", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")

# Word lists as text, split below: one word each, in order of value.
_LISTS = {
    "en units": "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen",
    "en ordinals": "zeroth first second third fourth fifth sixth seventh eighth ninth tenth "
    "eleventh twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth "
    "nineteenth",
    "en tens": "twenty thirty forty fifty sixty seventy eighty ninety",
    "de units": "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "de teens": "dreizehn vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn",
    "de tens": "zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig",
    "de ordinal stems": "nullt erst zweit dritt viert fünft sechst siebt acht neunt zehnt elft "
    "zwölft",
    "de months": "januar februar märz april mai juni juli august september oktober november "
    "dezember",
}
_EN_UNITS, _EN_ORDINAL_UNITS, _EN_TENS, _DE_UNITS, _DE_TEENS, _DE_TENS, _DE_ORDINAL_STEMS = (
    words.split() for words in list(_LISTS.values())[:7]
)
_EN_WORDS: dict[str, float] = {w: float(i) for i, w in enumerate(_EN_UNITS)}
_EN_WORDS.update({w: float(i) for i, w in enumerate(_EN_ORDINAL_UNITS)})
for _i, _tens in enumerate(_EN_TENS, start=2):
    _EN_WORDS[_tens] = _EN_WORDS[_tens[:-1] + "ieth"] = float(10 * _i)
    _EN_WORDS[_tens[:-1] + "ies"] = float(10 * _i)  # "the seventies"
_EN_WORDS.update({"hundred": 100.0, "hundredth": 100.0, "thousand": 1e3, "thousandth": 1e3})
_EN_WORDS.update({"noon": 12.0, "midday": 12.0, "midnight": 0.0, "dozen": 12.0})
_EN_WORDS.update({"twice": 2.0, "both": 2.0, "thrice": 3.0})  # "zwei Tore": "scored twice"
_EN_COMPOUND = re.compile(  # thirty-nine, forty second
    rf"\b({'|'.join(_EN_TENS)})[- ]({'|'.join(_EN_UNITS[1:10] + _EN_ORDINAL_UNITS[1:10])})\b"
)

_DE_WORDS: dict[str, float] = {w: float(i) for i, w in enumerate(_DE_UNITS) if i > 1}
_DE_WORDS["eins"] = 1.0
_DE_WORDS.update({w: float(13 + i) for i, w in enumerate(_DE_TEENS)})
_DE_WORDS.update({w: float(20 + 10 * i) for i, w in enumerate(_DE_TENS)})
_DE_WORDS.update({"hundert": 100.0, "tausend": 1e3})
_DE_ORDINAL = re.compile(
    r"(" + "|".join(s for s in _DE_ORDINAL_STEMS[1:] if s != "acht") + r")e[nrsm]?$"
)  # erste, zweiten, dritter; not "achten" (a verb)
_DE_COMPOUND = re.compile(r"(ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)und(\w+)$")

MONTHS_DE = {name: number for number, name in enumerate(_LISTS["de months"].split(), start=1)}
MONTHS_DE["jänner"] = 1
MONTHS_EN = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
_GERMAN_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(?:\d{2,4})?(?!\d)")
_SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/\d{2,4})?\b")
_ISO_DATE = re.compile(r"\b\d{4}-(\d{1,2})-\d{1,2}\b")


def missing_numbers(source: str, output: str) -> list[str]:
    """The numbers of `source` (German formats) that `output` lacks, in any usual format.

    Each occurrence counts: a number written twice must be found twice.
    """
    source_phones, source = _phones(source)
    output_phones, output = _phones(output)
    dialled = {digits for _, digits in output_phones}
    missing = [text for text, digits in source_phones if digits not in dialled]
    available = _output_values(output)
    needed = sorted(_source_numbers(source), key=lambda need: len(need[1]))
    for text, choices in needed:
        found = next((v for v in choices if available[v] > 0), None)
        if found is None:
            missing.append(text)
        else:
            available[found] -= 1
    return missing


def missing_months(source: str, output: str) -> list[str]:
    """The months `source` names (`Dezember`, `05.12.1994`) that `output` does not name."""
    found = Counter(month for _, month in _months(output, MONTHS_EN | MONTHS_DE, german=False))
    missing = []
    for text, month in _months(source, MONTHS_DE, german=True):
        if found[month] > 0:
            found[month] -= 1
        else:
            missing.append(text)
    return missing


def german_notation(source: str, output: str) -> list[str]:
    """Numbers the output writes with a German thousands point, as its source did:
    `1.234` left in English reads as one point two three four."""
    kept = set(_GERMAN_NOTATION.findall(source))
    return [
        m.group()
        for m in _GERMAN_NOTATION.finditer(output)
        if m.group() in kept and not _VERSION.search(output[: m.start()])
    ]


def _months(text: str, names: dict[str, int], german: bool) -> list[tuple[str, int]]:
    found = [(w, names[w.lower()]) for w in _WORD.findall(text) if w.lower() in names]
    if german:
        found = [(w, n) for w, n in found if w[0].isupper()]  # "Mai", not "mai"
    for match in _GERMAN_DATE.finditer(text):
        day, month = int(match.group(1)), int(match.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12 and (match.group(0).count(".") == 2):
            found.append((match.group(), month))
    if not german:
        for match in _SLASH_DATE.finditer(text):  # 12/5 or 5/12: either may be the month
            found += [(match.group(), int(g)) for g in match.groups()[:2] if 1 <= int(g) <= 12]
        found += [(m.group(), int(m.group(1))) for m in _ISO_DATE.finditer(text)]
    return found


def _phones(text: str) -> tuple[list[tuple[str, str]], str]:
    """International phone numbers (as written, their digits without a "(0)"), and the text
    without them."""
    phones = [
        (m.group(), re.sub(r"\D", "", m.group().replace("(0)", ""))) for m in _PHONE.finditer(text)
    ]
    return phones, _PHONE.sub(" ", text)


def _source_numbers(text: str) -> list[tuple[str, tuple[float, ...]]]:
    """(as written, acceptable values) for every number a German text states."""
    needed = []
    for match in _NUMBER.finditer(text):
        token = match.group()
        if text[match.start() - 1 : match.start()].isalpha():
            continue  # part of a name: "Pos1" (a key) is "Home"
        if text[match.end() : match.end() + 1] == ":" and _CLOCK.match(text, match.end()):
            needed.append((token, _hour(_value(token))))
            continue
        clock = _CLOCK.match(text, match.end()) is not None
        scale = _GERMAN_SCALE.match(text, match.end())
        values = _german_values(token)
        if scale and len(values) == 1:
            factor = _german_scale(scale.group(1))
            needed.append((f"{token}{scale.group()}", (_value(str(values[0] * factor)),)))
            continue
        for index, value in enumerate(values):  # a date, a time: part by part
            if clock and index > 0 and value == 0:
                continue  # 20.00 Uhr may well be "8 pm"
            needed.append((token, _hour(value) if clock and index == 0 else (value,)))
    for match in _ONE_SCALED.finditer(text):
        needed.append((match.group(), (_german_scale(match.group(1)),)))
    needed += _german_words(text)
    return needed


def _german_scale(word: str) -> float:
    if word.startswith(("Mrd", "Milliard")):
        return 1e9
    if word.startswith("Mi"):
        return 1e6
    return 1e12 if word.startswith("Billion") else 1e3


def _hour(value: float) -> tuple[float, ...]:
    """An hour of the 24-hour clock as English may write it: 14 as 2 (pm), 0 as 12 or midnight."""
    if 12 < value <= 24:
        return (value, value - 12)
    return (value, 12.0, 24.0) if value == 0 else (value,)  # 0.30 Uhr: "12.30 am"


def _german_words(text: str) -> list[tuple[str, tuple[float, ...]]]:
    """German number words: "zwei", "dreißig", "einundzwanzig", "dritter". A capitalized
    cardinal counts only at a sentence's start ("die Elf", "außer Acht" are nouns)."""
    needed = []
    for match in _WORD.finditer(text):
        word, lower = match.group(), match.group().lower()
        noun = word[0].isupper() and text[: match.start()].rstrip()[-1:] not in ("", ".", ":")
        value = None if noun else _DE_WORDS.get(lower)
        if value is None and (ordinal := _DE_ORDINAL.match(lower)):
            value = float(_DE_ORDINAL_STEMS.index(ordinal.group(1)))
        if value is None and (compound := _DE_COMPOUND.match(lower)):
            unit, tens = compound.groups()
            if tens in _DE_WORDS and _DE_WORDS[tens] >= 20:
                value = _DE_WORDS[tens] + (1 if unit == "ein" else _DE_UNITS.index(unit))
        if value is not None:
            needed.append((word, (value,)))
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
    for match in _RANGE_EN.finditer(text):  # 1990-95: the second year in full
        values[float(match.group(1) + match.group(3))] += 1
    for match in _DECADE_EN.finditer(text):  # 1970s, '70s: the decade
        values[float(match.group(1))] += 1
    for match in _ONE_SCALED_EN.finditer(text):
        values[_SCALES[match.group(1).lower()]] += 1
    values.update(_english_words(text))
    values.update(value for _, (value,) in _german_words(text))  # "zwei" left: still 2
    return values


def _english_words(text: str) -> Counter:
    """Values of number words: "fifteen", "thirty-nine", "sixtieth", "two million", months."""
    values: Counter = Counter()
    lower = text.lower()
    for match in _EN_COMPOUND.finditer(lower):  # thirty-nine, forty second
        values[_EN_WORDS[match.group(1)] + _EN_WORDS[match.group(2)]] += 1
    words = re.findall(r"[a-z]+", lower)
    for index, word in enumerate(words):
        if word in _EN_WORDS:
            value = _EN_WORDS[word]
        elif word in MONTHS_EN:
            value = float(MONTHS_EN[word])
        else:
            continue
        values[value] += 1
        following = words[index + 1] if index + 1 < len(words) else ""
        if following in _SCALES and following not in ("m", "bn"):
            values[_value(value * _SCALES[following])] += 1
    return values


def _value(text: str | float) -> float:
    return round(float(text), 6)
