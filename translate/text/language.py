"""Offline language identification (py3langid ships its model inside the package)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from translate.text.segment import split_blocks

# A block shorter than this is too short to identify reliably (a heading, a date line).
MIN_BLOCK_CHARS = 80
MIN_CONFIDENCE = 0.8
# Fewer letters than this, or a whole text identified this unsurely, is too little to tell
# its language: py3langid names *some* language for "zxx" or "a" (Serbian, 1 % sure).
MIN_LETTERS = 20
MIN_TEXT_CONFIDENCE = 0.5


@dataclass(frozen=True)
class LanguageReport:
    """The document's main language and the blocks written in English."""

    language: str | None  # ISO 639 code of the largest share; None: too little text to tell
    shares: dict[str, float]  # language -> share of identified characters
    english_blocks: frozenset[int]  # block indices (as split_blocks numbers them) in English


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect(text: str) -> LanguageReport:
    """Identify the language block by block, weighting each block by its length.

    Blocks too short to identify count for the document's overall language.
    """
    if sum(ch.isalpha() for ch in text[:20000]) < MIN_LETTERS:
        return LanguageReport(language=None, shares={}, english_blocks=frozenset())
    ident = _identifier()
    sizes: dict[str, int] = {}
    english: set[int] = set()
    for index, (start, end) in enumerate(split_blocks(text)):
        block = text[start:end]
        if len(block) < MIN_BLOCK_CHARS:
            continue
        lang, confidence = ident.classify(block[:5000])
        if confidence < MIN_CONFIDENCE:
            continue
        sizes[lang] = sizes.get(lang, 0) + len(block)
        if lang == "en":
            english.add(index)
    if not sizes:  # only short or unclear blocks: judge the text as a whole
        lang, confidence = ident.classify(text[:20000])
        if lang == "zxx" or confidence < MIN_TEXT_CONFIDENCE:  # zxx: "no linguistic content"
            return LanguageReport(language=None, shares={}, english_blocks=frozenset())
        sizes[lang] = len(text)
    total = sum(sizes.values())
    shares = {k: v / total for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])}
    return LanguageReport(
        language=next(iter(shares)), shares=shares, english_blocks=frozenset(english)
    )


def likely_languages(text: str, top: int = 3) -> list[tuple[str, float]]:
    """The languages a short text (a sentence, a paragraph) is most likely in, with their
    probabilities (0 to 1), most likely first; empty when it has too few letters to tell."""
    sample = text[:20000]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return []
    return [(lang, p) for lang, p in _identifier().rank(sample)[:top] if lang != "zxx"]


@cache
def language_name(code: str) -> str:
    """The English name of an ISO 639 language code ("fr" -> "French"); the code if unknown."""
    from iso639 import Language, LanguageNotFoundError

    try:
        name = Language.match(code).name
    except LanguageNotFoundError:
        return code
    return name.split(" (")[0]  # "Modern Greek (1453-)" -> "Modern Greek"
