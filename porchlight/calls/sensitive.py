"""Call types that are sensitive by name start out sensitive.

A new call type (from the live API or an import) whose code or description contains one of
the agency's sensitive terms is created sensitive, with the term that matched, and the console
asks staff to confirm it. A missed sensitive type texts a victim's household; an
over-cautious one costs a text: so matching leans to caution (any word of the label, accents
and case ignored), and only staff turn it off.

The terms are the agency's to edit (Agency.sensitive_terms, one per line, in the admin);
DEFAULT_TERMS is the English and Spanish list a new agency starts with.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

DEFAULT_TERMS = "\n".join(
    [
        # English
        "suicide",
        "suicidal",
        "domestic",
        "spousal",
        "DV",
        "family violence",
        "sexual",
        "sex offense",
        "sex crime",
        "rape",
        "rapist",
        "molest",
        "child abuse",
        "child neglect",
        "elder abuse",
        "abuse",
        "incest",
        "homicide",
        "murder",
        "kidnap",
        "abduction",
        "human trafficking",
        "trafficking",
        "stalking",
        "restraining order",
        "protective order",
        "overdose",
        "5150",
        "mental health",
        # Spanish
        "suicidio",
        "suicida",
        "violencia domestica",
        "violencia familiar",
        "violencia intrafamiliar",
        "agresion sexual",
        "abuso sexual",
        "violacion",
        "abuso infantil",
        "maltrato infantil",
        "maltrato",
        "abuso",
        "homicidio",
        "asesinato",
        "secuestro",
        "trata de personas",
        "acoso",
        "sobredosis",
    ]
)


def _fold(text: str) -> str:
    """Lower case, accents off, anything not a letter or digit a space: "Violación-DV" → "violacion dv"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


@lru_cache(maxsize=64)
def _pattern(terms: str) -> re.Pattern[str] | None:
    words = sorted({_fold(t) for t in terms.splitlines() if _fold(t)}, key=len, reverse=True)
    if not words:
        return None
    # A term matches at the start of a word: "rape" must not match "grape", but "kidnap"
    # should match "kidnapping". Short terms ("DV") must be the whole word, or "dvd" would match.
    alternatives = "|".join(re.escape(w) + (r"(?![0-9a-z])" if len(w) <= 3 else "") for w in words)
    return re.compile(rf"(?<![0-9a-z])(?:{alternatives})")


def matching_term(terms: str, *labels: str) -> str:
    """The first sensitive term found in any of the labels, as folded; "" when none."""
    pattern = _pattern(terms)
    if pattern is None:
        return ""
    for label in labels:
        if label and (m := pattern.search(_fold(label))):
            return m.group(0)
    return ""
