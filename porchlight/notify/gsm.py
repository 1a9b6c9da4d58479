"""SMS encoding: does a text fit GSM-7, how many segments it costs, and what forces UCS-2.

A text made only of the GSM 03.38 alphabet goes as GSM-7: 160 characters in one segment, 153
per part when it is split (the rest of each part carries the joining header). One character
outside it (a curly quote pasted from a word processor, an emoji) sends the whole text as
UCS-2: 70 UTF-16 code units in one segment, 67 per part. Carriers bill per segment, and a
three-part text can arrive out of order, so the template preview shows both, and `normalise()`
replaces the characters that force UCS-2 for no reason with their GSM look-alikes. Accented
letters outside the alphabet (á, í, ó, ú) are words, not typography: `normalise()` never
touches them; `plain()` writes their nearest GSM letter (á → a), which the worker does only
when the agency chose it (DeliverySettings.accents) and only when it saves a segment
(`cheapest()`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 default alphabet (the escape to the extension table, 0x1B, left out).
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these is sent as the escape plus itself, so it counts twice.
EXTENDED = frozenset("\f^{}\\[~]|€")

SINGLE = {GSM7: 160, UCS2: 70}  # units in a text that fits one segment
PART = {GSM7: 153, UCS2: 67}  # units per part of a split text

# Characters that force UCS-2 needlessly, and what they become. Typography from word
# processors and phones, odd spaces, and invisible characters.
REPLACEMENTS: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u0060\u02bc\u2039\u203a", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
    "\u2022": "-",
    "\u2044": "/",
    # Non-breaking, thin, wide and other spaces; a tab is not in the alphabet either.
    **dict.fromkeys("\t\u00a0\u1680\u202f\u205f\u3000", " "),
    **{chr(c): " " for c in range(0x2000, 0x200B)},
    **dict.fromkeys("\u2028\u2029", "\n"),
    # Invisible: zero-width spaces and joiners, the byte-order mark, soft hyphens.
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", ""),
}
_TABLE = str.maketrans(REPLACEMENTS)


@dataclass(frozen=True)
class Flag:
    """A character that forces UCS-2, how often it occurs, and its GSM replacement if any."""

    char: str
    count: int
    replacement: str | None

    @property
    def code(self) -> str:
        return f"U+{ord(self.char):04X}"

    @property
    def name(self) -> str:
        return unicodedata.name(self.char, self.code)


@dataclass(frozen=True)
class Analysis:
    encoding: str  # GSM7 or UCS2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    flags: tuple[Flag, ...]  # every character that forces UCS-2, in order of appearance

    @property
    def needless(self) -> bool:
        """True when normalising alone would bring the text back to GSM-7."""
        return bool(self.flags) and all(f.replacement is not None for f in self.flags)


def is_gsm(char: str) -> bool:
    return char in BASIC or char in EXTENDED


def _units(char: str, encoding: str) -> int:
    if encoding == GSM7:
        return 2 if char in EXTENDED else 1
    return 2 if ord(char) > 0xFFFF else 1  # a surrogate pair


def encoding_of(text: str) -> str:
    return GSM7 if all(is_gsm(c) for c in text) else UCS2


def split(text: str) -> list[str]:
    """The text as the parts a phone receives, never cutting an escape or a surrogate pair."""
    if not text:
        return []
    encoding = encoding_of(text)
    if sum(_units(c, encoding) for c in text) <= SINGLE[encoding]:
        return [text]
    limit = PART[encoding]
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        size = _units(char, encoding)
        if used + size > limit:
            parts.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += size
    parts.append("".join(current))
    return parts


def analyse(text: str) -> Analysis:
    encoding = encoding_of(text)
    counts: dict[str, int] = {}
    for char in text:
        if not is_gsm(char):
            counts[char] = counts.get(char, 0) + 1
    return Analysis(
        encoding=encoding,
        units=sum(_units(c, encoding) for c in text),
        segments=len(split(text)),
        flags=tuple(Flag(c, n, REPLACEMENTS.get(c)) for c, n in counts.items()),
    )


def normalise(text: str) -> str:
    """Replace the characters that needlessly force UCS-2; everything else is left alone."""
    return text.translate(_TABLE)


def _plain_letter(char: str) -> str:
    """The nearest GSM-7 spelling of one character: itself when it is GSM already, else its
    letter without the accent (á → a, Ó → O) when that is GSM, else itself."""
    if is_gsm(char):
        return char
    base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
    return base if base and all(is_gsm(c) for c in base) else char


def plain(text: str) -> str:
    """The text with every accented letter outside GSM-7 written as its plain letter. The
    letters GSM-7 has (é, ñ, ü, à…) are kept."""
    return "".join(_plain_letter(c) for c in normalise(text))


def cheapest(text: str, *, keep_accents: bool = False) -> str:
    """The text as it goes out: normalised, and with plain letters when the agency allows it
    and that costs fewer segments (an emoji keeps a text UCS-2 however it is spelled, and
    then the accents stay)."""
    text = normalise(text)
    if keep_accents or encoding_of(text) == GSM7:
        return text
    simpler = plain(text)
    return simpler if len(split(simpler)) < len(split(text)) else text
