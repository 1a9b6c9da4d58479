"""Comments grouped into themes by the agency's own word lists, on the agency's own server.

No model and no outside service: a comment belongs to a theme when it contains one of that
theme's terms in its language (Lexicon rows, editable in the admin; `DEFAULT_TERMS` below to
start). Matching ignores case and accents and works on whole words; a term ending in `*`
matches any ending ("rud*" → rude, rudely). Precision and recall on a labelled set of comments
are measured by tests/test_theme_quality.py and written in docs/admins.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

_WORD = re.compile(r"[a-z0-9ñ']+")

# (theme, language) → terms, one a line.
DEFAULT_TERMS: dict[tuple[str, str], str] = {
    ("response_time", "en"): "\n".join([
        "took forever", "took so long", "took too long", "took hours", "hours", "minutes",
        "waited", "wait*", "late", "slow*", "quick*", "fast", "prompt*", "right away",
        "came fast", "arrived fast", "never came", "never showed", "showed up", "response time",
        "on time", "delay*", "immediately", "soon",
    ]),
    ("response_time", "es"): "\n".join([
        "tard*", "horas", "minutos", "esper*", "rapid*", "rápid*", "pronto", "enseguida",
        "nunca llego", "nunca llegaron", "llegaron", "llego", "demor*", "lent*", "inmediat*",
    ]),
    ("courtesy", "en"): "\n".join([
        "kind*", "polite*", "rude*", "nice", "respect*", "disrespect*", "courte*", "friendly",
        "caring", "compassion*", "patient", "attitude", "condescend*", "dismissive", "sweet",
        "warm", "yelled", "mean", "gentle", "treated me",
    ]),
    ("courtesy", "es"): "\n".join([
        "amable*", "grosero*", "grosera*", "respet*", "cortes*", "educad*", "trato",
        "paciencia", "pacient*", "gritó", "grito", "simpatic*", "atent*", "carino*",
        "despectiv*", "maleducad*",
    ]),
    ("professionalism", "en"): "\n".join([
        "professional*", "unprofessional", "thorough*", "competent", "incompetent", "lazy",
        "knowledgeable", "calm*", "handled", "careful*", "sloppy", "phone the whole time",
        "on his phone", "on her phone", "did their job", "did his job", "did her job",
        "by the book", "uniform", "efficient*",
    ]),
    ("professionalism", "es"): "\n".join([
        "profesional*", "competent*", "incompetent*", "flojo*", "perezos*", "tranquil*",
        "calma", "minucios*", "eficient*", "su trabajo", "celular", "manej*", "seri*",
    ]),
    ("communication", "en"): "\n".join([
        "explain*", "told me", "tell me", "updat*", "informed", "inform*", "listen*",
        "call back", "called back", "call me back", "text*", "understand", "communicat*",
        "no one told", "nobody told", "kept me", "clear*", "answered my questions",
        "questions", "spanish", "english", "interpret*", "let me know",
    ]),
    ("communication", "es"): "\n".join([
        "explic*", "me dijeron", "me dijo", "inform*", "escuch*", "avis*", "mensaje*",
        "comunic*", "entend*", "español", "ingles", "inglés", "interpret*", "pregunt*",
        "actualiz*", "llamaron",
    ]),
    ("outcome", "en"): "\n".join([
        "resolved", "solved", "fixed", "nothing was done", "nothing happened", "did nothing",
        "nothing done", "arrest*", "report", "still", "again", "caught", "got my", "recovered",
        "returned", "problem", "outcome", "result*", "stopped", "gone", "helped",
    ]),
    ("outcome", "es"): "\n".join([
        "resolv*", "resuelt*", "solucion*", "no hicieron nada", "nada", "arrest*", "detuv*",
        "reporte", "informe", "sigue", "otra vez", "de nuevo", "recuper*", "devolv*",
        "problema", "resultado*", "ayud*",
    ]),
}  # fmt: skip


def fold(text: str) -> str:
    """Lower case without accents (ñ kept: it changes the word), for matching."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if unicodedata.category(ch) == "Mn" and out and out[-1] != "n":
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _pattern(term: str) -> re.Pattern[str] | None:
    words = _WORD.findall(fold(term.strip()))
    if not words:
        return None
    stem = term.strip().endswith("*")
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(r"(?<![a-z0-9ñ])" + body + (r"[a-z0-9ñ']*" if stem else r"(?![a-z0-9ñ])"))


class Tagger:
    """Compiled lexicons: theme → language → patterns."""

    def __init__(self, lexicons: Mapping[tuple[str, str], str]) -> None:
        self._by: dict[str, dict[str, list[re.Pattern[str]]]] = {}
        for (theme, language), terms in lexicons.items():
            patterns = [p for p in map(_pattern, terms.splitlines()) if p is not None]
            self._by.setdefault(language, {}).setdefault(theme, []).extend(patterns)

    @classmethod
    def for_agency(cls, agency_id: int) -> Tagger:
        from porchlight.feedback.models import Lexicon

        rows = Lexicon.objects.filter(agency_id=agency_id).values_list("theme", "language", "terms")
        lexicons = {(t, lang): terms for t, lang, terms in rows}
        return cls(lexicons or DEFAULT_TERMS)

    def themes(self, text: str, language: str) -> list[str]:
        """The themes of one comment, in a fixed order. A comment in a language without a
        lexicon is read with every lexicon (people answer in the language they like)."""
        folded = fold(text)
        if not folded.strip():
            return []
        tables: Iterable[dict[str, list[re.Pattern[str]]]] = (
            [self._by[language]] if language in self._by else self._by.values()
        )
        found: set[str] = set()
        for table in tables:
            for theme, patterns in table.items():
                if any(p.search(folded) for p in patterns):
                    found.add(theme)
        return sorted(found)


def score(
    tagger: Tagger, labelled: Iterable[tuple[str, str, set[str]]]
) -> dict[str, tuple[float, float, int]]:
    """Precision and recall per theme, and over all themes ("all"), on (language, text,
    themes) rows labelled by people: theme → (precision, recall, comments labelled with it)."""
    from porchlight.feedback.models import Theme

    names = [*Theme.values, "all"]
    tp = dict.fromkeys(names, 0)
    fp = dict.fromkeys(names, 0)
    fn = dict.fromkeys(names, 0)
    support = dict.fromkeys(names, 0)
    for language, text, truth in labelled:
        got = set(tagger.themes(text, language))
        for theme in Theme.values:
            for key in (theme, "all"):
                tp[key] += theme in got and theme in truth
                fp[key] += theme in got and theme not in truth
                fn[key] += theme not in got and theme in truth
                support[key] += theme in truth
    return {
        k: (
            tp[k] / (tp[k] + fp[k]) if tp[k] + fp[k] else 1.0,
            tp[k] / (tp[k] + fn[k]) if tp[k] + fn[k] else 1.0,
            support[k],
        )
        for k in names
    }
