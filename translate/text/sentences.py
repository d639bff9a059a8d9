"""German sentence boundaries, rule by rule, for news-style text.

Every `.` `!` `?` `…` followed by a space is a candidate; the word before it and the word
after it decide. A full stop after an abbreviation (`Dr.`, `Dr. med.`, `kath.`, `Str. 5`,
`z. B.`), an ordinal (`am 5. Dezember`, `zum 01. Januar`, `im 1.–3. Jahrhundert`, `der 2.
Weltkrieg`) or an initial (`Hans A. Müller`) ends no sentence, unless the next word is one
that starts sentences and never follows such a word (`Der`, `Sie`, `Damit` ...). A word that
is an abbreviation only before a number (`Art. 5`, `Fax. 030`, `Vers 3`, `5. Jan. 2020`)
ends one before any capitalised word (`seiner Art. Die`). After an ordinary word a full stop
ends a sentence even before a lower-case word (`sowieso. biene maja tanzt.`); a number that
opens the block is a list's (`1. Dies ist ...`). A new sentence may open with a quotation
mark (`„Wir`, `,,Wir`, ``` ``Wir ```); a footnote number or an emoticon may follow the end
(`... gesagt.12 Die`, `Danke! :-) Wir`). A quotation that closes later in the block is never
cut.

Scored against `sentence-splitter`, `pysbd` and SoMaJo on the gold set in
tests/data/sentences_de.txt and on UD German treebanks (`python -m tests.score_splitters`).
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Abbreviations after which a full stop never ends a sentence (titles before names, words
# before numbers, and the like). Compared without their dots, case-sensitive.
_ALWAYS_ABBREVIATIONS = _words(
    """
    Dr Prof em Hr Hrn Fr Frl Dipl Ing Mag Lic med phil rer nat jur dent vet theol pol oec habil
    pharm kath evang ev röm luth ref Pfr Sr St Str Nr Nrn Abs Bd Bde Tel Fa Hrsg
    hrsg Bsp bzw vgl ca Ca ggf sog inkl exkl zzgl bspw evtl gem lt Lt geb gest verh verw Verf
    Hbf Pl Gebr Feb Febr Apr Jun Jul Aug Sep Sept Okt Nov Dez Mo Di Mi Do Sa
    Az Abk allg bes bzgl dt engl franz ital span Gde Kr Krs Reg Bez Landkr Ldkr Jg Jgg Nachf
    Anh Ausg Aufl Bl Hs Sp Ziff lfd Pkt Verz Mrz zit zw zB dh uU iA iV mE zT va
    idR zZt zZ bezgl
    Abschn Anl Abt Bearb Bj Dok Fn Fußn Gr Hg Hl hl Inh Kat Kto Lfg Lief Lkr Mob Nb No Par Pos
    Postf Rdnr Rdn Rn Rz Taf Tz Vol Whg Zi Zif Ztg lit rd mind ggü zzt insb ehem eigtl jährl
    monatl tägl urspr gegr Bhf Bf Gl Hausnr Tfn Ca Stck Stk ff Ff Nrn Art-Nr Best-Nr
    """
)
# Ordinary words that are also abbreviations before a number (`Art. 5`, `Fax. 030 12 34`,
# `Vers 3`, `Kap. IV`, `5. Jan. 2020`): a full stop after them ends a sentence before a
# word that starts sentences, or before any capitalised word when a determiner, pronoun or
# adjective shows they are nouns or names (`seiner Art. Viele`, `sagte mir Jan. Morgen`).
_BEFORE_NUMBERS = _words("Art Fax Jan Vers Kap Mär")
_NOUN_BEFORE = _words(
    """
    der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner
    sein seine seinen seinem seiner ihr ihre ihren ihrem ihrer mein meine meinen meinem meiner
    dein deine unser unsere unseren unserem euer eure jede jeder jedes jedem jeden diese dieser
    dieses diesem diesen jene jener welche solche mir dir ihm ihn uns euch ihnen
    """
)
# Abbreviations that also end sentences ("... Äpfel, Birnen usw."): a full stop after them
# ends one when a word follows that starts sentences.
_SOMETIMES_ABBREVIATIONS = _words(
    """
    usw etc ff f Jh Jhd Jhdt Mio Mrd Mill Std Min Sek Co Ltd Inc Corp Abb Tab Anm ua uvm
    uä oä sa so su Bd vs Tsd Bio Pers Ct Pf max Max So Jhs
    """
)
# Words that start sentences and never follow an ordinal or an abbreviation.
_STARTERS = _words(
    """
    Der Die Das Den Dem Des Ein Eine Einen Einem Einer Eines Er Sie Es Wir Ich Ihr Man Dies
    Diese Dieser Dieses Diesen Jene Dabei Damit Danach Dann Doch Aber Und Oder Auch Außerdem
    Allerdings Zudem Trotzdem Deshalb Daher Darum Denn Nun Jetzt Heute Gestern Morgen Im Am
    Ins Beim Vom Zum Zur In An Auf Aus Bei Mit Nach Seit Vor Für Gegen Um Über Unter Laut
    Wie Was Wer Wo Warum Weil Als Wenn Ob Dass Bis Noch Nur Schon Erst Viele Alle Jeder Jede
    Keine Kein Sein Seine Ihre Unser Unsere Mein Meine Zwar Vielmehr Stattdessen Inzwischen
    Mittlerweile Bereits Dagegen Hingegen Jedoch Dennoch Somit Also Zunächst Später
    Schließlich Anschließend Insgesamt Hier Dort Da So Sollte Wird Werden Ist Sind War Waren
    Einige Manche Mehrere Beide Andere Welche Jedes Jeden Vielleicht Natürlich Leider Zuerst
    Oft Manchmal Ebenfalls Ansonsten Sonst Seine Seinen Ihren Ihrem Ihrer Unseren Meinen Du
    Hat Haben Hatte Kann Können Muss Müssen Soll Sollen Will Wollen Es Ihm Ihn Ihnen Uns Ab
    Nicht Rund Mehr Fast Etwa Seitdem Bislang Bisher Künftig Demnach Dazu Zuvor Zuletzt
    Trotz Wegen Während Nachdem Obwohl Sobald Unterdessen Gleichzeitig Zugleich Selbst
    """
)
# Words after which a number followed by a full stop is an ordinal (`am 5.`, `der 2.`).
_ORDINAL_BEFORE = _words(
    """
    der die das den dem des am im zum zur vom beim ins ans aufs seit ab bis zu sein seine
    seinem seinen seiner ihr ihre ihrem ihren ihrer jedem jeden jeder einem einer ihres
    unser unsere unserem dieses diesem diesen dieser Der Die Das Den Dem Des Am Im Zum Zur
    Vom Beim Seit Ab Bis
    """
)
# Words after which a number is a quantity: a full stop after it ends the sentence.
_QUANTITY_BEFORE = _words(
    """
    auf von um rund etwa knapp über unter nur insgesamt bei mit gegen als zwischen und
    Platz Rang Nummer Seite Kapitel Punkt Punkte Spiel Runde Stufe Tor Minute Prozent
    """
)
_MONTHS = _words(
    """
    Januar Jänner Februar März April Mai Juni Juli August September Oktober November Dezember
    Jan Feb Febr Mär Mrz Apr Jun Jul Aug Sep Sept Okt Nov Dez
    """
)
_ROMAN = re.compile(r"[IVXLC]+")
_OPENING = "„“‚‘\"'»«([{`,"  # `,,` and ``` `` ``` open quotations in plain-text German
_CLOSING = "“”‘’\"'»«)]}"
_VOWELS = frozenset("aeiouyäöüAEIOUYÄÖÜ")
# Emoticons and emoji: they belong to the sentence they follow (`Danke! :-)`).
_EMOTICON = (
    r"(?:[:;=][-o'^]?[)(\]\[DPpOo/|*3]+|[xX]D+|\^\^|\^_\^|<3"
    r"|[\u2600-\u27bf\U0001f300-\U0001faff][\ufe0f\U0001f3fb-\U0001f3ff]?)"
)
# A candidate end: punctuation, closing quotes or brackets, maybe a footnote number or an
# emoticon, then a space or the end.
_CANDIDATE = re.compile(
    r"(?P<punct>[.!?…]+)(?P<close>[“”‘’\"'»«)\]]*)(?P<note>\d{1,3}|[¹²³⁰-⁹]+)?"
    rf"(?P<emo>(?:[ \t]+{_EMOTICON})+)?(?=\s|$)"
)
# An emoticon in place of the punctuation (`wie immer :) Also ...`).
_EMOTICON_END = re.compile(rf"(?<=\s){_EMOTICON}(?=\s)")
_NUMBER = re.compile(r"[–\-]?\d+(?:[.–\-/]+\d+)*")
_QUOTE_PAIRS = (("„", "“"), ("“", "”"), ("«", "»"), ("»", "«"))
# Quotation marks typed without the typographic ones: `,,Wir'' ` and ``` ``Wir'' ```.
_PLAIN_QUOTES = ((",,", "„"), ("``", "„"), ("''", "“"))


def sentence_spans(block: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a block of German text, without outer whitespace."""
    cuts = [m.end() for m in _CANDIDATE.finditer(block) if _ends_here(block, m)]
    cuts += [m.end() for m in _EMOTICON_END.finditer(block) if _emoticon_ends(block, m.end())]
    cuts = sorted(set(cuts))
    spans, start = [], 0
    for cut in [*cuts, len(block)]:
        piece = block[start:cut]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = cut
    return merge_open_quotes(block, spans)


def is_starter(word: str) -> bool:
    """Whether a word is one that starts sentences (Der, Sie, Damit ...), quotes aside."""
    return word.lstrip(_OPENING).rstrip(".,;:!?") in _STARTERS


def ends_sentence(line: str, next_line: str) -> bool:
    """Whether a sentence ends between a line and the next (for telling wraps from breaks)."""
    left = line.rstrip()
    joined = f"{left} {next_line.lstrip()}"
    return any(m.end() == len(left) and _ends_here(joined, m) for m in _CANDIDATE.finditer(joined))


def _next_word(text: str, end: int) -> str:
    after = text[end:].lstrip()
    return after.split(maxsplit=1)[0].lstrip(_OPENING) if after else ""


def _emoticon_ends(text: str, end: int) -> bool:
    """An emoticon with no punctuation before it ends a sentence before a sentence's start."""
    return is_starter(_next_word(text, end))


def _ends_here(text: str, match: re.Match) -> bool:
    word = _next_word(text, match.end())
    if not word or word[0] in "–-":
        return False
    punct, note = match.group("punct"), match.group("note")
    before = text[: match.start()].split()
    previous = before[-1] if before else ""
    kind = _kind(previous, before)
    if word[0].islower():
        # Lower case after a full stop: a sentence that starts lower-case (`sowieso. biene
        # maja tanzt.`), if an ordinary word ends the one before; never after ! ? … (`„Wie
        # bitte?“ fragte er`) or an abbreviation (`ehem. bekannter`).
        bare = previous.rstrip(_CLOSING)
        return (
            punct == "."
            and not note
            and not match.group("close")
            and kind == "word"
            and bare.isalpha()
            and len(bare) > 1
            and bool(_VOWELS & set(bare))
        )
    if punct != "." or note or match.group("close"):
        # ! ? … end a sentence; so does a full stop with a quote, bracket or footnote after it
        # (unless it belongs to an abbreviation inside the brackets).
        return punct != "." or kind == "word"
    starter = is_starter(word)
    if kind == "word":
        return True
    if kind == "always":
        return False
    if kind == "number":
        return len(before) > 1 and _number_ends(previous, before, word, starter)
    if kind == "no vowel":
        return word[0].isalpha()  # an unknown abbreviation before a number or a symbol
    if kind == "before numbers":
        noun = len(before) > 1 and _noun_use(before[-2].lstrip(_OPENING).lower())
        return word[0].isupper() and not _ROMAN.fullmatch(word.rstrip(".,")) and (starter or noun)
    return starter  # a sometimes-abbreviation, an initial or a Roman numeral


def _kind(previous: str, before: list[str]) -> str:
    """What the word before a full stop is: word, always, sometimes, number, before numbers,
    no vowel."""
    token = previous.lstrip(_OPENING).rstrip(_CLOSING)
    bare = token.replace(".", "")
    if _NUMBER.fullmatch(token):
        return "number"
    if bare == "Chr":
        return "word"  # v. Chr. and n. Chr. end what they date
    if bare in _BEFORE_NUMBERS:
        return "before numbers"
    if (
        bare in _ALWAYS_ABBREVIATIONS
        or bare.lower().endswith("str")  # Goethestr. 12, Friedrich-Ebert-Str. 4
        or _spaced_abbreviation(before) in _ALWAYS_ABBREVIATIONS
    ):
        return "always"
    if bare in _SOMETIMES_ABBREVIATIONS or "." in token.strip("."):
        return "sometimes"  # and u.a. z.B. style dotted letters
    if len(bare) == 1 and bare.isalpha() or _ROMAN.fullmatch(bare):
        return "sometimes"  # an initial (Hans A. Müller) or a numeral (Ludwig XIV.)
    if bare.isalpha() and not _VOWELS & set(bare) and not bare.isupper():
        return "no vowel"  # no German word: Tfn. 030, Stk. 5 (but BBC is a name)
    return "word"


def _noun_use(ahead: str) -> bool:
    """Whether the word before one of _BEFORE_NUMBERS makes it a noun or a name: a
    determiner or pronoun (`seiner Art`, `mir Jan`) or an inflected adjective (`ersten Vers`)."""
    return ahead in _NOUN_BEFORE or (
        ahead.isalpha() and len(ahead) > 3 and ahead.endswith(("e", "en", "er", "em", "es"))
    )


def _spaced_abbreviation(before: list[str]) -> str:
    """`z. B.`, `i. d. R.`: single letters with full stops, read back as one abbreviation."""
    letters = []
    for token in reversed(before):
        if len(token) == 2 and token[1] == "." and token[0].isalpha():
            letters.append(token[0])
        elif len(token) == 1 and token.isalpha() and not letters:
            letters.append(token)
        else:
            break
    return "".join(reversed(letters))


def _number_ends(previous: str, before: list[str], word: str, starter: bool) -> bool:
    """A full stop after a number: a date, an ordinal, or the end of a sentence?"""
    if word.rstrip(".,") in _MONTHS:
        return False  # am 5. Dezember, zum 01. Januar
    if starter:
        return True
    groups = re.findall(r"\d+", previous)
    if len(groups[-1]) == 4 and not previous.startswith(("–", "-")):
        return True  # a year: im Jahr 2015. Experten ...
    ahead = before[-2] if len(before) > 1 else ""
    if ahead in _ORDINAL_BEFORE or _NUMBER.fullmatch(ahead.rstrip(".,")) or ahead == "und":
        return False  # der 2. Weltkrieg, 1. und 2. Klasse
    return ahead in _QUANTITY_BEFORE  # stieg auf 12. Experten ...; else an ordinal


def quote_open(fragment: str, rest: str) -> bool:
    """True while `fragment` has opened a quotation that `rest` still closes."""
    for plain, typographic in _PLAIN_QUOTES:
        fragment, rest = fragment.replace(plain, typographic), rest.replace(plain, typographic)
    for opening, closing in _QUOTE_PAIRS:
        if fragment.count(opening) > fragment.count(closing) and closing in rest:
            return True
    return fragment.count('"') % 2 == 1 and '"' in rest


def merge_open_quotes(block: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and quote_open(block[merged[-1][0] : merged[-1][1]], block[merged[-1][1] :]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
