"""Keyword matching: the whole message is the keyword, read forgivingly (opt-out words also
as the first word: test_inbound_opt_out_words.py)."""

from __future__ import annotations

import pytest

from porchlight.notify.inbound import KEYWORDS, keyword
from porchlight.notify.models import Inbound

Kind = Inbound.Kind


@pytest.mark.parametrize(
    ("body", "word", "kind", "language"),
    [
        ("STOP", "STOP", Kind.STOP, "en"),
        ("stop", "STOP", Kind.STOP, "en"),
        ("  Stop.  ", "STOP", Kind.STOP, "en"),
        ("S T O P", "STOP", Kind.STOP, "en"),
        ("Stop!!! 🙏", "STOP", Kind.STOP, "en"),
        ("stop all", "STOPALL", Kind.STOP, "en"),
        ("Unsubscribe", "UNSUBSCRIBE", Kind.STOP, "en"),
        ("cancel", "CANCEL", Kind.STOP, "en"),
        ("End", "END", Kind.STOP, "en"),
        ("quit.", "QUIT", Kind.STOP, "en"),
        ("opt-out", "OPTOUT", Kind.STOP, "en"),
        ("¡Alto!", "ALTO", Kind.STOP, "es"),
        ("parar", "PARAR", Kind.STOP, "es"),
        ("Detener", "DETENER", Kind.STOP, "es"),
        ("CANCELAR", "CANCELAR", Kind.STOP, "es"),
        ("baja", "BAJA", Kind.STOP, "es"),
        ("start", "START", Kind.START, "en"),
        ("Unstop", "UNSTOP", Kind.START, "en"),
        ("yes", "YES", Kind.START, "en"),
        ("Comenzar", "COMENZAR", Kind.START, "es"),
        ("iniciar ", "INICIAR", Kind.START, "es"),
        ("HELP", "HELP", Kind.HELP, "en"),
        ("info?", "INFO", Kind.HELP, "en"),
        ("Ayuda", "AYUDA", Kind.HELP, "es"),
        ("AYÚDA", "AYUDA", Kind.HELP, "es"),  # a stray accent
    ],
)
def test_keywords_are_matched_forgivingly(body, word, kind, language):
    found = keyword(body)
    assert found is not None
    assert (found.word, found.kind, found.language) == (word, kind, language)


@pytest.mark.parametrize(
    "body",
    [
        "please don't stop",
        "don't stop",
        "Help me, he is back",
        "STOP2",
        "no",
        "911",
        "",
        "   ",
        "停止",
        "Where is the officer?",
    ],
)
def test_anything_else_is_a_reply(body):
    assert keyword(body) is None


def test_the_keyword_lists_cover_twilios_standard_words_and_ours_in_spanish():
    english = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "START", "UNSTOP"}
    spanish = {"PARAR", "ALTO", "DETENER", "CANCELAR", "BAJA", "COMENZAR", "INICIAR", "AYUDA"}
    assert english | spanish | {"HELP", "INFO"} <= set(KEYWORDS)
    assert {KEYWORDS[word][1] for word in spanish} == {"es"}
