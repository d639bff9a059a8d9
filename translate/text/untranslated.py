"""German left in an English translation: the source copied whole, or a sentence of it.

MarianMT at times copies its input instead of translating it; length, numbers and sentence
count then all match. A sentence of the output is taken for German when German function
words ("und", "nicht", "Sie", "auf", "der") outnumber English ones more than twice, two at
least; words both languages have ("in", "die", "was", "will") count for neither. A sentence
without such words (a title: "Proxy-Einstellungen festlegen") is German when it is a
sentence of the source, copied, and has a German function word ("Region und Sprache") or
the language identifier (py3langid, between German and English only) is sure of it. What
rightly stays as it is passes: URLs, e-mail addresses, paths, code and quoted text are not
read, and a copied title whose every word is capitalized is taken for a name ("Frankfurter
Allgemeine Zeitung", "Der Spiegel"); so, alas, is a German title of nouns ("Farbverwaltung",
"Fortgeschrittene Tipps"): without a dictionary the two cannot be told apart.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Function words of one language that are no word of the other: not "in", "die", "was",
# "will", "am", "an", "hat", "war", "man", "also", "so", "um", "bin".
_GERMAN = """
    der das dem den des ein eine einer eines einem einen und oder aber nicht ist sind wird
    werden wurde wurden habe haben hatte hatten mit von zu zum zur für auf aus bei nach über
    unter vor im ins sie ich wir ihr ihre ihren ihrem ihrer ihres ihn ihm sich auch noch nur
    wenn dass daß wie als kann können muss müssen soll sollen sollte sollten diese dieser
    dieses diesem diesen kein keine keinen keinem keiner sein seine seinen seinem seiner
    zwischen durch gegen ohne sehr schon dann denn doch hier dort jetzt mehr alle allen alles
    einige jedoch sowie damit dabei dazu daher waren ob weil bis es er uns unser unsere euch
    werden wieder immer nichts etwas dies welche welcher welches wo wird oft sowohl
"""
_ENGLISH = """
    the a and of to is are were be been being would can could should with from by this that
    these those it its you your we our they their he she his her which who what when if than
    then there here have has had do does did as about into after over only more for on at or
    not no how why where all any some other such each just very
"""
GERMAN_WORDS = frozenset(_GERMAN.split())
ENGLISH_WORDS = frozenset(_ENGLISH.split())
_NAME_PARTICLES = frozenset(["von", "van", "der", "de", "del", "da", "zu"])  # "Johann von Goethe"
MIN_GERMAN_WORDS = 2
MIN_LANGID_LETTERS = 12
MIN_GERMAN_PROBABILITY = 0.95

_NOT_READ = re.compile(
    r"`[^`]*`"  # inline code
    r"|\b(?:https?://|www\.)\S+"  # URLs
    r"|\S+@\S+\.\w+"  # e-mail addresses
    r"|\S*[/\\_]\S*"  # paths, identifiers
    r"|„[^“”]*[“”]|“[^”]*”|\"[^\"]*\"|«[^»]*»|»[^«]*«"  # quotations
)
_PIECE = re.compile(r"[^.!?;:\n]+[.!?;:]*")
_WORD = re.compile(r"[^\W\d_]+")


def german_sentences(source: str, output: str) -> list[str]:
    """The sentences of `output` (an English translation of `source`) left in German."""
    source, output = _NOT_READ.sub(" ", source), _NOT_READ.sub(" ", output)
    copied = {_normal(piece) for piece in _pieces(source)} | {_normal(source)}
    whole = _normal(output) in copied
    return [p for p in _pieces(output) if _is_german(p, whole or _normal(p) in copied)]


def _pieces(text: str) -> list[str]:
    return [p.strip() for p in _PIECE.findall(text) if p.strip()]


def _normal(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _is_german(piece: str, copied: bool) -> bool:
    words = _WORD.findall(piece)
    lower = [w.lower() for w in words]
    german = sum(w in GERMAN_WORDS for w in lower)
    english = sum(w in ENGLISH_WORDS for w in lower)
    if german >= MIN_GERMAN_WORDS and german > 2 * english:
        return True
    if not copied or english or not words or _name(words):
        return False
    if german:  # "Region und Sprache", copied
        return True
    letters = sum(map(len, words))
    if letters < MIN_LANGID_LETTERS:
        return False
    return german_probability(" ".join(words)) >= MIN_GERMAN_PROBABILITY


def _name(words: list[str]) -> bool:
    """Whether the words read as a name: "Deutsche Bahn", "Der Spiegel", "Johann Wolfgang von
    Goethe"; not "Installieren Sie Sushi" (a verb, and "Sie")."""
    if words[0].lower() in ("der", "die", "das"):
        words = words[1:]
    return all(
        (w[0].isupper() and w.lower() not in GERMAN_WORDS) or w in _NAME_PARTICLES for w in words
    )


@lru_cache(maxsize=1024)
def german_probability(text: str) -> float:
    """How sure py3langid is that `text` is German rather than English (0 to 1)."""
    ranked = dict(_identifier().rank(text))
    return ranked.get("de", 0.0)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    ident.set_languages(["de", "en"])
    return ident
